package rules_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

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
			var ctx fs.FS
			if m, ok := exampleContexts[r.Name]; ok {
				ctx = m
			}
			res, err := rules.Run(f, ctx, rules.Options{Rules: []*rules.Rule{r}, Unsafe: r.Safety == rules.Unsafe})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(r.After, string(res.File.Src)); diff != "" {
				t.Errorf("running %s on Before (-After +got):\n%s", r.Name, diff)
			}
		})
	}
}

// exampleContexts are the build contexts of the Before examples of rules
// that read one.
var exampleContexts = map[string]fstest.MapFS{
	"static": {
		"Cargo.toml": {Data: []byte("[package]\nname = \"app\"\nversion = \"0.1.0\"\n")},
		"Cargo.lock": {Data: []byte("version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n")},
	},
}
