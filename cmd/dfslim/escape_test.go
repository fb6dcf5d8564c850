package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// evil is a file name that, printed raw on its own line in GitHub Actions,
// would be read as a workflow command; \x1b would drive a terminal.
const evil = "x\n::error file=Dockerfile,line=1::pwned\x1b[2J"

// TestOutputEscapesControlCharacters runs check and fix on a Dockerfile and
// a secret whose names hold a newline and an escape character, in every
// format, and checks that no output line is a workflow command dfslim did not
// mean to write, and that JSON and SARIF still carry the real name.
func TestOutputEscapesControlCharacters(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Dockerfile."+evil, "FROM node:22-slim\nWORKDIR /app\nCOPY certs/ /etc/certs/\nCOPY . .\nRUN npm ci\nCMD node server.js\n")
	write("package.json", "{}")
	write("certs/"+evil+".key", "k")
	write("certs/b.key", "k")
	for _, args := range [][]string{
		{"check", dir},
		{"check", "--format", "github", dir},
		{"check", "--format", "json", dir},
		{"check", "--format", "sarif", dir},
		{"fix", dir},
		{"fix", "-l", dir},
		{"check", filepath.Join(dir, "Dockerfile."+evil, "missing")},
	} {
		var stdout, stderr bytes.Buffer
		run(args, strings.NewReader(""), &stdout, &stderr)
		for name, out := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "::error file=Dockerfile,line=1::") || strings.Contains(line, "\x1b[2J") {
					t.Errorf("%v: %s has the injected line %q", args[:len(args)-1], name, line)
				}
			}
		}
		if len(args) > 2 && (args[2] == "json" || args[2] == "sarif") {
			var v any
			if err := json.Unmarshal(stdout.Bytes(), &v); err != nil {
				t.Errorf("%v: not JSON: %v", args, err)
			}
			// The real name, escaped by JSON itself (in SARIF, percent-encoded in a URI).
			if !strings.Contains(stdout.String(), `x\n::error`) && !strings.Contains(stdout.String(), "x%0A::error") {
				t.Errorf("%v: the file name is not there as JSON escapes it:\n%s", args, stdout.String())
			}
		}
	}
}
