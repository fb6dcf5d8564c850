// Package report writes what dfslim found in Dockerfiles in the formats of
// "dfslim check": text, JSON, SARIF 2.1.0, GitHub Actions workflow commands
// and GitLab Code Quality. docs/output.md describes each one.
//
//	w, err := report.New(report.JSON, os.Stdout, report.Options{})
//	w.Add(report.File{Path: "Dockerfile", Dockerfile: f, Findings: findings})
//	err = w.Finish()
package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
)

// The output formats.
const (
	Text   = "text"   // file:line:col: rule: message, one finding a line
	JSON   = "json"   // one JSON document (docs/check-output.schema.json)
	SARIF  = "sarif"  // one SARIF 2.1.0 log, for code scanning
	GitHub = "github" // GitHub Actions workflow commands (annotations)
	GitLab = "gitlab" // GitLab Code Quality (Code Climate) JSON
)

// Formats lists the output formats.
var Formats = []string{Text, JSON, SARIF, GitHub, GitLab}

// A File is what checking one Dockerfile gave: its findings, or the error
// that stopped it.
type File struct {
	Path       string        // the Dockerfile's path, as the report shows it
	Dockerfile *rewrite.File // the parsed Dockerfile the findings refer to; nil with Err
	// ContextDir is the build context's directory on disk, where fixes to
	// other files (.dockerignore) are read to show their patches ("": none).
	ContextDir string
	Findings   []rules.Finding
	Err        error // why the file was not checked; Path may be empty
}

// Options configure a report.
type Options struct {
	Rules       []*rules.Rule // described in SARIF's rule metadata (nil: rules.All())
	Color       bool          // colour the text format (ANSI)
	ToolVersion string        // dfslim's version in JSON and SARIF ("": 0.0.0-dev)
}

// A Writer writes a report in one format. Add is called for every
// Dockerfile in order, and for every path that failed; Finish once at the end.
type Writer interface {
	Add(f File)
	Finish() error
}

// New returns the Writer of format writing to w.
func New(format string, w io.Writer, opts Options) (Writer, error) {
	if opts.Rules == nil {
		opts.Rules = rules.All()
	}
	if opts.ToolVersion == "" {
		opts.ToolVersion = "0.0.0-dev"
	}
	switch format {
	case Text:
		return &textReporter{w: w, color: opts.Color}, nil
	case JSON:
		return &jsonReporter{w: w, version: opts.ToolVersion}, nil
	case SARIF:
		return &sarifReporter{w: w, rules: opts.Rules, version: opts.ToolVersion}, nil
	case GitHub:
		return &githubReporter{w: w}, nil
	case GitLab:
		return &gitlabReporter{w: w}, nil
	}
	return nil, fmt.Errorf("--format must be one of %s, not %q", strings.Join(Formats, ", "), format)
}

// Severity is a finding's severity: the one its rule set, else warning with
// a fix and info without.
func Severity(fd rules.Finding) rules.Severity {
	if fd.Severity != rules.SeverityUnset {
		return fd.Severity
	}
	if fd.Fix != nil {
		return rules.Warning
	}
	return rules.Info
}

// textReporter prints "file:line:col: rule: message", one finding a line.
// Errors are printed on stderr by the caller, in every format.
type textReporter struct {
	w     io.Writer
	color bool
}

func (r *textReporter) Add(out File) {
	for _, fd := range out.Findings {
		fmt.Fprintln(r.w, FindingLine(out.Path, fd, r.color))
	}
}

func (r *textReporter) Finish() error { return nil }

// ANSI escape sequences for coloured output.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// FindingLine is the text form of a finding, "path:line:col: rule: message",
// with control characters escaped, and coloured when color is set: the
// position in bold, the rule name red for an error, yellow for a warning and
// cyan for info.
func FindingLine(path string, fd rules.Finding, color bool) string {
	if !color {
		return fmt.Sprintf("%s:%d:%d: %s: %s", DisplayPath(path), fd.Line, fd.Col, fd.Rule, EscapeText(fd.Message))
	}
	rc := ansiCyan
	switch Severity(fd) {
	case rules.Warning:
		rc = ansiYellow
	case rules.Error:
		rc = ansiRed
	}
	return fmt.Sprintf("%s%s:%d:%d:%s %s%s%s: %s", ansiBold, DisplayPath(path), fd.Line, fd.Col, ansiReset, rc, fd.Rule, ansiReset, EscapeText(fd.Message))
}

// WritePatch writes a unified diff, coloured as git colours one when color is
// set: headers bold, hunk lines cyan, removed lines red, added lines green.
func WritePatch(w io.Writer, patch []byte, color bool) error {
	if !color {
		_, err := w.Write(patch)
		return err
	}
	var b bytes.Buffer
	header := true
	for line := range bytes.Lines(patch) {
		body := bytes.TrimRight(line, "\r\n")
		ending := line[len(body):]
		code := ""
		switch {
		case bytes.HasPrefix(body, []byte("diff --git ")):
			header, code = true, ansiBold
		case bytes.HasPrefix(body, []byte("@@")):
			header, code = false, ansiCyan
		case header:
			code = ansiBold
		case bytes.HasPrefix(body, []byte("-")):
			code = ansiRed
		case bytes.HasPrefix(body, []byte("+")):
			code = ansiGreen
		}
		if code == "" {
			b.Write(line)
			continue
		}
		b.WriteString(code)
		b.Write(body)
		b.WriteString(ansiReset)
		b.Write(ending)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// githubReporter prints GitHub Actions workflow commands, which the runner
// turns into annotations on the pull request.
type githubReporter struct{ w io.Writer }

func (r *githubReporter) Add(out File) {
	if out.Err != nil {
		var re *rewrite.Error
		if errors.As(out.Err, &re) {
			props := "file=" + escapeProperty(CleanPath(re.File))
			if re.Line > 0 {
				props += fmt.Sprintf(",line=%d", re.Line)
			}
			fmt.Fprintf(r.w, "::error %s,title=dfslim::%s\n", props, escapeData(re.Err.Error()))
			return
		}
		fmt.Fprintf(r.w, "::error title=dfslim::%s\n", escapeData(out.Err.Error()))
		return
	}
	for _, fd := range out.Findings {
		command := "notice"
		switch Severity(fd) {
		case rules.Warning:
			command = "warning"
		case rules.Error:
			command = "error"
		}
		endLine, endCol := endOf(out, fd)
		fmt.Fprintf(r.w, "::%s file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s::%s\n",
			command, escapeProperty(CleanPath(out.Path)), fd.Line, fd.Col, endLine, endCol,
			escapeProperty(fd.Rule), escapeData(fd.Message))
	}
}

func (r *githubReporter) Finish() error { return nil }

// escapeData escapes the message of a workflow command: the runner decodes
// %25, %0D and %0A; other control characters are written as Go escapes.
func escapeData(s string) string {
	s = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
	return EscapeText(s)
}

// escapeProperty escapes a property value of a workflow command.
func escapeProperty(s string) string {
	s = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
	return EscapeText(s)
}

// endOf returns the 1-based line and byte column just past a finding's span.
func endOf(out File, fd rules.Finding) (line, col int) {
	if out.Dockerfile == nil || fd.Span.End <= fd.Span.Start {
		return fd.Line, fd.Col
	}
	return out.Dockerfile.Position(fd.Span.End)
}

// jsonReport is the document that "dfslim check --format json" prints.
// docs/output.md describes it; version changes only when a field changes
// meaning or goes away (new fields may appear in the same version).
type jsonReport struct {
	Version  int           `json:"version"`
	Tool     jsonTool      `json:"tool"`
	Findings []jsonFinding `json:"findings"`
	Errors   []jsonError   `json:"errors"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonFinding struct {
	Rule     string       `json:"rule"`
	Severity string       `json:"severity"`
	Location jsonLocation `json:"location"`
	Message  string       `json:"message"`
	Fix      jsonFix      `json:"fix"`
}

type jsonLocation struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"end_line"`
	EndColumn int    `json:"end_column"`
}

type jsonFix struct {
	Available bool   `json:"available"`
	Safety    string `json:"safety,omitempty"`
	Message   string `json:"message,omitempty"`
	Patch     string `json:"patch,omitempty"`
	// RuntimeBase is the image the final stage runs on before and after
	// the fix, with the catalog's sizes.
	RuntimeBase *catalog.BaseChange `json:"runtime_base,omitempty"`
}

type jsonError struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// jsonSchemaVersion is jsonReport's version field.
const jsonSchemaVersion = 1

type jsonReporter struct {
	w       io.Writer
	version string
	report  jsonReport
}

func (r *jsonReporter) Add(out File) {
	if out.Err != nil {
		r.report.Errors = append(r.report.Errors, errorRecord(out.Err))
		return
	}
	for _, fd := range out.Findings {
		endLine, endCol := endOf(out, fd)
		jf := jsonFinding{
			Rule:     fd.Rule,
			Severity: Severity(fd).String(),
			Location: jsonLocation{File: CleanPath(out.Path), Line: fd.Line, Column: fd.Col, EndLine: endLine, EndColumn: endCol},
			Message:  fd.Message,
		}
		if fx := fd.Fix; fx != nil {
			jf.Fix = jsonFix{Available: true, Safety: fx.Safety.String(), Message: fx.Message, Patch: string(fixPatch(out, fx)), RuntimeBase: fx.RuntimeBase}
		}
		r.report.Findings = append(r.report.Findings, jf)
	}
}

func (r *jsonReporter) Finish() error {
	r.report.Version = jsonSchemaVersion
	r.report.Tool = jsonTool{Name: "dfslim", Version: r.version}
	if r.report.Findings == nil {
		r.report.Findings = []jsonFinding{}
	}
	if r.report.Errors == nil {
		r.report.Errors = []jsonError{}
	}
	return writeJSON(r.w, r.report)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// errorRecord splits an error into file, line and message where it can.
func errorRecord(err error) jsonError {
	var re *rewrite.Error
	if errors.As(err, &re) {
		return jsonError{File: CleanPath(re.File), Line: re.Line, Message: re.Err.Error()}
	}
	return jsonError{Message: err.Error()}
}

// fixPatch returns the unified diff of applying fx alone to the files as
// they are, or nil when it cannot be applied.
func fixPatch(out File, fx *rules.Fix) []byte {
	if out.Dockerfile == nil {
		return nil
	}
	var patch []byte
	if len(fx.Edits) > 0 {
		src, err := rewrite.Apply(out.Dockerfile.Src, fx.Edits)
		if err != nil {
			return nil
		}
		patch = append(patch, rewrite.Unified(PatchPath(out.Path), out.Dockerfile.Src, src, false)...)
	}
	for _, p := range sortedPaths(fx.Files) {
		name := filepath.Join(out.ContextDir, filepath.FromSlash(p))
		old, err := rewrite.ReadRegular(name)
		created := errors.Is(err, os.ErrNotExist)
		if err != nil && !created {
			return nil
		}
		src, err := rewrite.Apply(old, fx.Files[p])
		if err != nil {
			return nil
		}
		patch = append(patch, rewrite.Unified(PatchPath(name), old, src, created)...)
	}
	return patch
}

func sortedPaths[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
