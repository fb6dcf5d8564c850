package facts

import (
	"strconv"
	"strings"
)

// Excludes reports whether the requirement's version specifiers rule out
// every version from min on: ==/=== an older version, < or <= one below
// min, or ~= whose compatible range ends before min. An unpinned or
// lower-bounded requirement (flask, flask>=2) does not: pip installs the
// newest version.
func (r Requirement) Excludes(min string) bool {
	for _, m := range reqSpecParts.FindAllStringSubmatch(r.Spec, -1) {
		v := strings.TrimSuffix(m[2], ".*")
		c := compareVersions(v, min)
		switch m[1] {
		case "==", "===", "<=":
			if c < 0 {
				return true
			}
		case "<":
			if c <= 0 {
				return true
			}
		case "~=": // ~=2.8.6 is >=2.8.6, ==2.8.*: below min when 2.9 <= min
			parts := strings.Split(v, ".")
			if len(parts) < 2 {
				continue
			}
			up := parts[:len(parts)-1]
			n, _ := strconv.Atoi(LeadingDigits(up[len(up)-1]))
			up[len(up)-1] = strconv.Itoa(n + 1)
			if compareVersions(strings.Join(up, "."), min) <= 0 {
				return true
			}
		}
	}
	return false
}
