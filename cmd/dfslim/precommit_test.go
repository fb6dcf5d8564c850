package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreCommitHook runs the real pre-commit with try-repo against this
// repository on a temporary git repository whose Dockerfile needs a fix: the
// first run fixes the file and fails, the second passes.
func TestPreCommitHook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the hook from source")
	}
	for _, tool := range []string{"pre-commit", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed (.ci/run installs it)", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	repoRoot, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(repoRoot, ".git")); err != nil {
		t.Skip("not in a git checkout of dfslim")
	}
	dir := t.TempDir()
	home := t.TempDir()
	gomodcache, _ := exec.Command("go", "env", "GOMODCACHE").Output()
	gocache, _ := exec.Command("go", "env", "GOCACHE").Output()
	env := append(os.Environ(),
		"HOME="+home,
		"PRE_COMMIT_HOME="+filepath.Join(home, "pre-commit"),
		"GOMODCACHE="+strings.TrimSpace(string(gomodcache)),
		"GOCACHE="+strings.TrimSpace(string(gocache)),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
	)
	runIn := func(name string, args ...string) (string, error) {
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	const before = "FROM alpine:3.20\nCMD echo hello\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "Dockerfile"}, {"commit", "-qm", "init"}} {
		if out, err := runIn("git", args...); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	tryRepo := []string{"try-repo", repoRoot, "dfslim", "--files", "Dockerfile"}
	out, err := runIn("pre-commit", tryRepo...)
	if err == nil {
		t.Fatalf("first run passed; want it to fix the file and fail:\n%s", out)
	}
	if !strings.Contains(out, "files were modified by this hook") {
		t.Errorf("first run failed for another reason:\n%s", out)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if !strings.Contains(string(after), `CMD ["echo", "hello"]`) {
		t.Errorf("Dockerfile after the hook:\n%s", after)
	}
	if out, err := runIn("pre-commit", tryRepo...); err != nil {
		t.Fatalf("second run failed: %v\n%s", err, out)
	}
}
