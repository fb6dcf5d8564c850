package rewrite

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(name, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(name, []byte("new")); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(name)
	fi, _ := os.Stat(name)
	if string(data) != "new" || fi.Mode().Perm() != 0o600 {
		t.Errorf("content %q mode %v, want \"new\" 0600", data, fi.Mode().Perm())
	}

	created := filepath.Join(dir, ".dockerignore")
	if err := WriteFile(created, []byte(".git\n")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(created); fi.Mode().Perm() != 0o644 {
		t.Errorf("new file mode %v, want 0644", fi.Mode().Perm())
	}

	link := filepath.Join(dir, "link")
	if err := os.Symlink(name, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("x")); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("symlink: err = %v", err)
	}
	if data, _ := os.ReadFile(name); string(data) != "new" {
		t.Errorf("target changed through the link: %q", data)
	}

	// A failed write leaves no temporary file behind.
	if err := WriteFile(filepath.Join(dir, "missing", "Dockerfile"), []byte("x")); err == nil {
		t.Error("write into a missing directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".dfslim-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}
