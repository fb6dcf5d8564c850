package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/dfslim/dfslim/rules"
)

// gitlabReporter writes a GitLab Code Quality report: a JSON array of issues
// in the Code Climate format that GitLab shows in merge requests
// (artifacts:reports:codequality). Errors are not issues: they go to stderr
// and the exit status, as in every format.
type gitlabReporter struct {
	w      io.Writer
	issues []gitlabIssue
	seen   map[string]int // fingerprint base -> occurrences so far
}

type gitlabIssue struct {
	Type        string         `json:"type"`
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Categories  []string       `json:"categories"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
	End   int `json:"end"`
}

// gitlabSeverity maps a severity to a Code Climate one.
func gitlabSeverity(s rules.Severity) string {
	switch s {
	case rules.Error:
		return "critical"
	case rules.Warning:
		return "major"
	}
	return "info"
}

func (r *gitlabReporter) Add(out File) {
	if out.Err != nil {
		return
	}
	if r.seen == nil {
		r.seen = map[string]int{}
	}
	path := DisplayPath(out.Path)
	for _, fd := range out.Findings {
		endLine, _ := endOf(out, fd)
		// The fingerprint stays the same when lines move: the file, the
		// rule, the message and the text of the finding's line, then the
		// count of the same ones before it.
		text := ""
		if out.Dockerfile != nil && fd.Line > 0 {
			text = strings.TrimSpace(out.Dockerfile.Line(fd.Line))
		}
		base := strings.Join([]string{path, fd.Rule, fd.Message, text}, "\x00")
		n := r.seen[base]
		r.seen[base]++
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d", base, n)))
		r.issues = append(r.issues, gitlabIssue{
			Type:        "issue",
			Description: fd.Message,
			CheckName:   fd.Rule,
			Fingerprint: hex.EncodeToString(sum[:16]),
			Severity:    gitlabSeverity(Severity(fd)),
			Categories:  []string{"Performance"},
			Location:    gitlabLocation{Path: path, Lines: gitlabLines{Begin: fd.Line, End: max(endLine, fd.Line)}},
		})
	}
}

func (r *gitlabReporter) Finish() error {
	if r.issues == nil {
		r.issues = []gitlabIssue{}
	}
	return writeJSON(r.w, r.issues)
}
