package facts

import (
	"bufio"
	"bytes"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/shell"
)

// extrasProvide lists the distributions that a requirement (with extras)
// installs besides itself, for those that pull in a console script's
// distribution.
var extrasProvide = map[string][]string{
	"fastapi[standard]":        {"fastapi-cli", "uvicorn"},
	"fastapi[all]":             {"uvicorn"},
	"opentelemetry-distro":     {"opentelemetry-instrumentation"},
	"aws-opentelemetry-distro": {"opentelemetry-instrumentation"},
}

// PythonBuildTools are distributions that serve only the build: a pip
// install of nothing else installs no part of the app.
var PythonBuildTools = []string{"pip", "setuptools", "wheel", "poetry", "pipenv", "flit", "uv", "pip-tools",
	"hatch", "pdm", "virtualenv", "poetry-plugin-export", "build"}

// A Requirement is one line of a requirements file or one pip operand.
type Requirement struct {
	Name   string   // normalized (PEP 503): lower case, runs of -_. as -
	Extras []string // normalized
	Spec   string   // version specifiers, "" for none: ">=1.0,<2"
	At     string   // where it is written, for messages: "requirements.txt:3"; "" for an operand
}

var (
	reqName      = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$`)
	pep503Runs   = regexp.MustCompile(`[-_.]+`)
	reqSpecParts = regexp.MustCompile(`(===|==|~=|>=|<=|!=|>|<)\s*([0-9][0-9A-Za-z.*+!-]*)`)
)

func normalizeDist(name string) string {
	return pep503Runs.ReplaceAllString(strings.ToLower(name), "-")
}

// ParseRequirement reads a requirement specifier ("Flask[async]>=2 ; python_version>'3'").
// It returns false for what is not a named requirement (a path, a URL, an option).
func ParseRequirement(s string) (Requirement, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") || strings.Contains(s, "://") && !strings.Contains(s, "@") {
		return Requirement{}, false
	}
	if i := strings.Index(s, ";"); i >= 0 {
		s = s[:i]
	}
	m := reqName.FindStringSubmatch(s)
	if m == nil {
		return Requirement{}, false
	}
	for _, ext := range []string{".whl", ".tar.gz", ".zip", ".tgz"} {
		if strings.HasSuffix(strings.ToLower(m[1]), ext) {
			return Requirement{}, false // a file name such as "app.whl"
		}
	}
	r := Requirement{Name: normalizeDist(m[1])}
	if m[2] != "" {
		for _, e := range strings.Split(strings.Trim(m[2], "[]"), ",") {
			if e = strings.TrimSpace(e); e != "" {
				r.Extras = append(r.Extras, normalizeDist(e))
			}
		}
	}
	rest := strings.TrimSpace(m[3])
	switch {
	case strings.HasPrefix(rest, "@"):
		rest = "" // a direct reference: any version
	case rest != "" && !strings.ContainsAny(rest[:1], "=<>!~("):
		return Requirement{}, false // a file name such as "app.whl"
	}
	r.Spec = strings.Trim(rest, "() ")
	return r, true
}

// Provides reports whether installing r installs the distribution dist.
func (r Requirement) Provides(dist string) bool {
	if r.Name == dist || slices.Contains(extrasProvide[r.Name], dist) {
		return true
	}
	for _, e := range r.Extras {
		for _, d := range extrasProvide[r.Name+"["+e+"]"] {
			if d == dist {
				return true
			}
		}
	}
	return false
}

// AtLeast reports whether every version r allows is at least min, as far as
// its specifiers show: no specifier (the newest release) or a lower bound
// (==, ===, >=, ~=) at or above min.
func (r Requirement) AtLeast(min string) bool {
	if min == "" || r.Spec == "" {
		return true
	}
	for _, m := range reqSpecParts.FindAllStringSubmatch(r.Spec, -1) {
		switch m[1] {
		case "==", "===", ">=", "~=", ">":
			if compareVersions(strings.TrimSuffix(m[2], ".*"), min) >= 0 {
				return true
			}
		}
	}
	return false
}

// compareVersions compares the leading numeric release parts of two versions.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		x, y := 0, 0
		if i < len(pa) {
			x, _ = strconv.Atoi(LeadingDigits(pa[i]))
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(LeadingDigits(pb[i]))
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// readRequirements reads the requirements file at the context path name and
// the files it includes with -r. Options, paths and URLs are skipped.
func readRequirements(read func(string) ([]byte, bool), name string, depth int) []Requirement {
	data, ok := read(name)
	if !ok || depth > 5 {
		return nil
	}
	var out []Requirement
	sc := bufio.NewScanner(bytes.NewReader(data))
	var line strings.Builder
	n, start := 0, 0
	for sc.Scan() {
		text := sc.Text()
		n++
		if line.Len() == 0 {
			start = n
		}
		if strings.HasSuffix(text, `\`) {
			line.WriteString(strings.TrimSuffix(text, `\`))
			continue
		}
		line.WriteString(text)
		l := line.String()
		line.Reset()
		if i := strings.Index(l, "#"); i >= 0 && (i == 0 || l[i-1] == ' ' || l[i-1] == '\t') {
			l = l[:i]
		}
		l = strings.TrimSpace(l)
		for _, opt := range []string{"-r", "--requirement"} {
			if rest, ok := strings.CutPrefix(l, opt); ok && (rest == "" || rest[0] == ' ' || rest[0] == '=' || rest[0] == '\t') {
				inc := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), "="))
				if inc != "" && !strings.Contains(inc, "$") {
					out = append(out, readRequirements(read, path.Join(path.Dir(name), inc), depth+1)...)
				}
				l = ""
			}
		}
		if r, ok := ParseRequirement(l); ok {
			r.At = fmt.Sprintf("%s:%d", name, start)
			out = append(out, r)
		}
	}
	return out
}

// pyprojectDependencies returns the [project] dependencies of a pyproject.toml,
// read line by line: the array of quoted strings after "dependencies =".
func pyprojectDependencies(data []byte) []Requirement {
	var out []Requirement
	section, inDeps := "", false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "[") && !inDeps {
			section = strings.Trim(l, "[] ")
			continue
		}
		if section != "project" && section != "tool.poetry.dependencies" {
			continue
		}
		if section == "tool.poetry.dependencies" {
			if k, _, ok := strings.Cut(l, "="); ok && !strings.HasPrefix(l, "#") {
				if r, ok := ParseRequirement(strings.Trim(strings.TrimSpace(k), `"'`)); ok && r.Name != "python" {
					out = append(out, r)
				}
			}
			continue
		}
		if !inDeps {
			k, v, ok := strings.Cut(l, "=")
			if !ok || strings.TrimSpace(k) != "dependencies" {
				continue
			}
			inDeps, l = true, strings.TrimSpace(v)
		}
		for _, q := range quotedStrings(l) {
			if r, ok := ParseRequirement(q); ok {
				out = append(out, r)
			}
		}
		outside := l
		for _, q := range quotedStrings(l) {
			outside = strings.Replace(outside, q, "", 1) // extras' [] are inside the quotes
		}
		if strings.Contains(outside, "]") {
			inDeps = false
		}
	}
	return out
}

// quotedStrings returns the "…" and '…' strings of a TOML line.
func quotedStrings(l string) []string {
	var out []string
	for {
		i := strings.IndexAny(l, `"'`)
		if i < 0 {
			return out
		}
		q := l[i]
		j := strings.IndexByte(l[i+1:], q)
		if j < 0 {
			return out
		}
		out = append(out, l[i+1:i+1+j])
		l = l[i+1+j+1:]
	}
}

// pipfilePackages returns the names under [packages] of a Pipfile.
func pipfilePackages(data []byte) []Requirement {
	var out []Requirement
	for section, l := range tomlLines(data) {
		if section != "packages" {
			continue
		}
		if k, v, ok := strings.Cut(l, "="); ok && !strings.HasPrefix(l, "#") {
			spec := strings.Trim(strings.TrimSpace(v), `"'`)
			if spec == "*" || strings.HasPrefix(spec, "{") {
				spec = ""
			}
			if r, ok := ParseRequirement(strings.Trim(strings.TrimSpace(k), `"'`) + spec); ok {
				out = append(out, r)
			}
		}
	}
	return out
}

var uvValueFlags = []string{"project", "directory", "python", "p", "group", "only-group", "no-group", "extra",
	"package", "index", "default-index", "index-url", "extra-index-url", "find-links", "f", "cache-dir",
	"config-file", "r", "requirements", "c", "constraints", "target", "prefix", "e", "editable", "with",
	"reinstall-package", "upgrade-package", "P", "no-binary-package", "no-build-package", "link-mode",
	"compile-bytecode-timeout", "color", "refresh-package", "resolution", "prerelease", "exclude-newer", "env-file"}

// detectUV records what `uv sync` and `uv pip install` install: the
// project's environment (.venv next to pyproject.toml, or
// UV_PROJECT_ENVIRONMENT), or for uv pip the interpreter's site-packages
// (--system) or the active environment.
func (a *Build) detectUV(step *RunStep, sc *Command) {
	args := sc.Call.Args
	pa := shell.ParseArgs(args[1:], sc.Call.Dynamic[1:], uvValueFlags)
	if len(pa.Operands) == 0 {
		return
	}
	set := func(flag, env string) bool {
		if pa.Has(flag) {
			return true
		}
		v, ok := a.lookupVar(sc, env)
		return ok && v != "" && v != "0" && !strings.EqualFold(v, "false")
	}
	art := Artifact{Kind: KindPythonApp, Libc: a.Image.Libc, Language: "python", Version: a.Image.Version, Workdir: sc.Dir, Span: step.In.Span}
	switch {
	case pa.Operands[0] == "sync":
		dir := sc.Dir
		if d, ok := pa.Last("project", "directory"); ok {
			dir = ResolveIn(dir, d)
		}
		dir = strings.TrimSuffix(dir, "/")
		if dir == "" || a.Image.Version == "" {
			a.block(step.In, "cannot tell where `uv sync` creates the environment")
			return
		}
		if why := a.uvPython(step, dir, pa); why != "" {
			a.block(step.In, "%s", why)
			return
		}
		venv := dir + "/.venv"
		if e, ok := a.lookupVar(sc, "UV_PROJECT_ENVIRONMENT"); ok && e != "" {
			venv = strings.TrimSuffix(ResolveIn(dir, e), "/")
		}
		art.Venv, art.Path = venv, venvSite(venv, a.Image.Version)
		if ctx, ok := a.stageFileContext(step, dir+"/pyproject.toml"); ok {
			var pkgs []string
			for _, v := range pa.Flags["package"] {
				pkgs = append(pkgs, normalizeDist(v))
			}
			art.Requires = uvSyncRequires(func(n string) ([]byte, bool) { return ReadContext(a.p, n) }, a.contextGlob, ctx, pkgs, pa.Has("all-packages"))
		}
		art.Editable = !pa.Has("no-install-project", "no-install-workspace") && !set("no-editable", "UV_NO_EDITABLE")
	case pa.Operands[0] == "pip" && len(pa.Operands) > 1 && pa.Operands[1] == "install":
		pip := shell.ParseArgs(args[2:], sc.Call.Dynamic[2:], append([]string{"requirements"}, PipValueFlags...))
		pip.Flags["requirement"] = append(pip.Flags["requirement"], pip.Flags["requirements"]...)
		art.Requires, art.Unread = a.pipRequires(step, sc, pip)
		switch {
		case pa.Has("e", "editable"):
			a.block(step.In, "an editable install (-e) links the project in place; the runtime cannot import it from a copied site-packages")
			return
		case pa.Has("target", "prefix"):
			a.block(step.In, "`uv pip install --target/--prefix` layouts are not supported")
			return
		case set("system", "UV_SYSTEM_PYTHON"):
			art.Path = a.Image.PythonSite
		default:
			venv, ok := a.lookupVar(sc, "VIRTUAL_ENV")
			if !ok || venv == "" {
				venv = ".venv" // uv finds .venv in the working directory
			}
			art.Venv = strings.TrimSuffix(ResolveIn(sc.Dir, venv), "/")
			if art.Venv == "" || a.Image.Version == "" {
				a.block(step.In, "cannot tell which environment `uv pip install` installs into")
				return
			}
			art.Path = venvSite(art.Venv, a.Image.Version)
		}
	default:
		return
	}
	a.Add(art)
}

// uvPython says why the environment `uv sync` creates in dir may not use the
// build image's own Python (a .python-version or --python asking for another,
// which uv would download), or "".
func (a *Build) uvPython(step *RunStep, dir string, pa shell.Args) string {
	want := ""
	if v, ok := pa.Last("python", "p"); ok {
		want = v
	} else if v, ok := a.Vars["UV_PYTHON"]; ok && v != "" {
		want = v
	} else if ctx, ok := a.stageFileContext(step, dir+"/.python-version"); ok {
		data, _ := ReadContext(a.p, ctx)
		want = strings.TrimSpace(strings.SplitN(string(data), "\n", 2)[0])
	}
	if want == "" || catalog.TrimVersion(strings.TrimPrefix(want, "python"), 2) == a.Image.Version {
		return ""
	}
	return fmt.Sprintf("`uv sync` asks for Python %s, which uv may download instead of using the image's %s", want, a.Image.Version)
}

// detectFlit records what `flit install` installs: the project in the
// working directory (or --project's), copied into the interpreter's
// site-packages with its pyproject.toml dependencies; --symlink and
// --pth-file link it in place instead.
func (a *Build) detectFlit(step *RunStep, sc *Command) {
	args := sc.Call.Args
	pa := shell.ParseArgs(args[1:], sc.Call.Dynamic[1:], []string{"deps", "extras", "python", "f", "ini-file"})
	if len(pa.Operands) == 0 || pa.Operands[0] != "install" {
		return
	}
	art := Artifact{Kind: KindPythonApp, Libc: a.Image.Libc, Language: "python", Version: a.Image.Version, Workdir: sc.Dir, Span: step.In.Span}
	switch {
	case pa.Has("python", "user", "env"):
		a.block(step.In, "`flit install` into another interpreter or the user's directory is not supported")
		return
	case pa.Has("symlink", "s", "pth-file"):
		art.Editable = true
	}
	art.Path = a.Image.PythonSite
	if deps, _ := pa.Last("deps"); deps != "none" && sc.Dir != "" {
		if ctx, ok := a.stageFileContext(step, strings.TrimSuffix(sc.Dir, "/")+"/pyproject.toml"); ok {
			data, _ := ReadContext(a.p, ctx)
			art.Requires = pyprojectDependencies(data)
		}
	}
	a.Add(art)
}

// truthy reads a boolean setting the way poetry and pipenv do.
func truthy(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	return v == "1" || v == "true" || v == "yes" || v == "on"
}

// poetrySetting returns a poetry setting ("virtualenvs.create") as the
// install sees it: `poetry config` in an earlier command, the
// POETRY_VIRTUALENVS_CREATE variable, or the project's poetry.toml.
func (a *Build) poetrySetting(step *RunStep, sc *Command, dir, key string) (string, bool) {
	env := "POETRY_" + strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(key))
	if v, ok := a.lookupVar(sc, env); ok {
		return v, true
	}
	if v, ok := a.poetryCfg[key]; ok {
		return v, true
	}
	if ctx, ok := a.stageFileContext(step, dir+"/poetry.toml"); ok {
		data, _ := ReadContext(a.p, ctx)
		section := ""
		for _, l := range strings.Split(string(data), "\n") {
			l = strings.TrimSpace(l)
			if strings.HasPrefix(l, "[") {
				section = strings.Trim(l, "[] ")
				continue
			}
			if k, v, ok := strings.Cut(l, "="); ok && section+"."+strings.TrimSpace(k) == key {
				return strings.Trim(strings.TrimSpace(v), `"'`), true
			}
		}
	}
	return "", false
}

// detectPoetry records `poetry config` settings and what `poetry install`
// installs: into the interpreter's site-packages when virtualenvs.create is
// false, into the project's .venv when virtualenvs.in-project is true;
// poetry's default environment has a hashed name under its cache, which
// dfslim cannot tell. The project itself is installed editable unless
// --no-root.
func (a *Build) detectPoetry(step *RunStep, sc *Command) {
	args := sc.Call.Args
	pa := shell.ParseArgs(args[1:], sc.Call.Dynamic[1:], []string{"C", "directory", "P", "project", "only", "with", "without", "E", "extras", "sync"})
	if len(pa.Operands) == 0 {
		return
	}
	dir := sc.Dir
	if d, ok := pa.Last("C", "directory", "P", "project"); ok {
		dir = ResolveIn(dir, d)
	}
	dir = strings.TrimSuffix(dir, "/")
	switch pa.Operands[0] {
	case "config":
		if len(pa.Operands) == 3 && !pa.Dynamic {
			if a.poetryCfg == nil {
				a.poetryCfg = map[string]string{}
			}
			a.poetryCfg[pa.Operands[1]] = pa.Operands[2]
		}
		return
	case "install", "sync":
	default:
		return
	}
	art := Artifact{Kind: KindPythonApp, Libc: a.Image.Libc, Language: "python", Version: a.Image.Version, Workdir: sc.Dir, Span: step.In.Span}
	create, set := a.poetrySetting(step, sc, dir, "virtualenvs.create")
	inProject, _ := a.poetrySetting(step, sc, dir, "virtualenvs.in-project")
	switch {
	case dir == "" || a.Image.Version == "":
		a.block(step.In, "cannot tell where `poetry install` installs")
		return
	case set && !truthy(create):
		art.Path = a.Image.PythonSite
	case truthy(inProject):
		art.Venv = dir + "/.venv"
		art.Path = venvSite(art.Venv, a.Image.Version)
	default:
		a.block(step.In, "`poetry install` creates its environment under poetry's cache with a hashed name; set virtualenvs.create false or virtualenvs.in-project true")
		return
	}
	if ctx, ok := a.stageFileContext(step, dir+"/pyproject.toml"); ok {
		data, _ := ReadContext(a.p, ctx)
		art.Requires = pyprojectDependencies(data)
	}
	art.Editable = !pa.Has("no-root")
	a.Add(art)
}

// detectPipenv records what `pipenv install --system` (or sync) installs:
// the Pipfile's packages, into the interpreter's site-packages, or into the
// project's .venv with PIPENV_VENV_IN_PROJECT.
func (a *Build) detectPipenv(step *RunStep, sc *Command) {
	args := sc.Call.Args
	pa := shell.ParseArgs(args[1:], sc.Call.Dynamic[1:], []string{"python", "categories", "extra-pip-args", "r", "requirements"})
	if len(pa.Operands) == 0 || pa.Operands[0] != "install" && pa.Operands[0] != "sync" {
		return
	}
	art := Artifact{Kind: KindPythonApp, Libc: a.Image.Libc, Language: "python", Version: a.Image.Version, Workdir: sc.Dir, Span: step.In.Span}
	dir := strings.TrimSuffix(sc.Dir, "/")
	inProject, _ := a.lookupVar(sc, "PIPENV_VENV_IN_PROJECT")
	switch {
	case dir == "" || a.Image.Version == "":
		a.block(step.In, "cannot tell where `pipenv install` installs")
		return
	case pa.Has("system"):
		art.Path = a.Image.PythonSite
	case truthy(inProject):
		art.Venv = dir + "/.venv"
		art.Path = venvSite(art.Venv, a.Image.Version)
	default:
		a.block(step.In, "`pipenv install` creates its environment under the user's home with a hashed name; use --system or PIPENV_VENV_IN_PROJECT=1")
		return
	}
	if ctx, ok := a.stageFileContext(step, dir+"/Pipfile"); ok {
		data, _ := ReadContext(a.p, ctx)
		art.Requires = pipfilePackages(data)
	}
	for _, op := range pa.Operands[1:] {
		if r, ok := ParseRequirement(op); ok {
			art.Requires = append(art.Requires, r)
		}
	}
	a.Add(art)
}

// venvSite returns the site-packages directory of Python version (major.minor)
// under prefix: a virtual environment, or /usr/local for the interpreter of
// the official images.
func venvSite(venv, version string) string {
	return venv + "/lib/python" + version + "/site-packages"
}
