package main

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

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
	"github.com/spf13/pflag"
)

// Output formats of "dfslim check". docs/output.md describes each one.
const (
	formatText   = "text"
	formatJSON   = "json"
	formatSARIF  = "sarif"
	formatGitHub = "github"
	formatGitLab = "gitlab"
)

var formats = []string{formatText, formatJSON, formatSARIF, formatGitHub, formatGitLab}

// severity is a finding's severity; rules.Pass.Report sets it, and a finding
// made elsewhere without one is a warning with a fix and info without.
func severity(fd rules.Finding) rules.Severity {
	if fd.Severity != rules.SeverityUnset {
		return fd.Severity
	}
	if fd.Fix != nil {
		return rules.Warning
	}
	return rules.Info
}

// reporter writes the outcomes of "dfslim check" in one format. add is called
// for every Dockerfile, in argument order, and for every path that failed;
// finish once at the end.
type reporter interface {
	add(out outcome)
	finish() error
}

// newReporter returns the reporter of format writing to w. SARIF describes
// ruleSet in its rule metadata.
func newReporter(format string, w io.Writer, color bool, ruleSet []*rules.Rule) reporter {
	switch format {
	case formatJSON:
		return &jsonReporter{w: w}
	case formatSARIF:
		return &sarifReporter{w: w, rules: ruleSet}
	case formatGitHub:
		return &githubReporter{w: w}
	case formatGitLab:
		return &gitlabReporter{w: w}
	}
	return &textReporter{w: w, color: color}
}

// textReporter prints "file:line:col: rule: message", one finding a line.
// Errors are printed on stderr by the caller, in every format.
type textReporter struct {
	w     io.Writer
	color bool
}

func (r *textReporter) add(out outcome) {
	for _, fd := range out.findings {
		fmt.Fprintln(r.w, findingLine(out.path, fd, r.color))
	}
}

func (r *textReporter) finish() error { return nil }

// ANSI escape sequences for coloured output.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// findingLine is the text form of a finding, coloured when color is set:
// the position in bold, the rule name yellow for a warning and cyan for info.
func findingLine(path string, fd rules.Finding, color bool) string {
	if !color {
		return formatFinding(path, fd)
	}
	rc := ansiCyan
	switch severity(fd) {
	case rules.Warning:
		rc = ansiYellow
	case rules.Error:
		rc = ansiRed
	}
	return fmt.Sprintf("%s%s:%d:%d:%s %s%s%s: %s", ansiBold, displayPath(path), fd.Line, fd.Col, ansiReset, rc, fd.Rule, ansiReset, escapeText(fd.Message))
}

// writePatch writes a unified diff, coloured as git colours one when color is
// set: headers bold, hunk lines cyan, removed lines red, added lines green.
func writePatch(w io.Writer, patch []byte, color bool) error {
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

// addColorFlag adds --color.
func (o *options) addColorFlag(f *pflag.FlagSet) {
	f.StringVar(&o.color, "color", "auto", "colour the output: auto (on a terminal, unless NO_COLOR is set), always or never")
}

func (o *options) prepareColor() error {
	switch o.color {
	case "auto", "always", "never":
		return nil
	}
	return fmt.Errorf("--color must be auto, always or never, not %q", o.color)
}

// colorFor reports whether output to w is coloured: --color always, or auto
// when w is a terminal, NO_COLOR is empty and TERM is not "dumb".
func (o *options) colorFor(w io.Writer) bool {
	switch o.color {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// githubReporter prints GitHub Actions workflow commands, which the runner
// turns into annotations on the pull request.
type githubReporter struct{ w io.Writer }

func (r *githubReporter) add(out outcome) {
	if out.err != nil {
		var re *rewrite.Error
		if errors.As(out.err, &re) {
			props := "file=" + escapeProperty(cleanPath(re.File))
			if re.Line > 0 {
				props += fmt.Sprintf(",line=%d", re.Line)
			}
			fmt.Fprintf(r.w, "::error %s,title=dfslim::%s\n", props, escapeData(re.Err.Error()))
			return
		}
		fmt.Fprintf(r.w, "::error title=dfslim::%s\n", escapeData(out.err.Error()))
		return
	}
	for _, fd := range out.findings {
		command := "notice"
		switch severity(fd) {
		case rules.Warning:
			command = "warning"
		case rules.Error:
			command = "error"
		}
		endLine, endCol := endOf(out, fd)
		fmt.Fprintf(r.w, "::%s file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s::%s\n",
			command, escapeProperty(cleanPath(out.path)), fd.Line, fd.Col, endLine, endCol,
			escapeProperty(fd.Rule), escapeData(fd.Message))
	}
}

func (r *githubReporter) finish() error { return nil }

// escapeData escapes the message of a workflow command: the runner decodes
// %25, %0D and %0A; other control characters are written as Go escapes.
func escapeData(s string) string {
	s = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
	return escapeText(s)
}

// escapeProperty escapes a property value of a workflow command.
func escapeProperty(s string) string {
	s = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
	return escapeText(s)
}

// endOf returns the 1-based line and byte column just past a finding's span.
func endOf(out outcome, fd rules.Finding) (line, col int) {
	if out.file == nil || fd.Span.End <= fd.Span.Start {
		return fd.Line, fd.Col
	}
	return out.file.Position(fd.Span.End)
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
	RuntimeBase *rules.BaseChange `json:"runtime_base,omitempty"`
}

type jsonError struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// jsonSchemaVersion is jsonReport's version field.
const jsonSchemaVersion = 1

type jsonReporter struct {
	w      io.Writer
	report jsonReport
}

func (r *jsonReporter) add(out outcome) {
	if out.err != nil {
		r.report.Errors = append(r.report.Errors, errorRecord(out.err))
		return
	}
	for _, fd := range out.findings {
		endLine, endCol := endOf(out, fd)
		jf := jsonFinding{
			Rule:     fd.Rule,
			Severity: severity(fd).String(),
			Location: jsonLocation{File: cleanPath(out.path), Line: fd.Line, Column: fd.Col, EndLine: endLine, EndColumn: endCol},
			Message:  fd.Message,
		}
		if fx := fd.Fix; fx != nil {
			jf.Fix = jsonFix{Available: true, Safety: fx.Safety.String(), Message: fx.Message, Patch: string(fixPatch(out, fx)), RuntimeBase: fx.RuntimeBase}
		}
		r.report.Findings = append(r.report.Findings, jf)
	}
}

func (r *jsonReporter) finish() error {
	r.report.Version = jsonSchemaVersion
	r.report.Tool = jsonTool{Name: "dfslim", Version: version()}
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
		return jsonError{File: cleanPath(re.File), Line: re.Line, Message: re.Err.Error()}
	}
	return jsonError{Message: err.Error()}
}

// fixPatch returns the unified diff of applying fx alone to the files as
// they are, or nil when it cannot be applied.
func fixPatch(out outcome, fx *rules.Fix) []byte {
	if out.file == nil {
		return nil
	}
	var patch []byte
	if len(fx.Edits) > 0 {
		src, err := rewrite.Apply(out.file.Src, fx.Edits)
		if err != nil {
			return nil
		}
		patch = append(patch, rewrite.Unified(patchPath(out.path), out.file.Src, src, false)...)
	}
	for _, p := range sortedPaths(fx.Files) {
		name := filepath.Join(out.dir, filepath.FromSlash(p))
		old, err := os.ReadFile(name)
		created := errors.Is(err, os.ErrNotExist)
		if err != nil && !created {
			return nil
		}
		src, err := rewrite.Apply(old, fx.Files[p])
		if err != nil {
			return nil
		}
		patch = append(patch, rewrite.Unified(patchPath(name), old, src, created)...)
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
