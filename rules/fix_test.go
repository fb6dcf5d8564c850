package rules

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dfslim/dfslim/rewrite"
)

func parse(t *testing.T, src string) *rewrite.File {
	t.Helper()
	f, err := rewrite.Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// keywordRule upper-cases lower-case keywords, one fix per instruction.
var keywordRule = &Rule{Name: "upper", Safety: Safe, Run: func(p *Pass) error {
	for _, in := range p.File.Instrs {
		kw := rewrite.Span{Start: in.Span.Start, End: in.Span.Start + len(in.Cmd)}
		if text := p.File.Text(kw); text != strings.ToUpper(text) {
			p.Report(Finding{Span: kw, Message: "lower-case keyword",
				Fix: &Fix{Safety: Safe, Edits: []rewrite.Edit{{Span: kw, New: strings.ToUpper(text)}}}})
		}
	}
	return nil
}}

func TestRunAppliesAndConverges(t *testing.T) {
	f := parse(t, "from a\nrun b\n# keep\ncmd c\n")
	res, err := Run(f, nil, Options{Rules: []*Rule{keywordRule}})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(res.File.Src); got != "FROM a\nRUN b\n# keep\nCMD c\n" {
		t.Errorf("got %q", got)
	}
	if res.Applied["upper"] != 3 || len(res.Findings) != 0 {
		t.Errorf("applied %v, findings %v", res.Applied, res.Findings)
	}
}

func TestRunRejectsFixThatBreaksParsing(t *testing.T) {
	breaker := &Rule{Name: "breaker", Safety: Safe, Run: func(p *Pass) error {
		in := p.File.Instrs[1]
		p.Report(Finding{Span: in.Span, Message: "m", Fix: &Fix{Safety: Safe, Edits: []rewrite.Edit{{Span: in.Span, New: "ENV"}}}})
		return nil
	}}
	f := parse(t, "from a\nRUN b\n")
	res, err := Run(f, nil, Options{Rules: []*Rule{breaker, keywordRule}})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(res.File.Src); got != "FROM a\nRUN b\n" {
		t.Errorf("got %q: the breaking fix must be dropped and the other rule still applied", got)
	}
	var msgs []string
	for _, fd := range res.Findings {
		msgs = append(msgs, fd.Rule+": "+fd.Message)
	}
	if len(msgs) != 2 || !strings.Contains(strings.Join(msgs, "\n"), "breaker: fix not applied: it would leave an invalid Dockerfile") {
		t.Errorf("findings = %q", msgs)
	}
}

func TestRunDoesNotConverge(t *testing.T) {
	flip := &Rule{Name: "flip", Safety: Safe, Run: func(p *Pass) error {
		in := p.File.Instrs[0]
		kw := rewrite.Span{Start: in.Span.Start, End: in.Span.Start + 4}
		repl := "FROM"
		if p.File.Text(kw) == "FROM" {
			repl = "from"
		}
		p.Report(Finding{Span: kw, Fix: &Fix{Safety: Safe, Edits: []rewrite.Edit{{Span: kw, New: repl}}}})
		return nil
	}}
	_, err := Run(parse(t, "FROM a\n"), nil, Options{Rules: []*Rule{flip}})
	if err == nil || !strings.Contains(err.Error(), "did not converge after 10 rounds (still changing: flip)") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunUnsafeNeedsOptIn(t *testing.T) {
	unsafe := &Rule{Name: "u", Safety: Unsafe, Run: func(p *Pass) error {
		if strings.Contains(string(p.File.Src), "CMD") {
			return nil
		}
		end := len(p.File.Src)
		p.Report(Finding{Span: rewrite.Span{Start: end, End: end}, Message: "no CMD",
			Fix: &Fix{Safety: Unsafe, Edits: []rewrite.Edit{{Span: rewrite.Span{Start: end, End: end}, New: "CMD x\n"}}}})
		return nil
	}}
	res, err := Run(parse(t, "FROM a\n"), nil, Options{Rules: []*Rule{unsafe}})
	if err != nil || res.Changed() || len(res.Findings) != 1 {
		t.Fatalf("without Unsafe: err %v, changed %v, findings %v", err, res.Changed(), res.Findings)
	}
	res, err = Run(parse(t, "FROM a\n"), nil, Options{Rules: []*Rule{unsafe}, Unsafe: true})
	if err != nil || string(res.File.Src) != "FROM a\nCMD x\n" {
		t.Fatalf("with Unsafe: err %v, src %q", err, res.File.Src)
	}
}

// TestRunOtherFiles checks that a fix may create a context file, that a later
// round sees the new content, and that the result reports it as created.
func TestRunOtherFiles(t *testing.T) {
	ignore := &Rule{Name: "ignore", Safety: Safe, Run: func(p *Pass) error {
		data, _ := readFile(p.Context, ".dockerignore")
		if strings.Contains(string(data), ".git") {
			return nil
		}
		end := len(data)
		p.Report(Finding{Message: "no .dockerignore", Fix: &Fix{Safety: Safe,
			Files: map[string][]rewrite.Edit{".dockerignore": {{Span: rewrite.Span{Start: end, End: end}, New: ".git\n"}}}}})
		return nil
	}}
	ctx := fstest.MapFS{"Dockerfile": {Data: []byte("FROM a\n")}}
	res, err := Run(parse(t, "FROM a\n"), ctx, Options{Rules: []*Rule{ignore}})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Files[".dockerignore"]
	if c == nil || !c.Created || string(c.New) != ".git\n" || res.Applied["ignore"] != 1 {
		t.Fatalf("files = %+v, applied %v", res.Files, res.Applied)
	}
}

func TestSelect(t *testing.T) {
	if _, err := Select([]string{"nosuch"}, nil); err == nil || !strings.Contains(err.Error(), `unknown rule "nosuch"`) {
		t.Errorf("err = %v", err)
	}
	got, err := Select(nil, nil)
	if err != nil || len(got) != len(All()) {
		t.Errorf("Select() = %d rules, err %v", len(got), err)
	}
}
