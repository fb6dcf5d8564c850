package rules_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
)

// hostileDir builds, on disk, a build context an attacker could send: FIFOs
// where dfslim reads (.dockerignore's neighbours, a .go file, package.json,
// an ADD source, an entry script), symbolic links inside, outside, to
// /dev/zero and in a loop, and names with newlines, tabs, quotes, globs and
// escape characters. It returns the directory and a secret outside it.
func hostileDir(tb testing.TB) (dir, secret string) {
	tb.Helper()
	root := tb.TempDir()
	dir = filepath.Join(root, "ctx")
	secret = "LEAKED-SECRET"
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "sub", "deep"), 0o755))
	must(os.WriteFile(filepath.Join(root, "outside"), []byte(secret+"\n"), 0o644))
	for name, data := range map[string]string{
		"go.mod":           "module example.com/app\n\ngo 1.24\n",
		"requirements.txt": "flask\n",
		"app.py":           "print(1)\n",
		"sub/deep/x.txt":   "x\n",
		"x\n::error file=Dockerfile,line=1::pwned": "",
		"tab\there.key":       "k",
		`quo"te\back.pem`:     "k",
		"*[?glob.env":         "k",
		"-rf":                 "",
		"caf\u00e9\x1b[2J.js": "",
		".env.production":     "SECRET=1\n",
	} {
		must(os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
	}
	for _, fifo := range []string{"main.go", "package.json", "pyproject.toml", "Dockerfile.dev", "data.tar", "entrypoint.sh", "sub/deep/fifo.go"} {
		must(syscall.Mkfifo(filepath.Join(dir, fifo), 0o644))
	}
	for link, target := range map[string]string{
		".dockerignore":        "../outside",
		"zero.bin":             "/dev/zero",
		"loop-a":               "loop-b",
		"loop-b":               "loop-a",
		"inside.txt":           "sub/deep/x.txt",
		"sub/up":               "../..",
		"Cargo.toml":           "/etc/passwd",
		"go.sum":               "loop-a",
		"requirements-dev.txt": "../outside",
	} {
		must(os.Symlink(target, filepath.Join(dir, link)))
	}
	return dir, secret
}

// FuzzFix checks the invariants of parse → fix → print on any input: no
// panic, the no-edit round trip is identical, the fixed output parses, and
// fixing it again changes nothing. Each input is also fixed with a hostile
// build context on disk (hostileDir): nothing may hang on a FIFO, read
// through a link out of the context, or copy the secret outside it into a
// changed file.
func FuzzFix(f *testing.F) {
	for _, seed := range []string{
		"FROM alpine\nRUN apk add curl\nCMD echo hi\n",
		"# escape=`\r\nFROM debian\r\nRUN apt-get update && `\r\n  # c\r\n  apt-get install -y curl\r\nADD . /app\r\n",
		"\ufefffrom golang:1.26\nrun go build -o /app .\ncmd /app",
		"FROM python:3.11\nRUN <<EOF\npip install x\nEOF\nENTRYPOINT python app.py\n",
		"FROM golang:1.24 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nFROM debian:12\nADD data.tar zero.bin /\nCOPY --from=build /app /app\nCMD [\"/app\"]\n",
		"FROM node:22\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\nCOPY . .\nCMD node entrypoint.sh\n",
		"FROM python:3.12\nCOPY ${CFG:-.env.production} requirements*.txt pyproject.toml ./\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n",
	} {
		f.Add([]byte(seed))
	}
	if os.Getenv("DFSLIM_CORPUS") != "" {
		_, srcs := corpus(f)
		for _, src := range srcs {
			f.Add(src)
		}
	}
	dir, secret := hostileDir(f)
	ctx, err := rules.OpenContextDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { ctx.Close() })
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
		hostile, err := rules.Run(file, ctx, rules.Options{DockerfilePath: "Dockerfile"})
		if err != nil {
			return
		}
		if bytes.Contains(hostile.File.Src, []byte(secret)) {
			t.Fatalf("the secret outside the context is in the Dockerfile:\n%s", hostile.File.Src)
		}
		for p, ch := range hostile.Files {
			if bytes.Contains(ch.New, []byte(secret)) || bytes.Contains(ch.Old, []byte(secret)) {
				t.Fatalf("the secret outside the context is in %s", p)
			}
		}
		if _, err := rewrite.Parse("Dockerfile", hostile.File.Src); err != nil {
			t.Fatalf("fixed output (hostile context) does not parse: %v\n%s", err, hostile.File.Src)
		}
	})
}
