package rules

import (
	"strings"
	"testing"
)

// TestRegisterPanics: a bad rule in the registry stops the program at start
// with a message that names it.
func TestRegisterPanics(t *testing.T) {
	noop := func(*Pass) error { return nil }
	for want, rs := range map[string][]*Rule{
		"rules: bad registry: rule x has no Run function":   {{Name: "x"}},
		"rules: bad registry: two rules are called x":       {{Name: "x", Run: noop}, {Name: "x", Run: noop}},
		`rules: bad registry: rule 0: name "" is not kebab`: {{Run: noop}},
	} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, want) {
					t.Errorf("panic %q, want %q", msg, want)
				}
			}()
			register(rs)
		}()
	}
	if got := register([]*Rule{{Name: "ok", Run: noop}}); len(got) != 1 {
		t.Errorf("register = %v", got)
	}
}
