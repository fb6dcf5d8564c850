package rules

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
	"mvdan.cc/sh/v3/syntax"
)

// This file holds what the build analysis knows about Python packaging:
// the requirement files a pip install reads, the console scripts that pip
// writes for well-known packages, and the modules that run them.

// A consoleScript is a command that pip writes into bin/ when it installs a
// distribution, and the module that `python -m` runs instead: the module's
// __main__ calls the same function as the script.
type consoleScript struct {
	module string
	dist   string // the distribution that declares the script
	// minVersion is the first version of dist whose module has a
	// __main__, or "" when every version with the script has one.
	minVersion string
}

// consoleScripts maps a command name to what runs it without its script.
var consoleScripts = map[string]consoleScript{
	"gunicorn":   {module: "gunicorn", dist: "gunicorn", minVersion: "20.1.0"},
	"uvicorn":    {module: "uvicorn", dist: "uvicorn"},
	"flask":      {module: "flask", dist: "flask"},
	"celery":     {module: "celery", dist: "celery"},
	"streamlit":  {module: "streamlit", dist: "streamlit"},
	"fastapi":    {module: "fastapi", dist: "fastapi", minVersion: "0.111.0"},
	"hypercorn":  {module: "hypercorn", dist: "hypercorn"},
	"jupyterhub": {module: "jupyterhub", dist: "jupyterhub"},
	"pytest":     {module: "pytest", dist: "pytest"},
	// No module runs it with the same arguments: only the slim rung, which
	// has the script's interpreter, can run it as written.
	"opentelemetry-instrument": {dist: "opentelemetry-instrumentation"},
	// dfslim does not know since which version a module runs it.
	"alembic": {dist: "alembic"},
}

// extrasProvide lists the distributions that a requirement (with extras)
// installs besides itself, for those that pull in a console script's
// distribution.
var extrasProvide = map[string][]string{
	"fastapi[standard]":        {"fastapi-cli", "uvicorn"},
	"fastapi[all]":             {"uvicorn"},
	"opentelemetry-distro":     {"opentelemetry-instrumentation"},
	"aws-opentelemetry-distro": {"opentelemetry-instrumentation"},
}

// pythonBuildTools are distributions that serve only the build: a pip
// install of nothing else installs no part of the app.
var pythonBuildTools = []string{"pip", "setuptools", "wheel", "poetry", "pipenv", "flit", "uv", "pip-tools",
	"hatch", "pdm", "virtualenv", "poetry-plugin-export", "build"}

// A requirement is one line of a requirements file or one pip operand.
type requirement struct {
	name   string   // normalized (PEP 503): lower case, runs of -_. as -
	extras []string // normalized
	spec   string   // version specifiers, "" for none: ">=1.0,<2"
	at     string   // where it is written, for messages: "requirements.txt:3"; "" for an operand
}

var (
	reqName      = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$`)
	pep503Runs   = regexp.MustCompile(`[-_.]+`)
	reqSpecParts = regexp.MustCompile(`(===|==|~=|>=|<=|!=|>|<)\s*([0-9][0-9A-Za-z.*+!-]*)`)
)

func normalizeDist(name string) string {
	return pep503Runs.ReplaceAllString(strings.ToLower(name), "-")
}

// parseRequirement reads a requirement specifier ("Flask[async]>=2 ; python_version>'3'").
// It returns false for what is not a named requirement (a path, a URL, an option).
func parseRequirement(s string) (requirement, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") || strings.Contains(s, "://") && !strings.Contains(s, "@") {
		return requirement{}, false
	}
	if i := strings.Index(s, ";"); i >= 0 {
		s = s[:i]
	}
	m := reqName.FindStringSubmatch(s)
	if m == nil {
		return requirement{}, false
	}
	for _, ext := range []string{".whl", ".tar.gz", ".zip", ".tgz"} {
		if strings.HasSuffix(strings.ToLower(m[1]), ext) {
			return requirement{}, false // a file name such as "app.whl"
		}
	}
	r := requirement{name: normalizeDist(m[1])}
	if m[2] != "" {
		for _, e := range strings.Split(strings.Trim(m[2], "[]"), ",") {
			if e = strings.TrimSpace(e); e != "" {
				r.extras = append(r.extras, normalizeDist(e))
			}
		}
	}
	rest := strings.TrimSpace(m[3])
	switch {
	case strings.HasPrefix(rest, "@"):
		rest = "" // a direct reference: any version
	case rest != "" && !strings.ContainsAny(rest[:1], "=<>!~("):
		return requirement{}, false // a file name such as "app.whl"
	}
	r.spec = strings.Trim(rest, "() ")
	return r, true
}

// provides reports whether installing r installs the distribution dist.
func (r requirement) provides(dist string) bool {
	if r.name == dist || slices.Contains(extrasProvide[r.name], dist) {
		return true
	}
	for _, e := range r.extras {
		for _, d := range extrasProvide[r.name+"["+e+"]"] {
			if d == dist {
				return true
			}
		}
	}
	return false
}

// atLeast reports whether every version r allows is at least min, as far as
// its specifiers show: no specifier (the newest release) or a lower bound
// (==, ===, >=, ~=) at or above min.
func (r requirement) atLeast(min string) bool {
	if min == "" || r.spec == "" {
		return true
	}
	for _, m := range reqSpecParts.FindAllStringSubmatch(r.spec, -1) {
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
			x, _ = strconv.Atoi(leadingDigits(pa[i]))
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(leadingDigits(pb[i]))
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
func readRequirements(read func(string) ([]byte, bool), name string, depth int) []requirement {
	data, ok := read(name)
	if !ok || depth > 5 {
		return nil
	}
	var out []requirement
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
		if r, ok := parseRequirement(l); ok {
			r.at = fmt.Sprintf("%s:%d", name, start)
			out = append(out, r)
		}
	}
	return out
}

// pyprojectDependencies returns the [project] dependencies of a pyproject.toml,
// read line by line: the array of quoted strings after "dependencies =".
func pyprojectDependencies(data []byte) []requirement {
	var out []requirement
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
				if r, ok := parseRequirement(strings.Trim(strings.TrimSpace(k), `"'`)); ok && r.name != "python" {
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
			if r, ok := parseRequirement(q); ok {
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
func pipfilePackages(data []byte) []requirement {
	var out []requirement
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "[") {
			section = strings.Trim(l, "[] ")
			continue
		}
		if section != "packages" {
			continue
		}
		if k, v, ok := strings.Cut(l, "="); ok && !strings.HasPrefix(l, "#") {
			spec := strings.Trim(strings.TrimSpace(v), `"'`)
			if spec == "*" || strings.HasPrefix(spec, "{") {
				spec = ""
			}
			if r, ok := parseRequirement(strings.Trim(strings.TrimSpace(k), `"'`) + spec); ok {
				out = append(out, r)
			}
		}
	}
	return out
}

// consoleScript replaces a command that runs a console script of a
// well-known distribution (gunicorn, uvicorn, flask, …) by the interpreter
// running the script's module: the runtime copies site-packages, not the
// script, whose #! line names the build image's interpreter. The build must
// show that it installs the distribution, in a version whose module runs.
func (sp *split) consoleScript(in *rewrite.Instr) bool {
	prog := sp.argv[0]
	name := path.Base(prog)
	cs := consoleScripts[name]
	var installs []*buildArtifact
	for i := range sp.a.artifacts {
		if art := &sp.a.artifacts[i]; art.Kind == KindPythonApp {
			installs = append(installs, art)
		}
	}
	if strings.Contains(prog, "/") {
		dir := path.Dir(resolveIn(sp.a.workdir, prog))
		if !slices.ContainsFunc(installs, func(art *buildArtifact) bool {
			return dir == "/usr/local/bin" && art.Venv == "" || art.Venv != "" && dir == art.Venv+"/bin"
		}) {
			sp.block(in, "the command runs %s, which no pip install of this Dockerfile writes", prog)
			return false
		}
	}
	candidates := []string{resolveIn(sp.a.workdir, prog)}
	if !strings.Contains(prog, "/") {
		candidates = nil
		for _, d := range strings.Split(sp.a.vars["PATH"], ":") {
			if path.IsAbs(d) {
				candidates = append(candidates, path.Join(d, prog))
			}
		}
	}
	for _, c := range candidates {
		if _, copied := sp.copiedFile(c); copied {
			sp.block(in, "%s is copied in by this Dockerfile, not written by pip", c)
			return false
		}
	}
	if len(installs) == 0 {
		if c, from := sp.copiedFromStage(candidates); c != "" {
			if !sp.slim {
				sp.blockRung(in, "`%s` is copied in from %s with the Python packages it runs, which only the same image's interpreter can run", name, from)
				return false
			}
			sp.stageScript = c // checkSlim: only on the build's own image
			return true
		}
	}
	var req *requirement
	for _, art := range installs {
		for i := range art.Requires {
			if art.Requires[i].provides(cs.dist) {
				req = &art.Requires[i]
			}
		}
	}
	if req == nil {
		var unread []string
		for _, art := range installs {
			unread = append(unread, art.Unread...)
		}
		switch {
		case len(installs) == 0:
			sp.block(in, "`%s` is a console script of %s, but no pip install of this Dockerfile installs it (it may come from the base image)", name, cs.dist)
		case len(unread) > 0:
			sp.block(in, "`%s` is a console script of %s, and %s is not in the build context, so dfslim cannot tell whether the build installs it", name, cs.dist, strings.Join(unread, ", "))
		default:
			sp.block(in, "`%s` is a console script of %s, and the requirements this Dockerfile installs do not name %s; list it, or run it as `python -m %s`", name, cs.dist, cs.dist, cs.module)
		}
		return false
	}
	if req.name == cs.dist && !req.atLeast(cs.minVersion) && !sp.slim { // the slim rung keeps the script
		sp.block(in, "%s%s may be older than %s, the first whose module runs with `python -m %s`", cs.dist, req.spec, cs.minVersion, cs.module)
		return false
	}
	if sp.slim {
		// The slim image has the build's interpreter at the same path, so
		// the script's #! line works: copy the script, keep the command.
		for _, art := range installs {
			if art.Venv == "" && sp.a.image.pythonSite != "" {
				sp.scripts = append(sp.scripts, "/usr/local/bin/"+name)
			}
		}
		return true
	}
	if cs.module == "" {
		sp.blockRung(in, "no module of %s runs `%s` the way its script does; only an image with the build's interpreter at the same path can run the script", cs.dist, name)
		return false
	}
	py := "python"
	if sp.epArgs != nil {
		sp.epArgs = append([]string{py, "-m", cs.module}, sp.epArgs[1:]...)
	} else {
		sp.cmdArgs = append([]string{py, "-m", cs.module}, sp.cmdArgs[1:]...)
	}
	sp.argv = append(slices.Clone(sp.epArgs), sp.cmdArgs...)
	sp.viaModule = cs.module
	return true
}

// execArgs is [ExecArgs], except that a shell-form gunicorn command whose
// only expansion is a bind to $PORT loses that bind (see gunicornPortArgs).
func (sp *split) execArgs(in *rewrite.Instr) ([]string, error) {
	args, err := ExecArgs(sp.f, in)
	if err == nil || sp.a.image.language != "python" {
		return args, err
	}
	alt, why := sp.gunicornPortArgs(in)
	if alt != nil {
		sp.notes = append(sp.notes, "gunicorn binds 0.0.0.0:$PORT itself, so the command drops --bind and needs no shell")
		return alt, nil
	}
	if why != "" {
		return nil, fmt.Errorf("%v (%s)", err, why)
	}
	return nil, err
}

// portBinds are the values of gunicorn's --bind that listen on every IPv4
// address at the port $PORT names.
var portBinds = []string{":$PORT", ":${PORT}", "0.0.0.0:$PORT", "0.0.0.0:${PORT}"}

// gunicornPortArgs returns the words of a shell-form command that runs
// gunicorn (or python -m gunicorn) with literal words but one bind to $PORT,
// without that bind. gunicorn binds 0.0.0.0:$PORT by itself when PORT is set
// and no bind is configured; with PORT unset the original would fail to
// start (":" is no port). It declines when a config file, GUNICORN_CMD_ARGS
// or a gunicorn.conf.py in the working directory could set the bind instead.
//
// When it declines for a command that expands $PORT it says why, else "".
func (sp *split) gunicornPortArgs(in *rewrite.Instr) ([]string, string) {
	sh := shell.Of(sp.f, in)
	if sh == nil || len(sh.File.Stmts) != 1 || shellComment(sh.File) != "" {
		return nil, ""
	}
	st := sh.File.Stmts[0]
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || st.Background || st.Negated || st.Coprocess || len(st.Redirs) > 0 || len(call.Assigns) > 0 {
		return nil, ""
	}
	var args []string
	binds, other := 0, false
	for i := 0; i < len(call.Args); i++ {
		w := call.Args[i]
		if v, ok := shell.WordValue(w); ok {
			if (v == "--bind" || v == "-b") && i+1 < len(call.Args) {
				if _, lit := shell.WordValue(call.Args[i+1]); !lit && slices.Contains(portBinds, strings.Trim(sh.Text(call.Args[i+1]), `"`)) {
					binds++
					i++
					continue
				}
			}
			args = append(args, v)
			continue
		}
		text := sh.Text(w)
		name, value, _ := strings.Cut(text, "=")
		if (name == "--bind" || name == "-b") && slices.Contains(portBinds, strings.Trim(value, `"`)) {
			binds++
			continue
		}
		if !strings.Contains(text, "PORT") {
			return nil, ""
		}
		other = true
		args = append(args, text)
	}
	if len(args) > 1 && args[0] == "exec" {
		args = args[1:]
	}
	if len(args) == 0 {
		return nil, ""
	}
	rest := args[1:]
	prog := path.Base(args[0])
	if pythonRe.MatchString(prog) && len(args) > 2 && args[1] == "-m" {
		prog, rest = args[2], args[3:]
	}
	switch {
	case prog != "gunicorn" && consoleScripts[prog].module != "":
		return nil, prog + " does not read PORT itself"
	case prog != "gunicorn" || binds != 1 || other:
		return nil, ""
	}
	const cfgBind = "a bind in its configuration would win over PORT"
	for _, x := range rest {
		if x == "-c" || x == "--config" || strings.HasPrefix(x, "--config=") || strings.HasPrefix(x, "-c") && len(x) > 2 && !strings.HasPrefix(x, "--") {
			return nil, "gunicorn is given a config file: " + cfgBind
		}
		if x == "--bind" || x == "-b" || strings.HasPrefix(x, "--bind=") {
			return nil, "gunicorn has another --bind"
		}
	}
	if _, set := sp.a.vars["GUNICORN_CMD_ARGS"]; set {
		return nil, "GUNICORN_CMD_ARGS is set: " + cfgBind
	}
	if sp.a.workdir == "" || sp.p.Context == nil {
		return nil, "without the build context dfslim cannot tell whether gunicorn.conf.py sets a bind"
	}
	if ctx, ok := sp.a.contextFile(strings.TrimSuffix(sp.a.workdir, "/") + "/gunicorn.conf.py"); ok {
		data, _ := readContext(sp.p, ctx)
		if bytes.Contains(data, []byte("bind")) {
			return nil, ctx + " sets a bind, which would win over PORT"
		}
	}
	return args, ""
}

// noteText joins the notes of a split for its fix message: "; note; note".
func (sp *split) noteText() string {
	if sp.viaModule != "" {
		sp.notes = append(sp.notes, fmt.Sprintf("the console script runs as `python -m %s` (the runtime has its package, not its script)", sp.viaModule))
	}
	if len(sp.notes) == 0 {
		return ""
	}
	return "; " + strings.Join(sp.notes, "; ")
}

// floatingPython says why a python image whose tag names no minor version
// (python:3, python:slim, python:latest) is not slimmed: the interpreter, and
// so the path of site-packages and the runtime image to match, is whatever
// the tag points to on the day of the build. dfslim does not pin it for the
// user: a pin would change the Python the build gets from then on.
func floatingPython(ref string) string {
	return fmt.Sprintf("%s names no Python minor version: the build gets whatever Python the tag points to on the day it runs, so neither the site-packages directory to copy nor a runtime of the same version can be written down; pin the tag (for example python:3.13-slim) to slim it", ref)
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
func (a *stageAnalysis) detectUV(step *runStep, sc *shellCmd) {
	args := sc.call.Args
	pa := shell.ParseArgs(args[1:], sc.call.Dynamic[1:], uvValueFlags)
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
	art := buildArtifact{Kind: KindPythonApp, Libc: a.image.libc, Language: "python", Version: a.image.version, Workdir: sc.dir, Span: step.in.Span}
	switch {
	case pa.Operands[0] == "sync":
		dir := sc.dir
		if d, ok := pa.Last("project", "directory"); ok {
			dir = resolveIn(dir, d)
		}
		dir = strings.TrimSuffix(dir, "/")
		if dir == "" || a.image.version == "" {
			a.block(step.in, "cannot tell where `uv sync` creates the environment")
			return
		}
		if why := a.uvPython(step, dir, pa); why != "" {
			a.block(step.in, "%s", why)
			return
		}
		venv := dir + "/.venv"
		if e, ok := a.lookupVar(sc, "UV_PROJECT_ENVIRONMENT"); ok && e != "" {
			venv = strings.TrimSuffix(resolveIn(dir, e), "/")
		}
		art.Venv, art.Path = venv, venv+"/lib/python"+a.image.version+"/site-packages"
		if ctx, ok := a.stageFileContext(step, dir+"/pyproject.toml"); ok {
			var pkgs []string
			for _, v := range pa.Flags["package"] {
				pkgs = append(pkgs, normalizeDist(v))
			}
			art.Requires = uvSyncRequires(func(n string) ([]byte, bool) { return readContext(a.p, n) }, a.contextGlob, ctx, pkgs, pa.Has("all-packages"))
		}
		art.Editable = !pa.Has("no-install-project", "no-install-workspace") && !set("no-editable", "UV_NO_EDITABLE")
	case pa.Operands[0] == "pip" && len(pa.Operands) > 1 && pa.Operands[1] == "install":
		pip := shell.ParseArgs(args[2:], sc.call.Dynamic[2:], append([]string{"requirements"}, pipValueFlags...))
		pip.Flags["requirement"] = append(pip.Flags["requirement"], pip.Flags["requirements"]...)
		art.Requires, art.Unread = a.pipRequires(step, sc, pip)
		switch {
		case pa.Has("e", "editable"):
			a.block(step.in, "an editable install (-e) links the project in place; the runtime cannot import it from a copied site-packages")
			return
		case pa.Has("target", "prefix"):
			a.block(step.in, "`uv pip install --target/--prefix` layouts are not supported")
			return
		case set("system", "UV_SYSTEM_PYTHON"):
			art.Path = a.image.pythonSite
		default:
			venv, ok := a.lookupVar(sc, "VIRTUAL_ENV")
			if !ok || venv == "" {
				venv = ".venv" // uv finds .venv in the working directory
			}
			art.Venv = strings.TrimSuffix(resolveIn(sc.dir, venv), "/")
			if art.Venv == "" || a.image.version == "" {
				a.block(step.in, "cannot tell which environment `uv pip install` installs into")
				return
			}
			art.Path = art.Venv + "/lib/python" + a.image.version + "/site-packages"
		}
	default:
		return
	}
	a.add(art)
}

// uvPython says why the environment `uv sync` creates in dir may not use the
// build image's own Python (a .python-version or --python asking for another,
// which uv would download), or "".
func (a *stageAnalysis) uvPython(step *runStep, dir string, pa shell.Args) string {
	want := ""
	if v, ok := pa.Last("python", "p"); ok {
		want = v
	} else if v, ok := a.vars["UV_PYTHON"]; ok && v != "" {
		want = v
	} else if ctx, ok := a.stageFileContext(step, dir+"/.python-version"); ok {
		data, _ := readContext(a.p, ctx)
		want = strings.TrimSpace(strings.SplitN(string(data), "\n", 2)[0])
	}
	if want == "" || catalog.TrimVersion(strings.TrimPrefix(want, "python"), 2) == a.image.version {
		return ""
	}
	return fmt.Sprintf("`uv sync` asks for Python %s, which uv may download instead of using the image's %s", want, a.image.version)
}

// uvRunFlags are the `uv run` options that change nothing once the image's
// environment is synced.
var uvRunFlags = []string{"--frozen", "--locked", "--no-sync", "--no-dev", "--offline", "--no-editable", "--compile-bytecode", "-q", "--quiet"}

// uvRun replaces `uv run X ARGS` by the project environment's X: uv would
// sync the environment the build already synced and run X from its bin.
func (sp *split) uvRun(in *rewrite.Instr) bool {
	args := sp.argv
	if len(args) < 3 || args[1] != "run" {
		sp.block(in, "the command runs uv %s, which needs uv at run time", strings.Join(args[1:], " "))
		return false
	}
	i := 2
	for ; i < len(args) && strings.HasPrefix(args[i], "-"); i++ {
		if !slices.Contains(uvRunFlags, args[i]) {
			sp.block(in, "`uv run %s` may do more than run the program", args[i])
			return false
		}
	}
	if i == len(args) || args[i] == "--" && i+1 == len(args) {
		sp.block(in, "`uv run` has no command")
		return false
	}
	if args[i] == "--" {
		i++
	}
	venv := ""
	for _, art := range sp.a.artifacts {
		if art.Kind == KindPythonApp && art.Venv != "" && art.Venv == strings.TrimSuffix(sp.a.workdir, "/")+"/.venv" {
			venv = art.Venv
		}
	}
	if e, ok := sp.a.vars["UV_PROJECT_ENVIRONMENT"]; ok && e != "" {
		venv = ""
	}
	if venv == "" {
		if len(sp.a.blockers) > 0 {
			sp.blockers = append(sp.blockers, sp.a.blockers...)
			return false
		}
		sp.block(in, "`uv run` runs in an environment that no `uv sync` of this Dockerfile made in %s", sp.a.workdir)
		return false
	}
	prog := args[i]
	if strings.Contains(prog, "/") || !pythonRe.MatchString(prog) && consoleScripts[prog].dist == "" {
		sp.block(in, "`uv run %s`: dfslim knows no Python program or console script %s", prog, prog)
		return false
	}
	argv := append([]string{venv + "/bin/" + prog}, args[i+1:]...)
	if sp.epArgs != nil {
		if i >= len(sp.epArgs) {
			sp.block(in, "the program `uv run` runs comes from CMD, which run-time arguments replace")
			return false
		}
		sp.epArgs = argv[:len(argv)-len(sp.cmdArgs)] // CMD still adds its arguments
	} else {
		sp.cmdArgs = argv
	}
	sp.argv = append(slices.Clone(sp.epArgs), sp.cmdArgs...)
	sp.notes = append(sp.notes, "`uv run` becomes the synced environment's "+prog)
	return true
}

// systemDirs are the top-level directories of a Linux image: an app copied
// into one of them cannot be told apart from the system's files.
var systemDirs = []string{"/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/media",
	"/mnt", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var"}

// rootApp lists the files of a Python app that lives in / (no WORKDIR):
// the files its COPY and ADD instructions name one by one (ADD script.py /)
// and the directories they create outside the system's. A directory's
// contents copied into / (COPY . /) are refused, as are RUN steps other than
// pip that run in /, whose writes cannot be told apart from the system's.
func (sp *split) rootApp(in *rewrite.Instr) bool {
	refuse := func(at *rewrite.Instr, format string, args ...any) bool {
		sp.block(at, "the app lives in /: "+format+"; set a WORKDIR", args...)
		return false
	}
	if sp.p.Context == nil {
		return refuse(in, "without the build context dfslim cannot tell its files from directories")
	}
	var files []string
	for _, cp := range sp.a.copies {
		if cp.image != "" {
			continue // another image's files: carried as they are (planCopies)
		}
		dest := cp.dest
		switch {
		case dest == "":
			return refuse(cp.in, "%s copies to a path dfslim cannot tell", strings.ToUpper(cp.in.Cmd))
		case cp.remote:
			return refuse(cp.in, "ADD downloads a file whose name dfslim cannot tell")
		case dest == "/":
			for _, src := range cp.sources {
				s := cleanSrc(src)
				if strings.ContainsAny(s, "*?[") || s == "" || s == "." || sp.contextDir(s) || !sp.a.exists(s) {
					return refuse(cp.in, "%s copies %s into /, whose files mix with the system's", strings.ToUpper(cp.in.Cmd), src)
				}
				files = append(files, "/"+path.Base(s))
			}
			continue
		}
		d := strings.TrimSuffix(dest, "/")
		top := "/" + strings.SplitN(strings.TrimPrefix(d, "/"), "/", 2)[0]
		if slices.Contains(systemDirs, top) {
			continue // under a system directory: planCopies decides
		}
		files = append(files, d)
	}
	for _, step := range sp.a.runs {
		for _, c := range step.cmds {
			if c.dir != "/" || c.dynamic || isPip(c.call.Args) {
				continue
			}
			name := path.Base(c.call.Args[0])
			if sp.language == "node" && namedInstall(name, c.call.Args[1:]) {
				files = append(files, "/node_modules") // node_modules in /, found from the app's files there
				continue
			}
			if pythonRe.MatchString(name) || name == "uv" || !slices.Contains(harmlessCommands, name) && !slices.Contains(fileSafeCommands, name) {
				return refuse(step.in, "RUN runs `%s` in /, where what it writes cannot be told apart from the system's files", name)
			}
		}
	}
	if len(files) == 0 {
		return refuse(in, "no COPY names its files")
	}
	slices.Sort(files)
	sp.rootFiles = slices.Compact(files)
	return true
}

// detectFlit records what `flit install` installs: the project in the
// working directory (or --project's), copied into the interpreter's
// site-packages with its pyproject.toml dependencies; --symlink and
// --pth-file link it in place instead.
func (a *stageAnalysis) detectFlit(step *runStep, sc *shellCmd) {
	args := sc.call.Args
	pa := shell.ParseArgs(args[1:], sc.call.Dynamic[1:], []string{"deps", "extras", "python", "f", "ini-file"})
	if len(pa.Operands) == 0 || pa.Operands[0] != "install" {
		return
	}
	art := buildArtifact{Kind: KindPythonApp, Libc: a.image.libc, Language: "python", Version: a.image.version, Workdir: sc.dir, Span: step.in.Span}
	switch {
	case pa.Has("python", "user", "env"):
		a.block(step.in, "`flit install` into another interpreter or the user's directory is not supported")
		return
	case pa.Has("symlink", "s", "pth-file"):
		art.Editable = true
	}
	art.Path = a.image.pythonSite
	if deps, _ := pa.Last("deps"); deps != "none" && sc.dir != "" {
		if ctx, ok := a.stageFileContext(step, strings.TrimSuffix(sc.dir, "/")+"/pyproject.toml"); ok {
			data, _ := readContext(a.p, ctx)
			art.Requires = pyprojectDependencies(data)
		}
	}
	a.add(art)
}

// pipCacheDir reports whether w is "$(pip cache dir)" (pip3, python -m pip),
// the cache in the build user's home, which only the build uses, while
// PIP_CACHE_DIR does not move it.
func (sp *split) pipCacheDir(w *syntax.Word) bool {
	if _, set := sp.a.vars["PIP_CACHE_DIR"]; set || sp.language != "python" {
		return false
	}
	parts := w.Parts
	if len(parts) == 1 {
		if dq, ok := parts[0].(*syntax.DblQuoted); ok {
			parts = dq.Parts
		}
	}
	if len(parts) != 1 {
		return false
	}
	cs, ok := parts[0].(*syntax.CmdSubst)
	if !ok || len(cs.Stmts) != 1 {
		return false
	}
	call, ok := cs.Stmts[0].Cmd.(*syntax.CallExpr)
	if !ok || len(call.Assigns) > 0 {
		return false
	}
	var args []string
	for _, a := range call.Args {
		v, ok := shell.WordValue(a)
		if !ok {
			return false
		}
		args = append(args, v)
	}
	n := len(args)
	return n >= 3 && isPip(args[:n-2]) && args[n-2] == "cache" && args[n-1] == "dir"
}

// truthy reads a boolean setting the way poetry and pipenv do.
func truthy(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	return v == "1" || v == "true" || v == "yes" || v == "on"
}

// poetrySetting returns a poetry setting ("virtualenvs.create") as the
// install sees it: `poetry config` in an earlier command, the
// POETRY_VIRTUALENVS_CREATE variable, or the project's poetry.toml.
func (a *stageAnalysis) poetrySetting(step *runStep, sc *shellCmd, dir, key string) (string, bool) {
	env := "POETRY_" + strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(key))
	if v, ok := a.lookupVar(sc, env); ok {
		return v, true
	}
	if v, ok := a.poetryCfg[key]; ok {
		return v, true
	}
	if ctx, ok := a.stageFileContext(step, dir+"/poetry.toml"); ok {
		data, _ := readContext(a.p, ctx)
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
func (a *stageAnalysis) detectPoetry(step *runStep, sc *shellCmd) {
	args := sc.call.Args
	pa := shell.ParseArgs(args[1:], sc.call.Dynamic[1:], []string{"C", "directory", "P", "project", "only", "with", "without", "E", "extras", "sync"})
	if len(pa.Operands) == 0 {
		return
	}
	dir := sc.dir
	if d, ok := pa.Last("C", "directory", "P", "project"); ok {
		dir = resolveIn(dir, d)
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
	art := buildArtifact{Kind: KindPythonApp, Libc: a.image.libc, Language: "python", Version: a.image.version, Workdir: sc.dir, Span: step.in.Span}
	create, set := a.poetrySetting(step, sc, dir, "virtualenvs.create")
	inProject, _ := a.poetrySetting(step, sc, dir, "virtualenvs.in-project")
	switch {
	case dir == "" || a.image.version == "":
		a.block(step.in, "cannot tell where `poetry install` installs")
		return
	case set && !truthy(create):
		art.Path = a.image.pythonSite
	case truthy(inProject):
		art.Venv = dir + "/.venv"
		art.Path = art.Venv + "/lib/python" + a.image.version + "/site-packages"
	default:
		a.block(step.in, "`poetry install` creates its environment under poetry's cache with a hashed name; set virtualenvs.create false or virtualenvs.in-project true")
		return
	}
	if ctx, ok := a.stageFileContext(step, dir+"/pyproject.toml"); ok {
		data, _ := readContext(a.p, ctx)
		art.Requires = pyprojectDependencies(data)
	}
	art.Editable = !pa.Has("no-root")
	a.add(art)
}

// detectPipenv records what `pipenv install --system` (or sync) installs:
// the Pipfile's packages, into the interpreter's site-packages, or into the
// project's .venv with PIPENV_VENV_IN_PROJECT.
func (a *stageAnalysis) detectPipenv(step *runStep, sc *shellCmd) {
	args := sc.call.Args
	pa := shell.ParseArgs(args[1:], sc.call.Dynamic[1:], []string{"python", "categories", "extra-pip-args", "r", "requirements"})
	if len(pa.Operands) == 0 || pa.Operands[0] != "install" && pa.Operands[0] != "sync" {
		return
	}
	art := buildArtifact{Kind: KindPythonApp, Libc: a.image.libc, Language: "python", Version: a.image.version, Workdir: sc.dir, Span: step.in.Span}
	dir := strings.TrimSuffix(sc.dir, "/")
	inProject, _ := a.lookupVar(sc, "PIPENV_VENV_IN_PROJECT")
	switch {
	case dir == "" || a.image.version == "":
		a.block(step.in, "cannot tell where `pipenv install` installs")
		return
	case pa.Has("system"):
		art.Path = a.image.pythonSite
	case truthy(inProject):
		art.Venv = dir + "/.venv"
		art.Path = art.Venv + "/lib/python" + a.image.version + "/site-packages"
	default:
		a.block(step.in, "`pipenv install` creates its environment under the user's home with a hashed name; use --system or PIPENV_VENV_IN_PROJECT=1")
		return
	}
	if ctx, ok := a.stageFileContext(step, dir+"/Pipfile"); ok {
		data, _ := readContext(a.p, ctx)
		art.Requires = pipfilePackages(data)
	}
	for _, op := range pa.Operands[1:] {
		if r, ok := parseRequirement(op); ok {
			art.Requires = append(art.Requires, r)
		}
	}
	a.add(art)
}

// buildModules are modules that `python -m` runs in a build without writing
// files the app reads outside site-packages and the environment.
var buildModules = []string{"pip", "venv", "virtualenv", "compileall", "py_compile", "ensurepip", "spacy"}

// staticRootRe matches Django's STATIC_ROOT setting and its value.
var staticRootRe = regexp.MustCompile(`(?m)^\s*STATIC_ROOT\s*=\s*(.+)$`)

// checkPythonRuns checks the RUNs that run Python at build time: a script
// writes where the program and its working directory say, which dfslim can
// follow only for a script run in the app directory (its relative writes
// stay there). `python -c` code and modules other than the build's own
// (pip, venv, compileall, …) may write anywhere (nltk's data in the home
// directory). Django's collectstatic writes STATIC_ROOT, read from the
// settings in the build context.
func (sp *split) checkPythonRuns() {
	if sp.language != "python" {
		return
	}
	kept := sp.keptPaths()
	for _, step := range sp.a.runs {
		for _, c := range step.cmds {
			args := c.call.Args
			if c.dynamic || len(args) < 2 || !pythonRe.MatchString(path.Base(args[0])) {
				continue
			}
			switch {
			case args[1] == "-m" && len(args) > 2 && slices.Contains(buildModules, args[2]):
			case args[1] == "-V" || args[1] == "--version":
			case args[1] == "-c":
				sp.block(step.in, "RUN runs `python -c` code, whose writes (downloaded data, generated files) dfslim cannot follow to the runtime stage")
			case args[1] == "-m":
				sp.block(step.in, "RUN runs `python -m %s`, whose writes dfslim cannot follow to the runtime stage", args[2])
			case c.dir == "" || !slices.ContainsFunc(kept, func(k string) bool { return within(c.dir, k) }):
				sp.block(step.in, "RUN runs python in %s, outside what the runtime stage copies, so what it writes would be lost", cmp.Or(c.dir, "an unknown directory"))
			case path.Base(args[1]) == "manage.py" && slices.Contains(args[2:], "collectstatic"):
				if why := sp.staticRoot(kept); why != "" {
					sp.block(step.in, "RUN runs collectstatic, %s", why)
				}
			}
		}
	}
}

// staticRoot says why Django's STATIC_ROOT may lie outside what the runtime
// copies, or "" when the settings put it under BASE_DIR or a copied path.
func (sp *split) staticRoot(kept []string) string {
	if sp.p.Context == nil {
		return "and without the build context dfslim cannot read STATIC_ROOT"
	}
	found := ""
	_ = fs.WalkDir(sp.p.Context, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || found != "" {
			return nil
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || strings.HasPrefix(d.Name(), ".venv")) {
			return fs.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(name, ".py") || !strings.Contains(name, "settings") {
			return nil
		}
		data, _ := readContext(sp.p, name)
		if m := staticRootRe.FindSubmatch(data); m != nil {
			found = strings.TrimSpace(string(m[1]))
		}
		return nil
	})
	v := strings.Trim(found, `"'`)
	switch {
	case found == "":
		return ""
	case strings.Contains(found, "BASE_DIR"):
		return ""
	case path.IsAbs(v) && !strings.ContainsAny(v, " ()+") && slices.ContainsFunc(kept, func(k string) bool { return within(path.Clean(v), k) }):
		return ""
	}
	return fmt.Sprintf("which writes STATIC_ROOT = %s, a directory the runtime stage may not copy", found)
}
