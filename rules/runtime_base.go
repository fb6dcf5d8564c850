package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// RuntimeBase moves the final stage of a multi-stage build from a full OS or
// language image to the matching distroless or Chainguard image.
var RuntimeBase = &Rule{
	Name:    "runtime-base",
	Summary: "Run the final stage on a distroless or Chainguard image when it only runs the built artifact",
	Why: `
The final stage of a multi-stage build is what ships. When it starts from debian, ubuntu, alpine,
golang, rust, node, python, eclipse-temurin or amazonlinux only to run a binary, a script or a jar
built in an earlier stage, the image carries a shell, a package manager and hundreds of megabytes
the program never uses, and every CVE in them. A distroless or Chainguard image holds only what the
artifact needs: nothing for a static binary (about 2 MB), glibc (about 20 MB), glibc with libgcc and
libstdc++ for Rust and C++, or the Node.js, Python or Java runtime of the same version.

The image is chosen from the artifact: a Go binary built with CGO_ENABLED=0 or a Rust binary built
for a *-musl target runs on static; any other Go binary on base (glibc); any other Rust binary on cc.
Node.js, Python and Java keep their major (Python: major.minor) version. --base chainguard picks
Chainguard images, --debug the variants with a busybox shell (:debug-nonroot, :latest-dev).`,
	FixSafety: `
The fix applies only when nothing in the final stage needs what the new image lacks: no RUN, no
shell-form CMD or ENTRYPOINT that cannot be written in exec form (it is rewritten in exec form
when it can), no entry script, no HEALTHCHECK that needs a shell or curl, no USER or --chown
name other than root, nonroot or a number, and a program whose libc dfslim can tell from the
stage that built it: binaries built on Alpine (musl), binaries linking C libraries the build
stage installed, and prebuilt binaries from the build context are reported instead, as are
Python packages copied from a stage that installed a C compiler on a Debian release newer than
the runtime image's (python:3.11-slim is Debian 13, distroless Python 3.11 Debian 12): what it
compiled may need symbols of the newer glibc. Files copied from a Node.js app installed on
Alpine move to a glibc image only when they lie in the app's directory, its package-lock.json
(v2 or later) shows no package with an install script or a per-platform prebuilt binary, and
the app has no binding.gyp (as multi-stage).
The interpreter of Node.js, Python and Java is given by its absolute path in the new image, whose
ENTRYPOINT is that interpreter: CMD ["node", "server.js"] becomes CMD ["server.js"]; when the
arguments cannot follow the image's ENTRYPOINT (java options before -jar) an explicit ENTRYPOINT
with the interpreter is added. With --debug, the CMD of a static/base/cc image becomes an
ENTRYPOINT, since their debug variants set ENTRYPOINT ["/busybox/sh"]. When the stage relies on
the old image's working directory, WORKDIR is set to it explicitly, because distroless :nonroot
images start in /home/nonroot. Anything else the program needs from the old image at run time
(a file it reads from /etc, a library it loads by name) is not visible in the Dockerfile: check
the result before shipping it.

When no distroless or Chainguard image can run a Python, Node.js or Java final stage, it moves
to the slim rung (unless --fallback=false): the official -slim image of the same version and
Debian release, or the Temurin JRE of the same Java major, with every instruction kept as
written. That applies only when each program its RUN, CMD, ENTRYPOINT, HEALTHCHECK and entry
scripts from the build context start is in the slim image, installed by the stage with the
image's package manager, or copied in, and when the image changes (a stage already on its
slim image, or on a JRE that is -slim or Alpine already, such as openjdk:11-jre-slim, stays,
and the finding says so).

A RUN that only runs mkdir as root becomes WORKDIR lines (WORKDIR creates a directory with its
parents, root's, as mkdir -p does), then one back to the stage's directory, but only when the
stage names its USER after it: where the old image ran the program as root, a :nonroot image
could not write to the directory.

A final stage that builds on an earlier stage (FROM base AS final), or that builds its app
itself, carries the build's image and tools. The stages from the image to the final one are
then read as one and split like a single-stage file (see multi-stage): they stay as the build
stage, and a new runtime stage copies the app from it. A named final stage gives its name to
the new stage (so --target still builds what ships) and becomes NAME-build. The split is
refused when it would change a stage other targets build on, when a later stage uses an ARG
of an earlier one (ARGs end with their stage), when a COPY --from puts files where the runtime
stage would not carry them, when a console script comes from another stage (COPY --from of
the bin directory a pip install there wrote) and the runtime image is not the chain's own
image (the packages compiled with it may load its libraries; on the same image, such as the
build's own Alpine image without its compilers, the script runs as written), and when the chain installs curl, wget or netcat that no RUN uses
(a health check run from outside the Dockerfile needs it). A last stage named as a development
or test target (dev, dev-envs, test) is left alone, with a finding. Every final stage the rule
does not move gets a finding that says why: an image dfslim does not know, a Windows image, a
build argument without a default, no CMD or ENTRYPOINT. An image of a single-architecture
organisation (amd64/node) is replaced with --platform set to its platform.`,
	Safety: Safe,
	Before: `FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM debian:bookworm-slim
COPY --from=build /out/app /usr/local/bin/app
CMD ["app"]
`,
	After: `FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM gcr.io/distroless/static-debian13:nonroot
COPY --from=build /out/app /usr/local/bin/app
CMD ["app"]
`,
	Run: runRuntimeBase,
}

// swappableFamilies are the base image families whose final stages can move
// to a runtime image.
var swappableFamilies = []catalog.Family{catalog.FamilyDebian, catalog.FamilyUbuntu, catalog.FamilyAlpine, catalog.FamilyAmazonLinux,
	catalog.FamilyRHEL, catalog.FamilyGolang, catalog.FamilyRust, catalog.FamilyNode, catalog.FamilyPython, catalog.FamilyJava}

// interpreters names the programs that run an app on each language runtime.
var interpreters = map[catalog.Kind][]string{
	catalog.KindNode:   {"node", "nodejs"},
	catalog.KindPython: {"python", "python3"},
	catalog.KindJava:   {"java"},
}

// launchers are programs that start an app through a tool the runtime image
// does not have.
var launchers = []string{"npm", "npx", "yarn", "pnpm", "pip", "pipenv", "poetry", "uv", "gunicorn", "uvicorn", "flask", "mvn", "gradle", "tini", "dumb-init", "gosu", "su-exec"}

func runRuntimeBase(p *Pass) error {
	f := p.File
	if len(f.Stages) < 2 {
		return nil
	}
	final, refSpan, ok := finalImageStage(f)
	if !ok {
		return runStageFinal(p)
	}
	info := catalog.ClassifyBase(final.BaseName)
	if strings.Contains(final.BaseName, "$") {
		def := facts.ExpandMetaArgs(f, final.BaseName)
		switch {
		case def == "":
			p.Reportf(refSpan, "final stage image %s is set by a build argument with no default; dfslim cannot tell which image it is", final.BaseName)
		case slices.Contains(swappableFamilies, catalog.ClassifyBase(def).Family):
			p.Reportf(refSpan, "final stage image %s is set by a build argument (default %s); dfslim cannot replace a templated reference, write a literal distroless or Chainguard image instead", final.BaseName, def)
		}
		return nil
	}
	switch {
	case info.Runtime, info.Family == catalog.FamilyScratch, info.Family == catalog.FamilyLambdaProvided, info.Family == catalog.FamilyLambdaLanguage, isChosenBase(p, final.BaseName):
		return nil // already a runtime image (alpine.go: or --base alpine's), or rule lambda's ground
	case info.Windows:
		p.Reportf(refSpan, "final stage stays on %s: it is a Windows image, and distroless and Chainguard images are Linux only", final.BaseName)
		return nil
	case !slices.Contains(swappableFamilies, info.Family):
		p.Reportf(refSpan, "final stage stays on %s: dfslim does not know this image, so it cannot tell what the program needs from it", final.BaseName)
		return nil
	}
	plan := planRuntime(p, final, info)
	if plan == nil {
		p.Reportf(refSpan, "final stage stays on %s: the stage sets no CMD or ENTRYPOINT, so the command comes from that image", final.BaseName)
		return nil
	}
	if len(plan.blockers) > 0 {
		// A final stage that builds (RUN) can still be split like a
		// single-stage file: itself as the build stage, a new runtime stage.
		var split chainSplit
		if hasRun(final) && !programCopiedIn(p, final, false) {
			split = splitStageChain(p, []int{len(f.Stages) - 1})
			if len(split.blockers) == 0 {
				from := f.InstrAt(final.Location[0].Start.Line)
				split.report(p, from, fmt.Sprintf("final stage builds on %s itself, which keeps its build tools", final.BaseName))
				return nil
			}
		}
		switch slimRuntimeBase(p, final, info, refSpan, plan) { // the slim rung (multistage_ladder.go)
		case slimFixed:
			return nil
		case slimNone:
			plan.report(p, refSpan, "final stage stays on "+final.BaseName, "", "", plan.safety)
		}
		if len(split.blockers) > 0 && !programCopiedIn(p, final, true) {
			b := split.blockers[0]
			p.Reportf(b.Span, "final stage stays on %s: it cannot be split into a build and a runtime stage either: %s", final.BaseName, b.Reason)
		}
		return nil
	}
	if pl := archPlatform(final.BaseName); pl != "" && !hasPlatformFlag(f.InstrAt(final.Location[0].Start.Line)) {
		// amd64/node is amd64 only; the runtime image is multi-architecture.
		plan.refPrefix = "--platform=" + pl + " "
	}
	msg := fmt.Sprintf("final stage only runs %s; %s has what it needs instead of %s",
		plan.what, catalog.SizeOf(plan.image.Ref), final.BaseName)
	if len(plan.notes) > 0 {
		msg += "; the fix " + strings.Join(plan.notes, "; ")
	}
	plan.report(p, refSpan, "", msg, "Use "+plan.image.Ref+" as the runtime image", plan.safety)
	return nil
}

// planRuntime works out the runtime image for the final stage and the edits
// its CMD, ENTRYPOINT and WORKDIR need, or the blockers. It returns nil when
// the stage sets no command, so it does not look like it runs an app.
func planRuntime(p *Pass, final *instructions.Stage, info catalog.BaseInfo) *runtimePlan {
	f := p.File
	var ep, cmd *rewrite.Instr
	for _, c := range final.Commands {
		switch c.(type) {
		case *instructions.EntrypointCommand:
			ep = f.InstrOf(c)
		case *instructions.CmdCommand:
			cmd = f.InstrOf(c)
		}
	}
	if ep == nil && cmd == nil {
		return nil
	}
	plan := &runtimePlan{safety: Safe}
	cleanup := newStageCleanup(p, final)
	for _, b := range p.Facts().ShellNeeds(final) {
		if line, _ := f.Position(b.Span.Start); !cleanup.resolves(f.InstrAt(line), final) {
			plan.blockers = append(plan.blockers, b)
		}
	}
	if len(plan.blockers) > 0 {
		return plan
	}
	var epArgs, cmdArgs []string
	if ep != nil {
		epArgs, _ = facts.ExecArgs(f, ep)
	}
	if cmd != nil {
		cmdArgs, _ = facts.ExecArgs(f, cmd)
	}
	run := append(slices.Clone(epArgs), cmdArgs...)
	at := cmd
	if ep != nil {
		at = ep
	}
	if len(run) == 0 {
		plan.blockers = append(plan.blockers, facts.Blocker{Span: at.Span, Reason: "the command is empty"})
		return plan
	}
	block := func(in *rewrite.Instr, format string, args ...any) *runtimePlan {
		plan.blockers = append(plan.blockers, facts.Blocker{Span: in.Span, Reason: fmt.Sprintf(format, args...)})
		return plan
	}
	baseWorkdir := "/"
	if info.Family == catalog.FamilyGolang {
		baseWorkdir = "/go"
	}
	files := p.Facts().Files(final, baseWorkdir, nil)
	prog := path.Base(run[0])
	if slices.Contains(launchers, prog) {
		return block(at, "%s runs %s, which a runtime image does not have; start the app with its interpreter or binary directly", strings.ToUpper(at.Cmd), run[0])
	}

	kind := catalog.LanguageKind(info.Language)
	if kind != "" && !isInterpreter(kind, prog) {
		kind = "" // a language image that runs a binary
	}
	var version, distro string
	if kind != "" {
		version, distro = info.Version, info.Distro
		if b, ok := languageDepsBlocker(p, final, files, kind); ok {
			plan.blockers = append(plan.blockers, b)
			return plan
		}
		plan.what = fmt.Sprintf("%s %s", catalog.LanguageName(info.Language), info.Version)
	} else {
		c, src := files.Origin(run[0])
		if c == nil {
			return block(at, "%s runs %s, which is not copied into the stage; dfslim cannot tell whether a runtime image has it", strings.ToUpper(at.Cmd), run[0])
		}
		bin := facts.BinaryOf(&p.Source, c, src)
		if bin.Reason != "" {
			return block(c.In, "%s", bin.Reason)
		}
		kind, distro = bin.Kind, bin.Distro
		plan.what = bin.What + " (" + run[0] + ")"
		if bin.CgoOff != nil {
			plan.edits = append(plan.edits, *cgoOffEdit(bin.CgoOff))
		}
	}
	img, err := runtimeImageFor(p, kind, version, distro) // runtime_plan.go
	if err != nil {
		return block(f.InstrAt(final.Location[0].Start.Line), "%v", err)
	}
	plan.image = img
	if b, ok := copiedCompiledOnNewer(p, files, img); ok { // glibcrelease.go
		plan.blockers = append(plan.blockers, b)
		return plan
	}
	if pkg, in := cleanup.missing(img); in != nil {
		return block(in, "RUN installs %s, which %s does not have", pkg, img.Ref)
	}
	cleanEdits, notes, userChanged := cleanup.edits(final)
	plan.edits = append(plan.edits, cleanEdits...)
	if len(cleanup.mkdirs) > 0 {
		plan.notes = append(plan.notes, fmt.Sprintf("creates directories with WORKDIR instead of %d mkdir RUN(s)", len(cleanup.mkdirs)))
	}
	if len(cleanup.drops) > 0 {
		plan.notes = append(plan.notes, fmt.Sprintf("drops %d RUN instruction(s) the image makes unneeded", len(cleanup.drops)))
	}
	if userChanged {
		plan.safety = Unsafe
		plan.notes = append(plan.notes, "gives users as numbers ("+strings.Join(notes, ", ")+"); the user id may differ from the one the image had: check file ownership and volumes")
	}

	// CMD and ENTRYPOINT, in exec form, with the image's interpreter.
	if img.Language != "" {
		interp := img.Entrypoint[0]
		switch {
		case ep != nil && isInterpreter(kind, path.Base(epArgs[0])):
			plan.edits = append(plan.edits, rewriteExec(f, ep, keywordText(f, ep), append([]string{interp}, epArgs[1:]...)))
			if cmd != nil && !cmd.Node.Attributes["json"] {
				plan.edits = append(plan.edits, rewriteExec(f, cmd, keywordText(f, cmd), cmdArgs))
			}
		case ep == nil:
			rest := cmdArgs[1:]
			if len(rest) == 0 {
				return block(cmd, "CMD starts %s without a program to run", cmdArgs[0])
			}
			if tail := img.Entrypoint[1:]; len(rest) >= len(tail) && slices.Equal(rest[:len(tail)], tail) {
				plan.edits = append(plan.edits, rewriteExec(f, cmd, keywordText(f, cmd), rest[len(tail):]))
			} else {
				plan.edits = append(plan.edits,
					lineBefore(f, cmd, keyword(f, "ENTRYPOINT")+" "+execJSON([]string{interp})),
					rewriteExec(f, cmd, keywordText(f, cmd), rest))
			}
		default:
			return block(ep, "ENTRYPOINT runs %s, not %s", epArgs[0], catalog.LanguageName(img.Language))
		}
	} else {
		if ep != nil && !ep.Node.Attributes["json"] {
			plan.edits = append(plan.edits, rewriteExec(f, ep, keywordText(f, ep), epArgs))
		}
		if cmd != nil {
			switch {
			case ep == nil && p.Config.Debug:
				// The debug variants of static, base and cc set ENTRYPOINT ["/busybox/sh"].
				plan.edits = append(plan.edits, rewriteExec(f, cmd, keyword(f, "ENTRYPOINT"), cmdArgs))
			case !cmd.Node.Attributes["json"]:
				plan.edits = append(plan.edits, rewriteExec(f, cmd, keywordText(f, cmd), cmdArgs))
			}
		}
	}
	for _, e := range plan.edits {
		if e.New == "" && e.Start == e.End {
			return block(at, "its instructions hold comment lines inside continuations that a rewrite would lose")
		}
	}

	// Keep the working directory the stage ran in.
	if img.Workdir != baseWorkdir && usesRelativePaths(final, run) {
		if wd := firstWorkdir(f, final); wd != nil && !strings.HasPrefix(wd.Path, "/") && !strings.Contains(wd.Path, "$") && !f.Join(f.InstrOf(wd)).Skipped {
			// WORKDIR application: make it absolute rather than add a line.
			in := f.InstrOf(wd)
			plan.edits = append(plan.edits, rewrite.Edit{Span: in.Span, New: keywordText(f, in) + " " + path.Join(baseWorkdir, wd.Path)})
		} else {
			from := f.InstrAt(final.Location[0].Start.Line)
			plan.edits = append(plan.edits, lineAfter(f, from, keyword(f, "WORKDIR")+" "+baseWorkdir))
		}
	}
	return plan
}

// isInterpreter reports whether prog (a base name) is the interpreter of
// kind: "node", "python3", "python3.11", "java".
func isInterpreter(kind catalog.Kind, prog string) bool {
	for _, name := range interpreters[kind] {
		if prog == name {
			return true
		}
		if rest, ok := strings.CutPrefix(prog, name); ok && kind == catalog.KindPython && strings.HasPrefix(rest, ".") && catalog.TrimVersion(rest[1:], 1) != "" {
			return true
		}
	}
	return false
}

// rewriteExec returns the edit that rewrites in as keyword followed by args
// in exec form. When in's continuation holds comment lines, which the
// rewrite would drop, it returns an empty insertion that the caller treats
// as a blocker.
func rewriteExec(f *rewrite.File, in *rewrite.Instr, kw string, args []string) rewrite.Edit {
	if f.Join(in).Skipped {
		return rewrite.Edit{Span: rewrite.Span{Start: in.Span.Start, End: in.Span.Start}}
	}
	return rewrite.Edit{Span: in.Span, New: kw + " " + execJSON(args)}
}

// usesRelativePaths reports whether the stage copies to a relative
// destination or its command names a relative path, so that it depends on
// the working directory it starts in.
func usesRelativePaths(stage *instructions.Stage, run []string) bool {
	for _, c := range stage.Commands {
		var dest string
		switch c := c.(type) {
		case *instructions.CopyCommand:
			dest = c.DestPath
		case *instructions.AddCommand:
			dest = c.DestPath
		case *instructions.WorkdirCommand:
			if !strings.HasPrefix(c.Path, "/") {
				return true
			}
			return false // an absolute WORKDIR decides the rest
		default:
			continue
		}
		if !strings.HasPrefix(dest, "/") {
			return true
		}
	}
	for i, w := range run {
		if strings.HasPrefix(w, "/") || strings.HasPrefix(w, "-") {
			continue
		}
		if strings.Contains(w, "/") || (i > 0 && strings.Contains(w, ".")) {
			return true
		}
	}
	return false
}

// languageDepsBlocker finds copies of installed packages that the runtime
// image's interpreter would not see or could not load.
func languageDepsBlocker(p *Pass, final *instructions.Stage, files *facts.StageFiles, kind catalog.Kind) (facts.Blocker, bool) {
	f := p.File
	pythonPath := ""
	for _, c := range final.Commands {
		if env, ok := c.(*instructions.EnvCommand); ok {
			for _, kv := range env.Env {
				if kv.Key == "PYTHONPATH" {
					pythonPath = kv.Value
				}
			}
		}
	}
	for _, c := range files.Copies {
		if c.From == "" {
			continue
		}
		idx := facts.StageIndex(f, c.From, len(f.Stages)-1)
		if idx < 0 {
			if kind == catalog.KindPython || strings.Contains(c.From, "$") {
				return facts.Blocker{Span: c.In.Span, Reason: fmt.Sprintf("COPY --from=%s copies files from another image; dfslim cannot tell whether they run on the runtime image", c.From)}, true
			}
			continue
		}
		root := facts.ClassifyStageBase(f, facts.StageChain(f, idx)[0])
		if kind != catalog.KindJava && root.Libc == catalog.LibcMusl {
			why := ""
			if kind == catalog.KindNode {
				if why = facts.AlpineNodeCopyReason(&p.Source, idx, &c); why == "" {
					continue // pure JavaScript (nodealpine.go)
				}
				why = ": " + why
			}
			return facts.Blocker{Span: c.In.Span, Reason: fmt.Sprintf("COPY --from=%s copies files built on Alpine (musl); native modules among them would not load on the glibc runtime image%s", c.From, why)}, true
		}
		if kind != catalog.KindPython {
			continue
		}
		for _, s := range c.Srcs {
			all := s + " " + c.Dest
			switch {
			case strings.Contains(all, "venv"):
				return facts.Blocker{Span: c.In.Span, Reason: fmt.Sprintf("COPY --from=%s copies a virtualenv, whose interpreter links point at the build image's Python", c.From)}, true
			case strings.HasPrefix(c.Dest, "/usr/local/") || strings.Contains(all, "site-packages") || strings.Contains(all, "dist-packages"):
				if pythonPath == "" || !slices.Contains(strings.Split(pythonPath, ":"), c.Dest) {
					return facts.Blocker{Span: c.In.Span, Reason: fmt.Sprintf("COPY --from=%s copies installed Python packages to %s, where a distroless or Chainguard image's Python does not look (set PYTHONPATH or use pip install --target)", c.From, c.Dest)}, true
				}
			}
		}
	}
	return facts.Blocker{}, false
}

// firstWorkdir returns the first WORKDIR of the stage when no COPY or ADD
// comes before it, or nil.
func firstWorkdir(f *rewrite.File, stage *instructions.Stage) *instructions.WorkdirCommand {
	for _, c := range stage.Commands {
		switch c := c.(type) {
		case *instructions.WorkdirCommand:
			if f.InstrOf(c) == nil {
				return nil
			}
			return c
		case *instructions.CopyCommand, *instructions.AddCommand:
			return nil
		}
	}
	return nil
}
