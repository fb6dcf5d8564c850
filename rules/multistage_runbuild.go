package rules

import (
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"mvdan.cc/sh/v3/syntax"
)

// This file turns a command that compiles the program when the container
// starts (go run, cargo run) into a build step at the end of the build stage
// and an exec-form command of the built artifact. The step runs where the
// command ran: the stage's last WORKDIR, with its ENV and USER.

// runWords tells which part of the image's command holds the run command:
// its words and the ENTRYPOINT or CMD instruction.
func (sp *split) runWords(in *rewrite.Instr, tool string) (words []string, inEP bool, ok bool) {
	switch {
	case len(sp.epArgs) >= 2:
		return sp.epArgs, true, true
	case sp.epArgs == nil && len(sp.cmdArgs) >= 2:
		return sp.cmdArgs, false, true
	}
	sp.block(in, "`%s run` is split between ENTRYPOINT and CMD", tool)
	return nil, false, false
}

// setRunArgv replaces the run command by the built program and its arguments.
func (sp *split) setRunArgv(prog string, progArgs []string, inEP bool) {
	argv := append([]string{prog}, progArgs...)
	if inEP {
		sp.epArgs = argv
	} else {
		sp.cmdArgs = argv
	}
	sp.argv = append(slices.Clone(sp.epArgs), sp.cmdArgs...)
}

// runStepFor registers the build step as a RUN of the analysis, so that
// artifacts can be recorded against it.
func (sp *split) runStepFor(in *rewrite.Instr) *facts.RunStep {
	step := &facts.RunStep{In: in, Workdir: sp.a.Workdir}
	sp.a.Runs = append(sp.a.Runs, step)
	return step
}

// endsAsRoot returns the stage's last USER and whether it is root, so that
// the build step may write its output where it likes.
func (sp *split) endsAsRoot() (string, bool) {
	user := ""
	for _, c := range sp.stage.Commands {
		if u, ok := c.(*instructions.UserCommand); ok {
			user = sp.a.Expand(u.User)
		}
	}
	name, _, _ := strings.Cut(user, ":")
	return user, user == "" || name == "root" || name == "0"
}

// goRun plans `go run [build flags] PACKAGE [ARGS]`: `go build -o` into
// /usr/local/bin, and the binary as the command.
func (sp *split) goRun(in *rewrite.Instr) bool {
	words, inEP, ok := sp.runWords(in, "go")
	if !ok {
		return false
	}
	if user, root := sp.endsAsRoot(); !root {
		sp.block(in, "`go run` runs as %s, who may not write the build step's output outside the app directory", user)
		return false
	}
	if sp.a.Workdir == "" {
		sp.block(in, "cannot tell where `go run` runs: the working directory is unknown")
		return false
	}
	rest := words[2:]
	var flags, pkgs, progArgs []string
	for i := 0; i < len(rest); i++ {
		x := rest[i]
		if len(pkgs) == 0 && strings.HasPrefix(x, "-") && x != "-" {
			name, _, hasValue := strings.Cut(strings.TrimLeft(x, "-"), "=")
			if name == "exec" {
				sp.block(in, "`go run -exec` runs the program through another one")
				return false
			}
			flags = append(flags, x)
			if !hasValue && slices.Contains(facts.GoValueFlags, name) && i+1 < len(rest) {
				i++
				flags = append(flags, rest[i])
			}
			continue
		}
		if strings.HasSuffix(x, ".go") && len(progArgs) == 0 {
			pkgs = append(pkgs, x)
			continue
		}
		if len(pkgs) == 0 {
			pkgs = []string{x}
			continue
		}
		progArgs = rest[i:]
		break
	}
	if len(pkgs) == 0 {
		sp.block(in, "`go run` names no package")
		return false
	}
	if slices.ContainsFunc(pkgs, func(p string) bool { return strings.Contains(p, "...") || strings.Contains(p, "@") }) {
		sp.block(in, "`go run %s` does not name one local main package", strings.Join(pkgs, " "))
		return false
	}
	if slices.ContainsFunc(flags, func(f string) bool { o := strings.TrimLeft(f, "-"); return o == "o" || strings.HasPrefix(o, "o=") }) {
		sp.block(in, "`go run` does not take -o")
		return false
	}
	name := goRunName(sp, pkgs[0])
	out := "/usr/local/bin/" + name
	a := sp.a
	libc := a.Image.Libc
	prefix := ""
	if cgo, set := a.Vars["CGO_ENABLED"]; set && cgo == "0" {
		libc = catalog.LibcNone
	} else if !set && (libc == catalog.LibcGlibc || libc == catalog.LibcMusl) && facts.GoStdRebuilds(a.Image.Version) && sp.p.Facts().PureGo() {
		libc, prefix = catalog.LibcNone, "CGO_ENABLED=0 "
	}
	cmd := append([]string{"go", "build"}, flags...)
	cmd = append(append(cmd, "-o", out), pkgs...)
	sp.buildRun = prefix + shellWords(cmd)
	step := sp.runStepFor(in)
	a.Add(facts.Artifact{Kind: facts.KindGoBinary, Path: out, Libc: libc, Language: "go", Version: a.Image.Version,
		Workdir: a.Workdir, Span: step.In.Span})
	sp.setRunArgv(out, progArgs, inEP)
	return true
}

// goRunName names the binary of `go run PKG` as `go build` would.
func goRunName(sp *split, pkg string) string {
	if strings.HasSuffix(pkg, ".go") {
		return strings.TrimSuffix(path.Base(pkg), ".go")
	}
	dir := strings.TrimSuffix(facts.ResolveIn(sp.a.Workdir, pkg), "/")
	if pkg == "." || pkg == "./" {
		if ctx, ok := sp.a.ContextFile(dir + "/go.mod"); ok {
			data, _ := sp.p.Facts().ReadContext(ctx)
			if mod := facts.GoModulePath(data); mod != "" {
				return facts.GoBinaryName(mod)
			}
		}
	}
	if strings.HasPrefix(pkg, ".") || strings.HasPrefix(pkg, "/") {
		if b := path.Base(dir); b != "/" && b != "." {
			return b
		}
		return "app"
	}
	return facts.GoBinaryName(pkg)
}

// cargoRun plans `cargo run [OPTIONS] [-- ARGS]`: `cargo build` with the
// same options, and the binary as the command.
func (sp *split) cargoRun(in *rewrite.Instr) bool {
	words, inEP, ok := sp.runWords(in, "cargo")
	if !ok {
		return false
	}
	opts := words[2:]
	var progArgs []string
	if i := slices.Index(opts, "--"); i >= 0 {
		opts, progArgs = opts[:i], opts[i+1:]
	}
	cmd := append([]string{"cargo", "build"}, opts...)
	step := sp.runStepFor(in)
	sc := &facts.Command{Call: &shell.Call{Args: cmd, Dynamic: make([]bool, len(cmd))}, Dir: sp.a.Workdir, Env: map[string]string{}}
	before, blocked := len(sp.a.Artifacts), len(sp.a.Blockers)
	sp.a.DetectCargo(step, sc)
	if len(sp.a.Blockers) > blocked {
		for _, b := range sp.a.Blockers[blocked:] {
			sp.block(in, "%s", strings.Replace(b.Reason, "`cargo build", "`cargo run", 1))
		}
		return false
	}
	arts := sp.a.Artifacts[before:]
	if len(arts) == 0 {
		sp.block(in, "cannot tell the binary `cargo run` runs")
		return false
	}
	bin := arts[0]
	if len(arts) > 1 {
		want := ""
		if ctx, ok := sp.a.ContextFile(strings.TrimSuffix(arts[0].Workdir, "/") + "/Cargo.toml"); ok {
			data, _ := sp.p.Facts().ReadContext(ctx)
			want = cargoDefaultRun(data)
		}
		i := slices.IndexFunc(arts, func(a facts.Artifact) bool { return want != "" && path.Base(a.Path) == want })
		if i < 0 {
			sp.block(in, "the package has several binaries and `cargo run` names none (--bin or default-run)")
			return false
		}
		bin = arts[i]
	}
	sp.buildRun = shellWords(cmd)
	sp.setRunArgv(bin.Path, progArgs, inEP)
	return true
}

// cargoDefaultRun returns the default-run key of a Cargo.toml's [package].
func cargoDefaultRun(data []byte) string {
	section := ""
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			section = strings.Trim(line, "[] ")
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if ok && section == "package" && strings.TrimSpace(k) == "default-run" {
			return strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return ""
}

// shellWords joins words into a shell command line, quoting the ones that
// need it.
func shellWords(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		q, err := syntax.Quote(w, syntax.LangPOSIX)
		if err != nil {
			q = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
		out[i] = q
	}
	return strings.Join(out, " ")
}

// goWrapperRun resolves `go-wrapper run [ARGS]` of the golang onbuild images:
// it runs $GOPATH/bin/<the working directory's name>, which `go-wrapper
// install` built.
func (sp *split) goWrapperRun(in *rewrite.Instr) bool {
	words, inEP, ok := sp.runWords(in, "go-wrapper")
	if !ok {
		return false
	}
	gopath := strings.Split(sp.a.Vars["GOPATH"], ":")[0]
	dir := strings.TrimSuffix(sp.a.Workdir, "/")
	if gopath == "" || dir == "" || dir == "/" {
		sp.block(in, "cannot tell which binary `go-wrapper run` runs: GOPATH or the working directory is unknown")
		return false
	}
	sp.setRunArgv(gopath+"/bin/"+path.Base(dir), words[2:], inEP)
	return true
}
