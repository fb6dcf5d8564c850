package facts

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
)

// This file holds the build-command recognisers of the build analysis: one
// function per toolchain, each reading one simple command of a RUN.

// GoValueFlags are the flags of go build and go install that take a value.
var GoValueFlags = []string{"o", "C", "p", "asmflags", "buildmode", "compiler", "gccgoflags", "gcflags",
	"installsuffix", "ldflags", "mod", "modfile", "overlay", "pgo", "pkgdir", "tags", "toolexec", "coverpkg", "covermode"}

// GoBinaryName is the name go build gives the binary of an import path.
func GoBinaryName(importPath string) string {
	importPath, _, _ = strings.Cut(importPath, "@")
	importPath = strings.TrimSuffix(importPath, "/")
	elems := strings.Split(importPath, "/")
	name := elems[len(elems)-1]
	if len(elems) > 1 && majorVersionElem.MatchString(name) {
		name = elems[len(elems)-2]
	}
	return name
}

func (a *Build) detectGo(step *RunStep, sc *Command) {
	args := sc.Call.Args
	if len(args) >= 4 && args[1] == "mod" && args[2] == "init" && !sc.Call.Dynamic[3] && sc.Dir != "" {
		if a.goModInit == nil {
			a.goModInit = map[string]string{}
		}
		a.goModInit[strings.TrimSuffix(sc.Dir, "/")] = args[3]
		return
	}
	if len(args) < 2 || (args[1] != "build" && args[1] != "install") {
		return
	}
	pa := shell.ParseArgs(args[2:], sc.Call.Dynamic[2:], GoValueFlags)
	dir := sc.Dir
	if c, ok := pa.Last("C"); ok {
		dir = ResolveIn(dir, c)
	}
	pkgs := pa.Operands
	if len(pkgs) > 1 && strings.HasSuffix(pkgs[0], ".go") {
		pkgs = pkgs[:1]
	}
	if len(pkgs) == 0 {
		pkgs = []string{"."}
	}
	libc := catalog.LibcUnknown
	var cgoOffAt *rewrite.Span
	cgo, cgoSet := a.lookupVar(sc, "CGO_ENABLED")
	switch {
	case cgoSet && cgo == "0":
		libc = catalog.LibcNone
	default:
		libc = a.Image.Libc
		if !cgoSet && (libc == catalog.LibcGlibc || libc == catalog.LibcMusl) && GoStdRebuilds(a.Image.Version) && PureGo(a.p) {
			cgoOffAt = a.goCommandStart(step, sc)
		}
		if !cgoSet && libc == catalog.LibcMusl && cgoOffAt == nil && a.cgoOffWithoutCC(sc) {
			libc = catalog.LibcNone // go 1.20+ turns cgo off when no C compiler is found
		}
	}
	o, hasOut := pa.Last("o")
	if slices.ContainsFunc(pkgs, func(p string) bool { return strings.Contains(p, "...") }) {
		if args[1] == "build" && !hasOut {
			return // go build of a pattern only checks that the packages compile
		}
		var expanded []string
		for _, pkg := range pkgs {
			if !strings.Contains(pkg, "...") {
				expanded = append(expanded, pkg)
				continue
			}
			mains, reason := a.goMainPackages(dir, pkg)
			if reason != "" {
				a.block(step.In, "cannot tell which binaries `%s` builds (package pattern %q): %s", strings.Join(args[:2], " "), pkg, reason)
				return
			}
			expanded = append(expanded, mains...)
		}
		if len(expanded) == 0 {
			a.block(step.In, "cannot tell which binaries `%s` builds: the build context shows no main package for %s", strings.Join(args[:2], " "), strings.Join(pkgs, " "))
			return
		}
		pkgs = expanded
		if args[1] == "build" && !strings.HasSuffix(o, "/") && len(pkgs) > 1 {
			a.block(step.In, "`go build -o %s` of several main packages needs a directory", o)
			return
		}
	}
	for _, pkg := range pkgs {
		if pkg == "" {
			a.block(step.In, "cannot tell which binaries `%s` builds (a package is not literal)", strings.Join(args[:2], " "))
			return
		}
		var out, name string
		if !hasOut || strings.HasSuffix(o, "/") || args[1] == "install" {
			if name = a.goName(step, dir, pkg); name == "" {
				return
			}
		}
		if hasOut && args[1] == "build" {
			if o == "" {
				a.block(step.In, "the output of `go build -o` is not a literal path")
				return
			}
			out = ResolveIn(dir, o)
			if strings.HasSuffix(out, "/") {
				out += name
			}
		} else if args[1] == "build" {
			if len(pkgs) > 1 {
				return // go build of several packages only checks that they compile
			}
			out = ResolveIn(dir, name)
		} else {
			if goos, ok := a.lookupVar(sc, "GOOS"); ok && goos != "" && goos != "linux" {
				a.block(step.In, "`go install` cross-compiles for GOOS=%s", goos)
				return
			}
			if _, ok := a.lookupVar(sc, "GOARCH"); ok {
				a.block(step.In, "`go install` with GOARCH set writes to a per-platform directory")
				return
			}
			bin, ok := a.lookupVar(sc, "GOBIN")
			if !ok || bin == "" {
				gopath, ok := a.lookupVar(sc, "GOPATH")
				if !ok || gopath == "" {
					a.block(step.In, "cannot tell where `go install` writes: GOPATH is unknown for %s", a.BaseRef)
					return
				}
				bin = strings.Split(gopath, ":")[0] + "/bin"
			}
			out = ResolveIn(dir, bin+"/"+name)
		}
		if out == "" {
			a.block(step.In, "cannot tell where `go %s` writes: the working directory is unknown", args[1])
			return
		}
		a.Add(Artifact{Kind: KindGoBinary, Path: out, Libc: libc, Language: "go", Version: a.Image.Version, Workdir: dir, Span: step.In.Span, CgoOffAt: cgoOffAt})
	}
}

// goName returns the binary name for pkg built in dir, or "" after a blocker.
func (a *Build) goName(step *RunStep, dir, pkg string) string {
	if strings.HasSuffix(pkg, ".go") {
		return strings.TrimSuffix(path.Base(pkg), ".go")
	}
	if !(pkg == "." || strings.HasPrefix(pkg, "./") || strings.HasPrefix(pkg, "../") || strings.HasPrefix(pkg, "/")) {
		return GoBinaryName(pkg) // an import path
	}
	pkgDir := ResolveIn(dir, pkg)
	if pkgDir == "" {
		a.block(step.In, "cannot tell which directory `go build` builds: the working directory is unknown")
		return ""
	}
	pkgDir = strings.TrimSuffix(pkgDir, "/")
	if ctx, ok := a.ContextFile(pkgDir + "/go.mod"); ok {
		data, _ := ReadContext(a.p, ctx)
		if mod := GoModulePath(data); mod != "" {
			return GoBinaryName(mod)
		}
		a.block(step.In, "cannot tell the binary name: %s has no module line", ctx)
		return ""
	}
	if mod := a.goModInit[pkgDir]; mod != "" {
		return GoBinaryName(mod) // go.mod made by go mod init
	}
	for up := path.Dir(pkgDir); up != "/" && up != "."; up = path.Dir(up) {
		if _, ok := a.ContextFile(up + "/go.mod"); ok {
			return path.Base(pkgDir) // a package below its module's root
		}
	}
	if pkg != "." {
		return path.Base(pkgDir) // a package below the module root
	}
	if gopath, ok := a.Vars["GOPATH"]; ok && gopath != "" && Within(pkgDir, strings.Split(gopath, ":")[0]+"/src") && pkgDir != strings.Split(gopath, ":")[0]+"/src" {
		return path.Base(pkgDir) // GOPATH layout: the directory names the binary
	}
	a.block(step.In, "cannot tell the name of the binary `go build` writes: go.mod for %s is not in the build context", pkgDir)
	return ""
}

// GoModulePath returns the module path that the go.mod file gomod declares,
// or "" when it declares none.
func GoModulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "module"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

var cargoValueFlags = []string{"target", "target-dir", "bin", "profile", "manifest-path", "p", "package", "F", "features",
	"j", "jobs", "color", "Z", "config", "root", "path", "example", "git", "branch", "tag", "rev", "version", "index", "registry"}

// DetectCargo records the binaries of a cargo build or cargo install: the
// names from the manifest, in the target directory of the profile and target.
func (a *Build) DetectCargo(step *RunStep, sc *Command) {
	args := sc.Call.Args
	if len(args) < 2 || (args[1] != "build" && args[1] != "b" && args[1] != "install") {
		return
	}
	pa := shell.ParseArgs(args[2:], sc.Call.Dynamic[2:], cargoValueFlags)
	if pa.Dynamic {
		a.block(step.In, "`cargo %s` has arguments that are not literal", args[1])
		return
	}
	dir := sc.Dir
	if args[1] == "install" {
		p, ok := pa.Last("path")
		if !ok {
			a.block(step.In, "cannot tell the binary names of `cargo install` from a registry")
			return
		}
		dir = ResolveIn(dir, p)
	} else if m, ok := pa.Last("manifest-path"); ok {
		dir = path.Dir(ResolveIn(dir, m))
	}
	if dir == "" {
		a.block(step.In, "cannot tell where cargo builds: the working directory is unknown")
		return
	}
	dir = strings.TrimSuffix(dir, "/")
	if pa.Has("p", "package", "workspace", "all", "example", "examples") {
		a.block(step.In, "cannot tell the binary names of a cargo workspace or example build")
		return
	}
	names := pa.Flags["bin"]
	if len(names) == 0 {
		ctx, ok := a.ContextFile(dir + "/Cargo.toml")
		if !ok {
			a.block(step.In, "cannot tell the name of the binary cargo builds: Cargo.toml for %s is not in the build context", dir)
			return
		}
		data, _ := ReadContext(a.p, ctx)
		m := parseCargoManifest(data)
		if m.workspace && m.pkgName == "" {
			a.block(step.In, "cannot tell the binary names of the cargo workspace in %s", ctx)
			return
		}
		names = m.bins
		if len(names) == 0 {
			names = []string{m.pkgName}
		}
		if names[0] == "" {
			a.block(step.In, "cannot tell the binary name: %s has no [package] name", ctx)
			return
		}
	}
	triple, _ := pa.Last("target")
	libc := a.Image.Libc
	switch {
	case strings.Contains(triple, "musl"):
		libc = catalog.LibcNone
	case strings.Contains(triple, "gnu"):
		libc = catalog.LibcGlibc
	case triple != "":
		libc = ""
	}
	if rf, ok := a.lookupVar(sc, "RUSTFLAGS"); ok && libc == catalog.LibcGlibc && strings.Contains(rf, "target-feature=+crt-static") {
		libc = catalog.LibcNone // glibc linked statically (as the static rule builds it)
	}
	var binDir string
	if args[1] == "install" {
		root, ok := pa.Last("root")
		if !ok {
			root, ok = a.lookupVar(sc, "CARGO_INSTALL_ROOT")
		}
		if !ok {
			root, ok = a.lookupVar(sc, "CARGO_HOME")
		}
		if !ok || root == "" {
			a.block(step.In, "cannot tell where `cargo install` writes: CARGO_HOME is unknown for %s", a.BaseRef)
			return
		}
		binDir = ResolveIn(dir, root) + "/bin"
	} else {
		target, ok := pa.Last("target-dir")
		if !ok {
			target, ok = a.lookupVar(sc, "CARGO_TARGET_DIR")
		}
		if !ok || target == "" {
			target = "target"
		}
		binDir = strings.TrimSuffix(ResolveIn(dir, target), "/")
		if triple != "" {
			binDir += "/" + triple
		}
		profile := "debug"
		if pa.Has("release", "r") {
			profile = "release"
		}
		if p, ok := pa.Last("profile"); ok && p != "dev" && p != "test" {
			profile = p
		}
		binDir += "/" + profile
	}
	for _, n := range names {
		a.Add(Artifact{Kind: KindRustBinary, Path: binDir + "/" + n, Libc: libc, Language: "rust", Version: a.Image.Version, Workdir: dir, Span: step.In.Span})
	}
}

// cargoManifest is the part of a Cargo.toml that names binaries.
type cargoManifest struct {
	pkgName   string
	bins      []string
	workspace bool
}

// parseCargoManifest reads the [package] name and [[bin]] names of a
// Cargo.toml. It understands the plain `key = "value"` lines those use.
func parseCargoManifest(data []byte) cargoManifest {
	var m cargoManifest
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			section = strings.TrimSpace(strings.Trim(line, "[]"))
			if section == "workspace" {
				m.workspace = true
			}
			if line == "[[bin]]" {
				m.bins = append(m.bins, "")
			}
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(key) != "name" {
			continue
		}
		value = strings.TrimSpace(value)
		if i := strings.Index(value, "#"); i > 0 && strings.Count(value[:i], `"`) == 2 {
			value = strings.TrimSpace(value[:i])
		}
		value = strings.Trim(value, `"'`)
		switch section {
		case "package":
			m.pkgName = value
		case "bin":
			if len(m.bins) > 0 {
				m.bins[len(m.bins)-1] = value
			}
		}
	}
	m.bins = slices.DeleteFunc(m.bins, func(s string) bool { return s == "" })
	return m
}

var nodeValueFlags = []string{"omit", "only", "prefix", "C", "dir", "cwd", "include", "registry", "cache", "network-timeout", "modules-folder", "mutex", "filter", "workspace", "w"}

func (a *Build) detectNode(step *RunStep, sc *Command) {
	args := sc.Call.Args
	tool := path.Base(args[0])
	sub := ""
	if len(args) > 1 {
		sub = args[1]
	}
	pa := shell.ParseArgs(args[1:], sc.Call.Dynamic[1:], nodeValueFlags)
	if len(pa.Operands) > 0 {
		sub = pa.Operands[0]
	} else {
		sub = ""
	}
	dir := sc.Dir
	prod := false
	if env, ok := a.lookupVar(sc, "NODE_ENV"); ok && env == "production" {
		prod = true
	}
	if !pa.Dynamic {
		a.followScript(step, sc, tool, pa)
	}
	switch tool {
	case "npm":
		if pa.Has("g", "global") {
			return
		}
		if d, ok := pa.Last("prefix"); ok {
			dir = ResolveIn(dir, d)
		}
		switch sub {
		case "ci", "install", "i", "add", "isntall", "in":
		case "prune":
			if slices.Contains(pa.Flags["omit"], "dev") || pa.Has("production") {
				for i := range a.Artifacts {
					if a.Artifacts[i].Kind == KindNodeApp && a.Artifacts[i].Path == dir {
						a.Artifacts[i].DevDeps = false
					}
				}
			}
			return
		default:
			return
		}
		prod = prod || slices.Contains(pa.Flags["omit"], "dev") || pa.Has("production") ||
			slices.ContainsFunc(pa.Flags["only"], func(s string) bool { return strings.HasPrefix(s, "prod") })
	case "yarn":
		if sub == "global" {
			return
		}
		if d, ok := pa.Last("cwd"); ok {
			dir = ResolveIn(dir, d)
		}
		switch {
		case sub == "" || sub == "install" || sub == "add":
		case sub == "workspaces" && len(pa.Operands) > 1 && pa.Operands[1] == "focus":
		default:
			return
		}
		prod = prod || pa.Has("production", "prod")
	case "pnpm":
		if pa.Has("g", "global") {
			return
		}
		if d, ok := pa.Last("C", "dir"); ok {
			dir = ResolveIn(dir, d)
		}
		switch sub {
		case "install", "i", "add":
		case "prune":
			if pa.Has("prod", "P") {
				for i := range a.Artifacts {
					if a.Artifacts[i].Kind == KindNodeApp && a.Artifacts[i].Path == dir {
						a.Artifacts[i].DevDeps = false
					}
				}
			}
			return
		default:
			return
		}
		prod = prod || pa.Has("prod", "P", "production")
	}
	if dir == "" {
		a.block(step.In, "cannot tell where `%s %s` installs: the working directory is unknown", tool, sub)
		return
	}
	a.Add(Artifact{Kind: KindNodeApp, Path: strings.TrimSuffix(dir, "/"), Libc: a.Image.Libc, Language: "node",
		Version: a.Image.Version, Workdir: dir, DevDeps: !prod, Span: step.In.Span})
}

// IsPip reports whether args run pip: pip, pip3, pip3.11, or python -m pip.
func IsPip(args []string) bool {
	name := path.Base(args[0])
	if PipName.MatchString(name) {
		return true
	}
	return isPython(name) && len(args) > 2 && args[1] == "-m" && args[2] == "pip"
}

func isPython(name string) bool {
	return pythonName.MatchString(name)
}

var (
	majorVersionElem = regexp.MustCompile(`^v\d+$`)
	PipName          = regexp.MustCompile(`^pip(\d(\.\d+)?)?$`)
	pythonName       = regexp.MustCompile(`^python(\d(\.\d+)?)?$`)
)

// PipValueFlags are the flags of pip install that take a value.
var PipValueFlags = []string{"t", "target", "prefix", "root", "r", "requirement", "c", "constraint", "i", "index-url",
	"extra-index-url", "f", "find-links", "trusted-host", "no-binary", "only-binary", "platform", "python-version",
	"implementation", "abi", "progress-bar", "src", "root-user-action", "global-option", "config-settings", "C",
	"cache-dir", "log", "timeout", "retries", "proxy", "exists-action", "upgrade-strategy", "e", "editable"}

func (a *Build) detectPip(step *RunStep, sc *Command) {
	args := sc.Call.Args
	rest, dyn := args[1:], sc.Call.Dynamic[1:]
	if !strings.HasPrefix(path.Base(args[0]), "pip") {
		rest, dyn = args[3:], sc.Call.Dynamic[3:]
	}
	pa := shell.ParseArgs(rest, dyn, PipValueFlags)
	if len(pa.Operands) == 0 || pa.Operands[0] != "install" {
		return
	}
	pkgs := pa.Operands[1:]
	if !pa.Has("r", "requirement", "e", "editable") && len(pkgs) > 0 && !slices.ContainsFunc(pkgs, func(s string) bool {
		fields := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("<>=!~[ ", r) })
		if len(fields) == 0 {
			return true // not literal: may be anything
		}
		n := strings.ToLower(fields[0])
		return !slices.Contains(PythonBuildTools, normalizeDist(n))
	}) {
		return // only installs pip itself or the tools of the build (poetry, pipenv, …)
	}
	art := Artifact{Kind: KindPythonApp, Libc: a.Image.Libc, Language: "python", Version: a.Image.Version, Workdir: sc.Dir, Span: step.In.Span}
	art.Requires, art.Unread = a.pipRequires(step, sc, pa)
	switch {
	case pa.Has("e", "editable"):
		a.block(step.In, "an editable pip install (-e) links the project in place; the runtime cannot import it from a copied site-packages")
		return
	case pa.Has("user"):
		a.block(step.In, "`pip install --user` installs into the home directory of the build user")
		return
	case pa.Has("t", "target"):
		t, _ := pa.Last("t", "target")
		art.Path = strings.TrimSuffix(ResolveIn(sc.Dir, t), "/")
	case pa.Has("prefix", "root"):
		a.block(step.In, "`pip install --prefix/--root` layouts are not supported")
		return
	default:
		art.Path, art.Venv = a.SiteDir(sc, args[0])
	}
	a.Add(art)
}

// pipRequires returns what a pip install is known to install: its named
// operands, the requirement files it reads (-r) and the pyproject.toml of a
// project directory it installs.
func (a *Build) pipRequires(step *RunStep, sc *Command, pa shell.Args) (out []Requirement, unread []string) {
	read := func(name string) ([]byte, bool) { return ReadContext(a.p, name) }
	for _, r := range append(pa.Flags["r"], pa.Flags["requirement"]...) {
		if ctx, ok := a.stageFileContext(step, ResolveIn(sc.Dir, r)); ok {
			out = append(out, readRequirements(read, ctx, 0)...)
		} else {
			unread = append(unread, r)
		}
	}
	for _, op := range pa.Operands[1:] {
		if req, ok := ParseRequirement(op); ok {
			out = append(out, req)
			continue
		}
		if op == "" || strings.Contains(op, "://") || strings.HasSuffix(op, ".whl") || strings.HasSuffix(op, ".tar.gz") {
			continue
		}
		dir := strings.TrimSuffix(ResolveIn(sc.Dir, op), "/")
		if ctx, ok := a.stageFileContext(step, dir+"/pyproject.toml"); ok {
			data, _ := ReadContext(a.p, ctx)
			for _, r := range pyprojectDependencies(data) {
				r.At = ctx
				out = append(out, r)
			}
		}
	}
	return out, unread
}

// stageFileContext returns the build-context path of the file a RUN sees at
// abs: through a bind mount of the context on the RUN, or a COPY before it.
func (a *Build) stageFileContext(step *RunStep, abs string) (string, bool) {
	if abs == "" {
		return "", false
	}
	for _, m := range RunMounts(step.In) {
		if m["type"] != "bind" || m["from"] != "" {
			continue
		}
		t := ResolveIn(step.Workdir, a.Expand(m["target"]))
		if t == "" {
			continue
		}
		src := CleanSource(a.Expand(m["source"]))
		if abs == t {
			return src, a.Exists(src)
		}
		if rel, ok := strings.CutPrefix(abs, strings.TrimSuffix(t, "/")+"/"); ok {
			return path.Join(src, rel), a.Exists(path.Join(src, rel))
		}
	}
	return a.ContextFile(abs)
}

// SiteDir returns the site-packages directory that the pip run as pipPath
// installs into, or "" when it cannot be told, and the virtual environment
// that holds it ("" for the interpreter's own).
func (a *Build) SiteDir(sc *Command, pipPath string) (site, venv string) {
	ver := a.Image.Version
	if ver == "" {
		return "", ""
	}
	if strings.Contains(pipPath, "/bin/") {
		venv = strings.TrimSuffix(pipPath[:strings.LastIndex(pipPath, "/bin/")], "/")
	} else if v, ok := a.lookupVar(sc, "VIRTUAL_ENV"); ok && v != "" {
		venv = v
	} else if pth, ok := a.lookupVar(sc, "PATH"); ok {
		first := strings.Split(pth, ":")[0]
		if strings.HasSuffix(first, "/bin") && first != "/usr/local/bin" && first != "/usr/bin" && first != "/bin" {
			venv = strings.TrimSuffix(first, "/bin")
		}
	}
	switch {
	case venv == "/usr/local" || venv == "/usr":
		venv = ""
	case venv != "":
		venv = strings.TrimSuffix(ResolveIn(sc.Dir, venv), "/")
		if venv == "" {
			return "", ""
		}
		return venvSite(venv, ver), venv
	}
	return a.Image.PythonSite, ""
}

func (a *Build) detectJava(step *RunStep, sc *Command) {
	args := sc.Call.Args
	tool := path.Base(args[0])
	if tool == "mvn" || tool == "mvnw" {
		pa := shell.ParseArgs(args[1:], sc.Call.Dynamic[1:], []string{"f", "file", "pl", "projects", "P", "activate-profiles", "T", "threads", "s", "settings", "gs", "global-settings", "l", "log-file"})
		if !slices.ContainsFunc(pa.Operands, func(g string) bool {
			return g == "package" || g == "install" || g == "verify" || g == "deploy"
		}) {
			return
		}
		dir := sc.Dir
		if f, ok := pa.Last("f", "file"); ok {
			dir = path.Dir(ResolveIn(dir, f))
		}
		art := Artifact{Kind: KindJavaJar, Language: "java", Version: a.Image.Version, Workdir: dir, Span: step.In.Span}
		if ctx, ok := a.ContextFile(strings.TrimSuffix(dir, "/") + "/pom.xml"); ok {
			data, _ := ReadContext(a.p, ctx)
			if name := mavenJarName(data); name != "" {
				art.Path = strings.TrimSuffix(dir, "/") + "/target/" + name
				for _, j := range mavenPluginJars(data, strings.TrimSuffix(name, ".jar")) {
					art.Jars = append(art.Jars, strings.TrimSuffix(dir, "/")+"/target/"+j)
				}
			}
			var config [][]byte
			for _, c := range quarkusConfigFiles {
				if ctx, ok := a.ContextFile(strings.TrimSuffix(dir, "/") + "/" + c); ok {
					if b, ok := ReadContext(a.p, ctx); ok {
						config = append(config, b)
					}
				}
			}
			if wildflyServer(data, pa.Operands) {
				art.ServerDir = strings.TrimSuffix(dir, "/") + "/" + wildflyServerDir
			}
			if quarkusFastJar(data, args[1:], config) {
				app := strings.TrimSuffix(dir, "/") + "/" + quarkusFastJarDir
				art.Jars = append(art.Jars, app+"/quarkus-run.jar")
				art.JarDirs = append(art.JarDirs, app)
			}
		}
		a.Add(art)
		return
	}
	pa := shell.ParseArgs(args[1:], sc.Call.Dynamic[1:], []string{"p", "project-dir", "b", "build-file", "x", "exclude-task", "g", "gradle-user-home", "I", "init-script"})
	if !slices.ContainsFunc(pa.Operands, func(t string) bool {
		return t == "build" || t == "assemble" || t == "bootJar" || t == "jar" || t == "installDist"
	}) {
		return
	}
	dir := sc.Dir
	if d, ok := pa.Last("p", "project-dir"); ok {
		dir = ResolveIn(dir, d)
	}
	dir = strings.TrimSuffix(dir, "/")
	art := Artifact{Kind: KindJavaJar, Language: "java", Version: a.Image.Version, Workdir: dir, Span: step.In.Span}
	if dir == "" && sc.Dir == "/" {
		art.Workdir = "/" // a project in /: its tree is the whole file system
	}
	if name := a.gradleJarName(dir); name != "" {
		art.Path = dir + "/build/libs/" + name
	}
	if slices.Contains(pa.Operands, "installDist") {
		art.InstallDir = dir + "/build/install"
	}
	a.Add(art)
}

// detectJarTool records the archive of the JDK's jar tool in create mode:
// "jar --create --file app.jar …", "jar -cf app.jar …" and the old bundled
// form "jar cvfe app.jar Main …", where f, m and e take the following
// operands in the order the letters come.
func (a *Build) detectJarTool(step *RunStep, sc *Command) {
	args, dyn := sc.Call.Args[1:], sc.Call.Dynamic[1:]
	create, file, fileDyn := false, "", false
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case dyn[i]:
			continue
		case arg == "--create":
			create = true
		case arg == "--file" || arg == "-f":
			if i+1 < len(args) {
				file, fileDyn = args[i+1], dyn[i+1]
				i++
			}
		case strings.HasPrefix(arg, "--file="):
			file = strings.TrimPrefix(arg, "--file=")
		case i == 0 && jarBundledFlags.MatchString(arg):
			next := i + 1
			for _, letter := range strings.TrimPrefix(arg, "-") {
				switch letter {
				case 'c':
					create = true
				case 'f', 'm', 'e':
					if next >= len(args) {
						return
					}
					if letter == 'f' {
						file, fileDyn = args[next], dyn[next]
					}
					next++
				}
			}
			i = next - 1
		}
	}
	if !create || file == "" {
		return
	}
	if fileDyn {
		a.block(step.In, "the jar that `jar` creates is not a literal path")
		return
	}
	a.Add(Artifact{Kind: KindJavaJar, Path: ResolveIn(sc.Dir, file), Language: "java", Version: a.Image.Version, Workdir: sc.Dir, Span: step.In.Span})
}

// jarBundledFlags matches the jar tool's first argument in the bundled form ("cvf", "-cfe").
var jarBundledFlags = regexp.MustCompile(`^-?[ctxuvfmenM0P]+$`)

// mavenJarName returns the jar name a pom.xml builds, or "" when it is not a
// single-module jar project with literal coordinates.
func mavenJarName(pom []byte) string {
	var p struct {
		ArtifactID string   `xml:"artifactId"`
		Version    string   `xml:"version"`
		Packaging  string   `xml:"packaging"`
		Modules    []string `xml:"modules>module"`
		Parent     struct {
			Version string `xml:"version"`
		} `xml:"parent"`
		Build struct {
			FinalName string `xml:"finalName"`
		} `xml:"build"`
	}
	if xml.Unmarshal(pom, &p) != nil || len(p.Modules) > 0 || (p.Packaging != "" && p.Packaging != "jar") {
		return ""
	}
	version := p.Version
	if version == "" {
		version = p.Parent.Version
	}
	name := p.Build.FinalName
	if name == "" {
		name = p.ArtifactID + "-" + version
	}
	if strings.Contains(name, "$") || p.ArtifactID == "" || version == "" && p.Build.FinalName == "" {
		return ""
	}
	return name + ".jar"
}

// mavenPluginJars returns the names of the jars that the shade and assembly
// plugins of a pom.xml write into target/ besides the main jar, whose name
// without ".jar" is main: the shade plugin's outputFile (with
// ${project.build.directory}, ${project.artifactId}, ${project.version} and
// ${project.build.finalName}) or main-<shadedClassifierName>.jar, and
// main-<descriptorRef>.jar for the assembly plugin (appendAssemblyId not
// false). A name with another property is left out.
func mavenPluginJars(pom []byte, main string) []string {
	var p struct {
		ArtifactID string `xml:"artifactId"`
		Version    string `xml:"version"`
		Parent     struct {
			Version string `xml:"version"`
		} `xml:"parent"`
		Plugins []struct {
			ArtifactID string     `xml:"artifactId"`
			Config     mavenPlugs `xml:"configuration"`
			Executions []struct {
				Config mavenPlugs `xml:"configuration"`
			} `xml:"executions>execution"`
		} `xml:"build>plugins>plugin"`
	}
	if xml.Unmarshal(pom, &p) != nil {
		return nil
	}
	version := p.Version
	if version == "" {
		version = p.Parent.Version
	}
	expand := strings.NewReplacer("${project.build.directory}/", "", "${project.artifactId}", p.ArtifactID,
		"${project.version}", version, "${project.build.finalName}", main)
	var out []string
	addName := func(n string) {
		if n = strings.TrimSpace(n); n != "" && !strings.Contains(n, "$") && !strings.Contains(n, "/") && strings.HasSuffix(n, ".jar") && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, pl := range p.Plugins {
		confs := []mavenPlugs{pl.Config}
		for _, e := range pl.Executions {
			confs = append(confs, e.Config)
		}
		for _, c := range confs {
			switch pl.ArtifactID {
			case "maven-shade-plugin":
				if c.OutputFile != "" {
					addName(expand.Replace(strings.TrimSpace(c.OutputFile)))
				}
				if strings.TrimSpace(c.ShadedAttached) == "true" {
					cl := strings.TrimSpace(c.ShadedClassifier)
					if cl == "" {
						cl = "shaded"
					}
					addName(main + "-" + cl + ".jar")
				}
			case "maven-assembly-plugin":
				if strings.TrimSpace(c.AppendAssemblyID) == "false" {
					continue
				}
				for _, ref := range c.DescriptorRefs {
					addName(main + "-" + strings.TrimSpace(ref) + ".jar")
				}
			}
		}
	}
	return out
}

// mavenPlugs is the part of a plugin configuration that names jars.
type mavenPlugs struct {
	OutputFile       string   `xml:"outputFile"`
	ShadedAttached   string   `xml:"shadedArtifactAttached"`
	ShadedClassifier string   `xml:"shadedClassifierName"`
	AppendAssemblyID string   `xml:"appendAssemblyId"`
	DescriptorRefs   []string `xml:"descriptorRefs>descriptorRef"`
}

var (
	gradleRootNameRe = regexp.MustCompile(`(?m)^\s*rootProject\.name\s*=\s*["']([^"'$]+)["']`)
	gradleVersionRe  = regexp.MustCompile(`(?m)^\s*version\s*=?\s*["']([^"'$]+)["']`)
)

// gradleJarName returns build/libs/<name>.jar's name for the project in dir.
func (a *Build) gradleJarName(dir string) string {
	name := path.Base(dir)
	for _, s := range []string{"settings.gradle", "settings.gradle.kts"} {
		if ctx, ok := a.ContextFile(dir + "/" + s); ok {
			data, _ := ReadContext(a.p, ctx)
			if bytes.Contains(data, []byte("include")) {
				return "" // multi-project build
			}
			if m := gradleRootNameRe.FindSubmatch(data); m != nil {
				name = string(m[1])
			}
		}
	}
	for _, b := range []string{"build.gradle", "build.gradle.kts"} {
		if ctx, ok := a.ContextFile(dir + "/" + b); ok {
			data, _ := ReadContext(a.p, ctx)
			if m := gradleVersionRe.FindSubmatch(data); m != nil {
				return name + "-" + string(m[1]) + ".jar"
			}
			return name + ".jar"
		}
	}
	return ""
}

func (a *Build) detectC(step *RunStep, sc *Command) {
	args := sc.Call.Args
	pa := shell.ParseArgs(args[1:], sc.Call.Dynamic[1:], []string{"o"})
	o, ok := pa.Last("o")
	if !ok || o == "" || pa.Has("c", "S", "E") {
		return
	}
	libc := a.Image.Libc
	if pa.Has("static") {
		libc = catalog.LibcNone
	}
	a.Add(Artifact{Kind: KindCBinary, Path: ResolveIn(sc.Dir, o), Libc: libc, Language: "c", Workdir: sc.Dir, Span: step.In.Span})
}
