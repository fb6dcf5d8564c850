package rules_test

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
)

// FuzzFix checks the invariants of parse → fix → print on any input: no
// panic, the no-edit round trip is identical, the fixed output parses, and
// fixing it again changes nothing.
func FuzzFix(f *testing.F) {
	for _, seed := range []string{
		"FROM alpine\nRUN apk add curl\nCMD echo hi\n",
		"# escape=`\r\nFROM debian\r\nRUN apt-get update && `\r\n  # c\r\n  apt-get install -y curl\r\nADD . /app\r\n",
		"\ufefffrom golang:1.26\nrun go build -o /app .\ncmd /app",
		"FROM python:3.11\nRUN <<EOF\npip install x\nEOF\nENTRYPOINT python app.py\n",
	} {
		f.Add([]byte(seed))
	}
	if os.Getenv("DFSLIM_CORPUS") != "" {
		_, srcs := corpus(f)
		for _, src := range srcs {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				panic(fmt.Sprintf("fix took over 10s on %q", src))
			}
		}()
		file, err := rewrite.Parse("Dockerfile", src)
		if err != nil {
			return
		}
		if out, err := rewrite.Apply(file.Src, nil); err != nil || !bytes.Equal(out, src) {
			t.Fatalf("round trip changed the input")
		}
		res, err := rules.Run(file, nil, rules.Options{})
		if err != nil {
			return // did not converge: reported as an error, never written
		}
		if _, err := rewrite.Parse("Dockerfile", res.File.Src); err != nil {
			t.Fatalf("fixed output does not parse: %v\n%s", err, res.File.Src)
		}
		again, err := rules.Run(res.File, nil, rules.Options{})
		if err != nil || again.Changed() {
			t.Fatalf("not idempotent: %v %v\n%s", err, again.Applied, res.File.Src)
		}
	})
}
