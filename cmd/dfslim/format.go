package main

import (
	"fmt"
	"io"
	"os"

	"github.com/dfslim/dfslim/report"
	"github.com/dfslim/dfslim/rules"
	"github.com/spf13/pflag"
)

// Output formats of "dfslim check": the report package's.
var formats = report.Formats

// severity is a finding's severity (report.Severity).
func severity(fd rules.Finding) rules.Severity { return report.Severity(fd) }

// findingLine is the text form of a finding (report.FindingLine).
func findingLine(path string, fd rules.Finding, color bool) string {
	return report.FindingLine(path, fd, color)
}

// writePatch writes a unified diff, coloured as git does when color is set.
func writePatch(w io.Writer, patch []byte, color bool) error {
	return report.WritePatch(w, patch, color)
}

// reportFile is what a report shows of an outcome of check.
func (out outcome) reportFile() report.File {
	return report.File{Path: out.path, Dockerfile: out.file, ContextDir: out.dir, Findings: out.findings, Err: out.err}
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
