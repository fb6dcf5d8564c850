package rules_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeLibrary keeps the README's library section in step with the
// runnable examples: every rules.X, rewrite.X and report.X that its Go code uses is
// used by an Example too, where the compiler checks it.
func TestReadmeLibrary(t *testing.T) {
	section := readmeSection(t, "Library")
	var examples strings.Builder
	for _, p := range []string{"example_test.go", "../rewrite/example_test.go", "../report/example_test.go"} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		examples.Write(data)
	}
	name := regexp.MustCompile(`\b(rules|rewrite|report)\.[A-Z]\w*`)
	code := regexp.MustCompile("(?s)```go\n(.*?)```")
	blocks := code.FindAllStringSubmatch(section, -1)
	if len(blocks) == 0 {
		t.Fatal("no Go code in the README's library section")
	}
	for _, block := range blocks {
		for _, line := range strings.Split(block[1], "\n") {
			line, _, _ = strings.Cut(line, "//")
			for _, id := range name.FindAllString(line, -1) {
				if !strings.Contains(examples.String(), id) {
					t.Errorf("README uses %s, which no Example uses", id)
				}
			}
		}
	}
}

// TestReadmeWritingARule keeps the README's rule walk-through true to the
// rule it quotes: every line of its Go code is a line of rules/non_root.go.
func TestReadmeWritingARule(t *testing.T) {
	section := readmeSection(t, "Writing a rule")
	src, err := os.ReadFile("non_root.go")
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(string(src), "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	block := regexp.MustCompile("(?s)```go\n(.*?)```").FindStringSubmatch(section)
	if block == nil {
		t.Fatal("no Go code in the README's Writing a rule section")
	}
	n := 0
	for _, l := range strings.Split(block[1], "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		n++
		if !lines[l] {
			t.Errorf("README quotes %q, which is not a line of rules/non_root.go", l)
		}
	}
	if n < 10 {
		t.Errorf("the walk-through quotes %d lines; it should show the rule", n)
	}
}

// readmeSection returns the text of the README's section "## heading", up
// to the next section.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## "+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no ## %s section", heading)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	return section
}
