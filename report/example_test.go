package report_test

import (
	"log"
	"os"

	"github.com/dfslim/dfslim/report"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
)

// Check a Dockerfile with the registry's rules and write the findings as
// "dfslim check" does, in any of report.Formats.
func Example() {
	src := []byte("FROM alpine:3.20\nCMD echo hello\n")
	f, err := rewrite.Parse("Dockerfile", src)
	if err != nil {
		log.Fatal(err)
	}
	exec, _ := rules.Select([]string{"exec-form"}, nil)
	findings, err := rules.Check(f, nil, rules.Options{Rules: exec})
	if err != nil {
		log.Fatal(err)
	}
	for _, fd := range findings {
		if report.Severity(fd) >= rules.Warning { // what --fail-on warning fails on
			log.Printf("%s: %s", fd.Rule, fd.Message)
		}
	}
	w, err := report.New(report.GitHub, os.Stdout, report.Options{})
	if err != nil {
		log.Fatal(err)
	}
	w.Add(report.File{Path: "Dockerfile", Dockerfile: f, Findings: findings})
	if err := w.Finish(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// ::warning file=Dockerfile,line=2,col=1,endLine=2,endColumn=1,title=exec-form::CMD uses shell form; exec form runs it without /bin/sh
}
