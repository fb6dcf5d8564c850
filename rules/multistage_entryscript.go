package rules

import (
	"bytes"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
	"mvdan.cc/sh/v3/syntax"
)

// packagePrograms names programs of system packages that a build installs
// for an entry script to run, where the package is named otherwise.
var packagePrograms = map[string][]string{
	"netcat": {"nc", "netcat"}, "netcat-openbsd": {"nc", "netcat"}, "netcat-traditional": {"nc", "netcat"},
	"apache2-utils": {"ab", "htpasswd"}, "postgresql-client": {"psql", "pg_isready", "pg_dump"},
	"default-mysql-client": {"mysql", "mysqladmin"}, "mariadb-client": {"mysql", "mysqladmin"},
	"curl": {"curl"}, "wget": {"wget"}, "jq": {"jq"}, "gettext-base": {"envsubst"}, "gosu": {"gosu"},
	"su-exec": {"su-exec"}, "tini": {"tini"}, "dumb-init": {"dumb-init"}, "wait-for-it": {"wait-for-it"},
}

// shellScriptEntry reports whether data, the file at abs, is a shell script:
// its #! line names a shell, or it has none and its name ends in .sh.
func shellScriptEntry(abs string, data []byte) bool {
	if !bytes.HasPrefix(data, []byte("#!")) {
		return strings.HasSuffix(abs, ".sh")
	}
	line, _, _ := bytes.Cut(data[2:], []byte("\n"))
	words := strings.Fields(string(line))
	if len(words) == 0 {
		return false
	}
	interp := path.Base(words[0])
	if interp == "env" && len(words) > 1 {
		interp = path.Base(words[1])
	}
	return slices.Contains(facts.Shells, interp) && interp != "busybox"
}

// entryScript handles a command that runs a shell script copied from the
// build context. The first rung's images have no shell. On the slim rung the
// script is kept and runs as written: the program it starts for the app
// (its exec "$@" target, or its last program that is not a shell tool)
// becomes the program dfslim locates, and every other program it runs is
// checked against the runtime by checkEntryScript.
func (sp *split) entryScript(in *rewrite.Instr) bool {
	prog := sp.argv[0]
	var abs string
	switch {
	case path.IsAbs(prog):
		abs = path.Clean(prog)
	case strings.Contains(prog, "/"):
		if sp.a.Workdir == "" {
			return true
		}
		abs = facts.ResolveIn(sp.a.Workdir, prog)
	default:
		for _, d := range strings.Split(sp.a.Vars["PATH"], ":") {
			if c := path.Join(d, prog); path.IsAbs(d) && sp.fromContext(c) {
				abs = c
				break
			}
		}
		if abs == "" {
			for _, d := range defaultPath {
				if c := path.Join(d, prog); sp.fromContext(c) {
					abs = c
					break
				}
			}
		}
	}
	if abs == "" || !sp.fromContext(abs) {
		return true
	}
	ctx, _ := sp.a.ContextFile(abs)
	data, read := sp.p.Facts().ReadContext(ctx)
	if !read || !shellScriptEntry(abs, data) {
		return true
	}
	if !sp.slim {
		sp.blockRung(in, "the command runs %s, a shell script, and the runtime image has no shell", abs)
		return false
	}
	script, err := shell.ParseNamed(string(data), ctx)
	if err != nil {
		sp.block(in, "the command runs %s, a shell script dfslim cannot parse", ctx)
		return false
	}
	funcs := map[string]bool{}
	syntax.Walk(script.File, func(n syntax.Node) bool {
		if fd, ok := n.(*syntax.FuncDecl); ok {
			funcs[fd.Name.Value] = true
		}
		return true
	})
	var main []string
	var progs []string
	execArgs := false
	for _, c := range script.Calls() {
		args, dyn := c.Args, c.Dynamic
		for len(args) > 1 && (args[0] == "exec" || args[0] == "command" || args[0] == "nohup") && !dyn[0] {
			args, dyn = args[1:], dyn[1:]
		}
		if dyn[0] && c.Expr != nil && c.Expr.Args[len(c.Expr.Args)-len(args)].Lit() == "[" {
			continue // test
		}
		if dyn[0] {
			if c.Expr != nil && isAllArgs(c.Expr.Args[len(c.Expr.Args)-len(args)]) {
				execArgs = true // exec "$@": the command's arguments
				continue
			}
			sp.block(in, "%s runs a program whose name is not literal (%s)", ctx, strings.Join(c.Args, " "))
			return false
		}
		name := path.Base(args[0])
		if funcs[name] || shell.Builtins[name] || slices.Contains(runtimeShellCommands, name) || catalog.SlimBaseHas(name) {
			continue
		}
		words := slices.Clone(args)
		for i := range words {
			if dyn[i] {
				words[i] = "$"
			}
		}
		main = words
		if !slices.Contains(progs, args[0]) {
			progs = append(progs, args[0])
		}
	}
	if execArgs && len(sp.argv) > 1 {
		main = sp.argv[1:] // the script ends by running its arguments
		if !slices.Contains(progs, main[0]) {
			progs = append(progs, main[0])
		}
	}
	if main == nil {
		sp.block(in, "%s starts no program dfslim can see (the program comes from the command given at run time)", ctx)
		return false
	}
	if name := path.Base(main[0]); !strings.Contains(main[0], "/") {
		for _, pk := range slices.Sorted(maps.Keys(packagePrograms)) {
			if slices.Contains(packagePrograms[pk], name) && sp.installsPackage(pk) {
				sp.block(in, "%s runs %s, a tool of the system package %s, not an app build dfslim can carry", ctx, name, pk)
				return false
			}
		}
	}
	sp.script, sp.scriptProgs = abs, progs
	sp.argv = main
	return true
}

// isAllArgs reports whether w is "$@" or $@ (or $*).
func isAllArgs(w *syntax.Word) bool {
	part := w.Parts
	if len(part) == 1 {
		if dq, ok := part[0].(*syntax.DblQuoted); ok {
			part = dq.Parts
		}
	}
	if len(part) != 1 {
		return false
	}
	pe, ok := part[0].(*syntax.ParamExp)
	return ok && pe.Short && (pe.Param.Value == "@" || pe.Param.Value == "*")
}

// fromContext reports whether the stage holds a file copied from the build
// context at abs.
func (sp *split) fromContext(abs string) bool {
	_, src := sp.a.ContextSource(abs)
	if src != nil {
		return true
	}
	_, ok := sp.copiedFile(abs)
	return ok
}

// checkEntryScript checks, on the slim rung, that every program the entry
// script runs is in the runtime stage: the slim image's tools and language
// programs, the app's program, console scripts carried, system packages the
// runtime stage installs, or files of the app carried.
func (sp *split) checkEntryScript() {
	if sp.script == "" {
		return
	}
	in := sp.entryInstr()
	for _, prog := range sp.scriptProgs {
		name := path.Base(prog)
		ok := name == path.Base(sp.argv[0]) || catalog.SlimLanguageHas(sp.image.Kind, name) ||
			sp.image.Kind == catalog.KindPython && pythonRe.MatchString(name)
		for _, s := range sp.scripts {
			ok = ok || path.Base(s) == name
		}
		if !ok && sp.image.Kind == catalog.KindPython && !strings.Contains(prog, "/") {
			if script := sp.pipConsoleScript(name); script != "" {
				ok = true
				sp.scripts = append(sp.scripts, script)
				if !slices.ContainsFunc(sp.copies, func(k string) bool { return facts.Within(script, k) }) {
					sp.copies = append(sp.copies, script)
				}
			}
		}
		for _, pk := range sp.runtimePkgs {
			ok = ok || pk == name || slices.Contains(packagePrograms[pk], name)
		}
		if strings.Contains(prog, "/") {
			abs := prog
			if !path.IsAbs(abs) {
				abs = facts.ResolveIn(sp.a.Workdir, prog)
			}
			ok = ok || sp.appDir != "" && (abs == sp.appDir || strings.HasPrefix(abs, sp.appDir+"/"))
		}
		if !ok {
			sp.block(in, "the entry script %s runs %s, which the runtime stage on %s would not have", sp.script, prog, sp.image.Ref)
			return
		}
	}
	inCopy := func(k string) bool { return facts.Within(sp.script, k) }
	if !slices.ContainsFunc(sp.copies, inCopy) && !slices.ContainsFunc(sp.carriedFiles, inCopy) {
		sp.carriedFiles = append(sp.carriedFiles, sp.script)
	}
}

// pipConsoleScript returns /usr/local/bin/NAME when NAME is the console
// script of a well-known distribution that a pip install of the build (not
// into a venv) installs by name, with site-packages carried; else "".
func (sp *split) pipConsoleScript(name string) string {
	cs := consoleScripts[name]
	if cs.dist == "" || sp.sitePackages == "" || sp.a.Image.PythonSite == "" {
		return ""
	}
	for i := range sp.a.Artifacts {
		art := &sp.a.Artifacts[i]
		if art.Kind != facts.KindPythonApp || art.Venv != "" {
			continue
		}
		for j := range art.Requires {
			if art.Requires[j].Provides(cs.dist) {
				return "/usr/local/bin/" + name
			}
		}
	}
	return ""
}
