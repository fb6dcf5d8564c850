package rewrite_test

import (
	"fmt"
	"log"
	"os"

	"github.com/dfslim/dfslim/rewrite"
)

// Parse keeps the exact bytes next to BuildKit's parse: every instruction
// knows its lines, the comment block above it and its byte span.
func ExampleParse() {
	src := []byte("# syntax=docker/dockerfile:1\nFROM golang:1.24 AS build\n# build it\nRUN go build \\\n    -o /app .\n")
	f, err := rewrite.Parse("Dockerfile", src)
	if err != nil {
		log.Fatal(err)
	}
	for _, in := range f.Instrs {
		fmt.Printf("%s: lines %d-%d, comments from line %d: %q\n", in.Cmd, in.StartLine, in.EndLine, in.CommentLine, f.Text(in.Span))
	}
	fmt.Println("stages:", len(f.Stages), "named", f.Stages[0].Name)
	// Output:
	// from: lines 2-2, comments from line 2: "FROM golang:1.24 AS build"
	// run: lines 4-5, comments from line 3: "RUN go build \\\n    -o /app ."
	// stages: 1 named build
}

// Edits replace byte ranges of the original text; Unified prints the result
// as a patch that git apply and patch -p1 accept. The bytes around the edits,
// line endings included, stay as they were.
func ExampleApply() {
	src := []byte("FROM golang:1.24\nRUN go build -o /app .\nCMD /app\n")
	f, err := rewrite.Parse("Dockerfile", src)
	if err != nil {
		log.Fatal(err)
	}
	from, cmd := f.Instrs[0], f.Instrs[2]
	edits := []rewrite.Edit{
		{Span: rewrite.Span{Start: from.Span.End, End: from.Span.End}, New: " AS build"},
		{Span: cmd.Span, New: `CMD ["/app"]`},
	}
	out, err := rewrite.Apply(f.Src, edits)
	if err != nil {
		log.Fatal(err)
	}
	os.Stdout.Write(rewrite.Unified("Dockerfile", f.Src, out, false))
	// Output:
	// diff --git a/Dockerfile b/Dockerfile
	// --- a/Dockerfile
	// +++ b/Dockerfile
	// @@ -1,3 +1,3 @@
	// -FROM golang:1.24
	// +FROM golang:1.24 AS build
	//  RUN go build -o /app .
	// -CMD /app
	// +CMD ["/app"]
}
