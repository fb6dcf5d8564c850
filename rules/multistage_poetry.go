package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
)

// This file reads `poetry run X`: poetry runs X from the project's
// environment, which the build installed; the runtime stage, which copies
// that environment and not poetry, runs the environment's X instead.

// poetryRunFlags are the poetry options that change nothing when `poetry run`
// starts a program of an installed environment.
var poetryRunFlags = []string{"-q", "--quiet", "-n", "--no-interaction", "--no-ansi", "--ansi", "--no-plugins", "--no-cache"}

// poetryRunTarget reads `poetry [options] run [--] X ARGS`: the index in args
// of X, or why dfslim does not follow it.
func poetryRunTarget(args []string, dyn []bool) (int, string) {
	i := 1
	for ; i < len(args) && !dyn[i] && strings.HasPrefix(args[i], "-"); i++ {
		if !slices.Contains(poetryRunFlags, args[i]) {
			return 0, fmt.Sprintf("`poetry %s` may change the environment poetry runs in", args[i])
		}
	}
	if i == len(args) || dyn[i] || args[i] != "run" {
		return 0, "the command runs poetry itself, which the runtime stage does not have (only `poetry run` of an installed environment's program can do without it)"
	}
	i++
	for ; i < len(args) && !dyn[i] && strings.HasPrefix(args[i], "-") && args[i] != "--"; i++ {
		if !slices.Contains(poetryRunFlags, args[i]) {
			return 0, fmt.Sprintf("`poetry run %s` may do more than run the program", args[i])
		}
	}
	if i < len(args) && args[i] == "--" {
		i++
	}
	if i == len(args) {
		return 0, "`poetry run` has no command"
	}
	if dyn[i] {
		return 0, "`poetry run` runs a program whose name is not literal"
	}
	return i, ""
}

// poetryEnv returns the in-project environment (.venv) that a `poetry
// install` of the stage made for the project in the working directory, where
// `poetry run` looks for it, or nil.
func (sp *split) poetryEnv() *facts.Artifact {
	want := strings.TrimSuffix(sp.a.Workdir, "/") + "/.venv"
	for i := range sp.a.Artifacts {
		art := &sp.a.Artifacts[i]
		if art.Kind == facts.KindPythonApp && art.Venv == want && sp.poetryInstalls(art) {
			return art
		}
	}
	return nil
}

// poetryInstalls reports whether the RUN that made art runs `poetry install`
// or `poetry sync`.
func (sp *split) poetryInstalls(art *facts.Artifact) bool {
	sh := shell.Run(sp.f, art.Instr(sp.f))
	if sh == nil {
		return false
	}
	return slices.ContainsFunc(sh.Calls(), func(c *shell.Call) bool {
		return len(c.Args) > 1 && path.Base(c.Name()) == "poetry" && slices.ContainsFunc(c.Args[1:], func(a string) bool { return a == "install" || a == "sync" })
	})
}

// envProgram says why the environment art may not hold the program prog,
// or "": its interpreter, or a console script of a distribution that its
// project's dependencies name.
func envProgram(art *facts.Artifact, prog string) string {
	if strings.Contains(prog, "/") {
		return fmt.Sprintf("`poetry run %s` runs a path, not a program of the environment", prog)
	}
	if pythonRe.MatchString(prog) {
		return ""
	}
	cs, ok := consoleScripts[prog]
	if !ok {
		return fmt.Sprintf("`poetry run %s`: dfslim knows no console script %s, so it cannot tell that the environment has it", prog, prog)
	}
	for _, r := range art.Requires {
		if r.Provides(cs.dist) {
			return ""
		}
	}
	return fmt.Sprintf("`poetry run %s`: the project's dependencies do not name %s, which installs it", prog, cs.dist)
}

// poetryRun replaces an exec-form `poetry run X ARGS` by the environment's X.
func (sp *split) poetryRun(in *rewrite.Instr) bool {
	args := sp.argv
	k, why := poetryRunTarget(args, make([]bool, len(args)))
	if why != "" {
		sp.block(in, "%s", why)
		return false
	}
	art := sp.poetryEnv()
	if art == nil {
		sp.block(in, "`poetry run` runs in an environment that no `poetry install` of this Dockerfile made in %s (virtualenvs.in-project)", sp.a.Workdir)
		return false
	}
	if why := envProgram(art, args[k]); why != "" {
		sp.block(in, "%s", why)
		return false
	}
	argv := append([]string{art.Venv + "/bin/" + args[k]}, args[k+1:]...)
	if sp.epArgs != nil {
		if k >= len(sp.epArgs) {
			sp.block(in, "the program `poetry run` runs comes from CMD, which run-time arguments replace")
			return false
		}
		sp.epArgs = argv[:len(argv)-len(sp.cmdArgs)]
	} else {
		sp.cmdArgs = argv
	}
	sp.argv = append(slices.Clone(sp.epArgs), sp.cmdArgs...)
	sp.notes = append(sp.notes, "`poetry run "+args[k]+"` becomes the environment's "+args[k])
	return true
}

// poetryRunShell rewrites the `poetry run X` calls of a shell-form command
// that the slim rung keeps: each becomes the environment's X, by an edit of
// the command's text (entryEdits). It returns the calls' new words, and
// false when a call cannot be rewritten (the reason is recorded).
func (sp *split) poetryRunShell(in *rewrite.Instr, sh *shell.Script, c *shell.Call, args []string, dyn []bool) ([]string, bool) {
	k, why := poetryRunTarget(args, dyn)
	if why != "" {
		sp.block(in, "%s", why)
		return nil, false
	}
	art := sp.poetryEnv()
	if art == nil {
		sp.block(in, "`poetry run` runs in an environment that no `poetry install` of this Dockerfile made in %s (virtualenvs.in-project)", sp.a.Workdir)
		return nil, false
	}
	if why := envProgram(art, args[k]); why != "" {
		sp.block(in, "%s", why)
		return nil, false
	}
	off := len(c.Args) - len(args) // `exec poetry run …`: the words after exec
	start, end := sh.Span(c.Expr.Args[off]), sh.Span(c.Expr.Args[off+k])
	prog := art.Venv + "/bin/" + args[k]
	sp.entryEdits = append(sp.entryEdits, rewrite.Edit{Span: rewrite.Span{Start: start.Start, End: end.End}, New: prog})
	note := "`poetry run " + args[k] + "` becomes the environment's " + args[k]
	if !slices.Contains(sp.notes, note) {
		sp.notes = append(sp.notes, note)
	}
	sp.envProgs = append(sp.envProgs, prog)
	return append([]string{prog}, args[k+1:]...), true
}

// dropsPythonTools reports whether a pip install of the stage installs only
// packaging tools into the interpreter's own site-packages (pip install
// poetry) and the runtime stage does not copy that directory: it leaves them.
func (sp *split) dropsPythonTools() bool {
	heavy := []string{"poetry", "pipenv", "pdm", "hatch", "uv"}
	if site := sp.a.Image.PythonSite; site == "" || slices.ContainsFunc(sp.copies, func(k string) bool { return facts.Within(site, k) }) {
		return false // the runtime copies the interpreter's site-packages, tools and all
	}
	for _, step := range sp.a.Runs {
		for _, sc := range step.Cmds {
			if sc.Dynamic || !facts.IsPip(sc.Call.Args) {
				continue
			}
			if _, venv := sp.a.SiteDir(&sc, sc.Call.Args[0]); venv != "" {
				continue // an environment the runtime may copy
			}
			args := sc.Call.Args[1:]
			if path.Base(sc.Call.Args[0]) != "pip" && !facts.PipName.MatchString(path.Base(sc.Call.Args[0])) {
				args = sc.Call.Args[3:] // python -m pip
			}
			pa := shell.ParseArgs(args, sc.Call.Dynamic[len(sc.Call.Args)-len(args):], facts.PipValueFlags)
			if len(pa.Operands) < 2 || pa.Operands[0] != "install" || pa.Has("target", "t", "prefix", "user", "r", "requirement", "e", "editable") {
				continue
			}
			tools := true
			for _, op := range pa.Operands[1:] {
				r, ok := facts.ParseRequirement(op)
				tools = tools && ok && slices.Contains(facts.PythonBuildTools, r.Name)
			}
			if tools && slices.ContainsFunc(pa.Operands[1:], func(op string) bool {
				r, _ := facts.ParseRequirement(op)
				return slices.Contains(heavy, r.Name)
			}) {
				return true
			}
		}
	}
	return false
}

// keptCommand is the text of the CMD or ENTRYPOINT in that the slim rung
// keeps as written (text, from its comments on), with entryEdits applied.
func (sp *split) keptCommand(in *rewrite.Instr, text string) string {
	var edits []rewrite.Edit
	start := sp.f.LineStart(in.CommentLine)
	for _, e := range sp.entryEdits {
		if e.Start >= in.Span.Start && e.End <= in.Span.End {
			edits = append(edits, rewrite.Edit{Span: rewrite.Span{Start: e.Start - start, End: e.End - start}, New: e.New})
		}
	}
	if len(edits) == 0 {
		return text
	}
	out, err := rewrite.Apply([]byte(text), edits)
	if err != nil {
		return text
	}
	return string(out)
}
