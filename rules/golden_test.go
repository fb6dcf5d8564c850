package rules_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the want sections of golden cases")

// TestGolden runs every case in ../testdata/rules/<rule>/*.txtar.
//
// A case is a txtar archive. Its comment holds "key: value" lines:
//
//	rules: a,b      rules to run (default: the directory's rule; "all" for every rule)
//	base: chainguard
//	debug: true
//	fallback: false               (keep to the first rung: no slim image)
//	unsafe: true
//	static: true
//	dockerfile: path/Dockerfile   (default: Dockerfile)
//	mirror: mirror.corp/proxy     (ImageOptions.RegistryMirror)
//	digest: REF sha256:…          (ImageOptions.Digests; one line per image)
//	uid: 10001 / gid: 10001       (ImageOptions.UID, GID)
//
// The files are the build context, except for:
//
//	want/<path>   the expected content of a file after fixing (absent: unchanged)
//	findings      the findings left after fixing, one "line:col: rule: message" each
//
// The harness also checks that fixing the output again changes nothing.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("../testdata/rules/*/*.txtar")
	if err != nil || (len(cases) == 0 && len(rules.All()) > 0) {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, path := range cases {
		name := strings.TrimSuffix(strings.TrimPrefix(path, "../testdata/rules/"), ".txtar")
		t.Run(name, func(t *testing.T) { runGolden(t, path) })
	}
}

// goldenCase is a parsed golden txtar archive.
type goldenCase struct {
	archive    *txtar.Archive
	opts       rules.Options
	dockerfile string
	context    fstest.MapFS
	want       map[string]string
	findings   *string
}

func loadGolden(t *testing.T, path string) *goldenCase {
	t.Helper()
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := &goldenCase{archive: ar, dockerfile: "Dockerfile", context: fstest.MapFS{}, want: map[string]string{}}
	ruleNames := []string{filepath.Base(filepath.Dir(path))}
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.TrimSpace(key) {
		case "rules":
			ruleNames = strings.Split(value, ",")
			if value == "all" {
				ruleNames = nil
			}
		case "base":
			c.opts.Config.Base = value
		case "debug":
			c.opts.Config.Debug = value == "true"
		case "fallback":
			c.opts.Config.NoFallback = value == "false"
		case "static":
			c.opts.Config.Static = value == "true"
		case "unsafe":
			c.opts.Unsafe = value == "true"
		case "dockerfile":
			c.dockerfile = value
		case "mirror":
			c.opts.Config.Images.RegistryMirror = value
		case "uid", "gid":
			n, err := strconv.Atoi(value)
			if err != nil {
				t.Fatalf("%s: %s: %v", path, key, err)
			}
			if key == "uid" {
				c.opts.Config.Images.UID = n
			} else {
				c.opts.Config.Images.GID = n
			}
		case "digest":
			ref, digest, _ := strings.Cut(value, " ")
			if c.opts.Config.Images.Digests == nil {
				c.opts.Config.Images.Digests = map[string]string{}
			}
			c.opts.Config.Images.Digests[ref] = strings.TrimSpace(digest)
		}
	}
	c.opts.Rules, err = rules.Select(ruleNames, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.opts.DockerfilePath = c.dockerfile
	for _, f := range ar.Files {
		switch {
		case f.Name == "findings":
			s := string(f.Data)
			c.findings = &s
		case strings.HasPrefix(f.Name, "want/"):
			c.want[strings.TrimPrefix(f.Name, "want/")] = string(f.Data)
		default:
			c.context[f.Name] = &fstest.MapFile{Data: f.Data, Mode: 0o644}
		}
	}
	if c.context[c.dockerfile] == nil {
		t.Fatalf("%s: no %s section", path, c.dockerfile)
	}
	return c
}

func runGolden(t *testing.T, path string) {
	c := loadGolden(t, path)
	src := c.context[c.dockerfile].Data
	f, err := rewrite.Parse(c.dockerfile, src)
	if err != nil {
		t.Fatal(err)
	}
	res, err := rules.Run(f, c.context, c.opts)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	if !bytes.Equal(res.File.Src, src) {
		got[c.dockerfile] = string(res.File.Src)
	}
	for p, ch := range res.Files {
		got[p] = string(ch.New)
	}
	gotFindings := formatFindings(res.Findings)
	if *update {
		writeGolden(t, path, c, got, gotFindings)
		return
	}
	if diff := cmp.Diff(c.want, got); diff != "" {
		t.Errorf("changed files (-want +got):\n%s", diff)
	}
	wantFindings := ""
	if c.findings != nil {
		wantFindings = *c.findings
	}
	if diff := cmp.Diff(wantFindings, gotFindings); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	assertFixedPoint(t, c, res)
}

// assertFixedPoint checks that fixing the output again changes nothing.
func assertFixedPoint(t *testing.T, c *goldenCase, res *rules.Result) {
	t.Helper()
	ctx := fstest.MapFS{}
	for k, v := range c.context {
		ctx[k] = v
	}
	for p, ch := range res.Files {
		ctx[p] = &fstest.MapFile{Data: ch.New, Mode: 0o644}
	}
	again, err := rules.Run(res.File, ctx, c.opts)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if again.Changed() {
		t.Errorf("not idempotent: second run applied %v\n%s", again.Applied, again.File.Src)
	}
}

func formatFindings(fs []rules.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%d:%d: %s: %s\n", f.Line, f.Col, f.Rule, f.Message)
	}
	return b.String()
}

func writeGolden(t *testing.T, path string, c *goldenCase, got map[string]string, findings string) {
	var files []txtar.File
	for _, f := range c.archive.Files {
		if f.Name != "findings" && !strings.HasPrefix(f.Name, "want/") {
			files = append(files, f)
		}
	}
	for _, p := range sortedKeys(got) {
		files = append(files, txtar.File{Name: "want/" + p, Data: []byte(got[p])})
	}
	if findings != "" {
		files = append(files, txtar.File{Name: "findings", Data: []byte(findings)})
	}
	c.archive.Files = files
	if err := os.WriteFile(path, txtar.Format(c.archive), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
