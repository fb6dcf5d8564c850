package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/internal/suggest"
)

// all lists every rule in the order the driver runs them: rules that change
// the shape of the file first, then the ones that tidy what is there.
// suppress.go appends Suppression after them all.
var all = []*Rule{
	MultiStage,
	Lambda,
	RuntimeBase,
	Static,
	ScratchFiles,
	NonRoot,
	ExecForm,
	AptHygiene,
	AddToCopy,
	Dockerignore, // last: it reads what the other rules left in the Dockerfile
}

// All returns every rule, in registry order.
func All() []*Rule { return slices.Clone(all) }

// Lookup returns the rule called name, or nil.
func Lookup(name string) *Rule {
	for _, r := range all {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// Names returns the names of all rules, in registry order.
func Names() []string {
	names := make([]string, len(all))
	for i, r := range all {
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
	for _, r := range all {
		if (len(selectNames) == 0 || slices.Contains(selectNames, r.Name)) && !slices.Contains(ignoreNames, r.Name) {
			out = append(out, r)
		}
	}
	return out, nil
}
