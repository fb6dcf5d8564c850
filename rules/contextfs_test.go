package rules_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
)

// hostileContext is a Go app's build context in which one path is replaced
// by a FIFO, a device or a symbolic link. Its data, if read, would show as
// LEAK in the output.
func hostileContext(name string, file *fstest.MapFile) fstest.MapFS {
	ctx := fstest.MapFS{
		"Dockerfile": {Data: []byte(`FROM golang:1.24 AS build
WORKDIR /src
COPY . .
RUN go build -o /app .

FROM debian:12-slim
COPY --from=build /app /app
CMD ["/app"]
`)},
		"go.mod":         {Data: []byte("module example.com/app\n\ngo 1.24\n")},
		"main.go":        {Data: []byte("package main\n\nfunc main() {}\n")},
		"Dockerfile.dev": {Data: []byte("FROM golang:1.24\nCOPY . .\n")},
		".git/HEAD":      {Data: []byte("ref: refs/heads/main\n")},
		"loop-a":         {Data: []byte("loop-b"), Mode: fs.ModeSymlink},
		"loop-b":         {Data: []byte("loop-a"), Mode: fs.ModeSymlink},
		"inside.txt":     {Data: []byte("*.log\n")},
	}
	ctx[name] = file
	return ctx
}

// TestContextReader checks that no rule reads a FIFO, a device or a file
// through a symbolic link that leaves the context or loops, and that a
// finding names what was not read and why.
func TestContextReader(t *testing.T) {
	fifo := &fstest.MapFile{Data: []byte("LEAK\n"), Mode: fs.ModeNamedPipe}
	for _, c := range []struct {
		name string
		file *fstest.MapFile
		why  string
	}{
		{".dockerignore", fifo, "not a regular file (a FIFO)"},
		{".dockerignore", &fstest.MapFile{Data: []byte("LEAK\n"), Mode: fs.ModeDevice | fs.ModeCharDevice}, "not a regular file (a device)"},
		{".dockerignore", &fstest.MapFile{Data: []byte("../outside/secret"), Mode: fs.ModeSymlink}, "a symbolic link to ../outside/secret, outside the build context"},
		{".dockerignore", &fstest.MapFile{Data: []byte("/dev/zero"), Mode: fs.ModeSymlink}, "a symbolic link to /dev/zero, outside the build context"},
		{".dockerignore", &fstest.MapFile{Data: []byte("loop-a"), Mode: fs.ModeSymlink}, "too many symbolic links (a loop?)"},
		{"main.go", fifo, "not a regular file (a FIFO)"},
		{"go.mod", fifo, "not a regular file (a FIFO)"},
		{"Dockerfile.dev", fifo, "not a regular file (a FIFO)"},
	} {
		t.Run(c.name+" "+c.why, func(t *testing.T) {
			ctx := hostileContext(c.name, c.file)
			f, err := rewrite.Parse("Dockerfile", ctx["Dockerfile"].Data)
			if err != nil {
				t.Fatal(err)
			}
			res, err := rules.Run(f, ctx, rules.Options{DockerfilePath: "Dockerfile"})
			if err != nil {
				t.Fatal(err)
			}
			for p, ch := range res.Files {
				if strings.Contains(string(ch.New), "LEAK") || strings.Contains(string(ch.Old), "LEAK") {
					t.Errorf("%s holds what %s holds:\n%s", p, c.name, ch.New)
				}
				if p == c.name {
					t.Errorf("%s, which was not read, is rewritten", p)
				}
			}
			want := "did not read " + c.name + " from the build context: " + c.why
			found := false
			for _, fd := range res.Findings {
				found = found || fd.Message == want
			}
			if !found {
				t.Errorf("no finding %q in:\n%s", want, formatFindings(res.Findings))
			}
		})
	}
}

// TestContextReaderInside checks that a symbolic link that stays inside the
// context is followed.
func TestContextReaderInside(t *testing.T) {
	ctx := hostileContext(".dockerignore", &fstest.MapFile{Data: []byte("inside.txt"), Mode: fs.ModeSymlink})
	f, err := rewrite.Parse("Dockerfile", ctx["Dockerfile"].Data)
	if err != nil {
		t.Fatal(err)
	}
	res, err := rules.Run(f, ctx, rules.Options{DockerfilePath: "Dockerfile"})
	if err != nil {
		t.Fatal(err)
	}
	ch := res.Files[".dockerignore"]
	if ch == nil || !strings.HasPrefix(string(ch.New), "*.log\n") {
		t.Errorf("the ignore file, a link to inside.txt, was not read and extended: %+v\n%s", ch, formatFindings(res.Findings))
	}
}
