package rules_test

import (
	"strings"
	"testing"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
)

// TestSelectNone: ignoring every rule runs none, not every rule.
func TestSelectNone(t *testing.T) {
	none, err := rules.Select(nil, rules.Names())
	if err != nil {
		t.Fatal(err)
	}
	if none == nil || len(none) != 0 {
		t.Fatalf("Select(nil, all) = %#v, want an empty, non-nil list", none)
	}
	src := []byte("FROM alpine:3.20\nCMD echo hi\n")
	f, err := rewrite.Parse("Dockerfile", src)
	if err != nil {
		t.Fatal(err)
	}
	res, err := rules.Run(f, nil, rules.Options{Rules: none})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.File.Src) != string(src) || len(res.Findings) != 0 {
		t.Errorf("no rule changed the file or found something:\n%s\n%v", res.File.Src, res.Findings)
	}
	all, err := rules.Select(nil, nil)
	if err != nil || len(all) != len(rules.Names()) {
		t.Errorf("Select(nil, nil) = %d rules, %v; want all %d", len(all), err, len(rules.Names()))
	}
	if _, err := rules.Select([]string{"exec-from"}, nil); err == nil || !strings.Contains(err.Error(), "did you mean exec-form?") {
		t.Errorf("unknown name: %v", err)
	}
}
