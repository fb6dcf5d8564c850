package rules_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
)

// corpusRules are the rules TestCorpusRules runs over the corpus, one at a time.
var corpusRules = []string{"exec-form", "apt-hygiene", "add-to-copy"}

// TestCorpusRules runs each of corpusRules alone over every corpus file that
// parses and checks that the output parses, that fixing it again changes
// nothing, and that only the instructions the rule rewrote changed: the bytes
// between instructions, heredoc bodies and comment lines are identical.
func TestCorpusRules(t *testing.T) {
	names, srcs := corpus(t)
	var inputs []*rewrite.File
	for i, src := range srcs {
		if f, err := rewrite.Parse(names[i], src); err == nil {
			inputs = append(inputs, f)
		}
	}
	for _, name := range corpusRules {
		r := rules.Lookup(name)
		if r == nil {
			continue // not registered yet
		}
		opts := rules.Options{Rules: []*rules.Rule{r}}
		changed, findings, fixes := 0, 0, 0
		for _, f := range inputs {
			res, err := rules.Run(f, nil, opts)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			findings += len(res.Findings)
			for _, fd := range res.Findings {
				if strings.Contains(fd.Message, "fix not applied") {
					t.Errorf("%s: %s:%d: %s", name, f.Name, fd.Line, fd.Message)
				}
			}
			if !res.Changed() {
				continue
			}
			changed++
			fixes += res.Applied[name]
			if _, err := rewrite.Parse(f.Name, res.File.Src); err != nil {
				t.Errorf("%s: output does not parse: %v", name, err)
				continue
			}
			again, err := rules.Run(res.File, nil, opts)
			if err != nil || again.Changed() {
				t.Errorf("%s: %s: not idempotent (%v)", name, f.Name, err)
			}
			checkOnlyInstructionsChanged(t, name, f, res.File)
		}
		t.Logf("%s: %d of %d files changed, %d fixes applied, %d findings left", name, changed, len(inputs), fixes, findings)
	}
}

// checkOnlyInstructionsChanged checks that old and new have the same
// instructions with the same bytes between them, and that every instruction
// that changed kept its comment lines and had no heredoc.
func checkOnlyInstructionsChanged(t *testing.T, rule string, old, new *rewrite.File) {
	t.Helper()
	if len(old.Instrs) != len(new.Instrs) {
		t.Errorf("%s: %s: %d instructions became %d", rule, old.Name, len(old.Instrs), len(new.Instrs))
		return
	}
	gap := func(f *rewrite.File, i int) string { // bytes before instruction i (or after the last)
		start, end := 0, len(f.Src)
		if i > 0 {
			start = f.Instrs[i-1].Span.End
		}
		if i < len(f.Instrs) {
			end = f.Instrs[i].Span.Start
		}
		return string(f.Src[start:end])
	}
	for i := 0; i <= len(old.Instrs); i++ {
		if gap(old, i) != gap(new, i) {
			t.Errorf("%s: %s: bytes outside instructions changed before instruction %d", rule, old.Name, i+1)
		}
		if i == len(old.Instrs) {
			break
		}
		a, b := old.Instrs[i], new.Instrs[i]
		ta, tb := old.Text(a.Span), new.Text(b.Span)
		if ta == tb {
			continue
		}
		if a.Cmd != b.Cmd && !(a.Cmd == "add" && b.Cmd == "copy") {
			t.Errorf("%s: %s:%d: %s became %s", rule, old.Name, a.StartLine, a.Cmd, b.Cmd)
		}
		if len(a.Node.Heredocs) > 0 {
			t.Errorf("%s: %s:%d: changed an instruction with a heredoc", rule, old.Name, a.StartLine)
		}
		if ca, cb := commentLines(ta), commentLines(tb); !slices.Equal(ca, cb) {
			t.Errorf("%s: %s:%d: comment lines changed: %q -> %q", rule, old.Name, a.StartLine, ca, cb)
		}
	}
}

// commentLines returns the comment lines inside an instruction's text.
func commentLines(text string) []string {
	var out []string
	for i, line := range strings.Split(text, "\n") {
		if t := bytes.TrimLeft([]byte(line), " \t"); i > 0 && len(t) > 0 && t[0] == '#' {
			out = append(out, strings.TrimRight(string(t), "\r"))
		}
	}
	return out
}
