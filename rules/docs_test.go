package rules_test

import (
	"strings"
	"testing"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
	"github.com/google/go-cmp/cmp"
)

// TestRuleDocs checks every registered rule's documentation, and that its
// Before example, fixed by the rule alone, gives its After example exactly.
func TestRuleDocs(t *testing.T) {
	for _, r := range rules.All() {
		t.Run(r.Name, func(t *testing.T) {
			if r.Summary == "" || strings.HasSuffix(r.Summary, ".") {
				t.Errorf("Summary %q: want one line without a final period", r.Summary)
			}
			if strings.TrimSpace(r.Why) == "" || strings.TrimSpace(r.FixSafety) == "" {
				t.Error("Why and FixSafety must be set")
			}
			if r.Before == "" {
				if r.After != "" {
					t.Error("After without Before")
				}
				return
			}
			f, err := rewrite.Parse("Dockerfile", []byte(r.Before))
			if err != nil {
				t.Fatalf("Before does not parse: %v", err)
			}
			res, err := rules.Run(f, nil, rules.Options{Rules: []*rules.Rule{r}, Unsafe: r.Safety == rules.Unsafe})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(r.After, string(res.File.Src)); diff != "" {
				t.Errorf("running %s on Before (-After +got):\n%s", r.Name, diff)
			}
		})
	}
}
