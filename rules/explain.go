package rules

//go:generate go run ./internal/gendocs -o ../docs/rules.md

import (
	"fmt"
	"strings"
)

// Explain returns the rule's documentation as Markdown: summary, what and why,
// fix safety, and the example before and after. docs/rules.md and
// "dfslim explain" print exactly this.
func (r *Rule) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n%s.\n\n", r.Name, r.Summary)
	fmt.Fprintf(&b, "%s\n\n", strings.TrimSpace(r.Why))
	fmt.Fprintf(&b, "**Fix safety: %s.** %s\n", r.Safety, strings.TrimSpace(r.FixSafety))
	if r.Before != "" {
		fmt.Fprintf(&b, "\nBefore:\n\n```dockerfile\n%s```\n", r.Before)
		fmt.Fprintf(&b, "\nAfter:\n\n```dockerfile\n%s```\n", r.After)
	}
	return b.String()
}
