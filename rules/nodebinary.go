package rules

import (
	"path"
	"slices"
	"strconv"

	"github.com/dfslim/dfslim/catalog"
)

// builderNode is where the official Debian-based node images (node:16,
// node:16-slim, node:4-slim, …) keep Node.js: the nodejs.org Linux build,
// unpacked into /usr/local. That binary bundles OpenSSL, ICU, zlib, libuv and
// V8, and links only glibc (libc, libm, libdl, libpthread, librt), libstdc++
// and libgcc_s, which distroless cc has: the distroless nodejsNN images are cc
// plus this very binary. nodejs.org builds it against an old glibc (2.17 for
// Node.js 16 and older, 2.28 since 18), and glibc and libstdc++ run programs
// built against older versions of themselves.
const builderNode = "/usr/local/bin/node"

// firstLibatomicNode is the first Node.js major whose nodejs.org Linux build
// also links libatomic.so.1, which distroless cc lacks (the official images
// install libatomic1 from 25 on, distroless nodejs26 adds it to cc).
const firstLibatomicNode = 25

// nodeManagers install another Node.js over or beside the image's own.
var nodeManagers = []string{"n", "nvm", "fnm", "volta", "nodenv", "asdf", "nodeenv"}

// nodeManagerRun returns the RUN that installs another Node.js with a
// version manager (n 14, nvm install 12), or nil. Which Node.js the command
// then runs depends on where that manager put it and on PATH, so neither a
// runtime image of the build image's version nor its node binary is proven
// to be the one.
func (sp *split) nodeManagerRun() (*runStep, string) {
	for _, step := range sp.a.runs {
		for _, sc := range step.cmds {
			if sc.dynamic || len(sc.call.Args) == 0 {
				continue
			}
			if name := path.Base(sc.call.Args[0]); slices.Contains(nodeManagers, name) {
				return step, name
			}
		}
	}
	return nil, ""
}

// builderNodeRuntime returns the runtime image for a Node.js app whose
// version has no distroless image (an end-of-life major: 4 to 16, 19, 21,
// 23), built on an official Debian-based node image: distroless cc, to which
// the runtime stage copies the build image's own node binary (render), so
// that the app runs on the very Node.js it ran on before. It returns nil when
// that is not proven safe: another flavour (Chainguard's glibc-dynamic has no
// time zone data), the slim rung, an Alpine (musl) build image, an image
// other than the official one (its node may live elsewhere or link other
// libraries), an unknown version (the tag decides it at build time, and from
// 25 on node needs libatomic), or a RUN that installs Debian's nodejs.
func (sp *split) builderNodeRuntime() *catalog.Image {
	a := sp.a
	if sp.language != "node" || sp.slim || sp.p.Config.Flavor() != catalog.Distroless {
		return nil
	}
	if !a.image.official || a.image.repo != "node" || a.image.libc != catalog.LibcGlibc || a.image.distro == "alpine" {
		return nil
	}
	major, err := strconv.Atoi(catalog.TrimVersion(a.image.version, 1))
	if err != nil || major >= firstLibatomicNode {
		return nil
	}
	if sp.installsPackage("nodejs") {
		return nil // apt's node in /usr/bin may be the one the command finds
	}
	img, err := catalog.RuntimeImageOn(catalog.Distroless, catalog.KindCC, "", a.image.distro, sp.p.Config.Debug)
	if err != nil {
		return nil
	}
	return img
}
