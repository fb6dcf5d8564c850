package rules_test

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dfslim/dfslim/internal/corpustest"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// corpus returns the corpus files in name order, or skips.
func corpus(tb testing.TB) (names []string, srcs [][]byte) { return corpustest.Files(tb) }

// mostCommon returns the n most frequent keys of counts as "N× key", most
// frequent first, ties in key order.
func mostCommon(counts map[string]int, n int) []string {
	keys := slices.Collect(maps.Keys(counts))
	slices.SortFunc(keys, func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	var out []string
	for _, k := range keys[:min(n, len(keys))] {
		out = append(out, fmt.Sprintf("%3d× %s", counts[k], k))
	}
	return out
}

// TestCorpusFixAllRules runs every rule over every corpus file and checks the
// driver's guarantees: the output parses, and fixing it again changes nothing.
func TestCorpusFixAllRules(t *testing.T) {
	names, srcs := corpus(t)
	parsed, changed, notIdempotent := 0, 0, 0
	applied := map[string]int{}
	for i, src := range srcs {
		f, err := rewrite.Parse(names[i], src)
		if err != nil {
			continue
		}
		parsed++
		res, err := rules.Run(f, nil, rules.Options{})
		if err != nil {
			t.Errorf("%s: %v", names[i], err)
			continue
		}
		if !bytes.Equal(res.File.Src, src) {
			changed++
			if _, err := rewrite.Parse(names[i], res.File.Src); err != nil {
				t.Errorf("%s: output does not parse: %v", names[i], err)
			}
		}
		for r, n := range res.Applied {
			applied[r] += n
		}
		again, err := rules.Run(res.File, nil, rules.Options{})
		if err != nil || again.Changed() {
			notIdempotent++
			t.Errorf("%s: not idempotent (err %v): second run applied %v", names[i], err, again.Applied)
		}
	}
	t.Logf("corpus: %d files parsed, %d changed, %d not idempotent; fixes applied per rule: %v", parsed, changed, notIdempotent, applied)
}

// BenchmarkParseOnly is the floor: BuildKit's parser alone over the corpus.
func BenchmarkParseOnly(b *testing.B) {
	_, srcs := corpus(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, src := range srcs {
			parser.Parse(bytes.NewReader(src))
		}
	}
}

// BenchmarkFixCorpus is dfslim's whole job per file: parse, run every rule
// to a fixed point, and print the patch.
func BenchmarkFixCorpus(b *testing.B) {
	names, srcs := corpus(b)
	b.ReportAllocs()
	for b.Loop() {
		fixAll(b, names, srcs)
	}
}

// BenchmarkFixOverParse reports fixing the corpus as a multiple of parsing
// it with BuildKit's parser alone (x-parse). Each file is parsed and then
// fixed in turn, and each counts its fastest of all passes, so that a shared
// machine's swings in speed, which separate runs of BenchmarkParseOnly and
// BenchmarkFixCorpus see apart, cancel out.
func BenchmarkFixOverParse(b *testing.B) {
	names, srcs := corpus(b)
	parse, fix := make([]time.Duration, len(srcs)), make([]time.Duration, len(srcs))
	for b.Loop() {
		for i, src := range srcs {
			t0 := time.Now()
			parser.Parse(bytes.NewReader(src))
			t1 := time.Now()
			fixAll(b, names[i:i+1], srcs[i:i+1])
			t2 := time.Now()
			if d := t1.Sub(t0); parse[i] == 0 || d < parse[i] {
				parse[i] = d
			}
			if d := t2.Sub(t1); fix[i] == 0 || d < fix[i] {
				fix[i] = d
			}
		}
	}
	var p, f time.Duration
	for i := range srcs {
		p, f = p+parse[i], f+fix[i]
	}
	b.ReportMetric(float64(f)/float64(p), "x-parse")
}

// fixAll parses, fixes and diffs every corpus file, as `dfslim fix` does.
func fixAll(b *testing.B, names []string, srcs [][]byte) {
	for i, src := range srcs {
		f, err := rewrite.Parse(names[i], src)
		if err != nil {
			continue
		}
		res, err := rules.Run(f, nil, rules.Options{})
		if err != nil {
			b.Fatal(err)
		}
		rewrite.Unified(names[i], src, res.File.Src, false)
	}
}
