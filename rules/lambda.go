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

// Lambda moves a Lambda function that ships its own Runtime API client (a
// Rust, Go or C++ bootstrap binary) from public.ecr.aws/lambda/provided to a
// distroless or Chainguard image.
var Lambda = &Rule{
	Name:    "lambda",
	Summary: "Run a Lambda bootstrap binary on distroless or Chainguard instead of lambda/provided",
	Why: `
public.ecr.aws/lambda/provided (al2, al2023) is Amazon Linux with a shell, yum or dnf, and the
Runtime Interface Emulator: about 300 MB for a program that, in Rust (lambda_runtime) or Go
(aws-lambda-go), already implements the Lambda Runtime API itself. Lambda runs any Linux image
whose ENTRYPOINT starts such a program, so the function runs as well on distroless cc (a glibc
build) or static (a musl build, or Go with CGO_ENABLED=0), or Chainguard glibc-dynamic or static:
2 to 25 MB. The bootstrap goes to /bootstrap and becomes ENTRYPOINT ["/bootstrap"] with an
absolute path, as Lambda requires; the handler CMD stays.

AWS's language images (lambda/python, lambda/nodejs, lambda/java, …) are not changed: they carry
the language's runtime interface client, which a distroless image would need built for it with
the same libc and language version. The rule says so in a finding.`,
	FixSafety: `
The fix applies when the final stage copies a bootstrap built in an earlier stage whose libc
dfslim can tell (Go: CGO_ENABLED; Rust: the target), and nothing in the stage needs the AWS
image: no RUN, no shell-form command, no other use of ${LAMBDA_TASK_ROOT} or
${LAMBDA_RUNTIME_DIR}, which only that image defines. When the stage copies other files, WORKDIR
/var/task (the AWS image's) is set so relative paths keep working. Local testing loses the
built-in emulator: run the image with the Runtime Interface Emulator mounted instead
(docker run -v ~/.aws-lambda-rie:/aws-lambda -p 9000:8080 --entrypoint /aws-lambda/aws-lambda-rie IMAGE /bootstrap).
A single-stage file that builds inside lambda/provided is left to the multi-stage rule.`,
	Safety: Safe,
	Before: `FROM rust:1.84-bullseye AS builder
WORKDIR /build
COPY . .
RUN cargo build --release

FROM public.ecr.aws/lambda/provided:al2
COPY --from=builder /build/target/release/bootstrap ${LAMBDA_RUNTIME_DIR}/bootstrap
CMD ["handler"]
`,
	After: `FROM rust:1.84-bullseye AS builder
WORKDIR /build
COPY . .
RUN cargo build --release

FROM gcr.io/distroless/cc-debian13:nonroot
COPY --from=builder /build/target/release/bootstrap /bootstrap
ENTRYPOINT ["/bootstrap"]
CMD ["handler"]
`,
	Run: runLambda,
}

// lambdaEnv is what public.ecr.aws/lambda/provided defines for Dockerfiles.
var lambdaEnv = map[string]string{"LAMBDA_TASK_ROOT": "/var/task", "LAMBDA_RUNTIME_DIR": "/var/runtime"}

// runtimeClients names the runtime interface client of each AWS language image.
var runtimeClients = map[string]string{
	"python": "awslambdaric", "node": "aws-lambda-ric", "java": "aws-lambda-java-runtime-interface-client",
	"ruby": "aws_lambda_ric", "dotnet": "Amazon.Lambda.RuntimeSupport",
}

func runLambda(p *Pass) error {
	f := p.File
	final, refSpan, ok := finalImageStage(f)
	if !ok {
		return nil
	}
	info := catalog.ClassifyBase(final.BaseName)
	switch info.Family {
	case catalog.FamilyLambdaLanguage:
		client := runtimeClients[info.Language]
		if client == "" {
			client = "its runtime interface client"
		}
		p.Reportf(refSpan, "%s carries the Lambda runtime and %s; dfslim keeps AWS language images (a distroless image would need the client built for its libc and %s version)", final.BaseName, client, catalog.LanguageName(info.Language))
		return nil
	case catalog.FamilyLambdaProvided:
	default:
		return nil
	}
	plan := planLambda(p, final)
	if plan == nil {
		return nil
	}
	stays := "Lambda function stays on " + final.BaseName
	if len(plan.blockers) > 0 {
		plan.report(p, refSpan, stays, "", "", Safe)
		return nil
	}
	plan.report(p, refSpan, stays,
		fmt.Sprintf("Lambda function only runs %s, which implements the Runtime API; %s runs it instead: runtime base %s",
			plan.what, plan.image.Ref, &catalog.BaseChange{From: catalog.SizeOf(final.BaseName), To: catalog.SizeOf(plan.image.Ref)}),
		"Use "+plan.image.Ref+" for the Lambda function", Safe)
	return nil
}

// planLambda works out the runtime image and edits for a final stage on
// lambda/provided, or the blockers; nil when the rule has nothing to say.
func planLambda(p *Pass, final *instructions.Stage) *runtimePlan {
	f := p.File
	single := len(f.Stages) == 1
	plan := &runtimePlan{blockers: p.Facts().ShellNeeds(final)}
	if len(plan.blockers) > 0 {
		if single {
			return nil // it builds inside the AWS image: the multi-stage rule's case
		}
		return plan
	}
	block := func(in *rewrite.Instr, format string, args ...any) *runtimePlan {
		plan.blockers = append(plan.blockers, facts.Blocker{Span: in.Span, Reason: fmt.Sprintf(format, args...)})
		return plan
	}
	fromIn := f.InstrAt(final.Location[0].Start.Line)
	var ep, cmd *rewrite.Instr
	hasWorkdir := false
	for _, c := range final.Commands {
		switch c.(type) {
		case *instructions.EntrypointCommand:
			ep = f.InstrOf(c)
		case *instructions.CmdCommand:
			cmd = f.InstrOf(c)
		case *instructions.WorkdirCommand:
			hasWorkdir = true
		}
	}
	files := p.Facts().Files(final, "/var/task", lambdaEnv)
	// The program Lambda starts: the ENTRYPOINT when the stage sets one,
	// else what /lambda-entrypoint.sh runs.
	target := lambdaEnv["LAMBDA_RUNTIME_DIR"] + "/bootstrap"
	var epArgs []string
	at := fromIn
	if ep != nil {
		epArgs, _ = facts.ExecArgs(f, ep)
		if len(epArgs) == 0 {
			return block(ep, "ENTRYPOINT [] leaves the command to CMD, which dfslim does not follow for Lambda")
		}
		target, at = epArgs[0], ep
	}
	c, src := files.Origin(target)
	if c == nil {
		return block(at, "the stage does not copy %s, the program Lambda starts, so dfslim cannot tell what it is", target)
	}
	bin := facts.BinaryOf(&p.Source, c, src)
	if bin.Reason != "" {
		return block(c.In, "%s", bin.Reason)
	}
	img, err := runtimeImageFor(p, bin.Kind, "", bin.Distro)
	if err != nil {
		return block(fromIn, "%v", err)
	}
	plan.image, plan.what = img, bin.What+" ("+path.Base(src)+")"
	if bin.CgoOff != nil {
		plan.edits = append(plan.edits, *cgoOffEdit(bin.CgoOff))
	}

	abs := files.Targets(target)[0]
	if !strings.HasPrefix(target, "/") && !strings.Contains(target, "/") {
		abs = path.Join(files.Workdir, target) // ENTRYPOINT ["bootstrap"]: Lambda needs an absolute path anyway
	}
	entry, moved := abs, false
	if abs == "/var/runtime/bootstrap" || strings.HasPrefix(abs, "/var/task/") {
		entry, moved = "/bootstrap", true
		e, ok := copyDestEdit(f, c, entry)
		if !ok {
			return block(c.In, "the bootstrap's COPY cannot be pointed at /bootstrap (several sources, or JSON form)")
		}
		plan.edits = append(plan.edits, e)
	}
	// Nothing else may rely on the AWS image's variables.
	for _, cmdIn := range stageInstrs(f, final) {
		if (moved && cmdIn == c.In) || cmdIn == ep {
			continue
		}
		text := f.Text(cmdIn.Span)
		for v := range lambdaEnv {
			if strings.Contains(text, "$"+v) || strings.Contains(text, "${"+v) {
				return block(cmdIn, "%s uses $%s, which only the AWS base image defines", strings.ToUpper(cmdIn.Cmd), v)
			}
		}
	}
	newArgs := append([]string{entry}, epArgs[min(1, len(epArgs)):]...)
	newEp := execJSON(newArgs)
	switch {
	case ep != nil && ep.Node.Attributes["json"] && slices.Equal(epArgs, newArgs):
		// already right
	case ep != nil:
		plan.edits = append(plan.edits, rewrite.Edit{Span: ep.Span, New: keywordText(f, ep) + " " + newEp})
		if f.Join(ep).Skipped {
			return block(ep, "comment lines inside the ENTRYPOINT's continuation would be lost")
		}
	case cmd != nil:
		plan.edits = append(plan.edits, lineBefore(f, cmd, keyword(f, "ENTRYPOINT")+" "+newEp))
	default:
		plan.edits = append(plan.edits, lineAfter(f, stageInstrs(f, final)[len(stageInstrs(f, final))-1], keyword(f, "ENTRYPOINT")+" "+newEp))
	}
	if cmd != nil && !cmd.Node.Attributes["json"] {
		args, err := facts.ExecArgs(f, cmd)
		if err != nil || f.Join(cmd).Skipped {
			return block(cmd, "the CMD cannot be written in exec form")
		}
		plan.edits = append(plan.edits, rewrite.Edit{Span: cmd.Span, New: keywordText(f, cmd) + " " + execJSON(args)})
	}
	if !hasWorkdir && len(files.Copies) > 1 {
		plan.edits = append(plan.edits, lineAfter(f, fromIn, keyword(f, "WORKDIR")+" /var/task"))
	}
	return plan
}

// copyDestEdit returns the edit that changes the destination of a
// single-source shell-form COPY or ADD to dest.
func copyDestEdit(f *rewrite.File, c *facts.StageCopy, dest string) (rewrite.Edit, bool) {
	in := c.In
	if len(c.Srcs) != 1 || in.Node.Attributes["json"] || len(in.Node.Heredocs) > 0 {
		return rewrite.Edit{}, false
	}
	last := in.Node.Next
	for last != nil && last.Next != nil {
		last = last.Next
	}
	if last == nil {
		return rewrite.Edit{}, false
	}
	j := f.Join(in)
	text := strings.TrimRight(j.Text, " \t")
	start := strings.LastIndexAny(text, " \t\n") + 1
	if start <= j.Args || text[start:] != last.Value {
		return rewrite.Edit{}, false
	}
	return rewrite.Edit{Span: j.SourceSpan(start, len(text)), New: dest}, true
}

// stageInstrs returns the instructions of a stage, its FROM first.
func stageInstrs(f *rewrite.File, stage *instructions.Stage) []*rewrite.Instr {
	first := stage.Location[0].Start.Line
	var out []*rewrite.Instr
	for i, in := range f.Instrs {
		if in.StartLine < first {
			continue
		}
		if in.Cmd == "from" && in.StartLine != first {
			break
		}
		out = append(out, f.Instrs[i])
	}
	return out
}
