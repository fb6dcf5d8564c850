package rules

import (
	"fmt"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
)

// Safety says whether a fix may be applied automatically.
type Safety int

const (
	// DisplayOnly fixes are shown and never applied.
	DisplayOnly Safety = iota
	// Unsafe fixes are applied only when the user asks for them.
	Unsafe
	// Safe fixes keep the build working and the program behaving the same.
	Safe
)

func (s Safety) String() string {
	switch s {
	case Safe:
		return "safe"
	case Unsafe:
		return "unsafe"
	}
	return "display-only"
}

// A Rule inspects one Dockerfile and its build context and reports findings.
type Rule struct {
	Name      string // kebab-case, stable: "exec-form"
	Summary   string // one line, no final period
	Why       string // what the rule finds and why it matters
	FixSafety string // when the fix applies and why it is safe, or why there is none
	Safety    Safety // the safety of the fixes it proposes
	Before    string // an example Dockerfile the rule changes
	After     string // Before after the fix
	// Run reports findings through p. An error means the rule could not run
	// (an unreadable context, say), not that it found a problem.
	Run func(p *Pass) error
}

// Config holds the user's choices that rules read.
type Config struct {
	Base  string // runtime image family, a catalog.BaseFlavors value: "distroless" (default), "chainguard", "scratch", "alpine"
	Debug bool   // choose image variants that have a shell, for debugging
	// NoFallback keeps to the first rung of runtime images (distroless or
	// Chainguard): without it, an app that no such image can run moves to
	// the fallback rung (see [SlimRung]) when that removes something.
	NoFallback bool
	// Static applies the static rule's fixes (a static build on a static
	// image), which are otherwise unsafe.
	Static bool
	// Images changes the image references and the user that rules write:
	// a registry mirror, digests, a runtime UID/GID.
	Images ImageOptions
}

// Flavor returns the runtime image family, defaulting to distroless.
func (c *Config) Flavor() catalog.Flavor {
	if c == nil || c.Base == "" {
		return catalog.Distroless
	}
	return catalog.Flavor(c.Base)
}

// A Pass is the input and output of one Rule on one Dockerfile.
type Pass struct {
	Rule *Rule
	// Source is the Dockerfile and its build context, which the rule and
	// the analysis read.
	facts.Source
	Config *Config

	findings []Finding
	known    func(name string) bool // whether a rule called name exists, for suppressions
}

// Report records a finding. Rule, Line and Col are filled in from the pass.
func (p *Pass) Report(f Finding) {
	f.Rule = p.Rule.Name
	f.Line, f.Col = p.File.Position(f.Span.Start)
	f.Severity = defaultSeverity(f)
	p.findings = append(p.findings, f)
}

// Reportf records a finding without a fix at span s.
func (p *Pass) Reportf(s rewrite.Span, format string, args ...any) {
	p.Report(Finding{Span: s, Message: fmt.Sprintf(format, args...)})
}

// A Finding is one problem at one place, optionally with a fix.
type Finding struct {
	Rule      string
	Span      rewrite.Span // in the Dockerfile
	Line, Col int          // 1-based position of Span.Start
	Message   string
	Fix       *Fix // nil: nothing to apply; Message says why
	// Severity is set by the rule, or by [Pass.Report]: Warning with a fix,
	// Info without.
	Severity Severity
}

// A Fix is a set of edits applied all together or not at all.
type Fix struct {
	Message string // a verb phrase: "Use exec form for CMD"
	Safety  Safety
	Edits   []rewrite.Edit // to the Dockerfile
	// Files holds edits to other files, by slash path relative to the context
	// root. A file that does not exist is created from empty.
	Files map[string][]rewrite.Edit
	// RuntimeBase is set (by the driver) when the fix changes the image the
	// final stage runs on: the image and its size before and after.
	RuntimeBase *catalog.BaseChange
}

// Facts returns what the analysis knows of the pass's Dockerfile and build
// context, shared read-only with the other rules that read the same file.
func (p *Pass) Facts() *facts.Facts { return facts.Of(p.Source) }
