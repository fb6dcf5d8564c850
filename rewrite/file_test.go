package rewrite

import (
	"errors"
	"strings"
	"testing"
)

func TestParseKeepsLayout(t *testing.T) {
	src := "\ufeff# syntax=docker/dockerfile:1\r\n# escape=`\r\n\r\n# the base\r\n  FROM alpine AS b\r\nRUN echo a `\r\n  # inner\r\n    b\r\nCMD x"
	f, err := Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if !f.BOM || f.Newline != "\r\n" || f.FinalNewline || f.Escape != '`' || f.Directives != 2 {
		t.Errorf("BOM=%v Newline=%q FinalNewline=%v Escape=%q Directives=%d", f.BOM, f.Newline, f.FinalNewline, f.Escape, f.Directives)
	}
	if len(f.Instrs) != 3 {
		t.Fatalf("got %d instructions", len(f.Instrs))
	}
	from, run, cmd := f.Instrs[0], f.Instrs[1], f.Instrs[2]
	if got := f.Text(from.Span); got != "FROM alpine AS b" {
		t.Errorf("FROM span = %q", got)
	}
	if from.CommentLine != 4 || f.Indent(from) != "  " {
		t.Errorf("FROM comment line = %d, indent %q", from.CommentLine, f.Indent(from))
	}
	if got := f.Text(run.Span); got != "RUN echo a `\r\n  # inner\r\n    b" {
		t.Errorf("RUN span = %q", got)
	}
	if got := f.Text(cmd.Span); got != "CMD x" {
		t.Errorf("CMD span = %q", got)
	}
	if got := f.Text(f.Block(from)); got != "# the base\r\n  FROM alpine AS b\r\n" {
		t.Errorf("FROM block = %q", got)
	}
	j := f.Join(run)
	if j.Text != "RUN echo a \\\n    b" || !j.Skipped || j.Text[j.Args:] != "echo a \\\n    b" {
		t.Errorf("Join = %+v", j)
	}
	// "b" in the joined text maps back to the "b" on line 8.
	if off := j.Source(strings.LastIndex(j.Text, "b")); f.Src[off] != 'b' || f.lineOf(off) != 8 {
		t.Errorf("Source maps b to offset %d (line %d)", off, f.lineOf(off))
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"FROM a\nRUN b\nENV\n", "Dockerfile:3: "},
		{"FROM a\nRUN \x00\n", "Dockerfile:2: binary file (NUL byte)"},
		{"FROM a\nRUN \xff\n", "Dockerfile:2: invalid UTF-8"},
		{"# only a comment\n", "Dockerfile:"},
		{"# escape=x\nFROM a\n", "Dockerfile:1: "},
		{"FROM a\nRUN <<EOF\nx\n", "Dockerfile:2: "},
		{"FROM a\n" + strings.Repeat("#", MaxSize), "Dockerfile: file is larger than 10 MiB"},
		// The over-long line is named, not the line before it.
		{"FROM a\nRUN a\n# c\nRUN " + strings.Repeat("x", 70000) + "\nCMD x\n", "Dockerfile:4: dockerfile line greater than"},
		{"FROM a\r\nRUN " + strings.Repeat("x", 70000), "Dockerfile:2: dockerfile line greater than"},
		{"RUN " + strings.Repeat("x", 70000) + "\nFROM a\n", "Dockerfile:1: dockerfile line greater than"},
	}
	for _, tt := range tests {
		_, err := Parse("Dockerfile", []byte(tt.src))
		var pe *Error
		if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%.20q) error = %v, want prefix %q on one line", tt.src, err, tt.want)
		}
	}
}

func TestPosition(t *testing.T) {
	f, err := Parse("Dockerfile", []byte("FROM a\nRUN b\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ off, line, col int }{{0, 1, 1}, {6, 1, 7}, {7, 2, 1}, {11, 2, 5}} {
		if l, c := f.Position(tt.off); l != tt.line || c != tt.col {
			t.Errorf("Position(%d) = %d:%d, want %d:%d", tt.off, l, c, tt.line, tt.col)
		}
	}
}

// TestParseCheckComments: BuildKit reads "# check=" comments above an
// instruction as per-instruction check options; Parse must not panic on them,
// valid or not.
func TestParseCheckComments(t *testing.T) {
	for _, src := range []string{
		"FROM alpine\n# check=skip=JSONArgsRecommended\nCMD echo hi\n",
		"FROM alpine\n# check=skip=all;error=true\nCMD echo hi\n",
		"FROM alpine\n# check=nonsense\nCMD echo hi\n",
	} {
		f, err := Parse("Dockerfile", []byte(src))
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if len(f.Instrs) != 2 {
			t.Errorf("%q: %d instructions", src, len(f.Instrs))
		}
	}
}
