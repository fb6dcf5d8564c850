package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreCommitHook runs the real pre-commit on temporary git repositories
// with both hooks of .pre-commit-hooks.yaml, built from this working tree.
// It covers the two cases that used to pass silently: a fix that only
// creates a new (untracked) .dockerignore, which pre-commit does not notice
// by itself, and findings that have no automatic fix.
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
		"NO_COLOR=1",
	)
	runIn := func(dir, name string, args ...string) (string, error) {
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	mustRun := func(dir, name string, args ...string) string {
		t.Helper()
		out, err := runIn(dir, name, args...)
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return out
	}

	// The hook repository: this working tree, uncommitted changes included,
	// committed once so that pre-commit builds the hook once.
	hookRepo := t.TempDir()
	files := strings.Split(strings.TrimRight(mustRun(repoRoot, "git", "ls-files", "-co", "--exclude-standard", "-z"), "\x00"), "\x00")
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(repoRoot, f))
		if err != nil {
			continue // deleted in the working tree
		}
		dst := filepath.Join(hookRepo, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mustRun(hookRepo, "git", "init", "-q")
	mustRun(hookRepo, "git", "add", "-A")
	mustRun(hookRepo, "git", "commit", "-qm", "hooks")
	rev := strings.TrimSpace(mustRun(hookRepo, "git", "rev-parse", "HEAD"))
	config := fmt.Sprintf("repos:\n- repo: %s\n  rev: %s\n  hooks:\n  - id: dfslim\n  - id: dfslim-check\n", hookRepo, rev)

	// project makes a git repository holding files, all committed.
	project := func(files map[string]string) string {
		dir := t.TempDir()
		files[".pre-commit-config.yaml"] = config
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		mustRun(dir, "git", "init", "-q")
		mustRun(dir, "git", "add", "-A")
		mustRun(dir, "git", "commit", "-qm", "init")
		return dir
	}
	hook := func(dir, id string) (string, error) {
		out, err := runIn(dir, "pre-commit", "run", id, "--files", "Dockerfile")
		t.Logf("pre-commit run %s (%v):\n%s", id, err, out)
		return out, err
	}

	t.Run("fix", func(t *testing.T) {
		dir := project(map[string]string{
			"Dockerfile":    "FROM alpine:3.20\nCMD echo hello\n",
			".dockerignore": ".git\n",
		})
		out, err := hook(dir, "dfslim")
		if err == nil || !strings.Contains(out, "files were modified by this hook") || !strings.Contains(out, "fixed Dockerfile (1 fix)") {
			t.Fatalf("first run: want a failure that says it fixed the file (err %v):\n%s", err, out)
		}
		after, _ := os.ReadFile(filepath.Join(dir, "Dockerfile"))
		if !strings.Contains(string(after), `CMD ["echo", "hello"]`) {
			t.Errorf("Dockerfile after the hook:\n%s", after)
		}
		for _, id := range []string{"dfslim", "dfslim-check"} {
			if out, err := hook(dir, id); err != nil {
				t.Errorf("%s after the fix: %v\n%s", id, err, out)
			}
		}
	})

	// Only a new .dockerignore: pre-commit does not see untracked files, so
	// the hook's exit status must say it.
	t.Run("new-dockerignore", func(t *testing.T) {
		dir := project(map[string]string{
			"Dockerfile": "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\nUSER 65532:65532\nENTRYPOINT [\"/app\"]\n",
			"app":        "binary\n",
		})
		out, err := hook(dir, "dfslim")
		if err == nil || !strings.Contains(out, "created .dockerignore") {
			t.Fatalf("want a failure that names the new .dockerignore (err %v):\n%s", err, out)
		}
		if _, err := os.Stat(filepath.Join(dir, ".dockerignore")); err != nil {
			t.Error(err)
		}
		mustRun(dir, "git", "add", ".dockerignore")
		if out, err := hook(dir, "dfslim"); err != nil {
			t.Errorf("second run: %v\n%s", err, out)
		}
	})

	// A finding without an automatic fix: both hooks fail and show it.
	t.Run("findings-only", func(t *testing.T) {
		dir := project(map[string]string{
			"Dockerfile":    "FROM alpine:3.20\nCOPY .env /app/.env\nCMD [\"sh\"]\n",
			".env":          "TOKEN=x\n",
			".dockerignore": ".git\nDockerfile\n.dockerignore\n",
		})
		for _, id := range []string{"dfslim", "dfslim-check"} {
			out, err := hook(dir, id)
			if err == nil || !strings.Contains(out, "Dockerfile:2:1: dockerignore: COPY copies .env, which looks like a secret") {
				t.Errorf("%s: want a failure that shows the finding (err %v):\n%s", id, err, out)
			}
			if strings.Contains(out, "files were modified") {
				t.Errorf("%s changed a file:\n%s", id, out)
			}
		}
	})
}
