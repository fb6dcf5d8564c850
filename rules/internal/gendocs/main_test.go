package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/dfslim/dfslim/rules"
	"github.com/google/go-cmp/cmp"
)

// TestRulesDocUpToDate fails when docs/rules.md differs from what the
// registry generates.
func TestRulesDocUpToDate(t *testing.T) {
	got, err := os.ReadFile("../../../docs/rules.md")
	if err != nil {
		t.Fatalf("%v (run: go generate ./rules)", err)
	}
	want := markdown(rules.All())
	if !bytes.Equal(got, want) {
		t.Errorf("docs/rules.md is stale: run go generate ./rules\n%s", cmp.Diff(string(want), string(got)))
	}
}

var kebab = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// TestRuleDocs checks that every rule documents itself fully enough for the
// generated page and "dfslim explain".
func TestRuleDocs(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range rules.All() {
		if !kebab.MatchString(r.Name) {
			t.Errorf("rule %q: name is not kebab-case", r.Name)
		}
		if seen[r.Name] {
			t.Errorf("rule %q is registered twice", r.Name)
		}
		seen[r.Name] = true
		if r.Summary == "" || strings.HasSuffix(r.Summary, ".") || strings.Contains(r.Summary, "\n") {
			t.Errorf("rule %s: Summary must be one line without a final period: %q", r.Name, r.Summary)
		}
		if strings.TrimSpace(r.Why) == "" {
			t.Errorf("rule %s: no Why", r.Name)
		}
		if strings.TrimSpace(r.FixSafety) == "" {
			t.Errorf("rule %s: no FixSafety", r.Name)
		}
		if (r.Before == "") != (r.After == "") {
			t.Errorf("rule %s: Before and After go together", r.Name)
		}
		if r.Run == nil {
			t.Errorf("rule %s: no Run", r.Name)
		}
	}
}
