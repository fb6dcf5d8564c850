package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// devStageWords mark a stage name as a development or test target: a
// container to work in, which needs the tools a runtime image drops.
var devStageWords = []string{"dev", "devs", "develop", "development", "devcontainer", "debug", "test", "tests", "testing", "ci"}

// isDevStage reports whether a stage name names a development or test target
// ("dev", "dev-envs", "development", "test").
func isDevStage(name string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		if slices.Contains(devStageWords, w) {
			return true
		}
	}
	return false
}

// archPlatforms are the platforms of the Docker Hub organisations that hold
// single-architecture builds of the official images, for the architectures
// distroless and Chainguard images are built for.
var archPlatforms = map[string]string{"amd64": "linux/amd64", "arm64v8": "linux/arm64", "arm32v7": "linux/arm/v7",
	"ppc64le": "linux/ppc64le", "s390x": "linux/s390x"}

// archPlatform returns the platform an image of a single-architecture
// organisation ("amd64/node:20") is for, which its multi-architecture
// replacement must be pinned to with --platform, or "".
func archPlatform(ref string) string {
	n, err := reference.ParseNormalizedNamed(ref)
	if err != nil || reference.Domain(n) != "docker.io" {
		return ""
	}
	org, _, ok := strings.Cut(reference.Path(n), "/")
	if !ok {
		return ""
	}
	return archPlatforms[org]
}

// hasPlatformFlag reports whether a FROM sets --platform.
func hasPlatformFlag(in *rewrite.Instr) bool {
	for _, fl := range in.Node.Flags {
		if strings.HasPrefix(fl, "--platform") {
			return true
		}
	}
	return false
}

// runStageFinal handles a final stage that builds on an earlier stage
// (FROM base AS final): the chain of stages from the image to the final one
// holds the build and the app, so it is split like a single-stage file into
// itself as the build stage and a new runtime stage. Development targets
// are left alone, with a finding.
func runStageFinal(p *Pass) error {
	f := p.File
	n := len(f.Stages)
	final := &f.Stages[n-1]
	if len(final.Location) == 0 {
		return nil
	}
	from := f.InstrAt(final.Location[0].Start.Line)
	if from == nil {
		return nil
	}
	chain := facts.StageChain(f, n-1)
	if len(chain) < 2 {
		return nil
	}
	name := stageLabel(f, n-1)
	if isDevStage(final.Name) {
		p.Reportf(from.Span, "final stage %s builds on stage %s and is named as a development or test target; dfslim leaves it, since a runtime image would drop the tools it is there for (build the app's own stage with --target)", name, final.BaseName)
		return nil
	}
	rootRef := f.Stages[chain[0]].BaseName
	info := facts.ClassifyStageBase(f, chain[0])
	stays := fmt.Sprintf("final stage %s builds on stage %s (%s), which keeps everything its build installed", name, final.BaseName, rootRef)
	switch {
	case info.Runtime || info.Family == catalog.FamilyScratch || info.Family == catalog.FamilyLambdaProvided || info.Family == catalog.FamilyLambdaLanguage:
		return nil
	case info.Windows:
		p.Reportf(from.Span, "final stage %s builds on stage %s (%s), a Windows image; distroless and Chainguard images are Linux only", name, final.BaseName, rootRef)
		return nil
	case !chainSetsCommand(f, chain):
		p.Reportf(from.Span, "final stage %s builds on stage %s and none of its stages sets CMD or ENTRYPOINT: a build or check target, or an image whose command comes from %s; nothing to move to a runtime image", name, final.BaseName, rootRef)
		return nil
	}
	res := splitStageChain(p, chain)
	if len(res.blockers) > 0 {
		seen := map[string]bool{}
		for _, b := range res.blockers {
			key := fmt.Sprint(b.Span.Start, b.Reason)
			if !seen[key] {
				seen[key] = true
				p.Reportf(b.Span, "%s; it cannot move to a runtime stage: %s", stays, b.Reason)
			}
		}
		return nil
	}
	res.report(p, from, stays)
	return nil
}

// report reports a successful split at the final FROM: what the stage
// carries, and the fix that adds the runtime stage.
func (res chainSplit) report(p *Pass, from *rewrite.Instr, carries string) {
	msg := fmt.Sprintf("%s; run the app in a new %s stage instead", carries, res.image.Ref)
	if res.rung != "" {
		msg += " (slim rung): " + res.rung
	}
	p.Report(Finding{
		Span:    from.Span,
		Message: msg,
		Fix: &Fix{
			Message: fmt.Sprintf("Run the %s in a %s stage copied from %s", res.what, res.image.Ref, res.name) + res.note,
			Safety:  Safe,
			Edits:   res.edits,
		},
	})
}

// programCopiedIn reports whether the program the stage's command runs (with
// args, also a file it names: a jar, a script) is copied from another stage
// or image: then the stage does not build it, and a split of the stage has
// nothing to offer (or, for its arguments, no reason worth reporting).
func programCopiedIn(p *Pass, st *instructions.Stage, args bool) bool {
	run := facts.ExecProgram(p.File, st)
	files := p.Facts().Files(st, "/", nil)
	for i, arg := range run {
		// The program, or with args what its interpreter runs (a jar, a
		// script).
		if i > 0 && (!args || strings.HasPrefix(arg, "-") || !strings.ContainsAny(arg, "/.")) {
			continue
		}
		if c, _ := files.Origin(arg); c != nil && c.From != "" && namesFile(c, arg) {
			return true
		}
	}
	return false
}

// namesFile reports whether a COPY --from names the file it brings to name
// (dfslim's file lookup also counts a copy of other files into the
// directory above name, which may or may not bring it).
func namesFile(c *facts.StageCopy, name string) bool {
	if !c.Dir {
		return true // the destination is the file itself
	}
	base := path.Base(name)
	for _, s := range c.Srcs {
		if strings.ContainsAny(s, "*?[") || path.Base(s) == base || strings.HasSuffix(s, "/") || path.Base(s) == "." {
			return true
		}
	}
	return false // files of other names: the program is not among them
}

// hasRun reports whether a stage has a RUN instruction.
func hasRun(st *instructions.Stage) bool {
	return slices.ContainsFunc(st.Commands, func(c instructions.Command) bool {
		_, ok := c.(*instructions.RunCommand)
		return ok
	})
}

// argOutOfScope finds an instruction of a later stage of the chain that uses
// a variable only an ARG of an earlier stage declares. ARGs end with their
// stage, while the single stage the split sees would carry them over.
func argOutOfScope(f *rewrite.File, chain []int) (facts.Blocker, bool) {
	declared := map[string]string{} // ARG name -> the stage that declares it
	for k, i := range chain {
		own := map[string]bool{}
		for _, c := range f.Stages[i].Commands {
			switch c := c.(type) {
			case *instructions.ArgCommand:
				for _, kv := range c.Args {
					own[kv.Key] = true
				}
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					own[kv.Key] = true // ENV is inherited
					delete(declared, kv.Key)
				}
			}
			if k == 0 {
				continue
			}
			in := f.InstrOf(c)
			if in == nil {
				continue
			}
			text := f.Text(in.Span)
			for name, stage := range declared {
				if !own[name] && (strings.Contains(text, "$"+name) || strings.Contains(text, "${"+name)) {
					return facts.Blocker{Span: in.Span, Reason: fmt.Sprintf("it uses $%s, an ARG of stage %s, which does not reach this stage", name, stage)}, true
				}
			}
		}
		for name := range own {
			if _, isEnv := declared[name]; !isEnv {
				declared[name] = stageLabel(f, i)
			}
		}
		for _, c := range f.Stages[i].Commands {
			if env, ok := c.(*instructions.EnvCommand); ok {
				for _, kv := range env.Env {
					delete(declared, kv.Key)
				}
			}
		}
	}
	return facts.Blocker{}, false
}

// probePackages are packages images install for health checks and scripts run
// from outside the Dockerfile (compose healthcheck, kubectl exec), as well as
// for downloads during the build.
var probePackages = []string{"curl", "wget", "netcat", "netcat-openbsd", "netcat-traditional", "nc", "ncat"}

// unusedProbeTool finds a RUN of the chain that installs curl, wget or netcat
// while no RUN of the chain runs it: then it is not there for the build but
// for run time ("# Add curl for healthcheck", for a compose healthcheck the
// Dockerfile does not show), and a runtime stage without it would break that.
func unusedProbeTool(f *rewrite.File, chain []int) (facts.Blocker, bool) {
	var stages []*instructions.Stage
	for _, i := range chain {
		stages = append(stages, &f.Stages[i])
	}
	unused := unusedProbePackages(f, stages)
	if len(unused) == 0 {
		return facts.Blocker{}, false
	}
	is := unused[0]
	return facts.Blocker{Span: is.in.Span, Reason: fmt.Sprintf("RUN installs %s, which no RUN uses: it is there for run time (a health check or a script run from outside the Dockerfile), and the runtime stage would not have it", is.pkg)}, true
}

// probeInstall is a RUN that installs a probe package.
type probeInstall struct {
	in  *rewrite.Instr
	pkg string
}

// unusedProbePackages lists the probe packages (curl, wget, netcat) that RUNs
// of the stages install while no RUN of them runs the program.
func unusedProbePackages(f *rewrite.File, stages []*instructions.Stage) []probeInstall {
	var installs []probeInstall
	used := map[string]bool{}
	for _, st := range stages {
		for _, c := range st.Commands {
			in := f.InstrOf(c)
			if in == nil || in.Cmd != "run" {
				continue
			}
			sh := shell.Run(f, in)
			if sh == nil {
				continue
			}
			for _, call := range sh.Calls() {
				name := path.Base(call.Name())
				used[name] = true
				if !slices.Contains(facts.PackageManagers, name) || len(call.Args) < 2 {
					continue
				}
				pkgs, _ := packageOperands(name, call.Args[1:])
				for _, pk := range pkgs {
					if slices.Contains(probePackages, pk) {
						installs = append(installs, probeInstall{in, pk})
					}
				}
			}
		}
	}
	var unused []probeInstall
	for _, is := range installs {
		progs := []string{is.pkg}
		if strings.HasPrefix(is.pkg, "netcat") || is.pkg == "ncat" || is.pkg == "nc" {
			progs = []string{"nc", "ncat", "netcat"}
		}
		if !slices.ContainsFunc(progs, func(p string) bool { return used[p] }) {
			unused = append(unused, is)
		}
	}
	return unused
}

// chainSetsCommand reports whether a stage of the chain sets CMD or ENTRYPOINT.
func chainSetsCommand(f *rewrite.File, chain []int) bool {
	for _, i := range chain {
		for _, c := range f.Stages[i].Commands {
			switch c.(type) {
			case *instructions.CmdCommand, *instructions.EntrypointCommand:
				return true
			}
		}
	}
	return false
}

// chainSplit is the result of splitting a final stage chain.
type chainSplit struct {
	image    *catalog.Image
	name     string // the stage the runtime stage copies from
	what     string // what the runtime stage runs, for the message
	note     string // what else the fix does ("; …"), for the message
	rung     string // on the slim rung: why the first rung could not be taken
	edits    []rewrite.Edit
	blockers []facts.Blocker
}

// segment maps a run of bytes of a synthetic file back to the real one.
type segment struct{ synth, real, n int }

// splitStageChain runs the single-stage split on a synthetic file that holds
// the final stage chain as one stage: the bytes before the first FROM, one
// FROM of the chain's image named like the final stage, and the instructions
// of each stage of the chain. The split's edits map back to the real file;
// all of them must fall in the final stage (or append to the file), since
// the stages it builds on may be the base of other targets too.
func splitStageChain(p *Pass, chain []int) chainSplit {
	f := p.File
	last := chain[len(chain)-1]
	finalFrom := f.InstrAt(f.Stages[last].Location[0].Start.Line)
	fail := func(in *rewrite.Instr, format string, args ...any) chainSplit {
		if in == nil {
			in = finalFrom
		}
		return chainSplit{blockers: []facts.Blocker{{Span: in.Span, Reason: fmt.Sprintf(format, args...)}}}
	}
	froms := make([]*rewrite.Instr, len(f.Stages))
	for i, st := range f.Stages {
		if len(st.Location) == 0 {
			return fail(nil, "the stage lines could not be read")
		}
		if froms[i] = f.InstrAt(st.Location[0].Start.Line); froms[i] == nil {
			return fail(nil, "the stage lines could not be read")
		}
	}
	// An ENTRYPOINT set in a stage resets the CMD it inherits.
	cmdAt, epAt := -1, -1
	for k, i := range chain {
		for _, c := range f.Stages[i].Commands {
			switch f.InstrOf(c).Cmd {
			case "cmd":
				cmdAt = k
			case "entrypoint":
				epAt = k
			}
		}
	}
	if epAt > cmdAt && cmdAt >= 0 {
		return fail(nil, "an ENTRYPOINT in stage %s resets the CMD stage %s sets", stageLabel(f, chain[epAt]), stageLabel(f, chain[cmdAt]))
	}
	name := f.Stages[last].Name
	rename := name == ""
	// A named final stage is a target (--target prod, compose's target:):
	// the new runtime stage takes its name, and the stage becomes NAME-build.
	var target string
	var nameSpan rewrite.Span
	if rename {
		name = unusedStageName(f, "app")
	} else if sp, ok := stageNameSpan(f, finalFrom, name); ok {
		target, nameSpan = name, sp
		name = unusedStageName(f, strings.ToLower(name)+"-build")
	}

	// The synthetic file.
	var src []byte
	var segs []segment
	add := func(start, end int) {
		segs = append(segs, segment{synth: len(src), real: start, n: end - start})
		src = append(src, f.Src[start:end]...)
	}
	add(0, f.LineStart(froms[0].CommentLine))
	root := froms[chain[0]]
	line := keywordText(f, finalFrom) + " "
	for _, fl := range root.Node.Flags {
		line += fl + " "
	}
	line += f.Stages[chain[0]].BaseName + " " + keyword(f, "AS") + " " + name + f.Newline
	fromSynth := len(src)
	src = append(src, line...)
	for _, i := range chain {
		start := f.LineFullEnd(froms[i].EndLine)
		end := len(f.Src)
		if i+1 < len(f.Stages) {
			end = f.LineStart(froms[i+1].CommentLine)
		}
		if end < start {
			return fail(froms[i], "the stage lines could not be read")
		}
		add(start, end)
	}
	toReal := func(s rewrite.Span) (rewrite.Span, int, bool) {
		for k, sg := range segs {
			if s.Start >= sg.synth && s.End <= sg.synth+sg.n {
				d := sg.real - sg.synth
				return rewrite.Span{Start: s.Start + d, End: s.End + d}, k, true
			}
		}
		return rewrite.Span{}, -1, false
	}
	sf, err := rewrite.Parse(f.Name, src)
	if err != nil || len(sf.Stages) != 1 {
		return fail(nil, "the stages could not be read as one")
	}
	np := *p
	np.File = sf
	np.findings = nil
	if b, ok := argOutOfScope(f, chain); ok {
		return chainSplit{blockers: []facts.Blocker{b}}
	}
	if b, ok := unusedProbeTool(f, chain); ok {
		return chainSplit{blockers: []facts.Blocker{b}}
	}
	sp := newSplit(&np, &sf.Stages[0])
	if sp == nil {
		return fail(nil, "dfslim does not know the image %s, so it cannot tell what the app needs from it", f.Stages[chain[0]].BaseName)
	}
	sp = sp.planLadder(&np, &sf.Stages[0]) // the slim rung too, as for a single-stage file
	if len(sp.blockers) > 0 {
		var out chainSplit
		for _, b := range sp.blockers {
			span := finalFrom.Span
			if b.Span.Start >= fromSynth && b.Span.Start < fromSynth+len(line) {
				span = root.Span
			} else if r, _, ok := toReal(b.Span); ok {
				span = r
			}
			out.blockers = append(out.blockers, facts.Blocker{Span: span, Reason: b.Reason})
		}
		return out
	}

	if b, ok := stageCopiesLeftBehind(f, chain, sp.copies); ok {
		return chainSplit{blockers: []facts.Blocker{b}}
	}

	// Map the edits back.
	out := chainSplit{image: sp.image, name: name, what: describeArtifact(sp.art, sp.entryPath), note: sp.noteText()}
	if sp.slim {
		out.rung = sp.why
	}
	if rename {
		end, ok := fromImageSpan(f, finalFrom)
		if !ok {
			return fail(nil, "the FROM line could not be read")
		}
		out.edits = append(out.edits, rewrite.Edit{Span: rewrite.Span{Start: end.End, End: end.End}, New: " " + keyword(f, "AS") + " " + name})
	}
	if target != "" {
		out.edits = append(out.edits, rewrite.Edit{Span: nameSpan, New: name})
	}
	for _, e := range sp.edits {
		if e.Start == len(src) && e.End == len(src) {
			text := e.New
			if target != "" {
				var ok bool
				if text, ok = nameRuntimeFrom(text, keyword(f, "AS")+" "+target); !ok {
					return fail(nil, "the runtime stage could not be named %s", target)
				}
			}
			out.edits = append(out.edits, rewrite.Edit{Span: rewrite.Span{Start: len(f.Src), End: len(f.Src)}, New: text})
			continue
		}
		r, k, ok := toReal(e.Span)
		if !ok {
			return fail(nil, "the split would change the stage's FROM line")
		}
		if k == 0 {
			return fail(nil, "the split would change the ARGs before the first FROM")
		}
		if k != len(segs)-1 {
			in := f.InstrAt(lineOfOffset(f, r.Start))
			return fail(in, "the split would change stage %s, which other targets may build on", stageLabel(f, chain[k-1]))
		}
		out.edits = append(out.edits, rewrite.Edit{Span: r, New: e.New})
	}
	res, err := rewrite.Apply(f.Src, out.edits)
	if err != nil {
		return fail(nil, "internal error: %v", err)
	}
	if nf, err := rewrite.Parse(f.Name, res); err != nil || len(nf.Stages) != len(f.Stages)+1 {
		return fail(nil, "the split Dockerfile would not parse: %v", err)
	}
	return out
}

// binDirs are where COPY --from puts programs.
var binDirs = []string{"/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin", "/usr/local/sbin"}

// toolCompanions maps a program shipped beside a build tool, and copied in
// with it, to that tool: uv's image holds /uv and /uvx (uv tool run).
var toolCompanions = map[string]string{"uvx": "uv"}

// stageCopiesLeftBehind finds a COPY --from in the chain that puts files
// where the runtime stage, which copies kept, would not carry them. The
// split only sees what the build context brings in; files from other
// stages or images are safe to leave behind when they land in a build-only
// directory, or are programs in a bin directory that a later RUN of the
// chain calls (build tools such as uv).
func stageCopiesLeftBehind(f *rewrite.File, chain []int, kept []string) (facts.Blocker, bool) {
	called := map[string]bool{}
	for _, i := range chain {
		for _, c := range f.Stages[i].Commands {
			if in := f.InstrOf(c); in != nil && in.Cmd == "run" {
				if sh := shell.Run(f, in); sh != nil {
					for _, call := range sh.Calls() {
						called[path.Base(call.Name())] = true
					}
				}
			}
		}
	}
	workdir := "/"
	for _, i := range chain {
		for _, c := range f.Stages[i].Commands {
			switch c := c.(type) {
			case *instructions.WorkdirCommand:
				workdir = path.Join(workdir, c.Path)
				if strings.HasPrefix(c.Path, "/") {
					workdir = path.Clean(c.Path)
				}
			case *instructions.CopyCommand:
				if c.From == "" {
					continue
				}
				in := f.InstrOf(c)
				dest := c.DestPath
				if !strings.HasPrefix(dest, "/") {
					dest = path.Join(workdir, dest)
				}
				dest = path.Clean(dest)
				if strings.Contains(dest, "$") {
					return facts.Blocker{Span: in.Span, Reason: fmt.Sprintf("COPY --from=%s copies to %s, which dfslim cannot resolve", c.From, c.DestPath)}, true
				}
				if slices.ContainsFunc(kept, func(k string) bool { return facts.Within(dest, k) }) ||
					slices.ContainsFunc(buildOnlyDirs, func(d string) bool { return facts.Within(dest, d) }) {
					continue
				}
				tools := slices.Contains(binDirs, dest)
				for _, src := range c.SourcePaths {
					name := path.Base(src)
					tools = tools && (called[name] || called[toolCompanions[name]])
				}
				if !tools {
					return facts.Blocker{Span: in.Span, Reason: fmt.Sprintf("COPY --from=%s puts files in %s, which the runtime stage would not carry", c.From, dest)}, true
				}
			}
		}
	}
	return facts.Blocker{}, false
}

// stageNameSpan returns the span of the stage name in a FROM ... AS name
// line, when the line has it as its last word after AS.
func stageNameSpan(f *rewrite.File, from *rewrite.Instr, name string) (rewrite.Span, bool) {
	j := f.Join(from)
	if j.Skipped || j.Heredoc {
		return rewrite.Span{}, false
	}
	fields := strings.Fields(j.Text[j.Args:])
	if len(fields) != 3 || !strings.EqualFold(fields[1], "as") || !strings.EqualFold(fields[2], name) {
		return rewrite.Span{}, false
	}
	end := len(strings.TrimRight(j.Text, " \t\r\n"))
	start := end - len(fields[2])
	if j.Text[start:end] != fields[2] {
		return rewrite.Span{}, false
	}
	return j.SourceSpan(start, end), true
}

// nameRuntimeFrom adds " AS name" to the first FROM line of the runtime
// stage text the split appends.
func nameRuntimeFrom(text, as string) (string, bool) {
	lines := strings.SplitAfter(text, "\n")
	for i, l := range lines {
		body := strings.TrimRight(l, "\r\n")
		if w := strings.Fields(body); len(w) >= 2 && strings.EqualFold(w[0], "from") {
			lines[i] = body + " " + as + l[len(body):]
			return strings.Join(lines, ""), true
		}
	}
	return text, false
}

// stageLabel names stage i by its name, else its number.
func stageLabel(f *rewrite.File, i int) string {
	if f.Stages[i].Name != "" {
		return f.Stages[i].Name
	}
	return fmt.Sprint(i)
}

// lineOfOffset returns the line that holds byte off of f.
func lineOfOffset(f *rewrite.File, off int) int {
	line, _ := f.Position(off)
	return line
}

// unusedStageName returns base, or base-N, that no stage of f is named and
// no COPY --from or RUN --mount from= refers to.
func unusedStageName(f *rewrite.File, base string) string {
	used := map[string]bool{}
	for _, st := range f.Stages {
		used[strings.ToLower(st.Name)] = true
	}
	for _, in := range f.Instrs {
		for _, fl := range in.Node.Flags {
			if v, ok := strings.CutPrefix(fl, "--from="); ok {
				used[strings.ToLower(v)] = true
			}
		}
		if in.Cmd == "run" {
			for _, m := range facts.RunMounts(in) {
				used[strings.ToLower(m["from"])] = true
			}
		}
	}
	name := base
	for n := 2; used[name]; n++ {
		name = fmt.Sprintf("%s-%d", base, n)
	}
	return name
}
