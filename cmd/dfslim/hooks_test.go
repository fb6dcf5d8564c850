package main

import (
	"os"
	"os/exec"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/dfslim/dfslim/rewrite"
	"gopkg.in/yaml.v3"
)

// dockerfileNames are file paths with whether each is a Dockerfile.
var dockerfileNames = map[string]bool{
	"Dockerfile":                     true,
	"dockerfile":                     true,
	"DOCKERFILE":                     true,
	"Containerfile":                  true,
	"containerfile":                  true,
	"Dockerfile.dev":                 true,
	"Containerfile.dev":              true,
	"docker/Dockerfile.prod.arm64":   true,
	"api.dockerfile":                 true,
	"services/api.Dockerfile":        true,
	"web.containerfile":              true,
	"Dockerfile.dockerignore":        false,
	"api.Dockerfile.dockerignore":    false,
	"Containerfile.containerignore":  false,
	".dockerignore":                  false,
	"Dockerfile-old":                 false,
	"Dockerfiles":                    false,
	"mydockerfile":                   false,
	"docs/dockerfile-guide.md":       false,
	"Dockerfile.d/README":            false,
	"x/Dockerfile/y":                 false,
	"build/containerfile.containers": true,
}

// TestHookFilesRegex runs the files: and exclude: regexes of every hook in
// .pre-commit-hooks.yaml over the same names as rewrite.IsDockerfileName, with
// Go's regexp and, when python3 is installed, with Python's re, which
// pre-commit uses.
func TestHookFilesRegex(t *testing.T) {
	data, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID      string `yaml:"id"`
		Files   string `yaml:"files"`
		Exclude string `yaml:"exclude"`
	}
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 2 {
		t.Fatalf("want the dfslim and dfslim-check hooks, have %d", len(hooks))
	}
	python, _ := exec.LookPath("python3")
	for _, h := range hooks {
		files, exclude := regexp.MustCompile(h.Files), regexp.MustCompile(h.Exclude)
		for name, want := range dockerfileNames {
			if got := rewrite.IsDockerfileName(path.Base(name)); got != want {
				t.Errorf("IsDockerfileName(%q) = %v, want %v", path.Base(name), got, want)
			}
			if got := files.MatchString(name) && !exclude.MatchString(name); got != want {
				t.Errorf("hook %s: Go regexp matches %q = %v, want %v", h.ID, name, got, want)
			}
		}
		if python == "" {
			continue
		}
		var names []string
		for name := range dockerfileNames {
			names = append(names, name)
		}
		script := `import re, sys
f, x = re.compile(sys.argv[1]), re.compile(sys.argv[2])
for n in sys.argv[3:]:
    print(n, bool(f.search(n)) and not x.search(n))`
		out, err := exec.Command(python, append([]string{"-c", script, h.Files, h.Exclude}, names...)...).Output()
		if err != nil {
			t.Fatalf("python3: %v", err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			name, got, _ := strings.Cut(line, " ")
			if want := dockerfileNames[name]; (got == "True") != want {
				t.Errorf("hook %s: Python re matches %q = %s, want %v", h.ID, name, got, want)
			}
		}
	}
}
