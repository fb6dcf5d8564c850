package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

var update = flag.Bool("update", false, "rewrite testdata/format golden files")

// Test rules with stable messages, so that these tests do not change when
// the registry's rules do.
var (
	// upperKeyword: a safe fix on each lower-case keyword.
	testUpperKeyword = &rules.Rule{Name: "upper-keyword", Summary: "Test: upper-case keywords", Safety: rules.Safe,
		Why: "Keywords in upper case stand out.", FixSafety: "Case does not change the meaning.",
		Run: func(p *rules.Pass) error {
			for _, in := range p.File.Instrs {
				kw := rewrite.Span{Start: in.Span.Start, End: in.Span.Start + len(in.Node.Value)}
				if w := p.File.Text(kw); w != strings.ToUpper(w) {
					p.Report(rules.Finding{Span: kw, Message: "keyword " + w + " is not upper case", Fix: &rules.Fix{
						Message: "Upper-case the keyword", Safety: rules.Safe,
						Edits: []rewrite.Edit{{Span: kw, New: strings.ToUpper(w)}},
					}})
				}
			}
			return nil
		}}
	// testIgnoreFile: an unsafe fix that edits the Dockerfile and creates a context file.
	testIgnoreFile = &rules.Rule{Name: "ignore-file", Summary: "Test: add an ignore file", Safety: rules.Unsafe,
		Why: "A small context builds fast.", FixSafety: "The new file may hide a file that the build needs.",
		Run: func(p *rules.Pass) error {
			in := p.File.Instrs[0]
			p.Report(rules.Finding{Span: in.Span, Message: "no .dockerignore, 100% of the context is sent", Fix: &rules.Fix{
				Message: "Create .dockerignore", Safety: rules.Unsafe,
				Edits: []rewrite.Edit{{Span: rewrite.Span{Start: in.Span.Start, End: in.Span.Start}, New: "# context: see .dockerignore\n"}},
				Files: map[string][]rewrite.Edit{".dockerignore": {{New: ".git\n"}}},
			}})
			return nil
		}}
	// testAdvice: no fix, at a span after non-ASCII text, with a message that
	// needs escaping in workflow commands.
	testAdvice = &rules.Rule{Name: "advice", Summary: "Test: advice", Safety: rules.DisplayOnly,
		Why: "Coffee.", FixSafety: "No fix.",
		Run: func(p *rules.Pass) error {
			if i := bytes.Index(p.File.Src, []byte("☕")); i >= 0 {
				p.Reportf(rewrite.Span{Start: i, End: i + len("☕")}, "coffee: 100%%, a, b:\nsecond line")
			}
			return nil
		}}
)

var testRules = []*rules.Rule{testUpperKeyword, testIgnoreFile, testAdvice}

// testOutcomes checks a small tree with the test rules and returns what
// check would hand its reporter: two Dockerfiles with findings, one with a
// parse error, and a missing path.
func testOutcomes(t *testing.T) []File {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"app/Dockerfile":    "from alpine\nLABEL description=\"café ☕\"\nrun echo hi\n",
		"clean/Dockerfile":  "FROM alpine\n",
		"broken/Dockerfile": "FROM alpine\nENV\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	opts := rules.Options{Rules: testRules}
	var outs []File
	for _, path := range []string{"app/Dockerfile", "broken/Dockerfile", "clean/Dockerfile"} {
		out := File{Path: path, ContextDir: filepath.Dir(path)}
		f, err := rewrite.Parse(path, []byte(files[path]))
		if err != nil {
			out.Err = err
			outs = append(outs, out)
			continue
		}
		out.Dockerfile = f
		if out.Findings, err = rules.Check(f, os.DirFS(out.ContextDir), opts); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out)
	}
	return append(outs, File{Err: errors.New("missing/Dockerfile: no such file or directory")})
}

func render(t *testing.T, format string, outs []File) []byte {
	t.Helper()
	var b bytes.Buffer
	r, err := New(format, &b, Options{Rules: testRules})
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range outs {
		r.Add(out)
	}
	if err := r.Finish(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFormats compares each format's output with testdata/format/report.*.
func TestFormats(t *testing.T) {
	wd, _ := os.Getwd()
	outs := testOutcomes(t)
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			got := render(t, format, outs)
			golden := filepath.Join(wd, "testdata", "format", "report."+format)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s output (-want +got):\n%s", format, diff)
			}
		})
	}
}

// TestSARIFSchema validates the SARIF output against the SARIF 2.1.0 JSON
// schema (testdata/sarif, see its README for where it comes from).
func TestSARIFSchema(t *testing.T) {
	wd, _ := os.Getwd()
	sch := compileSchema(t, filepath.Join(wd, "testdata", "sarif", "sarif-schema-2.1.0.json"))
	outs := testOutcomes(t)
	validate(t, sch, render(t, SARIF, outs))
	validate(t, sch, render(t, SARIF, nil))
	// The schema is strict enough to catch a broken document.
	bad := bytes.Replace(render(t, SARIF, outs), []byte(`"level": "note"`), []byte(`"level": "info"`), 1)
	if err := sch.Validate(unmarshal(t, bad)); err == nil {
		t.Error("a result with level \"info\" passed the SARIF schema")
	}
}

// TestJSONSchema validates the JSON output against the schema that
// docs/output.md documents.
func TestJSONSchema(t *testing.T) {
	wd, _ := os.Getwd()
	sch := compileSchema(t, filepath.Join(wd, "..", "docs", "check-output.schema.json"))
	outs := testOutcomes(t)
	validate(t, sch, render(t, JSON, outs))
	validate(t, sch, render(t, JSON, nil))
	bad := bytes.Replace(render(t, JSON, outs), []byte(`"available": true`), []byte(`"available": false`), 1)
	if err := sch.Validate(unmarshal(t, bad)); err == nil {
		t.Error("a fix with a patch but available=false passed the schema")
	}
}

func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func unmarshal(t *testing.T, doc []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func validate(t *testing.T, sch *jsonschema.Schema, doc []byte) {
	t.Helper()
	if err := sch.Validate(unmarshal(t, doc)); err != nil {
		t.Errorf("output does not match the schema: %v\n%s", err, doc)
	}
}

func TestWorkflowCommandEscapes(t *testing.T) {
	if got, want := escapeData("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d"; got != want {
		t.Errorf("escapeData = %q, want %q", got, want)
	}
	if got, want := escapeProperty("100% a\r\nb: c, d"), "100%25 a%0D%0Ab%3A c%2C d"; got != want {
		t.Errorf("escapeProperty = %q, want %q", got, want)
	}
}

func TestTextPosition(t *testing.T) {
	src := []byte("\uFEFFab\ncafé ☕x\n")
	tests := []struct{ off, line, col int }{
		{0, 1, 1}, {3, 1, 1}, {4, 1, 2}, {5, 1, 3}, {6, 2, 1},
		{strings.Index(string(src), "☕"), 2, 6},
		{strings.Index(string(src), "x"), 2, 7},
		{len(src), 3, 1},
	}
	for _, tt := range tests {
		if line, col := textPosition(src, tt.off); line != tt.line || col != tt.col {
			t.Errorf("textPosition(%d) = %d:%d, want %d:%d", tt.off, line, col, tt.line, tt.col)
		}
	}
}

func TestWritePatchColor(t *testing.T) {
	patch := "diff --git a/D b/D\n--- a/D\n+++ b/D\n@@ -1,2 +1,2 @@\n FROM x\n--- old\r\n+new\r\n\\ No newline at end of file\n"
	var b bytes.Buffer
	if err := WritePatch(&b, []byte(patch), true); err != nil {
		t.Fatal(err)
	}
	want := "\x1b[1mdiff --git a/D b/D\x1b[0m\n\x1b[1m--- a/D\x1b[0m\n\x1b[1m+++ b/D\x1b[0m\n" +
		"\x1b[36m@@ -1,2 +1,2 @@\x1b[0m\n FROM x\n\x1b[31m--- old\x1b[0m\r\n\x1b[32m+new\x1b[0m\r\n\\ No newline at end of file\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("coloured patch (-want +got):\n%s", diff)
	}
	b.Reset()
	WritePatch(&b, []byte(patch), false)
	if b.String() != patch {
		t.Errorf("uncoloured patch changed:\n%q", b.String())
	}
}

// TestGitLabReport: every issue has the fields GitLab's Code Quality widget
// needs, fingerprints are unique, and they stay the same when lines move.
func TestGitLabReport(t *testing.T) {
	issues := func(src string) []gitlabIssue {
		t.Helper()
		f, err := rewrite.Parse("Dockerfile", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		findings, err := rules.Check(f, nil, rules.Options{Rules: testRules})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		r, err := New(GitLab, &b, Options{Rules: testRules})
		if err != nil {
			t.Fatal(err)
		}
		r.Add(File{Path: "Dockerfile", Dockerfile: f, Findings: findings})
		if err := r.Finish(); err != nil {
			t.Fatal(err)
		}
		var out []gitlabIssue
		if err := json.Unmarshal(b.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := issues("from alpine\nrun echo hi\nrun echo hi\n")
	after := issues("# moved\n\nfrom alpine\nrun echo hi\nrun echo hi\n")
	if len(before) != 4 || len(after) != 4 {
		t.Fatalf("want 4 issues each, have %d and %d", len(before), len(after))
	}
	seen := map[string]bool{}
	for i, is := range before {
		if is.Description == "" || is.CheckName == "" || is.Fingerprint == "" || is.Location.Path != "Dockerfile" || is.Location.Lines.Begin < 1 {
			t.Errorf("issue %d lacks a required field: %+v", i, is)
		}
		if !slices.Contains([]string{"info", "minor", "major", "critical", "blocker"}, is.Severity) {
			t.Errorf("issue %d: severity %q", i, is.Severity)
		}
		if seen[is.Fingerprint] {
			t.Errorf("issue %d: fingerprint %s repeats", i, is.Fingerprint)
		}
		seen[is.Fingerprint] = true
		if after[i].Fingerprint != is.Fingerprint || after[i].Location.Lines.Begin != is.Location.Lines.Begin+2 {
			t.Errorf("issue %d moved two lines down: %+v, then %+v", i, is, after[i])
		}
	}
}
