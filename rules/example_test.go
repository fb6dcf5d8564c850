package rules_test

import (
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
)

// The main flow: parse a Dockerfile, let the rules fix it, print the change
// as a unified diff and what is left for a person.
func Example() {
	src := []byte("FROM node:22-slim\nWORKDIR /app\n# start the server\nCMD node server.js --port 8080\n")
	f, err := rewrite.Parse("Dockerfile", src)
	if err != nil {
		log.Fatal(err)
	}
	// The zero Options run every rule with safe fixes only. This example runs
	// one rule so that its output stays the same as rules are added.
	opts := rules.Options{Rules: []*rules.Rule{rules.ExecForm}}
	res, err := rules.Run(f, nil, opts) // nil: no build context to read
	if err != nil {
		log.Fatal(err)
	}
	os.Stdout.Write(rewrite.Unified("Dockerfile", src, res.File.Src, false))
	fmt.Println("fixes applied:", res.Applied)
	fmt.Println("findings left:", len(res.Findings))
	// Output:
	// diff --git a/Dockerfile b/Dockerfile
	// --- a/Dockerfile
	// +++ b/Dockerfile
	// @@ -1,4 +1,4 @@
	//  FROM node:22-slim
	//  WORKDIR /app
	//  # start the server
	// -CMD node server.js --port 8080
	// +CMD ["node", "server.js", "--port", "8080"]
	// fixes applied: map[exec-form:1]
	// findings left: 0
}

// A rule of your own: a Rule value whose Run reports findings with fixes.
// Fixes are byte-range edits of the original text, so everything else in the
// file stays as it was.
func Example_customRule() {
	noMaintainer := &rules.Rule{
		Name:      "no-maintainer",
		Summary:   "Replace the deprecated MAINTAINER with an OCI label",
		Why:       "MAINTAINER is deprecated; the authors label carries the same information.",
		FixSafety: "The label has the same value, and nothing reads MAINTAINER at run time.",
		Safety:    rules.Safe,
		Run: func(p *rules.Pass) error {
			for _, in := range p.File.Instrs {
				if in.Cmd != "maintainer" {
					continue
				}
				who := strings.TrimSpace(p.File.Text(in.Span)[len("maintainer"):])
				p.Report(rules.Finding{
					Span:    in.Span,
					Message: "MAINTAINER is deprecated",
					Fix: &rules.Fix{
						Message: "Use LABEL org.opencontainers.image.authors",
						Safety:  rules.Safe,
						Edits:   []rewrite.Edit{{Span: in.Span, New: fmt.Sprintf("LABEL org.opencontainers.image.authors=%q", who)}},
					},
				})
			}
			return nil
		},
	}

	src := []byte("FROM alpine:3.20\r\nMAINTAINER Jane Doe <jane@example.com>\r\nRUN true\r\n")
	f, err := rewrite.Parse("Dockerfile", src)
	if err != nil {
		log.Fatal(err)
	}
	findings, err := rules.Check(f, nil, rules.Options{Rules: []*rules.Rule{noMaintainer}})
	if err != nil {
		log.Fatal(err)
	}
	for _, fd := range findings {
		fmt.Printf("%d:%d: %s: %s (fix: %s)\n", fd.Line, fd.Col, fd.Rule, fd.Message, fd.Fix.Message)
	}
	res, err := rules.Run(f, nil, rules.Options{Rules: []*rules.Rule{noMaintainer}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", res.File.Src) // CRLF line endings are kept
	// Output:
	// 2:1: no-maintainer: MAINTAINER is deprecated (fix: Use LABEL org.opencontainers.image.authors)
	// "FROM alpine:3.20\r\nLABEL org.opencontainers.image.authors=\"Jane Doe <jane@example.com>\"\r\nRUN true\r\n"
}

// Running only some rules: Select picks rules by name from the registry, as
// --select and --ignore do. A "# dfslim:ignore RULE" comment silences a rule
// for the instruction below it.
func ExampleSelect() {
	src := []byte(`FROM python:3.12-slim
CMD python app.py
# dfslim:ignore exec-form  the script needs a shell
HEALTHCHECK CMD python health.py
`)
	f, err := rewrite.Parse("Dockerfile", src)
	if err != nil {
		log.Fatal(err)
	}
	only, err := rules.Select([]string{"exec-form"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	findings, err := rules.Check(f, nil, rules.Options{Rules: only, Config: rules.Config{Base: "chainguard"}})
	if err != nil {
		log.Fatal(err)
	}
	for _, fd := range findings {
		fmt.Printf("%d:%d: %s: %s\n", fd.Line, fd.Col, fd.Rule, fd.Message)
	}

	_, err = rules.Select([]string{"exec-from"}, nil)
	fmt.Println(err != nil)
	// Output:
	// 2:1: exec-form: CMD uses shell form; exec form runs it without /bin/sh
	// true
}
