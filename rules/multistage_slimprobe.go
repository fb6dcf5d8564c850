package rules

import (
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/catalog"
)

// This file holds what the slim rung keeps of the build image besides the
// app: the PATH its command finds the program through, and the curl or
// wget a HEALTHCHECK runs.

// carryProbe plans the install of curl or wget in a slim runtime stage with
// apt, for a HEALTHCHECK that runs the one the build image had: the
// health check keeps working as written.
func (sp *split) carryProbe(prog string) bool {
	name := path.Base(prog)
	if sp.image.PackageManager != "apt" || !catalog.FullImageHas(sp.a.BaseRef, name) || strings.Contains(prog, "/") && prog != "/usr/bin/"+name {
		return false
	}
	if !slices.Contains(sp.runtimePkgs, name) {
		sp.runtimePkgs = append(sp.runtimePkgs, name)
	}
	return true
}

// keepImagePath plans ENV PATH in the slim runtime stage when the command
// finds its program through a directory of the build image's PATH that the
// slim image's lacks (cargo install's /usr/local/cargo/bin): the runtime
// keeps that PATH, so the command runs as written.
func (sp *split) keepImagePath() bool {
	p := sp.a.Image.Env["PATH"]
	if p == "" || strings.ContainsAny(p, "$ \t\"'") || !slices.Contains(strings.Split(p, ":"), path.Dir(sp.entryPath)) {
		return false
	}
	sp.imagePath = p
	return true
}
