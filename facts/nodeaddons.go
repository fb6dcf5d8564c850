package facts

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// LockNativePackages reads a package-lock.json (v2 or v3) and returns the
// packages that may hold native code built for the install's platform and
// libc: those with an install script (node-gyp builds, prebuilt downloads)
// and those published per platform (a cpu or libc restriction, or an os one
// on an optional dependency: prebuilt binaries such as @esbuild/linux-x64 or
// @img/sharp-linuxmusl-x64). Packages npm skips on
// Linux (an os list without linux, such as fsevents) are left out, and so are
// devDependencies when devDropped (the install omitted them or the runtime
// prunes them). err says why the lockfile cannot show it.
func LockNativePackages(lockfile []byte, devDropped bool) (names []string, err string) {
	var lock struct {
		LockfileVersion int `json:"lockfileVersion"`
		Packages        map[string]struct {
			HasInstallScript bool     `json:"hasInstallScript"`
			Dev              bool     `json:"dev"`
			Optional         bool     `json:"optional"`
			OS               []string `json:"os"`
			CPU              []string `json:"cpu"`
			Libc             []string `json:"libc"`
		} `json:"packages"`
	}
	if json.Unmarshal(lockfile, &lock) != nil || lock.LockfileVersion < 2 {
		return nil, "its package-lock.json (v1) does not record install scripts"
	}
	for name, pkg := range lock.Packages {
		if name == "" || pkg.Dev && devDropped || !npmPlatformAllows(pkg.OS, "linux") {
			continue
		}
		// A prebuilt binary is published per platform: restricted to a cpu
		// or libc, or to an os as an optional dependency of the package
		// that loads it. A required package that only names its os is
		// JavaScript that declines other systems.
		if pkg.HasInstallScript || len(pkg.CPU) > 0 || len(pkg.Libc) > 0 || len(pkg.OS) > 0 && pkg.Optional {
			if i := strings.LastIndex(name, "node_modules/"); i >= 0 {
				name = name[i+len("node_modules/"):]
			}
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names), ""
}

// npmPlatformAllows reports whether a package.json os (or cpu) list lets npm
// install the package on value: an empty list allows all, "!x" excludes x,
// and a list of names without negations allows only those.
func npmPlatformAllows(list []string, value string) bool {
	if len(list) == 0 {
		return true
	}
	positive := false
	for _, v := range list {
		if v == "!"+value {
			return false
		}
		if !strings.HasPrefix(v, "!") {
			positive = true
			if v == value {
				return true
			}
		}
	}
	return !positive
}

// AlpineNodeCopyReason says why the files that c copies from the Alpine
// build stage idx may not run on a glibc runtime image, or returns "" when
// the build context proves they do: the stage is built FROM an image (not
// another stage), every source of the copy lies in the directory of a
// Node.js app the stage installs with npm, and that app's package-lock.json
// (or npm-shrinkwrap.json, v2 or later) lists no package with an install
// script or a per-platform prebuilt binary among those installed
// (devDependencies count unless the install omitted them), and the app has
// no binding.gyp of its own ([NativeAddonReason], which multi-stage asks too
// before it moves node_modules built on Alpine to a glibc image).
func AlpineNodeCopyReason(src *Source, idx int, c *StageCopy) string {
	f := src.File
	if len(StageChain(f, idx)) != 1 {
		return "it builds on another stage"
	}
	a := Of(*src).Build(&f.Stages[idx])
	var apps []*Artifact
	for i := range a.Artifacts {
		if art := &a.Artifacts[i]; art.Kind == KindNodeApp && art.Path != "" {
			apps = append(apps, art)
		}
	}
	for _, src := range c.Srcs {
		in := false
		for _, art := range apps {
			in = in || Within(ResolveIn(c.Workdir, src), art.Path)
		}
		if !in {
			return fmt.Sprintf("%s is not in the directory of a Node.js app whose install dfslim reads", src)
		}
	}
	for _, art := range apps {
		if why := NativeAddonReason(src, a, art.Path, !art.DevDeps); why != "" {
			return why
		}
	}
	return ""
}

// NativeAddonReason says why the node_modules that npm installed in dir (of
// the stage a) may hold native addons, or returns "" when the build context
// shows they do not: package-lock.json (or npm-shrinkwrap.json, v2 or later)
// lists no package with an install script or a per-platform prebuilt binary
// ([LockNativePackages]; devDependencies are left out when devDropped), and
// the app has no binding.gyp of its own, which npm builds with node-gyp and
// no lockfile lists.
func NativeAddonReason(src *Source, a *Build, dir string, devDropped bool) string {
	if _, ok := a.ContextFile(dir + "/binding.gyp"); ok {
		return "the app builds its own addon (binding.gyp)"
	}
	var data []byte
	for _, name := range []string{"npm-shrinkwrap.json", "package-lock.json"} { // npm prefers the shrinkwrap
		if ctx, ok := a.ContextFile(dir + "/" + name); ok && data == nil {
			data, _ = ReadContext(src, ctx)
		}
	}
	if data == nil {
		return "package-lock.json is not in the build context to show there are none"
	}
	names, err := LockNativePackages(data, devDropped)
	if err != "" {
		return err
	}
	if len(names) > 0 {
		return "packages with install scripts or prebuilt platform binaries (" + strings.Join(names[:min(3, len(names))], ", ") + ") may hold native addons"
	}
	return ""
}
