package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// TestCompleteBase: completion offers exactly the --base values that fix
// and check accept.
func TestCompleteBase(t *testing.T) {
	var out bytes.Buffer
	run([]string{"__complete", "check", "--base", ""}, nil, &out, &out)
	var offered []string
	for _, line := range strings.Split(out.String(), "\n") {
		if line != "" && !strings.HasPrefix(line, ":") && !strings.HasPrefix(line, "Completion ended") {
			offered = append(offered, line)
		}
	}
	if !slices.Equal(offered, baseFamilies) {
		t.Errorf("completion offers %q, want %q", offered, baseFamilies)
	}
	for _, v := range []string{"distroless", "chainguard", "scratch", "alpine", "wolfi", "ubuntu", "slim", "debian", "static"} {
		var stderr bytes.Buffer
		run([]string{"check", "--base", v, "--no-config", t.TempDir()}, nil, &bytes.Buffer{}, &stderr)
		accepted := !strings.Contains(stderr.String(), "--base must be")
		if accepted != slices.Contains(baseFamilies, v) {
			t.Errorf("--base %s: accepted %v, offered %v", v, accepted, slices.Contains(baseFamilies, v))
		}
	}
}
