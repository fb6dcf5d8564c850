package rules

import (
	"fmt"
	"strings"

	"github.com/dfslim/dfslim/facts"
)

// alpineNodeCopyReason says why the files that c copies from the Alpine
// build stage idx may not run on a glibc runtime image, or returns "" when
// the build context proves they do: the stage is built FROM an image (not
// another stage), every source of the copy lies in the directory of a
// Node.js app the stage installs with npm, and that app's package-lock.json
// (or npm-shrinkwrap.json, v2 or later) lists no package with an install
// script or a per-platform prebuilt binary among those installed
// (devDependencies count unless the install omitted them), and the app has
// no binding.gyp of its own (nativeAddonReason, which multi-stage asks too
// before it moves node_modules built on Alpine to a glibc image).
func alpineNodeCopyReason(p *Pass, idx int, c *facts.StageCopy) string {
	f := p.File
	if len(facts.StageChain(f, idx)) != 1 {
		return "it builds on another stage"
	}
	a := p.Facts().Build(&f.Stages[idx])
	var apps []*facts.Artifact
	for i := range a.Artifacts {
		if art := &a.Artifacts[i]; art.Kind == facts.KindNodeApp && art.Path != "" {
			apps = append(apps, art)
		}
	}
	for _, src := range c.Srcs {
		in := false
		for _, art := range apps {
			in = in || facts.Within(facts.ResolveIn(c.Workdir, src), art.Path)
		}
		if !in {
			return fmt.Sprintf("%s is not in the directory of a Node.js app whose install dfslim reads", src)
		}
	}
	for _, art := range apps {
		if why := nativeAddonReason(p, a, art.Path, !art.DevDeps); why != "" {
			return why
		}
	}
	return ""
}

// nativeAddonReason says why the node_modules that npm installed in dir (of
// the stage a) may hold native addons, or returns "" when the build context
// shows they do not: package-lock.json (or npm-shrinkwrap.json, v2 or later)
// lists no package with an install script or a per-platform prebuilt binary
// (lockNativePackages; devDependencies are left out when devDropped), and
// the app has no binding.gyp of its own, which npm builds with node-gyp and
// no lockfile lists.
func nativeAddonReason(p *Pass, a *facts.Build, dir string, devDropped bool) string {
	if _, ok := a.ContextFile(dir + "/binding.gyp"); ok {
		return "the app builds its own addon (binding.gyp)"
	}
	var data []byte
	for _, name := range []string{"npm-shrinkwrap.json", "package-lock.json"} { // npm prefers the shrinkwrap
		if ctx, ok := a.ContextFile(dir + "/" + name); ok && data == nil {
			data, _ = p.Facts().ReadContext(ctx)
		}
	}
	if data == nil {
		return "package-lock.json is not in the build context to show there are none"
	}
	names, err := lockNativePackages(data, devDropped)
	if err != "" {
		return err
	}
	if len(names) > 0 {
		return "packages with install scripts or prebuilt platform binaries (" + strings.Join(names[:min(3, len(names))], ", ") + ") may hold native addons"
	}
	return ""
}
