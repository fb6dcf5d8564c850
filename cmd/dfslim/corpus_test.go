package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dfslim/dfslim/internal/corpustest"
)

// TestCorpusPatchApplies runs "dfslim fix" over a copy of the corpus, applies
// the printed patch with git apply and with patch -p1 to two more copies, and
// checks that both give exactly what "dfslim fix -w" writes.
func TestCorpusPatchApplies(t *testing.T) {
	corpus := corpustest.Dir(t)
	entries, err := os.ReadDir(corpus)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	root := t.TempDir()
	copies := map[string]string{}
	for _, c := range []string{"written", "git", "patch"} {
		copies[c] = filepath.Join(root, c)
		copyDir(t, corpus, copies[c], names)
	}

	t.Chdir(copies["written"])
	if code := run(append([]string{"fix", "-w"}, names...), nil, io.Discard, io.Discard); code != 0 && code != 2 {
		t.Fatalf("fix -w exited %d", code)
	}
	t.Chdir(copies["git"])
	var patch, stderr bytes.Buffer
	code := run(append([]string{"fix"}, names...), nil, &patch, &stderr)
	if code == 0 {
		t.Fatal("fix printed no patch for the whole corpus")
	}
	if strings.Contains(stderr.String(), "panic") {
		t.Fatalf("stderr: %s", stderr.String())
	}
	t.Logf("patch: %d bytes, %d files", patch.Len(), strings.Count(patch.String(), "\n+++ b/"))

	for _, tool := range []struct{ copy, name string }{{"git", "git"}, {"patch", "patch"}} {
		if _, err := exec.LookPath(tool.name); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed", tool.name)
			}
			t.Logf("skipping %s: not installed", tool.name)
			continue
		}
		args := []string{"apply", "--whitespace=nowarn"}
		if tool.name == "patch" {
			args = []string{"-p1", "-s", "--no-backup-if-mismatch"}
		}
		cmd := exec.Command(tool.name, args...)
		cmd.Dir = copies[tool.copy]
		cmd.Stdin = bytes.NewReader(patch.Bytes())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", tool.name, err, out)
		}
		same := compareDirs(t, copies["written"], copies[tool.copy])
		t.Logf("%s: %d files identical to fix -w", tool.name, same)
	}
}

func copyDir(t *testing.T, from, to string, names []string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(from, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// compareDirs checks that two flat directories hold the same files with the
// same bytes, and returns how many there are.
func compareDirs(t *testing.T, want, got string) int {
	t.Helper()
	read := func(dir string) map[string][]byte {
		m := map[string][]byte{}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			m[e.Name()] = data
		}
		return m
	}
	w, g := read(want), read(got)
	for n, data := range w {
		if !bytes.Equal(g[n], data) {
			t.Errorf("%s differs from fix -w", n)
		}
	}
	for n := range g {
		if _, ok := w[n]; !ok {
			t.Errorf("%s exists only in the patched copy", n)
		}
	}
	return len(w)
}
