package rules

import (
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// ScratchFiles gives a final stage on scratch (with --base scratch) what
// distroless static would have had: the CA bundle, time zone data, and a
// passwd and group entry for 65532.
var ScratchFiles = &Rule{
	Name:    "scratch-files",
	Summary: "Copy the CA bundle, zoneinfo and a 65532 user into a final stage on scratch (--base scratch)",
	Why: `
scratch is the empty image: the smallest runtime there is (the seed article's Rust Lambda is
2.69 MB on it, against 4.03 MB on Chainguard static), and the one with the most caveats. It has no
CA certificates, so HTTPS calls (any AWS SDK call) fail; no /usr/share/zoneinfo, so time zones other
than UTC fail; no /etc/passwd, so a user name does not resolve; no /tmp (Lambda mounts one, other
platforms do not). With --base scratch, dfslim puts a static binary on scratch and this rule copies
the CA bundle and the zoneinfo tree from the build stage, writes passwd and group files with root
and nonroot (65532) there, copies them in, and runs the program as USER 65532:65532.`,
	FixSafety: `
Applies only with --base scratch, to a final stage FROM scratch whose program comes from a build
stage on a Debian-based (apt) or Alpine (apk) image: that stage gets a RUN that installs
ca-certificates and tzdata when they are missing, which needs the package index at build time.
Caveats of scratch that remain: no /tmp and no shell to debug with; distroless static or
Chainguard static cost 1 to 2 MB more and have none of these problems.`,
	Safety: Safe,
	Run:    runScratchFiles,
}

func runScratchFiles(p *Pass) error {
	f := p.File
	if p.Config.Flavor() != catalog.Scratch {
		return nil
	}
	final, refSpan, ok := finalImageStage(f)
	if !ok || !strings.EqualFold(final.BaseName, string(catalog.Scratch)) {
		return nil
	}
	for _, c := range final.Commands {
		if cp, ok := c.(*instructions.CopyCommand); ok {
			for _, s := range cp.SourcePaths {
				if s == "/etc/ssl/certs/ca-certificates.crt" {
					return nil // done already
				}
			}
		}
	}
	c, _ := finalProgram(p, final, "/")
	if c == nil || c.From == "" {
		return nil
	}
	idx := facts.StageIndex(f, c.From, len(f.Stages)-1)
	if idx < 0 {
		return nil
	}
	chain := facts.StageChain(f, idx)
	root := facts.ClassifyStageBase(f, chain[0])
	var install string
	switch {
	case root.Libc == catalog.LibcMusl || root.Family == catalog.FamilyAlpine:
		install = "apk add --no-cache ca-certificates tzdata"
	case root.Libc == catalog.LibcGlibc && (root.Distro == "" || strings.HasPrefix(root.Distro, "debian") || root.Distro == "ubuntu") &&
		root.Family != catalog.FamilyAmazonLinux && root.Family != catalog.FamilyRHEL && root.Family != catalog.FamilyLambdaProvided:
		install = "apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata"
	default:
		p.Reportf(refSpan, "scratch: dfslim does not know how to get CA certificates and zoneinfo from the build image %s; copy them in yourself", f.Stages[chain[0]].BaseName)
		return nil
	}
	build := f.Stages[idx]
	buildInstrs := stageInstrs(f, &build)
	last := buildInstrs[len(buildInstrs)-1]
	run := keyword(f, "RUN") + " { test -s /etc/ssl/certs/ca-certificates.crt && test -d /usr/share/zoneinfo; } || { " + install + "; }" +
		" && mkdir -p /scratch/etc" +
		` && printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > /scratch/etc/passwd` +
		` && printf 'root:x:0:\nnonroot:x:65532:\n' > /scratch/etc/group`
	from := f.InstrAt(final.Location[0].Start.Line)
	name := c.From
	cp := keyword(f, "COPY") + " --from=" + name + " "
	lines := []string{
		cp + "/etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt",
		cp + "/usr/share/zoneinfo /usr/share/zoneinfo",
		cp + "/scratch/etc/passwd /scratch/etc/group /etc/",
	}
	hasUser := false
	for _, cmd := range final.Commands {
		if _, ok := cmd.(*instructions.UserCommand); ok {
			hasUser = true
		}
	}
	if !hasUser {
		lines = append(lines, keyword(f, "USER")+" 65532:65532")
	}
	edits := []rewrite.Edit{lineAfter(f, last, run), lineAfter(f, from, strings.Join(lines, f.Newline))}
	p.Report(Finding{Span: refSpan,
		Message: "a final stage on scratch has no CA certificates, no zoneinfo and no user entries; they come from stage " + name,
		Fix:     &Fix{Message: "Copy the CA bundle, zoneinfo and a 65532 user from stage " + name, Safety: Safe, Edits: edits}})
	return nil
}
