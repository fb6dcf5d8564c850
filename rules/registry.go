package rules

import (
	"fmt"
	"slices"
	"strings"
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
// those in ignoreNames, in registry order. An unknown name is an error that
// lists the valid ones.
func Select(selectNames, ignoreNames []string) ([]*Rule, error) {
	for _, n := range append(slices.Clone(selectNames), ignoreNames...) {
		if Lookup(n) == nil {
			return nil, fmt.Errorf("unknown rule %q (valid: %s)", n, strings.Join(Names(), ", "))
		}
	}
	var out []*Rule
	for _, r := range all {
		if (len(selectNames) == 0 || slices.Contains(selectNames, r.Name)) && !slices.Contains(ignoreNames, r.Name) {
			out = append(out, r)
		}
	}
	return out, nil
}
