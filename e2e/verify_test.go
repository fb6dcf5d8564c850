package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// verifyApps are the sample apps `dfslim verify` proves in CI: a CLI with
// arguments and a server (a few, not all: each costs two builds, and TestE2E
// builds every sample app already; CI's budget is 60 minutes cold).
var verifyApps = []string{"go-cli", "node-http"}

// TestVerify runs `dfslim verify` with buildah on sample apps, the way a user
// runs it (e2e/verify.sh), and checks its table: every rewrite builds,
// behaves the same, is smaller, has no shell and runs as 65532.
func TestVerify(t *testing.T) {
	if os.Getenv("DFSLIM_E2E") != "1" {
		t.Skip("DFSLIM_E2E is not 1; run e2e/setup.sh first, then DFSLIM_E2E=1 go test ./e2e -run TestVerify")
	}
	for _, name := range verifyApps {
		t.Run(name, func(t *testing.T) {
			var spec struct {
				Type string
				Args []string
				Path string
			}
			data, err := os.ReadFile(filepath.Join("../testdata/e2e", name, "e2e.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &spec); err != nil {
				t.Fatal(err)
			}
			args := []string{"verify.sh", "../testdata/e2e/" + name + "/Dockerfile"}
			for _, a := range spec.Args {
				args = append(args, "--run-arg", a)
			}
			if spec.Path != "" {
				args = append(args, "--path", spec.Path)
			}
			start := time.Now()
			cmd := exec.Command("bash", args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err = cmd.Run()
			t.Logf("dfslim verify %s (%s):\n%s", name, time.Since(start).Round(time.Second), stdout.String())
			if err != nil {
				t.Fatalf("dfslim verify: %v\n%s", err, lastLines(stderr.String(), 40))
			}
			want := map[string]string{"cli": `same: exit 0`, "http": `same: HTTP 200`}[spec.Type]
			row := regexp.MustCompile(`(?m)^\S+/Dockerfile +(\d+\.\d) MB → (\d+\.\d) MB \(-\d+%\) +(.*?) +(\S+) → (\S+) +(\S+) → (\S+)$`).FindStringSubmatch(stdout.String())
			if row == nil {
				t.Fatalf("no table row in:\n%s", stdout.String())
			}
			if !strings.HasPrefix(row[3], want) {
				t.Errorf("behaviour %q, want %q", row[3], want)
			}
			if row[5] != "none" {
				t.Errorf("the rewrite has a shell: %s", row[5])
			}
			if row[7] != "65532:65532" {
				t.Errorf("the rewrite runs as %q, want 65532:65532", row[7])
			}
			if !strings.Contains(stderr.String(), "building the rewrite") {
				t.Errorf("no progress on stderr:\n%s", stderr.String())
			}
		})
	}
}
