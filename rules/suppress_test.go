package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/google/go-cmp/cmp"
)

// upperKeyword is a test rule: every lower-case keyword gets a safe fix to
// upper case. It gives findings and fixes whose text never changes.
var upperKeyword = &Rule{
	Name:    "upper-keyword",
	Summary: "Test rule: upper-case keywords",
	Safety:  Safe,
	Run: func(p *Pass) error {
		for _, in := range p.File.Instrs {
			kw := rewrite.Span{Start: in.Span.Start, End: in.Span.Start + len(in.Node.Value)}
			word := p.File.Text(kw)
			if word == strings.ToUpper(word) {
				continue
			}
			p.Report(Finding{Span: kw, Message: "keyword " + word + " is not upper case", Fix: &Fix{
				Message: "Upper-case the keyword", Safety: Safe,
				Edits: []rewrite.Edit{{Span: kw, New: strings.ToUpper(word)}},
			}})
		}
		return nil
	},
}

func TestSuppressions(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		want     string // the file after Run
		findings string // remaining findings, "line:col: rule: message"
	}{{
		name: "ignore above an instruction",
		src:  "from alpine\n# why: reasons\n# dfslim:ignore upper-keyword\nrun true\nrun false\n",
		want: "FROM alpine\n# why: reasons\n# dfslim:ignore upper-keyword\nrun true\nRUN false\n",
	}, {
		name: "a list of names and a reason",
		src:  "from alpine\n#dfslim:ignore suppression , upper-keyword kept lower-case on purpose\nrun true\n",
		want: "FROM alpine\n#dfslim:ignore suppression , upper-keyword kept lower-case on purpose\nrun true\n",
	}, {
		name: "ignore-file anywhere outside instructions",
		src:  "from alpine\nrun true\n\n   # dfslim:ignore-file upper-keyword\n",
		want: "from alpine\nrun true\n\n   # dfslim:ignore-file upper-keyword\n",
	}, {
		name: "a multi-line instruction is covered to its last line",
		src:  "# dfslim:ignore upper-keyword\nfrom alpine\nrun true && \\\n  false\n",
		want: "# dfslim:ignore upper-keyword\nfrom alpine\nRUN true && \\\n  false\n",
	}, {
		name:     "a blank line ends the comment block",
		src:      "from alpine\n# dfslim:ignore upper-keyword\n\nrun true\n",
		want:     "FROM alpine\n# dfslim:ignore upper-keyword\n\nRUN true\n",
		findings: "2:3: suppression: dfslim:ignore is not directly above an instruction, so it silences nothing (use dfslim:ignore-file for the whole file)\n",
	}, {
		name: "heredoc bodies and continuation comments are not read",
		src:  "from alpine\nrun <<EOF\n# dfslim:ignore-file upper-keyword\nEOF\nrun a \\\n# dfslim:ignore-file upper-keyword\n  b\n",
		want: "FROM alpine\nRUN <<EOF\n# dfslim:ignore-file upper-keyword\nEOF\nRUN a \\\n# dfslim:ignore-file upper-keyword\n  b\n",
	}, {
		name: "unknown names and directives are findings",
		src:  "FROM alpine\n# dfslim:ignore upper-keyword,no-such-rule\nrun true\n# dfslim:ignore-file\n# dfslim:skip upper-keyword\n",
		want: "FROM alpine\n# dfslim:ignore upper-keyword,no-such-rule\nrun true\n# dfslim:ignore-file\n# dfslim:skip upper-keyword\n",
		findings: `2:31: suppression: unknown rule "no-such-rule" in dfslim:ignore ("dfslim rules" lists them)
4:3: suppression: dfslim:ignore-file names no rule: write the rule names after it, comma-separated
5:3: suppression: unknown directive "dfslim:skip": use dfslim:ignore or dfslim:ignore-file
`,
	}, {
		name: "a suppression can silence the suppression rule",
		src:  "FROM alpine\n# dfslim:ignore-file suppression\n# dfslim:ignore nope\nRUN true\n",
		want: "FROM alpine\n# dfslim:ignore-file suppression\n# dfslim:ignore nope\nRUN true\n",
	}, {
		name: "CRLF and directives",
		src:  "# syntax=docker/dockerfile:1\r\n# dfslim:ignore upper-keyword\r\nfrom alpine\r\nrun true\r\n",
		want: "# syntax=docker/dockerfile:1\r\n# dfslim:ignore upper-keyword\r\nfrom alpine\r\nRUN true\r\n",
	}}
	opts := Options{Rules: []*Rule{upperKeyword, Suppression}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := rewrite.Parse("Dockerfile", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Run(f, nil, opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(res.File.Src)); diff != "" {
				t.Errorf("fixed file (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.findings, lines(res.Findings)); diff != "" {
				t.Errorf("findings after fix (-want +got):\n%s", diff)
			}
			// Check reports exactly the findings whose fixes Run applied, plus those left.
			checked, err := Check(f, nil, opts)
			if err != nil {
				t.Fatal(err)
			}
			fixable := 0
			for _, fd := range checked {
				if fd.Fix != nil {
					fixable++
				}
			}
			if fixable != res.Applied[upperKeyword.Name] {
				t.Errorf("Check found %d fixable findings, Run applied %d fixes", fixable, res.Applied[upperKeyword.Name])
			}
		})
	}
}

// TestSuppressionKnowsRunningRules: a program's own rule, not registered, may
// be named in a suppression.
func TestSuppressionKnowsRunningRules(t *testing.T) {
	f, err := rewrite.Parse("Dockerfile", []byte("FROM alpine\n# dfslim:ignore upper-keyword\nrun true\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Check(f, nil, Options{Rules: []*Rule{Suppression}})
	if err != nil {
		t.Fatal(err)
	}
	want := `2:17: suppression: unknown rule "upper-keyword" in dfslim:ignore ("dfslim rules" lists them)` + "\n"
	if diff := cmp.Diff(want, lines(got)); diff != "" {
		t.Errorf("without the rule running (-want +got):\n%s", diff)
	}
	got, err = Check(f, nil, Options{Rules: []*Rule{Suppression, upperKeyword}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("with the rule running: %s", lines(got))
	}
}

func TestParsePragma(t *testing.T) {
	f, err := rewrite.Parse("Dockerfile", []byte("FROM a\n#   dfslim:ignore a,b ,c, d  e,f\n# dfslim:ignore-file\tx\n# not dfslim:ignore y\n#dfslim:ignore\nRUN x\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range parsePragmas(f) {
		got = append(got, p.String())
		for _, n := range p.names {
			if text := f.Text(n.span); text != n.name {
				t.Errorf("line %d: span of %q holds %q", p.line, n.name, text)
			}
		}
	}
	want := []string{"2: ignore a,b,c,d", "3: ignore-file x", "5: ignore "}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pragmas (-want +got):\n%s", diff)
	}
}

func lines(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%d:%d: %s: %s\n", f.Line, f.Col, f.Rule, f.Message)
	}
	return b.String()
}
