package report

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
)

// SARIF 2.1.0 (OASIS): the subset of the object model that dfslim writes.
// Columns are counted in Unicode code points (run.columnKind).

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	// rulesDocURL is where each rule's documentation lives, one anchor per rule.
	rulesDocURL = "https://github.com/dfslim/dfslim/blob/main/docs/rules.md"
	projectURL  = "https://github.com/dfslim/dfslim"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	ColumnKind  string            `json:"columnKind"`
	Results     []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	SemVer         string      `json:"semanticVersion,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	ShortDescription sarifMessage   `json:"shortDescription"`
	FullDescription  sarifMessage   `json:"fullDescription"`
	Help             sarifMessage   `json:"help"`
	HelpURI          string         `json:"helpUri"`
	Properties       map[string]any `json:"properties,omitempty"`
}

// sarifMessage is a message or a multiformatMessageString.
type sarifMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex *int            `json:"ruleIndex,omitempty"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
	Fixes     []sarifFix      `json:"fixes,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

type sarifFix struct {
	Description     sarifMessage          `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
	Properties      map[string]any        `json:"properties,omitempty"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Replacements     []sarifReplacement    `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion   `json:"deletedRegion"`
	InsertedContent *sarifContent `json:"insertedContent,omitempty"`
}

type sarifContent struct {
	Text string `json:"text"`
}

// sarifLevel maps a severity to a SARIF result level.
func sarifLevel(s rules.Severity) string {
	switch s {
	case rules.Error:
		return "error"
	case rules.Warning:
		return "warning"
	}
	return "note"
}

type sarifReporter struct {
	w             io.Writer
	rules         []*rules.Rule // described in tool.driver.rules; ruleIndex points into it
	version       string
	results       []sarifResult
	notifications []sarifNotification
}

func (r *sarifReporter) Add(out File) {
	if out.Err != nil {
		n := sarifNotification{Level: "error", Message: sarifMessage{Text: out.Err.Error()}}
		var re *rewrite.Error
		if errors.As(out.Err, &re) {
			n.Message.Text = re.Err.Error()
			loc := sarifLocation{PhysicalLocation: sarifPhysicalLocation{ArtifactLocation: artifact(re.File)}}
			if re.Line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: re.Line}
			}
			n.Locations = []sarifLocation{loc}
		}
		r.notifications = append(r.notifications, n)
		return
	}
	for _, fd := range out.Findings {
		res := sarifResult{
			RuleID:  fd.Rule,
			Level:   sarifLevel(Severity(fd)),
			Message: sarifMessage{Text: fd.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
				ArtifactLocation: artifact(out.Path),
				Region:           textRegion(out.Dockerfile.Src, fd.Span),
			}}},
		}
		if i := slices.IndexFunc(r.rules, func(rule *rules.Rule) bool { return rule.Name == fd.Rule }); i >= 0 {
			res.RuleIndex = &i
		}
		if fx := fd.Fix; fx != nil {
			if f, ok := sarifFixOf(out, fx); ok {
				res.Fixes = []sarifFix{f}
			}
		}
		r.results = append(r.results, res)
	}
}

func (r *sarifReporter) Finish() error {
	driver := sarifDriver{Name: "dfslim", Version: r.version, SemVer: r.version, InformationURI: projectURL, Rules: []sarifRule{}}
	for _, rule := range r.rules {
		driver.Rules = append(driver.Rules, sarifRuleOf(rule))
	}
	if r.results == nil {
		r.results = []sarifResult{}
	}
	run := sarifRun{
		Tool:        sarifTool{Driver: driver},
		Invocations: []sarifInvocation{{ExecutionSuccessful: len(r.notifications) == 0, Notifications: r.notifications}},
		ColumnKind:  "unicodeCodePoints",
		Results:     r.results,
	}
	return writeJSON(r.w, sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// sarifRuleOf describes a rule with the text of docs/rules.md.
func sarifRuleOf(r *rules.Rule) sarifRule {
	why := strings.TrimSpace(r.Why)
	text := r.Summary + ".\n\n" + why + "\n\nFix safety: " + r.Safety.String() + ". " + strings.TrimSpace(r.FixSafety)
	return sarifRule{
		ID:               r.Name,
		ShortDescription: sarifMessage{Text: r.Summary},
		FullDescription:  sarifMessage{Text: why},
		Help:             sarifMessage{Text: text, Markdown: r.Explain()},
		HelpURI:          rulesDocURL + "#" + r.Name,
		Properties:       map[string]any{"fixSafety": r.Safety.String()},
	}
}

// artifact locates a file by a relative URI reference, or a file URI when
// its path is absolute.
func artifact(path string) sarifArtifactLocation {
	p := CleanPath(path)
	if filepath.IsAbs(path) {
		return sarifArtifactLocation{URI: (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()}
	}
	return sarifArtifactLocation{URI: (&url.URL{Path: p}).String()}
}

// sarifFixOf turns a fix into artifact changes with line and column regions.
func sarifFixOf(out File, fx *rules.Fix) (sarifFix, bool) {
	f := sarifFix{
		Description: sarifMessage{Text: fx.Message},
		Properties:  map[string]any{"safety": fx.Safety.String()},
	}
	if fx.RuntimeBase != nil {
		f.Properties["runtimeBase"] = fx.RuntimeBase
	}
	if len(fx.Edits) > 0 {
		f.ArtifactChanges = append(f.ArtifactChanges, artifactChange(out.Path, out.Dockerfile.Src, fx.Edits))
	}
	for _, p := range sortedPaths(fx.Files) {
		name := filepath.Join(out.ContextDir, filepath.FromSlash(p))
		src, err := rewrite.ReadRegular(name)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return sarifFix{}, false
		}
		f.ArtifactChanges = append(f.ArtifactChanges, artifactChange(name, src, fx.Files[p]))
	}
	return f, len(f.ArtifactChanges) > 0
}

func artifactChange(path string, src []byte, edits []rewrite.Edit) sarifArtifactChange {
	c := sarifArtifactChange{ArtifactLocation: artifact(path)}
	sorted, err := rewrite.Validate(len(src), edits)
	if err != nil {
		sorted = edits
	}
	for _, e := range sorted {
		rep := sarifReplacement{DeletedRegion: *textRegion(src, e.Span)}
		if e.New != "" {
			rep.InsertedContent = &sarifContent{Text: e.New}
		}
		c.Replacements = append(c.Replacements, rep)
	}
	return c
}

// textRegion is the region of span s in src, in lines and code-point columns.
func textRegion(src []byte, s rewrite.Span) *sarifRegion {
	sl, sc := textPosition(src, s.Start)
	el, ec := textPosition(src, max(s.End, s.Start))
	return &sarifRegion{StartLine: sl, StartColumn: sc, EndLine: el, EndColumn: ec}
}

// textPosition returns the 1-based line and code-point column of offset off
// in src. A byte order mark at the start is not a column.
func textPosition(src []byte, off int) (line, col int) {
	off = min(max(off, 0), len(src))
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	line = bytes.Count(src[:start], []byte("\n")) + 1
	prefix := src[start:off]
	if start == 0 {
		prefix = bytes.TrimPrefix(prefix, []byte("\uFEFF"))
	}
	return line, utf8.RuneCount(prefix) + 1
}
