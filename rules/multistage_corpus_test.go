package rules_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/internal/corpustest"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
)

// splitCandidate is a corpus file the manifest marks split-candidate.
type splitCandidate struct {
	name, language string
	// context is the recreated build context (nil when there is none) and
	// dockerfile the Dockerfile's path inside it.
	context    fstest.MapFS
	dockerfile string
}

// contextsDir holds the recreated build contexts of the split candidates.
const contextsDir = "../testdata/corpus-contexts"

// splitCandidates reads the manifest next to the corpus, or skips.
func splitCandidates(t *testing.T) (dir string, cands []splitCandidate) {
	t.Helper()
	dir = corpustest.Dir(t)
	manifest, err := os.Open(filepath.Join(dir, "..", "manifest.tsv"))
	if err != nil {
		t.Skipf("no manifest next to the corpus: %v", err)
	}
	defer manifest.Close()
	sc := bufio.NewScanner(manifest)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) >= 8 && strings.Contains(cols[7], "split-candidate") {
			cands = append(cands, splitCandidate{name: cols[0], language: cols[6]})
		}
	}
	if len(cands) == 0 {
		t.Fatal("no split-candidate in the manifest")
	}
	return dir, cands
}

// loadContexts attaches the recreated build contexts to the candidates that
// have one. contexts.tsv names, for each, the Dockerfile's path in its
// context; the Dockerfile itself is added there from the corpus.
func loadContexts(t *testing.T, dir string, cands []splitCandidate) {
	t.Helper()
	index, err := os.ReadFile(filepath.Join(contextsDir, "contexts.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{}
	for _, line := range strings.Split(string(index), "\n") {
		cols := strings.Split(line, "\t")
		if len(cols) >= 2 && !strings.HasPrefix(line, "#") {
			paths[cols[0]] = cols[1]
		}
	}
	for i := range cands {
		c := &cands[i]
		root := filepath.Join(contextsDir, c.name)
		if _, err := os.Stat(root); err != nil {
			if paths[c.name] != "" {
				t.Errorf("%s: in contexts.tsv but has no folder", c.name)
			}
			continue
		}
		if paths[c.name] == "" {
			t.Errorf("%s: has a context folder but no line in contexts.tsv", c.name)
			continue
		}
		c.context = fstest.MapFS{}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			c.context[filepath.ToSlash(rel)] = &fstest.MapFile{Data: data, Mode: 0o644}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		src, err := os.ReadFile(filepath.Join(dir, c.name))
		if err != nil {
			t.Fatal(err)
		}
		c.dockerfile = paths[c.name]
		c.context[c.dockerfile] = &fstest.MapFile{Data: src, Mode: 0o644}
	}
}

// TestCorpusMultiStage runs multi-stage alone, with both flavours, over the
// corpus files that the manifest marks split-candidate, without build
// contexts. Every output must parse, have two stages and be a fixed point;
// the test logs, per language, how many were rewritten and reported, and the
// most common reasons. Set DFSLIM_SPLIT_OUT to a directory to get each
// rewritten file there for review.
func TestCorpusMultiStage(t *testing.T) {
	dir, cands := splitCandidates(t)
	measureSplits(t, dir, cands, os.Getenv("DFSLIM_SPLIT_OUT"))
}

// TestCorpusMultiStageWithContexts is TestCorpusMultiStage with the build
// contexts recreated in testdata/corpus-contexts (see its README.md), then
// runs every rule with them: outputs must parse and be fixed points.
func TestCorpusMultiStageWithContexts(t *testing.T) {
	dir, cands := splitCandidates(t)
	loadContexts(t, dir, cands)
	with := 0
	for _, c := range cands {
		if c.context != nil {
			with++
		}
	}
	t.Logf("%d of %d split candidates have a recreated build context", with, len(cands))
	out := os.Getenv("DFSLIM_SPLIT_OUT")
	if out != "" {
		out = filepath.Join(out, "with-contexts")
	}
	measureSplits(t, dir, cands, out)
	for _, flavor := range []string{string(catalog.Distroless), string(catalog.Chainguard)} {
		changed := 0
		applied := map[string]int{}
		for _, c := range cands {
			src, err := os.ReadFile(filepath.Join(dir, c.name))
			if err != nil {
				t.Fatal(err)
			}
			f, err := rewrite.Parse(c.name, src)
			if err != nil {
				continue
			}
			opts := rules.Options{Config: rules.Config{Base: flavor}, DockerfilePath: c.dockerfile}
			res, err := rules.Run(f, contextFS(c.context), opts)
			if err != nil {
				t.Errorf("%s: all rules: %v", c.name, err)
				continue
			}
			for _, fd := range res.Findings {
				if strings.Contains(fd.Message, "fix not applied") {
					t.Errorf("%s: all rules: %s:%d: %s", flavor, c.name, fd.Line, fd.Message)
				}
			}
			if !res.Changed() {
				continue
			}
			changed++
			for r, n := range res.Applied {
				applied[r] += n
			}
			if _, err := rewrite.Parse(c.name, res.File.Src); err != nil {
				t.Errorf("%s: all rules: output does not parse: %v", c.name, err)
			}
			// The second run sees the context files the first one wrote.
			ctx := c.context
			if len(res.Files) > 0 {
				ctx = cloneFS(c.context)
				for p, fc := range res.Files {
					ctx[p] = &fstest.MapFile{Data: fc.New, Mode: 0o644}
				}
			}
			again, err := rules.Run(res.File, contextFS(ctx), opts)
			if err != nil || again.Changed() {
				t.Errorf("%s: %s: all rules not idempotent (err %v): second run applied %v", flavor, c.name, err, again.Applied)
			}
			if out != "" {
				_ = os.MkdirAll(filepath.Join(out, "all-"+flavor), 0o755)
				_ = os.WriteFile(filepath.Join(out, "all-"+flavor, c.name), res.File.Src, 0o644)
				for p, fc := range res.Files {
					dst := filepath.Join(out, "all-"+flavor, c.name+".files", filepath.FromSlash(p))
					_ = os.MkdirAll(filepath.Dir(dst), 0o755)
					_ = os.WriteFile(dst, fc.New, 0o644)
				}
			}
		}
		var names []string
		for r := range applied {
			names = append(names, r)
		}
		slices.Sort(names)
		var b strings.Builder
		for _, r := range names {
			fmt.Fprintf(&b, " %s=%d", r, applied[r])
		}
		t.Logf("all rules with contexts, --base %s: %d of %d changed; fixes applied:%s", flavor, changed, len(cands), b.String())
	}
}

// contextFS returns m as an fs.FS, or nil for no context.
func contextFS(m fstest.MapFS) fs.FS {
	if m == nil {
		return nil
	}
	return m
}

func cloneFS(m fstest.MapFS) fstest.MapFS {
	out := fstest.MapFS{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// measureSplits runs multi-stage alone over the candidates, each with its
// context if it has one, and logs the tallies. With out set, rewritten files
// are written there for review.
func measureSplits(t *testing.T, dir string, cands []splitCandidate, out string) {
	t.Helper()
	// Reasons are grouped by their wording with paths, images and names blanked.
	blank := regexp.MustCompile("`[^`]*`|[\\w.-]*/[\\w./:@${}-]*|\\b[\\w.-]+:[\\w.-]+\\b|\\d+(\\.\\d+)*")
	for _, flavor := range []string{string(catalog.Distroless), string(catalog.Chainguard)} {
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
			opts := rules.Options{Rules: []*rules.Rule{rules.MultiStage}, Config: rules.Config{Base: flavor}, DockerfilePath: c.dockerfile}
			ctx := contextFS(c.context)
			res, err := rules.Run(f, ctx, opts)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			switch {
			case res.Changed():
				tl.rewritten++
				// Two stages, and a third, bare one between them when the
				// runtime's node comes from another image (nodebinary.go).
				st := res.File.Stages
				if len(st) != 2 && !(len(st) == 3 && len(st[1].Commands) == 0 && strings.HasSuffix(st[1].Name, "-node")) {
					t.Errorf("%s: %d stages after the split", c.name, len(res.File.Stages))
				}
				again, err := rules.Run(res.File, ctx, opts)
				if err != nil || again.Changed() {
					t.Errorf("%s: not a fixed point (%v)", c.name, err)
				}
				if _, err := rewrite.Parse(c.name, res.File.Src); err != nil {
					t.Errorf("%s: output does not parse: %v", c.name, err)
				}
				if bytes.Equal(res.File.Src, src) {
					t.Errorf("%s: changed but the same bytes", c.name)
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
		for _, line := range mostCommon(reasons, 10) {
			fmt.Fprintf(&b, "  %s\n", line)
		}
		t.Logf("multi-stage on %d split candidates, --base %s:\n%s", len(cands), flavor, b.String())
	}
}
