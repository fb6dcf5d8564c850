package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
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

func runExecForm(p *Pass) error {
	f := p.File
	stages := p.Facts().Stages()
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
func execFormBlocker(f *rewrite.File, stages []*facts.Stage, in *rewrite.Instr, setsShell bool) string {
	st := facts.StageAt(stages, in.StartLine)
	switch {
	case setsShell:
		return "the file sets SHELL, which exec form would bypass"
	case st == nil:
		return ""
	case catalog.IsWindows(st.Root().Base):
		return "the stage looks like a Windows image, whose shell is cmd, not sh"
	case in.Cmd == "cmd":
		if ep := st.Entrypoint(); ep != nil && ep.Node.Attributes["json"] {
			return fmt.Sprintf("ENTRYPOINT (line %d) is in exec form and would receive different arguments", ep.StartLine)
		}
	case in.Cmd == "entrypoint":
		if line := st.CmdBelow(stages); line > 0 {
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
	if c := shell.Comment(prog); c != "" {
		return rewrite.Edit{}, fmt.Sprintf("%s ends with the shell comment %q; move it above the instruction to allow exec form", name, c)
	}
	args, reason := shell.SimpleCommand(prog)
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
	if again, reason := shell.SimpleCommand(s.File); reason != "" || !slices.Equal(again, args) {
		return rewrite.Edit{}, fmt.Sprintf("%s stays in shell form: its words could not be split reliably", name)
	}
	if s.Joined.Comments {
		return rewrite.Edit{}, fmt.Sprintf("%s stays in shell form: comment lines inside its continuation would be lost", name)
	}
	start := s.Offset(s.File.Stmts[0].Pos())
	return rewrite.Edit{Span: rewrite.Span{Start: start, End: in.Span.End}, New: execJSON(args)}, ""
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
