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

// TestRegistryReadOnly: what All and Lookup return, and the exported rule
// variables, are copies; changing them changes nothing the registry runs.
func TestRegistryReadOnly(t *testing.T) {
	src := []byte("FROM alpine:3.20\nCMD echo hi\n")
	fixed := func() string {
		f, err := rewrite.Parse("Dockerfile", src)
		if err != nil {
			t.Fatal(err)
		}
		res, err := rules.Run(f, nil, rules.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return string(res.File.Src)
	}
	want := fixed()
	if !strings.Contains(want, `CMD ["echo", "hi"]`) {
		t.Fatalf("exec-form did not run:\n%s", want)
	}
	noop := func(*rules.Pass) error { return nil }
	saved := rules.ExecForm.Run
	rules.ExecForm.Run = noop
	defer func() { rules.ExecForm.Run = saved }()
	rules.Lookup("exec-form").Run = noop
	for _, r := range rules.All() {
		r.Run = noop
		r.Name = "renamed"
	}
	if got := fixed(); got != want {
		t.Errorf("changing returned rules changed the registry:\n%s", got)
	}
	if rules.Lookup("exec-form") == nil {
		t.Error("renaming a copy renamed the registered rule")
	}
}

// TestOptionsRulesChecked: a rule without Run, or two rules with one name,
// are errors of Run and Check, not a panic.
func TestOptionsRulesChecked(t *testing.T) {
	f, err := rewrite.Parse("Dockerfile", []byte("FROM alpine\n"))
	if err != nil {
		t.Fatal(err)
	}
	noop := func(*rules.Pass) error { return nil }
	for want, rs := range map[string][]*rules.Rule{
		"rule no-run has no Run function":   {{Name: "no-run"}},
		"two rules are called twin":         {{Name: "twin", Run: noop}, {Name: "twin", Run: noop}},
		`name "Bad_Name" is not kebab-case`: {{Name: "Bad_Name", Run: noop}},
		"rule 0 is nil":                     {nil},
	} {
		if _, err := rules.Run(f, nil, rules.Options{Rules: rs}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Run: %v, want %q", err, want)
		}
		if _, err := rules.Check(f, nil, rules.Options{Rules: rs}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check: %v, want %q", err, want)
		}
	}
}
