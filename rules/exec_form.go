package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
	"mvdan.cc/sh/v3/syntax"
)

// ExecForm turns shell-form CMD, ENTRYPOINT and HEALTHCHECK CMD into JSON exec
// form when the command is a plain program with literal arguments.
var ExecForm = &Rule{
	Name:    "exec-form",
	Summary: "Write CMD, ENTRYPOINT and HEALTHCHECK CMD in exec (JSON) form",
	Why: `
A shell-form CMD or ENTRYPOINT runs as ` + "`/bin/sh -c \"…\"`" + `. Distroless and Chainguard
runtime images have no /bin/sh, so the container does not start. Even with a shell, sh is
PID 1 and the program never sees SIGTERM, so ` + "`docker stop`" + ` waits and kills it.
BuildKit warns about it (JSONArgsRecommended), and so do hadolint (DL3025) and KICS.
When the command needs a shell (&&, pipes, redirections, variables, globs, builtins),
the rule reports it and leaves it alone.`,
	FixSafety: `
The fix applies when the command is one simple command whose words are all literals: then
exec form runs the same program with the same arguments, without a shell in between. It is
not offered when the file sets SHELL (exec form would bypass it), when a CMD would become
arguments of an exec-form ENTRYPOINT of the same stage, when a shell-form ENTRYPOINT has a
CMD in its stage (exec form would append it), for Windows base images, or when comment
lines sit inside the instruction's continuation. One difference remains: an exec-form
ENTRYPOINT receives the arguments of ` + "`docker run IMAGE ARGS…`" + `, which the shell form ignored.`,
	Safety: Safe,
	Before: `FROM node:22-slim
WORKDIR /app
COPY . .
CMD node server.js --port 8080
`,
	After: `FROM node:22-slim
WORKDIR /app
COPY . .
CMD ["node", "server.js", "--port", "8080"]
`,
	Run: runExecForm,
}

// shellBuiltins are commands that exist only inside a shell, so exec form
// cannot run them.
var shellBuiltins = map[string]bool{
	".": true, ":": true, "alias": true, "bg": true, "break": true, "builtin": true,
	"cd": true, "command": true, "continue": true, "declare": true, "eval": true,
	"exit": true, "export": true, "fg": true, "getopts": true, "hash": true, "jobs": true,
	"local": true, "read": true, "readonly": true, "return": true, "set": true,
	"shift": true, "source": true, "times": true, "trap": true, "type": true,
	"typeset": true, "ulimit": true, "umask": true, "unalias": true, "unset": true,
	"wait": true,
}

func runExecForm(p *Pass) error {
	f := p.File
	stages := stagesOf(f)
	setsShell := false
	for _, in := range f.Instrs {
		setsShell = setsShell || in.Cmd == "shell"
	}
	for _, in := range f.Instrs {
		if in.Cmd != "cmd" && in.Cmd != "entrypoint" && in.Cmd != "healthcheck" {
			continue
		}
		if in.Node.Attributes["json"] || in.Node.Next == nil {
			continue
		}
		name := strings.ToUpper(in.Cmd)
		value := in.Node.Next.Value
		if in.Cmd == "healthcheck" {
			if !strings.EqualFold(value, "cmd") || in.Node.Next.Next == nil {
				continue // HEALTHCHECK NONE
			}
			name, value = "HEALTHCHECK CMD", in.Node.Next.Next.Value
		}
		at := rewrite.Span{Start: in.Span.Start, End: in.Span.Start}
		if reason := execFormBlocker(f, stages, in, setsShell); reason != "" {
			p.Reportf(at, "%s stays in shell form: %s", name, reason)
			continue
		}
		edit, msg := execFormEdit(f, in, name, value)
		if msg != "" {
			p.Reportf(at, "%s", msg)
			continue
		}
		p.Report(Finding{Span: at,
			Message: fmt.Sprintf("%s uses shell form; exec form runs it without /bin/sh", name),
			Fix:     &Fix{Message: "Use exec form for " + name, Safety: Safe, Edits: []rewrite.Edit{edit}}})
	}
	return nil
}

// execFormBlocker returns why the instruction must keep its shell form for a
// reason outside its own command, or "".
func execFormBlocker(f *rewrite.File, stages []*stageInfo, in *rewrite.Instr, setsShell bool) string {
	st := stageAt(stages, in.StartLine)
	switch {
	case setsShell:
		return "the file sets SHELL, which exec form would bypass"
	case st == nil:
		return ""
	case catalog.IsWindows(st.root().base):
		return "the stage looks like a Windows image, whose shell is cmd, not sh"
	case in.Cmd == "cmd":
		if ep := st.entrypoint(); ep != nil && ep.Node.Attributes["json"] {
			return fmt.Sprintf("ENTRYPOINT (line %d) is in exec form and would receive different arguments", ep.StartLine)
		}
	case in.Cmd == "entrypoint":
		if line := st.cmdBelow(stages); line > 0 {
			return fmt.Sprintf("in exec form it would receive the arguments of CMD (line %d), which it now ignores", line)
		}
	}
	return ""
}

// execFormEdit returns the edit that writes the command of in, whose shell
// text as BuildKit passes it to the shell is value, in exec form; or a message
// saying why there is none.
func execFormEdit(f *rewrite.File, in *rewrite.Instr, name, value string) (rewrite.Edit, string) {
	if strings.HasPrefix(strings.TrimSpace(value), "[") {
		return rewrite.Edit{}, fmt.Sprintf("%s looks like exec form but is not a valid JSON array of strings, so it runs with /bin/sh", name)
	}
	// What the shell will run: BuildKit's joined value, comments kept.
	prog := shell.WithComments(f, in, value)
	if prog == nil {
		return rewrite.Edit{}, fmt.Sprintf("%s does not parse as a shell command, so it stays in shell form", name)
	}
	if c := shellComment(prog); c != "" {
		return rewrite.Edit{}, fmt.Sprintf("%s ends with the shell comment %q; move it above the instruction to allow exec form", name, c)
	}
	args, reason := simpleCommandArgs(prog)
	if reason != "" {
		if strings.HasPrefix(reason, "$") {
			return rewrite.Edit{}, fmt.Sprintf("%s uses %s, which only a shell expands; exec form would pass it literally", name, reason)
		}
		return rewrite.Edit{}, fmt.Sprintf("%s needs a shell (%s); a shell-less runtime cannot run it", name, reason)
	}
	if f.Escape == '`' && strings.Contains(value, `\`) {
		return rewrite.Edit{}, fmt.Sprintf("%s stays in shell form: it has backslashes and the file uses the backtick escape, as Windows images do", name)
	}
	s := shell.Of(f, in)
	if s == nil || len(s.File.Stmts) != 1 {
		return rewrite.Edit{}, fmt.Sprintf("%s stays in shell form: its source cannot be mapped back to the file", name)
	}
	// The words as read from the file itself must agree with BuildKit's value.
	if again, reason := simpleCommandArgs(s.File); reason != "" || !slices.Equal(again, args) {
		return rewrite.Edit{}, fmt.Sprintf("%s stays in shell form: its words could not be split reliably", name)
	}
	if s.Joined.Comments {
		return rewrite.Edit{}, fmt.Sprintf("%s stays in shell form: comment lines inside its continuation would be lost", name)
	}
	start := s.Offset(s.File.Stmts[0].Pos())
	return rewrite.Edit{Span: rewrite.Span{Start: start, End: in.Span.End}, New: execJSON(args)}, ""
}

// simpleCommandArgs returns the literal words of a program that is exactly
// one simple command, dropping a leading "exec". Otherwise it returns why not:
// "uses &&", "$PORT", …
func simpleCommandArgs(prog *syntax.File) ([]string, string) {
	if len(prog.Stmts) == 0 {
		return nil, "it is empty"
	}
	if len(prog.Stmts) > 1 {
		return nil, "uses ; or a newline to run several commands"
	}
	st := prog.Stmts[0]
	switch {
	case shellComment(prog) != "":
		return nil, "has a shell comment"
	case st.Background:
		return nil, "uses &"
	case st.Coprocess || st.Disown:
		return nil, "runs in the background"
	case st.Negated:
		return nil, "uses !"
	case len(st.Redirs) > 0:
		return nil, "uses the redirection " + st.Redirs[0].Op.String()
	}
	var call *syntax.CallExpr
	switch c := st.Cmd.(type) {
	case *syntax.CallExpr:
		call = c
	case *syntax.BinaryCmd:
		return nil, "uses " + c.Op.String()
	case *syntax.DeclClause:
		return nil, "runs the shell builtin " + c.Variant.Value
	default:
		return nil, "uses " + compoundName(c)
	}
	if len(call.Assigns) > 0 {
		return nil, "sets " + call.Assigns[0].Name.Value + " for the command"
	}
	var args []string
	for _, w := range call.Args {
		v, ok := shell.WordValue(w)
		if !ok {
			return nil, wordNeedsShell(w)
		}
		args = append(args, v)
	}
	if len(args) > 1 && args[0] == "exec" && !strings.HasPrefix(args[1], "-") {
		args = args[1:]
	}
	switch {
	case len(args) == 0 || args[0] == "":
		return nil, "has no command"
	case shellBuiltins[args[0]] || args[0] == "exec":
		return nil, "runs the shell builtin " + args[0]
	}
	return args, ""
}

// shellComment returns the first comment of a program, "#" included, or "".
func shellComment(prog *syntax.File) string {
	var text string
	syntax.Walk(prog, func(n syntax.Node) bool {
		if c, ok := n.(*syntax.Comment); ok && text == "" {
			text = "#" + c.Text
		}
		return text == ""
	})
	if text == "" && len(prog.Last) > 0 {
		text = "#" + prog.Last[0].Text
	}
	return text
}

// compoundName names a shell construct other than a simple command.
func compoundName(c syntax.Command) string {
	switch c := c.(type) {
	case *syntax.Subshell:
		return "a subshell"
	case *syntax.Block:
		return "a { } block"
	case *syntax.IfClause:
		return "if"
	case *syntax.WhileClause:
		if c.Until {
			return "until"
		}
		return "while"
	case *syntax.ForClause:
		return "for"
	case *syntax.CaseClause:
		return "case"
	case *syntax.TestClause:
		return "[[ ]]"
	case *syntax.ArithmCmd:
		return "(( ))"
	case *syntax.LetClause:
		return "let"
	case *syntax.TimeClause:
		return "time"
	case *syntax.FuncDecl:
		return "a function"
	case *syntax.DeclClause:
		return "the builtin " + c.Variant.Value
	}
	return "a compound command"
}

// wordNeedsShell says what in w needs a shell: "$NAME" for a parameter
// expansion, else "uses …".
func wordNeedsShell(w *syntax.Word) string {
	reason := "uses shell expansion"
	syntax.Walk(w, func(n syntax.Node) bool {
		if reason != "uses shell expansion" {
			return false
		}
		switch x := n.(type) {
		case *syntax.ParamExp:
			if x.Param != nil {
				reason = "$" + x.Param.Value
			}
		case *syntax.CmdSubst:
			reason = "uses command substitution"
		case *syntax.ArithmExp:
			reason = "uses arithmetic expansion"
		case *syntax.ProcSubst:
			reason = "uses process substitution"
		case *syntax.SglQuoted:
			if x.Dollar {
				reason = "uses $'…' quoting"
			}
		case *syntax.Lit:
			if i := strings.IndexAny(x.Value, "*?["); i >= 0 {
				reason = "uses the glob " + x.Value[i:i+1]
			} else if strings.ContainsAny(x.Value, "{") {
				reason = "uses brace expansion"
			} else if strings.ContainsAny(x.Value, "~") {
				reason = "uses ~"
			}
		}
		return true
	})
	return reason
}

// execJSON writes args as a JSON array the way docker prints exec form:
// ["a", "b"], without HTML escaping.
func execJSON(args []string) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(a)       // a string always encodes
		b.Truncate(b.Len() - 1) // Encode's newline
	}
	b.WriteByte(']')
	return b.String()
}
