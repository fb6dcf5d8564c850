package rules

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
)

// This file holds the check that keeps what a build compiles off a runtime
// image with an older glibc than the build's. A C extension compiled on
// Debian 13 (glibc 2.41) may need symbols that Debian 12's glibc 2.36 lacks:
// since glibc 2.38, a program compiled with _GNU_SOURCE (which Python.h
// defines) calls strtol, sscanf and their kin as __isoc23_strtol,
// __isoc23_sscanf, … (versioned GLIBC_2.38), and the import fails with
// "version `GLIBC_2.38' not found". Distroless has Python 3.11 only on
// Debian 12, while python:3.11 and python:3.11-slim are Debian 13 images
// since Debian 13's release (slim-facts §6.7: match builder and runtime
// Debian releases).

// cCompilers are the system packages that install a C compiler.
var cCompilers = []string{"gcc", "g++", "clang", "build-essential", "cc", "c++"}

// checkGlibcRelease refuses the first rung for a Python build that installs
// a C compiler on a Debian release newer than the runtime image's (a tag
// that names no release counts as the newest), since what pip compiles
// there may not load on the runtime's older glibc. The slim rung, the
// official image of the same tag family, has the build's release. On a full
// image, which has gcc without installing it, the fix message notes the risk.
func (sp *split) checkGlibcRelease() {
	if sp.slim || sp.image == nil || sp.kind != catalog.KindPython {
		return
	}
	runtime, ok := debianNumber(sp.image.Distro)
	if !ok {
		return // not a Debian image (Chainguard's Wolfi has the newest glibc)
	}
	build := sp.a.Image.Distro
	if build == "" && sp.a.Image.Libc == catalog.LibcGlibc {
		build = untaggedRelease(catalog.ClassifyBase(sp.a.BaseRef).Tag)
	}
	n, ok := debianNumber(build)
	if !ok || n <= runtime {
		return
	}
	pkg, in := installedCompiler(sp.a.Runs)
	if in == nil {
		if catalog.FullImageHas(sp.a.BaseRef, "curl") {
			// A full image is built on buildpack-deps, which has gcc and
			// -dev libraries: pip compiles a requirement without a wheel
			// for this Python there, unseen. Most have wheels; say so.
			sp.notes = append(sp.notes, fmt.Sprintf("%s is Debian %d and %s Debian %d: a requirement pip compiled from source there (one without a wheel for Python %s) may need a newer glibc than the runtime has (python:%s-slim would keep the build's release)",
				sp.a.BaseRef, n, sp.image.Ref, runtime, sp.version, sp.version))
		}
		return
	}
	sp.blockRung(in, "RUN installs %s, and what it compiles on Debian %d (%s) may need symbols of a newer glibc than %s has (Debian %d): C extensions built there may not load",
		pkg, n, sp.a.BaseRef, sp.image.Ref, runtime)
}

// installedCompiler returns the first C compiler package that one of the
// RUN steps runs installs, and that RUN. Removing it later does not count:
// what it compiled stays.
func installedCompiler(runs []*facts.RunStep) (string, *rewrite.Instr) {
	for _, step := range runs {
		for _, sc := range step.Cmds {
			if sc.Dynamic {
				continue
			}
			name := path.Base(sc.Call.Args[0])
			if !slices.Contains(facts.PackageManagers, name) {
				continue
			}
			pkgs, remove := facts.PackageArgs(name, sc.Call.Args, sc.Call.Dynamic)
			if remove {
				continue
			}
			for _, pk := range pkgs {
				base, ver, _ := strings.Cut(pk, "-") // gcc-12, g++-14
				if slices.Contains(cCompilers, pk) || (base == "gcc" || base == "g++") && ver != "" && strings.Trim(ver, "0123456789") == "" {
					return pk, step.In
				}
			}
		}
	}
	return "", nil
}

// trixieSince is, per Python minor, the first patch release whose
// official images defaulted to Debian 13 (trixie, August 2025): Python
// 3.11.13 was the current 3.11 release then (3.11.14 followed in October),
// so python:3.11.12-slim and older patch tags are Debian 12 or older.
var trixieSince = map[string]int{"3.11": 13}

// untaggedRelease returns the Debian release of an official Python image
// whose tag names none ("3.11.4-slim"): Debian 12 for a patch release older
// than trixieSince, else Debian 13 (the tag follows Debian's newest release).
func untaggedRelease(tag string) string {
	version, _, _ := strings.Cut(tag, "-")
	parts := strings.Split(version, ".")
	if len(parts) == 3 {
		first, ok := trixieSince[parts[0]+"."+parts[1]]
		if patch, err := strconv.Atoi(parts[2]); ok && err == nil && patch < first {
			return "debian12"
		}
	}
	return "debian13"
}

// debianNumber returns the release number of "debian12" and the like.
func debianNumber(distro string) (int, bool) {
	g := catalog.DebianGeneration(distro)
	n, err := strconv.Atoi(strings.TrimPrefix(g, "debian"))
	return n, err == nil && strings.HasPrefix(g, "debian")
}

// copiedCompiledOnNewer returns the blocker for a Python final stage moving to
// img when it copies files from a stage whose chain installs a C compiler on
// a Debian release newer than img's: the packages it copies may hold
// extensions compiled there (the runtime-base side of checkGlibcRelease).
func copiedCompiledOnNewer(p *Pass, files *facts.StageFiles, img *catalog.Image) (facts.Blocker, bool) {
	runtime, ok := debianNumber(img.Distro)
	if !ok || img.Kind != catalog.KindPython {
		return facts.Blocker{}, false
	}
	f := p.File
	for _, c := range files.Copies {
		if c.From == "" {
			continue
		}
		idx := facts.StageIndex(f, c.From, len(f.Stages)-1)
		if idx < 0 {
			continue
		}
		chain := facts.StageChain(f, idx)
		root := facts.ClassifyStageBase(f, chain[0])
		build := root.Distro
		if build == "" && root.Libc == catalog.LibcGlibc {
			build = untaggedRelease(root.Tag)
		}
		if n, ok := debianNumber(build); !ok || n <= runtime {
			continue
		}
		for _, i := range chain {
			if pkg, in := installedCompiler(p.Facts().Build(&f.Stages[i]).Runs); in != nil {
				return facts.Blocker{Span: c.In.Span, Reason: fmt.Sprintf("COPY --from=%s copies what stage %s built after RUN installed %s on %s (a newer Debian than %s's): C extensions compiled there may need symbols of a newer glibc",
					c.From, c.From, pkg, f.Stages[chain[0]].BaseName, img.Ref)}, true
			}
		}
	}
	return facts.Blocker{}, false
}
