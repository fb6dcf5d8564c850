package main

import (
	"bytes"
	"os"
	"regexp"
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

// TestRuleNames checks what the page's anchors and SARIF rule ids rely on:
// names are kebab-case and unique. (rules/docs_test.go checks the texts.)
func TestRuleNames(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range rules.All() {
		if !kebab.MatchString(r.Name) {
			t.Errorf("rule %q: name is not kebab-case", r.Name)
		}
		if seen[r.Name] {
			t.Errorf("rule %q is registered twice", r.Name)
		}
		seen[r.Name] = true
	}
}
