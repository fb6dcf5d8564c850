package suggest

import "testing"

func TestClosest(t *testing.T) {
	rules := []string{"multi-stage", "lambda", "runtime-base", "non-root", "exec-form", "apt-hygiene", "add-to-copy", "dockerignore", "suppression"}
	for _, tc := range []struct{ name, want string }{
		{"exec-from", "exec-form"},
		{"execform", "exec-form"},
		{"Exec-Form", "exec-form"},
		{"suppresion", "suppression"},
		{"apt", "apt-hygiene"},
		{"dockerignor", "dockerignore"},
		{"nonroot", "non-root"},
		{"zzz", ""},
		{"x", ""},
		{"lint", ""},
	} {
		if got := Closest(tc.name, rules); got != tc.want {
			t.Errorf("Closest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := Hint("selct", []string{"select", "ignore"}); got != "; did you mean select?" {
		t.Errorf("Hint = %q", got)
	}
}
