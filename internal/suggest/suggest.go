// Package suggest finds the name a user probably meant, for "did you mean"
// hints on unknown rules, flags and configuration keys.
package suggest

import (
	"strings"

	"github.com/agext/levenshtein"
)

// Closest returns the candidate nearest to name by edit distance, ignoring
// case, or "" when none is close: at most 2 edits, and at most a third of the
// longer name. A candidate that contains name, or that name contains, counts
// as close when name has at least 3 characters ("apt" → "apt-hygiene").
func Closest(name string, candidates []string) string {
	lower := strings.ToLower(name)
	best, bestDist := "", 0
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := levenshtein.Distance(lower, lc, nil)
		limit := min(2, max(len(lower), len(lc))/3)
		if d > limit {
			if len(lower) < 3 || !(strings.Contains(lc, lower) || strings.Contains(lower, lc)) {
				continue
			}
			d = limit + 1 // a containment ranks after every close spelling
		}
		if best == "" || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// Hint is "; did you mean NAME?" for the closest candidate, or "".
func Hint(name string, candidates []string) string {
	if c := Closest(name, candidates); c != "" {
		return "; did you mean " + c + "?"
	}
	return ""
}
