package rules_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
)

// A .go file the static rule cannot read (a FIFO, a link to nothing) might
// import "C": the finding says so instead of calling the code pure Go.
func TestStaticUnreadableGoFile(t *testing.T) {
	src := "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go mod download && go build -o /out/app .\n\n" +
		"FROM debian:bookworm-slim\nCOPY --from=build /out/app /app\nCMD [\"/app\"]\n"
	gomod := &fstest.MapFile{Data: []byte("module example.com/app\n\ngo 1.22\n\nrequire github.com/aws/aws-lambda-go v1.47.0\n")}
	bareMod := &fstest.MapFile{Data: []byte("module example.com/app\n\ngo 1.22\n")}
	mainGo := []byte("package main\n\nfunc main() {}\n")
	for _, tc := range []struct {
		name  string
		file  *fstest.MapFile
		want  string
		gomod *fstest.MapFile
	}{
		{"regular", &fstest.MapFile{Data: mainGo}, "", nil},
		{"regular-no-requires", &fstest.MapFile{Data: mainGo}, "", bareMod},
		// No requirement: the purity proof of the split (facts.PureGo) reads the files first.
		{"fifo-no-requires", &fstest.MapFile{Data: mainGo, Mode: fs.ModeNamedPipe}, `cgo.go is not a regular file dfslim can read`, bareMod},
		{"fifo", &fstest.MapFile{Data: mainGo, Mode: fs.ModeNamedPipe}, `--static: the Go binary app stays dynamically linked: cgo.go is not a regular file dfslim can read, so it cannot tell whether it imports "C"`, nil},
		{"dangling-link", &fstest.MapFile{Data: []byte("missing.go"), Mode: fs.ModeSymlink}, `stays dynamically linked: cgo.go is not a regular file dfslim can read`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mod := gomod
			if tc.gomod != nil {
				mod = tc.gomod
			}
			ctx := fstest.MapFS{"Dockerfile": {Data: []byte(src)}, "go.mod": mod, "main.go": {Data: mainGo}, "cgo.go": tc.file}
			f, err := rewrite.Parse("Dockerfile", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			sel, err := rules.Select([]string{"runtime-base", "static"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			opts := rules.Options{Rules: sel, DockerfilePath: "Dockerfile"}
			opts.Config.Static = true
			res, err := rules.Run(f, ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			var msgs []string
			for _, fd := range res.Findings {
				if fd.Rule == "static" {
					msgs = append(msgs, fd.Message)
				}
			}
			static := strings.Contains(string(res.File.Src), "CGO_ENABLED=0 go build")
			if tc.want == "" {
				if !static {
					t.Errorf("the go build was not made static:\n%s\nfindings: %q", res.File.Src, msgs)
				}
				return
			}
			if static {
				t.Errorf("the go build was made static although %s is unreadable:\n%s", "cgo.go", res.File.Src)
			}
			if got := strings.Join(msgs, "\n"); !strings.Contains(got, tc.want) {
				t.Errorf("static findings:\n%s\nwant one containing %q", got, tc.want)
			}
		})
	}
}
