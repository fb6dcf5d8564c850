package rules

import (
	"slices"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
)

// This file holds what the slim rung needs to know of Python builds on
// their own image: console scripts that another stage's pip install wrote,
// and the libraries compilers leave on Alpine.

// copiedFromStage returns the first of the paths candidates that a COPY
// --from of the stage puts in place (a file it names or a file of a
// directory it copies), and the stage or image it comes from.
func (sp *split) copiedFromStage(candidates []string) (string, string) {
	for _, c := range candidates {
		for i := len(sp.a.Copies) - 1; i >= 0; i-- {
			cp := sp.a.Copies[i]
			if cp.Image != "" && cp.Dest != "" && facts.Within(c, strings.TrimSuffix(cp.Dest, "/")) {
				return c, cp.Image
			}
		}
	}
	return "", ""
}

// alpineCompilerLibs maps an Alpine compiler package to the runtime
// libraries that what it builds may link: libgcc_s (unwinding, Rust's
// cdylibs) and libstdc++ for C++. The python:*-alpine images have neither,
// while the compilers pull them in as dependencies.
var alpineCompilerLibs = map[string][]string{
	"gcc":        {"libgcc"},
	"g++":        {"libgcc", "libstdc++"},
	"build-base": {"libgcc", "libstdc++"},
	"clang":      {"libgcc", "libstdc++"},
	"cargo":      {"libgcc"},
	"rust":       {"libgcc"},
}

// compilerLibs returns the runtime libraries that a Python runtime stage on
// the build's own Alpine image installs because the build installed a
// compiler there (an extension that pip compiled may link them, and the
// runtime stage drops the compiler that brought them), and the first RUN
// that installed such a compiler.
func (sp *split) compilerLibs(installed map[string]*rewrite.Instr, removed map[string]bool) ([]string, *rewrite.Instr) {
	if sp.kind != catalog.KindPython || sp.image.PackageManager != "apk" {
		return nil, nil
	}
	var libs []string
	var at *rewrite.Instr
	for pk, in := range installed {
		if removed[pk] || len(alpineCompilerLibs[pk]) == 0 {
			continue
		}
		libs = append(libs, alpineCompilerLibs[pk]...)
		if at == nil || in.StartLine < at.StartLine {
			at = in
		}
	}
	slices.Sort(libs)
	return slices.Compact(libs), at
}
