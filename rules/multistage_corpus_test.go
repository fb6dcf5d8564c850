package rules_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
)

// TestCorpusMultiStage runs multi-stage alone, with both flavours, over the
// corpus files that the manifest marks split-candidate. Every output must
// parse, have two stages and be a fixed point; the test logs, per language,
// how many were rewritten and reported, and the most common reasons. Set
// DFSLIM_SPLIT_OUT to a directory to get each rewritten file there for review.
func TestCorpusMultiStage(t *testing.T) {
	dir := os.Getenv("DFSLIM_CORPUS")
	if dir == "" {
		t.Skip("DFSLIM_CORPUS is not set; set it to ../shared/corpus/files to test the corpus")
	}
	manifest, err := os.Open(filepath.Join(dir, "..", "manifest.tsv"))
	if err != nil {
		t.Skipf("no manifest next to the corpus: %v", err)
	}
	defer manifest.Close()
	type candidate struct{ name, language string }
	var cands []candidate
	sc := bufio.NewScanner(manifest)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) >= 8 && strings.Contains(cols[7], "split-candidate") {
			cands = append(cands, candidate{cols[0], cols[6]})
		}
	}
	if len(cands) == 0 {
		t.Fatal("no split-candidate in the manifest")
	}
	out := os.Getenv("DFSLIM_SPLIT_OUT")
	// Reasons are grouped by their wording with paths, images and names blanked.
	blank := regexp.MustCompile("`[^`]*`|[\\w.-]*/[\\w./:@${}-]*|\\b[\\w.-]+:[\\w.-]+\\b|\\d+(\\.\\d+)*")
	for _, flavor := range []string{rules.Distroless, rules.Chainguard} {
		type tally struct{ rewritten, reported, silent int }
		perLang := map[string]*tally{}
		reasons := map[string]int{}
		for _, c := range cands {
			src, err := os.ReadFile(filepath.Join(dir, c.name))
			if err != nil {
				t.Fatal(err)
			}
			tl := perLang[c.language]
			if tl == nil {
				tl = &tally{}
				perLang[c.language] = tl
			}
			f, err := rewrite.Parse(c.name, src)
			if err != nil {
				t.Logf("%s: does not parse: %v", c.name, err)
				continue
			}
			opts := rules.Options{Rules: []*rules.Rule{rules.MultiStage}, Config: rules.Config{Base: flavor}}
			res, err := rules.Run(f, nil, opts)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			switch {
			case res.Changed():
				tl.rewritten++
				if len(res.File.Stages) != 2 {
					t.Errorf("%s: %d stages after the split", c.name, len(res.File.Stages))
				}
				again, err := rules.Run(res.File, nil, opts)
				if err != nil || again.Changed() {
					t.Errorf("%s: not a fixed point (%v)", c.name, err)
				}
				if _, err := rewrite.Parse(c.name, res.File.Src); err != nil {
					t.Errorf("%s: output does not parse: %v", c.name, err)
				}
				if out != "" {
					_ = os.MkdirAll(filepath.Join(out, flavor), 0o755)
					_ = os.WriteFile(filepath.Join(out, flavor, c.name), res.File.Src, 0o644)
				}
			case len(res.Findings) > 0:
				tl.reported++
				seen := map[string]bool{}
				for _, fd := range res.Findings {
					r := strings.TrimPrefix(fd.Message, "cannot split into build and runtime stages: ")
					r = blank.ReplaceAllString(r, "…")
					if !seen[r] {
						seen[r] = true
						reasons[r]++
					}
					if out != "" {
						t.Logf("%s %s:%d: %s", flavor, c.name, fd.Line, fd.Message)
					}
				}
			default:
				tl.silent++
				if out != "" {
					t.Logf("%s %s: silent", flavor, c.name)
				}
			}
		}
		var langs []string
		for l := range perLang {
			langs = append(langs, l)
		}
		slices.Sort(langs)
		var b strings.Builder
		total := tally{}
		for _, l := range langs {
			tl := perLang[l]
			fmt.Fprintf(&b, "  %-7s rewritten %2d  reported %2d  silent %2d\n", l, tl.rewritten, tl.reported, tl.silent)
			total.rewritten += tl.rewritten
			total.reported += tl.reported
			total.silent += tl.silent
		}
		fmt.Fprintf(&b, "  %-7s rewritten %2d  reported %2d  silent %2d\n", "all", total.rewritten, total.reported, total.silent)
		type kv struct {
			reason string
			n      int
		}
		var top []kv
		for r, n := range reasons {
			top = append(top, kv{r, n})
		}
		slices.SortFunc(top, func(a, b kv) int {
			if a.n != b.n {
				return b.n - a.n
			}
			return strings.Compare(a.reason, b.reason)
		})
		for i, r := range top {
			if i == 10 {
				break
			}
			fmt.Fprintf(&b, "  %3d× %s\n", r.n, r.reason)
		}
		t.Logf("multi-stage on %d split candidates, --base %s:\n%s", len(cands), flavor, b.String())
	}
}
