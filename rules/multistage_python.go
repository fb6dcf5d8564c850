package rules

import (
	"bytes"
	"cmp"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/facts"
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

// consoleScript replaces a command that runs a console script of a
// well-known distribution (gunicorn, uvicorn, flask, …) by the interpreter
// running the script's module: the runtime copies site-packages, not the
// script, whose #! line names the build image's interpreter. The build must
// show that it installs the distribution, in a version whose module runs.
func (sp *split) consoleScript(in *rewrite.Instr) bool {
	prog := sp.argv[0]
	name := path.Base(prog)
	cs := consoleScripts[name]
	var installs []*facts.Artifact
	for i := range sp.a.Artifacts {
		if art := &sp.a.Artifacts[i]; art.Kind == facts.KindPythonApp {
			installs = append(installs, art)
		}
	}
	if strings.Contains(prog, "/") {
		dir := path.Dir(facts.ResolveIn(sp.a.Workdir, prog))
		if !slices.ContainsFunc(installs, func(art *facts.Artifact) bool {
			return dir == "/usr/local/bin" && art.Venv == "" || art.Venv != "" && dir == art.Venv+"/bin"
		}) {
			sp.block(in, "the command runs %s, which no pip install of this Dockerfile writes", prog)
			return false
		}
	}
	candidates := []string{facts.ResolveIn(sp.a.Workdir, prog)}
	if !strings.Contains(prog, "/") {
		candidates = nil
		for _, d := range strings.Split(sp.a.Vars["PATH"], ":") {
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
	var req *facts.Requirement
	for _, art := range installs {
		for i := range art.Requires {
			if art.Requires[i].Provides(cs.dist) {
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
	if req.Name == cs.dist && !req.AtLeast(cs.minVersion) && !sp.slim { // the slim rung keeps the script
		sp.block(in, "%s%s may be older than %s, the first whose module runs with `python -m %s`", cs.dist, req.Spec, cs.minVersion, cs.module)
		return false
	}
	if sp.slim {
		// The slim image has the build's interpreter at the same path, so
		// the script's #! line works: copy the script, keep the command.
		for _, art := range installs {
			if art.Venv == "" && sp.a.Image.PythonSite != "" {
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
	args, err := facts.ExecArgs(sp.f, in)
	if err == nil || sp.a.Image.Language != "python" {
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
	if sh == nil || len(sh.File.Stmts) != 1 || shell.Comment(sh.File) != "" {
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
	if _, set := sp.a.Vars["GUNICORN_CMD_ARGS"]; set {
		return nil, "GUNICORN_CMD_ARGS is set: " + cfgBind
	}
	if sp.a.Workdir == "" || sp.p.Context == nil {
		return nil, "without the build context dfslim cannot tell whether gunicorn.conf.py sets a bind"
	}
	if ctx, ok := sp.a.ContextFile(strings.TrimSuffix(sp.a.Workdir, "/") + "/gunicorn.conf.py"); ok {
		data, _ := sp.p.Facts().ReadContext(ctx)
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
	for _, art := range sp.a.Artifacts {
		if art.Kind == facts.KindPythonApp && art.Venv != "" && art.Venv == strings.TrimSuffix(sp.a.Workdir, "/")+"/.venv" {
			venv = art.Venv
		}
	}
	if e, ok := sp.a.Vars["UV_PROJECT_ENVIRONMENT"]; ok && e != "" {
		venv = ""
	}
	if venv == "" {
		if len(sp.a.Blockers) > 0 {
			sp.blockers = append(sp.blockers, sp.a.Blockers...)
			return false
		}
		sp.block(in, "`uv run` runs in an environment that no `uv sync` of this Dockerfile made in %s", sp.a.Workdir)
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
	for _, cp := range sp.a.Copies {
		if cp.Image != "" {
			continue // another image's files: carried as they are (planCopies)
		}
		dest := cp.Dest
		switch {
		case dest == "":
			return refuse(cp.In, "%s copies to a path dfslim cannot tell", strings.ToUpper(cp.In.Cmd))
		case cp.Remote:
			return refuse(cp.In, "ADD downloads a file whose name dfslim cannot tell")
		case dest == "/":
			for _, src := range cp.Sources {
				s := facts.CleanSource(src)
				if strings.ContainsAny(s, "*?[") || s == "" || s == "." || sp.contextDir(s) || !sp.a.Exists(s) {
					return refuse(cp.In, "%s copies %s into /, whose files mix with the system's", strings.ToUpper(cp.In.Cmd), src)
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
	for _, step := range sp.a.Runs {
		for _, c := range step.Cmds {
			if c.Dir != "/" || c.Dynamic || facts.IsPip(c.Call.Args) {
				continue
			}
			name := path.Base(c.Call.Args[0])
			if sp.language == "node" && namedInstall(name, c.Call.Args[1:]) {
				files = append(files, "/node_modules") // node_modules in /, found from the app's files there
				continue
			}
			if pythonRe.MatchString(name) || name == "uv" || !slices.Contains(facts.HarmlessCommands, name) && !slices.Contains(facts.FileSafeCommands, name) {
				return refuse(step.In, "RUN runs `%s` in /, where what it writes cannot be told apart from the system's files", name)
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

// pipCacheDir reports whether w is "$(pip cache dir)" (pip3, python -m pip),
// the cache in the build user's home, which only the build uses, while
// PIP_CACHE_DIR does not move it.
func (sp *split) pipCacheDir(w *syntax.Word) bool {
	if _, set := sp.a.Vars["PIP_CACHE_DIR"]; set || sp.language != "python" {
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
	return n >= 3 && facts.IsPip(args[:n-2]) && args[n-2] == "cache" && args[n-1] == "dir"
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
	for _, step := range sp.a.Runs {
		for _, c := range step.Cmds {
			args := c.Call.Args
			if c.Dynamic || len(args) < 2 || !pythonRe.MatchString(path.Base(args[0])) {
				continue
			}
			switch {
			case args[1] == "-m" && len(args) > 2 && slices.Contains(buildModules, args[2]):
			case args[1] == "-V" || args[1] == "--version":
			case args[1] == "-c":
				sp.block(step.In, "RUN runs `python -c` code, whose writes (downloaded data, generated files) dfslim cannot follow to the runtime stage")
			case args[1] == "-m":
				sp.block(step.In, "RUN runs `python -m %s`, whose writes dfslim cannot follow to the runtime stage", args[2])
			case c.Dir == "" || !slices.ContainsFunc(kept, func(k string) bool { return facts.Within(c.Dir, k) }):
				sp.block(step.In, "RUN runs python in %s, outside what the runtime stage copies, so what it writes would be lost", cmp.Or(c.Dir, "an unknown directory"))
			case path.Base(args[1]) == "manage.py" && slices.Contains(args[2:], "collectstatic"):
				if why := sp.staticRoot(kept); why != "" {
					sp.block(step.In, "RUN runs collectstatic, %s", why)
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
		data, _ := sp.p.Facts().ReadContext(name)
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
	case path.IsAbs(v) && !strings.ContainsAny(v, " ()+") && slices.ContainsFunc(kept, func(k string) bool { return facts.Within(path.Clean(v), k) }):
		return ""
	}
	return fmt.Sprintf("which writes STATIC_ROOT = %s, a directory the runtime stage may not copy", found)
}
