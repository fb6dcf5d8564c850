package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/rewrite"
)

// Inline suppressions are comments that silence rules:
//
//	# dfslim:ignore RULE[,RULE] [reason]       the instruction directly below
//	# dfslim:ignore-file RULE[,RULE] [reason]  the whole file
//
// "# dfslim:ignore" belongs to the comment block directly above an instruction
// (no blank line between); ignore-file may stand on any comment line outside an
// instruction. A suppressed finding is dropped before its fix is merged, so
// neither "dfslim check" nor "dfslim fix" acts on it. Comments inside heredoc
// bodies and continuation lines are not read.

// pragmaPrefix starts every dfslim comment directive.
const pragmaPrefix = "dfslim:"

// pragma is one dfslim comment directive.
type pragma struct {
	line   int
	span   rewrite.Span // the directive, from "dfslim:" to the end of the line
	kind   string       // "ignore", "ignore-file", or what was written instead
	names  []pragmaName
	target *rewrite.Instr // for "ignore": the instruction it annotates, or nil
}

// pragmaName is one rule name in a pragma, with its place in the file.
type pragmaName struct {
	name string
	span rewrite.Span
}

// suppressions are the rules silenced in one file.
type suppressions struct {
	file  map[string]bool
	instr map[*rewrite.Instr]map[string]bool
}

// parsePragmas finds the dfslim comment directives of f, in line order.
func parsePragmas(f *rewrite.File) []pragma {
	var out []pragma
	next := 0 // index of the first instruction that ends at or after the line
	for n := f.Directives + 1; n <= f.Lines(); n++ {
		for next < len(f.Instrs) && f.Instrs[next].EndLine < n {
			next++
		}
		var below *rewrite.Instr
		if next < len(f.Instrs) {
			in := f.Instrs[next]
			if n >= in.StartLine {
				continue // inside an instruction: continuation comment or heredoc body
			}
			if n >= in.CommentLine {
				below = in
			}
		}
		p, ok := parsePragma(f, n)
		if !ok {
			continue
		}
		if p.kind == "ignore" {
			p.target = below
		}
		out = append(out, p)
	}
	return out
}

// parsePragma reads line n as a dfslim directive.
func parsePragma(f *rewrite.File, n int) (pragma, bool) {
	start := f.LineStart(n)
	line := f.Line(n)
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i == len(line) || line[i] != '#' {
		return pragma{}, false
	}
	i++
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if !strings.HasPrefix(line[i:], pragmaPrefix) {
		return pragma{}, false
	}
	p := pragma{line: n, span: rewrite.Span{Start: start + i, End: start + len(strings.TrimRight(line, " \t\r"))}}
	i += len(pragmaPrefix)
	k := i
	for k < len(line) && line[k] != ' ' && line[k] != '\t' && line[k] != '\r' {
		k++
	}
	p.kind = line[i:k]
	// Names: comma-separated, blanks allowed around commas; the first word
	// not joined by a comma starts the free-text reason.
	rest := line[k:]
	off := start + k
	expectName := true
	for len(rest) > 0 {
		trimmed := strings.TrimLeft(rest, " \t\r")
		off += len(rest) - len(trimmed)
		rest = trimmed
		if rest == "" {
			break
		}
		if rest[0] == ',' {
			expectName = true
			rest, off = rest[1:], off+1
			continue
		}
		if !expectName {
			break
		}
		end := strings.IndexAny(rest, " \t\r,")
		if end < 0 {
			end = len(rest)
		}
		p.names = append(p.names, pragmaName{name: rest[:end], span: rewrite.Span{Start: off, End: off + end}})
		rest, off = rest[end:], off+end
		expectName = false
	}
	return p, true
}

// suppressionsOf collects what the pragmas of f silence.
func suppressionsOf(f *rewrite.File) *suppressions {
	s := &suppressions{file: map[string]bool{}, instr: map[*rewrite.Instr]map[string]bool{}}
	for _, p := range parsePragmas(f) {
		switch {
		case p.kind == "ignore-file":
			for _, n := range p.names {
				s.file[n.name] = true
			}
		case p.kind == "ignore" && p.target != nil:
			if s.instr[p.target] == nil {
				s.instr[p.target] = map[string]bool{}
			}
			for _, n := range p.names {
				s.instr[p.target][n.name] = true
			}
		}
	}
	return s
}

// suppressed reports whether a finding of rule at line is silenced.
func (s *suppressions) suppressed(f *rewrite.File, rule string, line int) bool {
	if s.file[rule] {
		return true
	}
	for in, names := range s.instr {
		if names[rule] && in.CommentLine <= line && line <= in.EndLine {
			return true
		}
	}
	return false
}

// filterSuppressed drops the findings that inline suppressions in f silence.
func filterSuppressed(f *rewrite.File, found []Finding) []Finding {
	if len(found) == 0 || !strings.Contains(string(f.Src), pragmaPrefix) {
		return found
	}
	s := suppressionsOf(f)
	return slices.DeleteFunc(found, func(fd Finding) bool { return s.suppressed(f, fd.Rule, fd.Line) })
}

// Suppression is the rule that checks dfslim's own comment directives: an
// unknown rule name or directive, or an ignore comment that annotates nothing,
// would otherwise silence nothing without a word.
var Suppression = &Rule{
	Name:    "suppression",
	Summary: "Check `# dfslim:ignore` comments for unknown rules and misplaced directives",
	Why: `
"# dfslim:ignore RULE[,RULE]" in the comment block directly above an instruction
silences those rules for that instruction; "# dfslim:ignore-file RULE[,RULE]" on any
comment line outside an instruction silences them for the whole file. Text after the
names is free: use it for the reason. A misspelt rule name, an unknown directive, or an
ignore comment separated from its instruction by a blank line would silently do nothing,
so this rule reports them.

    # dfslim:ignore-file dockerignore  the context has its own ignore file
    FROM golang:1.24 AS build
    # dfslim:ignore exec-form  the entrypoint script needs a shell
    CMD ./start.sh`,
	FixSafety: "No fix: only the author knows which rule was meant.",
	Safety:    DisplayOnly,
	Run:       runSuppression,
}

func runSuppression(p *Pass) error {
	if !strings.Contains(string(p.File.Src), pragmaPrefix) {
		return nil
	}
	// A directive that silences nothing is a mistake to correct: a warning.
	warnf := func(s rewrite.Span, format string, args ...any) {
		p.Report(Finding{Span: s, Message: fmt.Sprintf(format, args...), Severity: Warning})
	}
	for _, pr := range parsePragmas(p.File) {
		switch pr.kind {
		case "ignore", "ignore-file":
		default:
			warnf(pr.span, "unknown directive %q: use dfslim:ignore or dfslim:ignore-file", pragmaPrefix+pr.kind)
			continue
		}
		if len(pr.names) == 0 {
			warnf(pr.span, "dfslim:%s names no rule: write the rule names after it, comma-separated", pr.kind)
			continue
		}
		if pr.kind == "ignore" && pr.target == nil {
			warnf(pr.span, "dfslim:ignore is not directly above an instruction, so it silences nothing (use dfslim:ignore-file for the whole file)")
		}
		for _, n := range pr.names {
			if p.known != nil && !p.known(n.name) {
				warnf(n.span, "unknown rule %q in dfslim:%s (\"dfslim rules\" lists them)", n.name, pr.kind)
			}
		}
	}
	return nil
}

// knownRule returns whether a name is a registered rule or one of the rules
// that opts runs (a program's own rules need not be registered).
func knownRule(opts *Options) func(name string) bool {
	return func(name string) bool {
		return Lookup(name) != nil || slices.ContainsFunc(opts.rules(), func(r *Rule) bool { return r.Name == name })
	}
}

// String returns a pragma as it is written, for test failures.
func (p pragma) String() string {
	names := make([]string, len(p.names))
	for i, n := range p.names {
		names[i] = n.name
	}
	return fmt.Sprintf("%d: %s %s", p.line, p.kind, strings.Join(names, ","))
}
