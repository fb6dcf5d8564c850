package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/internal/suggest"
)

// all lists every rule in the order the driver runs them. Rules never call
// each other: the driver re-parses the file after every rule that changed it
// and repeats the round until nothing changes, so the order decides only
// which rule sees a file first. Each comment names what its place relies on.
// Suppression comes after them all (see registered).
var all = []*Rule{
	// The shape of the file first, so that the rules after them work on the
	// final stage it will have.
	MultiStage,  // a single-stage build becomes build + runtime stages
	Lambda,      // a lambda/provided final stage (RuntimeBase leaves it to this rule)
	RuntimeBase, // a multi-stage final stage moves to a runtime image
	// The runtime image the rules above chose, finished for its kind.
	Static,       // a static build, now that the runtime stage exists (--static)
	ScratchFiles, // what a scratch final stage lacks (--base scratch)
	AlpineBase,   // what an Alpine final stage needs (--base alpine)
	NonRoot,      // a numeric USER on the distroless or Chainguard final stage
	// Instruction-level tidying: independent of each other and of the stages.
	ExecForm,
	AptHygiene,
	AddToCopy,
	// Last: it reads what the other rules left in the Dockerfile (the COPY
	// sources that must stay in the context).
	Dockerignore,
}

// registered is the registry: private copies of the rules of all and of
// Suppression, which comes last, after the rules its comments name. Changing
// an exported rule variable (ExecForm.Run = …) or a rule that All or Lookup
// returned changes nothing the registry runs. A rule without a name or a Run
// function, or two rules with one name, stop the program when it starts.
var registered = register(append(slices.Clone(all), Suppression))

// register checks rs and returns copies of its rules; it panics on a bad rule.
func register(rs []*Rule) []*Rule {
	if err := checkRules(rs); err != nil {
		panic("rules: bad registry: " + err.Error())
	}
	out := make([]*Rule, len(rs))
	for i, r := range rs {
		c := *r
		out[i] = &c
	}
	return out
}

// checkRules reports the first rule of rs that cannot run: nil, a name that
// is not kebab-case, no Run function, or a name that an earlier rule has.
func checkRules(rs []*Rule) error {
	seen := map[string]bool{}
	for i, r := range rs {
		switch {
		case r == nil:
			return fmt.Errorf("rule %d is nil", i)
		case !kebabCase(r.Name):
			return fmt.Errorf("rule %d: name %q is not kebab-case (a-z, 0-9 and inner hyphens)", i, r.Name)
		case r.Run == nil:
			return fmt.Errorf("rule %s has no Run function", r.Name)
		case seen[r.Name]:
			return fmt.Errorf("two rules are called %s", r.Name)
		}
		seen[r.Name] = true
	}
	return nil
}

func kebabCase(name string) bool {
	if name == "" || name[0] == '-' || name[len(name)-1] == '-' || strings.Contains(name, "--") {
		return false
	}
	for _, c := range name {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// All returns a copy of every registered rule, in registry order.
func All() []*Rule {
	out := make([]*Rule, len(registered))
	for i, r := range registered {
		c := *r
		out[i] = &c
	}
	return out
}

// Lookup returns a copy of the registered rule called name, or nil.
func Lookup(name string) *Rule {
	for _, r := range registered {
		if r.Name == name {
			c := *r
			return &c
		}
	}
	return nil
}

// Names returns the names of all rules, in registry order.
func Names() []string {
	names := make([]string, len(registered))
	for i, r := range registered {
		names[i] = r.Name
	}
	return names
}

// Select returns the rules named in selectNames (all rules when empty) minus
// those in ignoreNames, in registry order. The result is never nil, so that
// ignoring every rule gives an empty list, which [Options] reads as "no
// rule", not as "every rule". An unknown name is an error that suggests the
// closest name and lists the valid ones.
func Select(selectNames, ignoreNames []string) ([]*Rule, error) {
	for _, n := range append(slices.Clone(selectNames), ignoreNames...) {
		if Lookup(n) == nil {
			return nil, fmt.Errorf("unknown rule %q%s (valid: %s)", n, suggest.Hint(n, Names()), strings.Join(Names(), ", "))
		}
	}
	out := []*Rule{}
	for _, r := range All() {
		if (len(selectNames) == 0 || slices.Contains(selectNames, r.Name)) && !slices.Contains(ignoreNames, r.Name) {
			out = append(out, r)
		}
	}
	return out, nil
}
