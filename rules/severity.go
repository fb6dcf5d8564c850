package rules

import "fmt"

// Severity is how much a finding matters. It decides, with the user's
// threshold (--fail-on), whether "dfslim check" and "dfslim fix" fail.
type Severity int

const (
	// SeverityUnset is the zero value: [Pass.Report] replaces it with
	// Warning when the finding has a fix and Info when it has none.
	SeverityUnset Severity = iota
	// Info is advice, or why a rule left the file alone.
	Info
	// Warning is something to change; dfslim can often change it.
	Warning
	// Error is a problem the image should not ship with.
	Error
)

// Severities lists the severities from the least to the most serious.
var Severities = []Severity{Info, Warning, Error}

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return "unset"
}

// ParseSeverity reads "error", "warning" or "info".
func ParseSeverity(s string) (Severity, error) {
	for _, sv := range Severities {
		if s == sv.String() {
			return sv, nil
		}
	}
	return SeverityUnset, fmt.Errorf("want error, warning or info, not %q", s)
}

// defaultSeverity is the severity of a finding whose rule left it unset.
func defaultSeverity(f Finding) Severity {
	if f.Severity != SeverityUnset {
		return f.Severity
	}
	if f.Fix != nil {
		return Warning
	}
	return Info
}
