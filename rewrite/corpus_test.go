package rewrite

import (
	"testing"

	"github.com/dfslim/dfslim/internal/corpustest"
)

// corpusFiles returns the corpus files by name, or skips.
func corpusFiles(tb testing.TB) map[string][]byte {
	names, srcs := corpustest.Files(tb)
	files := make(map[string][]byte, len(names))
	for i, n := range names {
		files[n] = srcs[i]
	}
	return files
}

// TestCorpusRoundTrip parses every corpus file and checks that applying no
// edits gives the input back, and that the instruction spans are ordered,
// inside the file, and start at the keyword.
func TestCorpusRoundTrip(t *testing.T) {
	parsed := 0
	for name, src := range corpusFiles(t) {
		f, err := Parse(name, src)
		if err != nil {
			t.Logf("%v", err) // BuildKit rejects a few; they must be errors, not panics
			continue
		}
		parsed++
		out, err := Apply(f.Src, nil)
		if err != nil || string(out) != string(src) {
			t.Errorf("%s: round trip changed the file", name)
		}
		checkSpans(t, f)
	}
	t.Logf("%d corpus files round-tripped byte-identical", parsed)
}

func checkSpans(t *testing.T, f *File) {
	t.Helper()
	last := 0
	for _, in := range f.Instrs {
		if in.Span.Start < last || in.Span.End < in.Span.Start || in.Span.End > len(f.Src) {
			t.Errorf("%s:%d: bad span %v", f.Name, in.StartLine, in.Span)
			return
		}
		last = in.Span.End
		kw := f.Text(Span{Start: in.Span.Start, End: min(in.Span.Start+len(in.Node.Value), len(f.Src))})
		if !equalFold(kw, in.Node.Value) {
			t.Errorf("%s:%d: span starts with %q, want keyword %q", f.Name, in.StartLine, kw, in.Node.Value)
		}
	}
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}
