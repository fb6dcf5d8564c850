package rules

import (
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// AlpineBase finishes a final stage that --base alpine put on Alpine:
// runtime packages with apk add --no-cache, and a non-root user.
var AlpineBase = &Rule{
	Name:    "alpine-base",
	Summary: "Install runtime packages with apk add --no-cache and run as 65532 on an Alpine final stage (--base alpine)",
	Why: `
--base alpine puts a static binary on alpine:3.22 (about 8 MB) instead of distroless or Chainguard
static: the image keeps a shell, busybox and apk, which help debugging and cost a few megabytes and
a larger attack surface. Alpine runs as root and has no time zone data, so this rule adds
RUN apk add --no-cache ca-certificates tzdata (no package index is left in the image) and
USER 65532:65532, a numeric user that needs no passwd entry.`,
	FixSafety: `
Applies only with --base alpine, to a final stage FROM alpine:3.22 that has no USER and no apk add
yet. Only static binaries are moved to Alpine (Go with CGO_ENABLED=0, Rust for *-musl or with
+crt-static): a glibc binary does not run on musl. Packages the stage installed with apt are not
translated: such a stage stays where it is. Caveat: the build needs the Alpine package index.`,
	Safety: Safe,
	Run:    runAlpineBase,
}

func runAlpineBase(p *Pass) error {
	f := p.File
	if p.Config.Flavor() != catalog.Alpine {
		return nil
	}
	final, refSpan, ok := finalImageStage(f)
	if !ok || !catalog.SameImage(final.BaseName, catalog.AlpineRef) {
		return nil
	}
	hasUser := false
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			hasUser = true
		case *instructions.RunCommand:
			if in := f.InstrOf(c); in != nil && strings.Contains(f.Text(in.Span), "apk add") {
				return nil // done already, or the user's own
			}
		}
	}
	from := f.InstrAt(final.Location[0].Start.Line)
	lines := []string{keyword(f, "RUN") + " apk add --no-cache ca-certificates tzdata"}
	if !hasUser {
		lines = append(lines, keyword(f, "USER")+" 65532:65532")
	}
	p.Report(Finding{Span: refSpan,
		Message: "a final stage on Alpine runs as root and has no time zone data",
		Fix: &Fix{Message: "Install ca-certificates and tzdata with apk add --no-cache and run as 65532", Safety: Safe,
			Edits: []rewrite.Edit{lineAfter(f, from, strings.Join(lines, f.Newline))}}})
	return nil
}

// isChosenBase reports whether ref is the image the configured --base
// itself puts final stages on when that image is an ordinary OS image
// (alpine:3.22 for --base alpine), which runtime-base must leave alone.
func isChosenBase(p *Pass, ref string) bool {
	return p.Config.Flavor() == catalog.Alpine && catalog.SameImage(ref, catalog.AlpineRef)
}
