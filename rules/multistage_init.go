package rules

import (
	"path"
	"slices"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
)

// debianStaticInits maps the init programs that Debian and Ubuntu packages
// install to the statically linked build the same package ships next to
// them: the tini package installs /usr/bin/tini and /usr/bin/tini-static.
var debianStaticInits = map[string]string{"/usr/bin/tini": "/usr/bin/tini-static", "/usr/bin/tini-static": "/usr/bin/tini-static"}

// staticInitSource returns the statically linked file in a build image on
// distro (a Debian or Ubuntu release; libc glibc) that runs as prog, the
// init program a command names (an absolute path, or a name found on the
// default PATH), and where the runtime image finds it; "" when there is none.
func staticInitSource(prog string, libc catalog.Libc, distro string) (src, dest string) {
	if libc != catalog.LibcGlibc || distro == "alpine" {
		return "", "" // Alpine's tini links musl; its static build is another package
	}
	dest = prog
	if !path.IsAbs(prog) {
		dest = "/usr/bin/" + prog
	}
	return debianStaticInits[dest], dest
}

// carryStaticInit handles, on the first rung, an ENTRYPOINT of an init
// program (ENTRYPOINT ["/usr/bin/tini", "--"]) that the build stage installs
// with apt: the runtime image cannot install packages, but the package's
// static build runs on any image, so the runtime stage copies it to the path
// the command names and keeps the ENTRYPOINT as written, the app in CMD.
func (sp *split) carryStaticInit(in *rewrite.Instr, name string) bool {
	src, dest := staticInitSource(sp.argv[0], sp.a.Image.Libc, sp.a.Image.Distro)
	switch {
	case src == "" || !sp.installsPackageWith(name, "apt-get", "apt"):
		sp.blockRung(in, "%s comes from a system package, which the runtime image cannot install", name)
		return false
	case sp.epArgs == nil || len(sp.cmdArgs) == 0 || slices.ContainsFunc(sp.epArgs[1:], func(a string) bool { return a != "--" && (len(a) < 2 || a[0] != '-') }):
		sp.blockRung(in, "%s comes from a system package, which the runtime image cannot install; dfslim copies its static build only when the ENTRYPOINT is %s and its options, and CMD the app", name, name)
		return false
	}
	sp.initCopy = [2]string{src, dest}
	sp.initEntrypoint, sp.initPackage = slices.Clone(sp.epArgs), name
	return true
}

// installsPackageWith reports whether the build stage ends with the system
// package pkg installed with one of the package managers tools: a RUN
// installs it and no later one removes it.
func (sp *split) installsPackageWith(pkg string, tools ...string) bool {
	installed := false
	for _, step := range sp.a.Runs {
		for _, sc := range step.Cmds {
			if sc.Dynamic || !slices.Contains(facts.PackageManagers, path.Base(sc.Call.Args[0])) {
				continue
			}
			pkgs, remove := facts.PackageArgs(path.Base(sc.Call.Args[0]), sc.Call.Args, sc.Call.Dynamic)
			if slices.Contains(pkgs, pkg) {
				installed = !remove && slices.Contains(tools, path.Base(sc.Call.Args[0]))
			}
		}
	}
	return installed
}
