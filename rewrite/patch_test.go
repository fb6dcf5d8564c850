package rewrite

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		created  bool
		want     string
	}{
		{"equal", "a\n", "a\n", false, ""},
		{"change", "a\nb\nc\n", "a\nB\nc\n", false, "diff --git a/D b/D\n--- a/D\n+++ b/D\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"no final newline", "a\nb", "a\nc", false, "diff --git a/D b/D\n--- a/D\n+++ b/D\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"},
		{"new file", "", "x\ny\n", true, "diff --git a/D b/D\nnew file mode 100644\n--- /dev/null\n+++ b/D\n@@ -0,0 +1,2 @@\n+x\n+y\n"},
		{"crlf", "a\r\nb\r\n", "a\r\nc\r\n", false, "diff --git a/D b/D\n--- a/D\n+++ b/D\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n"},
		{"two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "x\n2\n3\n4\n5\n6\n7\n8\n9\ny\n", false,
			"diff --git a/D b/D\n--- a/D\n+++ b/D\n@@ -1,4 +1,4 @@\n-1\n+x\n 2\n 3\n 4\n@@ -7,4 +7,4 @@\n 7\n 8\n 9\n-10\n+y\n"},
		{"insert at end", "a\n", "a\nb\n", false, "diff --git a/D b/D\n--- a/D\n+++ b/D\n@@ -1 +1,2 @@\n a\n+b\n"},
		{"delete all", "a\n", "", false, "diff --git a/D b/D\n--- a/D\n+++ b/D\n@@ -1 +0,0 @@\n-a\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Unified("D", []byte(tt.old), []byte(tt.new), tt.created))
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// PatchCase is one file for CheckPatches: its old and new content.
type patchCase struct {
	name     string
	old, new []byte
	created  bool
}

// checkPatches writes the old files under a temporary tree, applies the
// concatenated unified diffs with git apply and with patch -p1, and checks
// that both produce the new files. It skips a tool that is not installed
// unless $CI is set.
func checkPatches(t *testing.T, cases []patchCase) {
	t.Helper()
	var all bytes.Buffer
	for _, c := range cases {
		all.Write(Unified(c.name, c.old, c.new, c.created))
	}
	for _, tool := range [][]string{{"git", "apply", "--whitespace=nowarn"}, {"patch", "-p1", "-s", "--no-backup-if-mismatch"}} {
		if _, err := exec.LookPath(tool[0]); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed", tool[0])
			}
			t.Logf("skipping %s: not installed", tool[0])
			continue
		}
		dir := t.TempDir()
		for _, c := range cases {
			if c.created {
				continue
			}
			p := filepath.Join(dir, c.name)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, c.old, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(tool[0], tool[1:]...)
		cmd.Dir = dir
		cmd.Stdin = bytes.NewReader(all.Bytes())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(tool, " "), err, out)
		}
		failed := 0
		for _, c := range cases {
			got, err := os.ReadFile(filepath.Join(dir, c.name))
			if err != nil || !bytes.Equal(got, c.new) {
				failed++
				t.Errorf("%s: %s gave a different file (err %v)", tool[0], c.name, err)
			}
		}
		t.Logf("%s applied %d file patches, %d failures", tool[0], len(cases), failed)
	}
}

func TestPatchesApply(t *testing.T) {
	checkPatches(t, []patchCase{
		{"Dockerfile", []byte("FROM a\nRUN b\n"), []byte("FROM a AS build\nRUN b\n\nFROM c\n"), false},
		{"crlf/Dockerfile", []byte("FROM a\r\nRUN b\r\n"), []byte("FROM a\r\nRUN c\r\n"), false},
		{"eof/Dockerfile", []byte("FROM a\nRUN b"), []byte("FROM a\nRUN c"), false},
		{"eof2/Dockerfile", []byte("FROM a\nRUN b"), []byte("FROM a\nRUN b\nCMD x\n"), false},
		{"new/.dockerignore", nil, []byte(".git\n"), true},
	})
}

// TestPatchesOddNames checks the headers of paths that git quotes or marks:
// a space gets a TAB after the name on the ---/+++ lines, and a newline, tab,
// quote, backslash or other control character gets C-style "…" quoting, so
// that git apply and patch -p1 find the file.
func TestPatchesOddNames(t *testing.T) {
	old, new := []byte("FROM a\nRUN b\n"), []byte("FROM a\nRUN c\n")
	checkPatches(t, []patchCase{
		{"with space/Dockerfile", old, new, false},
		{"tab\there/Dockerfile", old, new, false},
		{"new\nline/Dockerfile", old, new, false},
		{`quo"te/Dockerfile`, old, new, false},
		{`back\slash/Dockerfile`, old, new, false},
		{"bell\a/Dockerfile", old, new, false},
		{"caf\u00e9/Dockerfile", old, new, false},
		{"new dir/.dockerignore", nil, []byte(".git\n"), true},
		{"new\tdir/.dockerignore", nil, []byte(".git\n"), true},
	})
	for _, c := range []struct{ name, want string }{
		{"a b", "--- a/a b\t\n+++ b/a b\t\n"},
		{"a\tb", "--- \"a/a\\tb\"\n+++ \"b/a\\tb\"\n"},
		{"a\nb\"c\\d\x01", "--- \"a/a\\nb\\\"c\\\\d\\001\"\n"},
	} {
		got := string(Unified(c.name, old, new, false))
		if !strings.Contains(got, c.want) {
			t.Errorf("Unified(%q):\n%s\nwant it to contain %q", c.name, got, c.want)
		}
	}
}

// TestCorpusPatches makes deterministic edits to every corpus file — change
// a keyword's case, insert a line, delete a line, touch the last line — and
// checks that git apply and patch -p1 reproduce the edited files.
func TestCorpusPatches(t *testing.T) {
	var cases []patchCase
	for name, src := range corpusFiles(t) {
		f, err := Parse(name, src)
		if err != nil {
			continue
		}
		var edits []Edit
		for i, in := range f.Instrs {
			switch i % 4 {
			case 0:
				edits = append(edits, Edit{Span{in.Span.Start, in.Span.Start + len(in.Node.Value)}, strings.ToUpper(in.Node.Value)})
			case 1:
				edits = append(edits, Edit{Span{f.LineStart(in.StartLine), f.LineStart(in.StartLine)}, "# dfslim" + f.Newline})
			case 2:
				if i == len(f.Instrs)-1 {
					edits = append(edits, Edit{Span{in.Span.End, in.Span.End}, " # end"})
				} else {
					edits = append(edits, Edit{f.Block(in), ""})
				}
			}
		}
		out, err := Apply(src, edits)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cases = append(cases, patchCase{name: name, old: src, new: out})
	}
	checkPatches(t, cases)
}
