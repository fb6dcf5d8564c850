package rules

import (
	"strings"
	"sync"

	"github.com/dfslim/dfslim/rewrite"
	"mvdan.cc/sh/v3/syntax"
)

// shellScript is the shell-form command of a RUN, CMD, ENTRYPOINT or HEALTHCHECK,
// parsed with mvdan.cc/sh, with a map from shell positions back to the Dockerfile.
type shellScript struct {
	Joined *rewrite.Joined
	File   *syntax.File
	base   int // offset of the parsed text in Joined.Text
}

// parseInstrShell parses the arguments of in as a shell program. It returns nil
// when the instruction is in exec (JSON) form, has heredocs, or does not parse.
// The result is cached with the file and shared by every rule: do not modify it.
func parseInstrShell(f *rewrite.File, in *rewrite.Instr) *shellScript {
	sh, _ := f.Memo(shellKey{in}, func() any { return parseShell(f, in) }).(*shellScript)
	return sh
}

// shellKey is the memo key of an instruction's parsed shell program.
type shellKey struct{ in *rewrite.Instr }

// shellParsers are reused: a new parser per RUN allocates its buffers anew,
// and the nodes of the programs it parses in batches that each program keeps
// alive (a few KB per RUN of a large file).
var shellParsers = sync.Pool{New: func() any {
	return syntax.NewParser(syntax.Variant(syntax.LangBash), syntax.KeepComments(false))
}}

func parseShell(f *rewrite.File, in *rewrite.Instr) *shellScript {
	if in.Node.Attributes["json"] || len(in.Node.Heredocs) > 0 {
		return nil
	}
	j := f.Join(in)
	text := j.Text[j.Args:]
	if in.Cmd == "healthcheck" {
		// HEALTHCHECK [flags] CMD command: skip the CMD word.
		k := strings.Index(strings.ToUpper(text), "CMD")
		if k < 0 {
			return nil
		}
		text = text[k+3:]
	}
	base := len(j.Text) - len(text)
	p := shellParsers.Get().(*syntax.Parser)
	file, err := p.Parse(strings.NewReader(text), "")
	shellParsers.Put(p)
	if err != nil {
		return nil
	}
	return &shellScript{Joined: j, File: file, base: base}
}

// Offset maps a shell position to a byte offset in the Dockerfile.
func (s *shellScript) Offset(p syntax.Pos) int { return s.Joined.Source(s.base + int(p.Offset())) }

// Span maps a shell node to a span of the Dockerfile.
func (s *shellScript) Span(n syntax.Node) rewrite.Span {
	return rewrite.Span{Start: s.Offset(n.Pos()), End: s.Offset(n.End())}
}

// Text returns the shell source of n, as the shell reads it.
func (s *shellScript) Text(n syntax.Node) string {
	return s.Joined.Text[s.base+int(n.Pos().Offset()) : s.base+int(n.End().Offset())]
}

// shellCall is one simple command with its words.
type shellCall struct {
	Expr *syntax.CallExpr
	// Args holds the value of each word when it is a literal (quotes removed),
	// and "" with Dynamic[i] set when it needs expansion at run time.
	Args    []string
	Dynamic []bool
}

// Name returns the command name, or "".
func (c *shellCall) Name() string {
	if len(c.Args) == 0 {
		return ""
	}
	return c.Args[0]
}

// Calls returns every simple command in the program, in source order,
// including those inside subshells, pipelines, and lists.
func (s *shellScript) Calls() []*shellCall {
	var out []*shellCall
	syntax.Walk(s.File, func(n syntax.Node) bool {
		if ce, ok := n.(*syntax.CallExpr); ok && len(ce.Args) > 0 {
			c := &shellCall{Expr: ce}
			for _, w := range ce.Args {
				v, ok := wordValue(w)
				c.Args = append(c.Args, v)
				c.Dynamic = append(c.Dynamic, !ok)
			}
			out = append(out, c)
		}
		return true
	})
	return out
}

// wordValue returns the value of a word that needs no expansion: literals and
// quoted literals. ok is false for anything with parameters, commands,
// arithmetic, globs or brace expansion.
func wordValue(w *syntax.Word) (value string, ok bool) {
	var b strings.Builder
	for _, part := range w.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
			if strings.ContainsAny(p.Value, "*?[{~") {
				return "", false
			}
			b.WriteString(unescapeLit(p.Value))
		case *syntax.SglQuoted:
			if p.Dollar {
				return "", false
			}
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				lit, isLit := q.(*syntax.Lit)
				if !isLit {
					return "", false
				}
				b.WriteString(unescapeDoubleQuoted(lit.Value))
			}
		default:
			return "", false
		}
	}
	return b.String(), true
}

// unescapeLit removes shell backslash escapes from an unquoted literal. A
// backslash-newline is a line continuation and disappears.
func unescapeLit(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == '\n' {
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unescapeDoubleQuoted removes the backslash escapes that stay special inside
// double quotes (\$, \`, \", \\ and backslash-newline); other backslashes are literal.
func unescapeDoubleQuoted(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0 {
			i++
			if s[i] == '\n' {
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
