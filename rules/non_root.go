package rules

import (
	"fmt"
	"slices"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/rewrite"
)

// NonRoot gives a distroless or Chainguard final stage an explicit numeric USER.
var NonRoot = &Rule{
	Name:    "non-root",
	Summary: "Give a distroless or Chainguard final stage an explicit USER 65532:65532",
	Why: `
Distroless :nonroot and Chainguard runtime images already run as UID 65532, but a Dockerfile
without USER does not say so: Trivy (DS-0002), Checkov (CKV_DOCKER_3) and KICS flag it as
running as root, and a reader cannot tell either. Kubernetes' runAsNonRoot needs a numeric user
to verify it, so the line is ` + "`USER 65532:65532`" + `, not ` + "`USER nonroot`" + ` (hadolint DL3066 also
asks for numbers). Distroless images without :nonroot (:latest, :debug) run as root; for those
the same line drops root.`,
	FixSafety: `
The USER line goes after the stage's last RUN, COPY, ADD and WORKDIR (before its CMD or
ENTRYPOINT, above their comments), so it changes no build step. On images whose default user
is already 65532 it changes nothing at run time: the fix is safe. On distroless images that run
as root (:latest, :debug) the program loses root, which breaks it if it writes to root-owned
paths or binds a port below 1024 outside Docker: that fix is unsafe and applied only with
--unsafe. A stage (or a stage it builds on) that sets USER is left alone.`,
	Safety: Safe,
	Before: `FROM golang:1.22 AS build
RUN CGO_ENABLED=0 go build -o /app .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /app /app
CMD ["/app"]
`,
	After: `FROM golang:1.22 AS build
RUN CGO_ENABLED=0 go build -o /app .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /app /app
USER 65532:65532
CMD ["/app"]
`,
	Run: runNonRoot,
}

// buildSteps are the instructions whose effect depends on the current user.
var buildSteps = []string{"from", "run", "copy", "add", "workdir", "onbuild"}

func runNonRoot(p *Pass) error {
	f := p.File
	stages := p.Facts().Stages()
	if len(stages) == 0 {
		return nil
	}
	final := stages[len(stages)-1]
	if final.Last("user") != nil {
		return nil
	}
	root := final.Root()
	user, ok := catalog.DefaultUser(root.Base)
	if !ok {
		return nil
	}
	// Insert after the last build step of the final stage, before the
	// first CMD or ENTRYPOINT that follows it, or at the end of the stage.
	lastStep := 0
	for i, in := range final.Instrs {
		if slices.Contains(buildSteps, in.Cmd) {
			lastStep = i
		}
	}
	want := p.Config.RuntimeUser()
	line := keyword(f, "USER") + " " + want
	edit := lineAfter(f, final.Instrs[len(final.Instrs)-1], line)
	for _, in := range final.Instrs[lastStep+1:] {
		if in.Cmd == "cmd" || in.Cmd == "entrypoint" {
			edit = lineBefore(f, in, line)
			break
		}
	}
	at := rewrite.Span{Start: final.Instrs[0].Span.Start, End: final.Instrs[0].Span.Start}
	if user == "65532" && want == "65532:65532" {
		p.Report(Finding{Span: at,
			Message: fmt.Sprintf("final stage on %s sets no USER; it runs as 65532, but scanners and runAsNonRoot need USER 65532:65532 to see it", root.Base),
			Fix:     &Fix{Message: "Add USER 65532:65532", Safety: Safe, Edits: []rewrite.Edit{edit}}})
		return nil
	}
	if user == "65532" { // --uid: another user than the image's, so files it owns may not be writable
		p.Report(Finding{Span: at,
			Message: fmt.Sprintf("final stage on %s sets no USER; it runs as 65532, and the configured runtime user is %s", root.Base, want),
			Fix:     &Fix{Message: "Add USER " + want, Safety: Unsafe, Edits: []rewrite.Edit{edit}}})
		return nil
	}
	p.Report(Finding{Span: at,
		Message: fmt.Sprintf("final stage on %s runs as root; USER %s runs it as nonroot (use the image's :nonroot tag, or check that the program needs no root)", root.Base, want),
		Fix:     &Fix{Message: "Add USER " + want, Safety: Unsafe, Edits: []rewrite.Edit{edit}}})
	return nil
}
