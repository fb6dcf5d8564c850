// Package shell parses the shell commands of a Dockerfile (RUN, CMD,
// ENTRYPOINT and HEALTHCHECK in shell form, heredoc bodies, scripts) with
// mvdan.cc/sh and maps what it finds back to the Dockerfile's bytes.
//
// An instruction's program is parsed once per file: [Of] and [Run] cache
// their result on the [rewrite.File], and every caller shares it read-only.
package shell

import (
	"slices"
	"strings"
	"sync"

	"github.com/dfslim/dfslim/rewrite"
	"mvdan.cc/sh/v3/syntax"
)

// A Script is a parsed shell program. When it comes from an instruction's
// shell form, positions map back to the Dockerfile ([Script.Offset],
// [Script.Span]); a script parsed from other text ([Parse]) has no Joined.
type Script struct {
	Joined *rewrite.Joined // the instruction's joined text, or nil
	File   *syntax.File
	base   int // offset of the parsed text in Joined.Text

	callsOnce sync.Once
	calls     []*Call // Calls' result, worked out once
}

// Of returns the arguments of in parsed as a shell program, or nil when the
// instruction is in exec (JSON) form, has heredocs, or does not parse.
// The result is cached with the file and shared: do not modify it.
func Of(f *rewrite.File, in *rewrite.Instr) *Script {
	s, _ := f.Memo(formKey{in}, func() any { return parseForm(f, in) }).(*Script)
	return s
}

// Run returns what a RUN runs as a shell program: its shell form ([Of]), or
// the body of a heredoc that is the whole command (RUN <<EOF), which has no
// Joined. It returns nil for anything else. The result is cached.
func Run(f *rewrite.File, in *rewrite.Instr) *Script {
	if len(in.Node.Heredocs) == 0 {
		return Of(f, in)
	}
	s, _ := f.Memo(heredocKey{in}, func() any { return parseHeredoc(f, in) }).(*Script)
	return s
}

// Text returns text parsed as a shell program (HEALTHCHECK's CMD-SHELL string,
// say) for instruction in, cached with the file so that the same text of the
// same instruction is parsed once. It returns nil when text does not parse.
func Text(f *rewrite.File, in *rewrite.Instr, text string) *Script {
	s, _ := f.Memo(textKey{in, text, false}, func() any {
		s, err := Parse(text)
		if err != nil {
			return (*Script)(nil)
		}
		return s
	}).(*Script)
	return s
}

// WithComments returns text parsed as a shell program with its comments kept,
// cached like [Text]. exec-form needs the comments of BuildKit's joined value.
func WithComments(f *rewrite.File, in *rewrite.Instr, text string) *syntax.File {
	prog, _ := f.Memo(textKey{in, text, true}, func() any {
		prog, err := syntax.NewParser(syntax.KeepComments(true)).Parse(strings.NewReader(text), "")
		if err != nil {
			return (*syntax.File)(nil)
		}
		return prog
	}).(*syntax.File)
	return prog
}

// Parse parses text (a script file, a package.json script) as a bash program.
func Parse(text string) (*Script, error) {
	p := parsers.Get().(*syntax.Parser)
	file, err := p.Parse(strings.NewReader(text), "")
	parsers.Put(p)
	if err != nil {
		return nil, err
	}
	return &Script{File: file}, nil
}

// ParseNamed is [Parse] for a script file: name appears in parse errors.
func ParseNamed(text, name string) (*Script, error) {
	p := parsers.Get().(*syntax.Parser)
	file, err := p.Parse(strings.NewReader(text), name)
	parsers.Put(p)
	if err != nil {
		return nil, err
	}
	return &Script{File: file}, nil
}

// The memo keys of the parses cached on a file.
type (
	formKey    struct{ in *rewrite.Instr }
	heredocKey struct{ in *rewrite.Instr }
	textKey    struct {
		in       *rewrite.Instr
		text     string
		comments bool
	}
)

// parsers are reused: a new parser per RUN allocates its buffers anew, and
// the nodes of the programs it parses in batches that each program keeps
// alive (a few KB per RUN of a large file).
var parsers = sync.Pool{New: func() any {
	return syntax.NewParser(syntax.Variant(syntax.LangBash), syntax.KeepComments(false))
}}

func parseForm(f *rewrite.File, in *rewrite.Instr) *Script {
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
	p := parsers.Get().(*syntax.Parser)
	file, err := p.Parse(strings.NewReader(text), "")
	parsers.Put(p)
	if err != nil {
		return nil
	}
	return &Script{Joined: j, File: file, base: base}
}

func parseHeredoc(f *rewrite.File, in *rewrite.Instr) *Script {
	j := f.Join(in)
	if len(in.Node.Heredocs) != 1 || !strings.HasPrefix(strings.TrimSpace(j.Text[j.Args:]), "<<") {
		return nil
	}
	s, err := Parse(in.Node.Heredocs[0].Content)
	if err != nil {
		return nil
	}
	return s
}

// Offset maps a shell position to a byte offset in the Dockerfile.
func (s *Script) Offset(p syntax.Pos) int { return s.Joined.Source(s.base + int(p.Offset())) }

// Span maps a shell node to a span of the Dockerfile.
func (s *Script) Span(n syntax.Node) rewrite.Span {
	return rewrite.Span{Start: s.Offset(n.Pos()), End: s.Offset(n.End())}
}

// Text returns the shell source of n, as the shell reads it.
func (s *Script) Text(n syntax.Node) string {
	return s.Joined.Text[s.base+int(n.Pos().Offset()) : s.base+int(n.End().Offset())]
}

// A Call is one simple command with its words.
type Call struct {
	Expr *syntax.CallExpr
	// Args holds the value of each word when it is a literal (quotes removed),
	// and "" with Dynamic[i] set when it needs expansion at run time.
	Args    []string
	Dynamic []bool
}

// Name returns the command name, or "".
func (c *Call) Name() string {
	if len(c.Args) == 0 {
		return ""
	}
	return c.Args[0]
}

// Calls returns every simple command in the program, in source order,
// including those inside subshells, pipelines, and lists. The result is
// worked out once and shared: do not modify it.
func (s *Script) Calls() []*Call {
	s.callsOnce.Do(func() { s.calls = slices.Clip(s.walkCalls()) })
	return s.calls
}

// walkCalls walks the program for Calls.
func (s *Script) walkCalls() []*Call {
	var out []*Call
	syntax.Walk(s.File, func(n syntax.Node) bool {
		if ce, ok := n.(*syntax.CallExpr); ok && len(ce.Args) > 0 {
			c := &Call{Expr: ce}
			for _, w := range ce.Args {
				v, ok := WordValue(w)
				c.Args = append(c.Args, v)
				c.Dynamic = append(c.Dynamic, !ok)
			}
			out = append(out, c)
		}
		return true
	})
	return out
}

// Literal returns a call of literal words (an exec-form command), none dynamic.
func Literal(args []string) *Call {
	return &Call{Args: args, Dynamic: make([]bool, len(args))}
}

// WordValue returns the value of a word that needs no expansion: literals and
// quoted literals. ok is false for anything with parameters, commands,
// arithmetic, globs or brace expansion.
func WordValue(w *syntax.Word) (value string, ok bool) {
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

// ParamWordValue returns the value of a word made of literals and plain
// $VAR / ${VAR} references whose values lookup knows.
func ParamWordValue(w *syntax.Word, lookup func(string) (string, bool)) (string, bool) {
	var b strings.Builder
	var add func(parts []syntax.WordPart) bool
	add = func(parts []syntax.WordPart) bool {
		for _, part := range parts {
			switch p := part.(type) {
			case *syntax.Lit:
				if strings.ContainsAny(p.Value, "*?[{~") {
					return false
				}
				b.WriteString(unescapeLit(p.Value))
			case *syntax.SglQuoted:
				b.WriteString(p.Value)
			case *syntax.DblQuoted:
				if !add(p.Parts) {
					return false
				}
			case *syntax.ParamExp:
				if p.Exp != nil || p.Repl != nil || p.Index != nil || p.Length || p.Excl || p.Slice != nil || p.Param == nil {
					return false
				}
				v, ok := lookup(p.Param.Value)
				if !ok {
					return false
				}
				b.WriteString(v)
			default:
				return false
			}
		}
		return true
	}
	if !add(w.Parts) {
		return "", false
	}
	return b.String(), true
}

// HealthCheck returns the commands a HEALTHCHECK's test runs (test is
// BuildKit's: "CMD" and the words, or "CMD-SHELL" and a shell string, which is
// parsed once per instruction). ok is false when the shell string does not parse.
func HealthCheck(f *rewrite.File, in *rewrite.Instr, test []string) (calls []*Call, ok bool) {
	if len(test) < 2 {
		return nil, true
	}
	if test[0] != "CMD-SHELL" {
		return []*Call{Literal(test[1:])}, true
	}
	s := Text(f, in, test[1])
	if s == nil {
		return nil, false
	}
	return s.Calls(), true
}
