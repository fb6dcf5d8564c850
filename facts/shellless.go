package facts

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	bkshell "github.com/moby/buildkit/frontend/dockerfile/shell"
)

// A Blocker is one reason a stage cannot run on an image without a shell,
// package manager or the usual user database.
type Blocker struct {
	Span   rewrite.Span // the instruction (or part of it) that needs the shell
	Reason string       // why, in a phrase: "RUN needs /bin/sh"
}

// Shells are the programs that make a command need a shell.
var Shells = []string{"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox"}

// probeTools are commands health checks use that shell-less images lack.
var probeTools = []string{"curl", "wget", "nc", "netcat", "pg_isready", "redis-cli", "mysqladmin", "test", "["}

// PackageManagers are the commands that install system packages.
var PackageManagers = []string{"apt-get", "apt", "aptitude", "apk", "yum", "dnf", "microdnf", "zypper", "tdnf", "dpkg", "rpm"}

// wellKnownUsers are the names that distroless and Chainguard runtime images
// have in /etc/passwd and /etc/group.
var wellKnownUsers = []string{"root", "nonroot", "nobody"}

// ShellNeeds lists what keeps stage from running on a runtime image
// that has no shell (distroless, Chainguard): RUN instructions, shell-form
// CMD or ENTRYPOINT that cannot be written in exec form, commands that start
// a shell or a shell script (read from the build context when it was copied
// from there), HEALTHCHECKs that need a shell or curl/wget, and users and
// owners that need /etc/passwd entries those images lack. Each Blocker
// carries the span of the instruction to point at. A stage with no blockers
// can be moved to such an image as far as this analysis can tell; it does not
// check that the programs it runs exist there.
func ShellNeeds(src *Source, stage *instructions.Stage) []Blocker {
	var out []Blocker
	add := func(in *rewrite.Instr, format string, args ...any) {
		out = append(out, Blocker{Span: in.Span, Reason: fmt.Sprintf(format, args...)})
	}
	files := FilesOf(src, stage, "/", nil)
	var cmd, entrypoint *rewrite.Instr
	for _, c := range stage.Commands {
		in := src.File.InstrOf(c)
		if in == nil {
			continue
		}
		switch c := c.(type) {
		case *instructions.RunCommand:
			if pm := installedPackages(src.File, in); pm != "" {
				add(in, "RUN %s installs packages for run time; the runtime image has no package manager", pm)
			} else if c.PrependShell {
				add(in, "RUN needs /bin/sh, which the runtime image does not have")
			} else {
				add(in, "RUN runs a program while building the runtime stage; the runtime image has no tools to run")
			}
		case *instructions.CmdCommand:
			cmd = in
		case *instructions.EntrypointCommand:
			entrypoint = in
		case *instructions.HealthCheckCommand:
			if b, ok := HealthcheckBlocker(c, in); ok {
				out = append(out, b)
			}
		case *instructions.UserCommand:
			if name := unknownUser(c.User); name != "" {
				add(in, "USER %s needs an /etc/passwd entry; the runtime image has only root, nonroot (65532) and nobody", name)
			}
		case *instructions.CopyCommand:
			if name := unknownUser(c.Chown); name != "" {
				add(in, "COPY --chown=%s needs an /etc/passwd entry; the runtime image has only root, nonroot (65532) and nobody", c.Chown)
			}
		case *instructions.AddCommand:
			if name := unknownUser(c.Chown); name != "" {
				add(in, "ADD --chown=%s needs an /etc/passwd entry; the runtime image has only root, nonroot (65532) and nobody", c.Chown)
			}
		}
	}
	// Only the last CMD and ENTRYPOINT take effect.
	for _, in := range []*rewrite.Instr{entrypoint, cmd} {
		if in == nil {
			continue
		}
		args, err := ExecArgs(src.File, in)
		if err != nil {
			add(in, "%s", err)
			continue
		}
		if in == entrypoint && cmd != nil && !in.Node.Attributes["json"] {
			add(in, "shell-form ENTRYPOINT ignores CMD; in exec form it would receive CMD as arguments")
			continue
		}
		if reason := scriptReason(files, args); reason != "" {
			add(in, "%s %s", strings.ToUpper(in.Cmd), reason)
		}
	}
	return out
}

// installedPackages returns the package manager a RUN uses to install
// packages, or "".
func installedPackages(f *rewrite.File, in *rewrite.Instr) string {
	sh := shell.Of(f, in)
	if sh == nil {
		return ""
	}
	for _, c := range sh.Calls() {
		name := path.Base(c.Name())
		if slices.Contains(PackageManagers, name) {
			return name
		}
	}
	return ""
}

// HealthcheckBlocker returns why the HEALTHCHECK c at in needs a shell: a
// shell-form test, or an exec-form one that runs a shell; false when it needs none.
func HealthcheckBlocker(c *instructions.HealthCheckCommand, in *rewrite.Instr) (Blocker, bool) {
	if c.Health == nil || len(c.Health.Test) < 2 {
		return Blocker{}, false // HEALTHCHECK NONE
	}
	if c.Health.Test[0] == "CMD-SHELL" {
		return Blocker{in.Span, "HEALTHCHECK CMD in shell form needs /bin/sh; write it in exec form with a probe the app provides"}, true
	}
	prog := path.Base(c.Health.Test[1])
	if slices.Contains(Shells, prog) {
		return Blocker{in.Span, fmt.Sprintf("HEALTHCHECK runs %s, which the runtime image does not have", prog)}, true
	}
	if slices.Contains(probeTools, prog) {
		return Blocker{in.Span, fmt.Sprintf("HEALTHCHECK runs %s, which the runtime image does not have; the app must provide its own probe", prog)}, true
	}
	return Blocker{}, false
}

// unknownUser returns the part of a USER or --chown value ("user[:group]")
// that a shell-less runtime image cannot resolve, or "". Numeric ids and the
// names distroless and Chainguard images define are fine; values with
// variables are not, since they cannot be checked.
func unknownUser(spec string) string {
	if spec == "" {
		return ""
	}
	for _, part := range strings.SplitN(spec, ":", 2) {
		if part == "" || LeadingDigits(part) == part || slices.Contains(wellKnownUsers, part) {
			continue
		}
		return part
	}
	return ""
}

// ExecProgram returns the exec-form words of the command a stage starts: its
// ENTRYPOINT's, else its CMD's (nil when neither is in exec form).
func ExecProgram(f *rewrite.File, st *instructions.Stage) []string {
	var run []string
	for _, c := range st.Commands {
		switch c.(type) {
		case *instructions.EntrypointCommand:
			run, _ = ExecArgs(f, f.InstrOf(c))
		case *instructions.CmdCommand:
			if len(run) == 0 {
				run, _ = ExecArgs(f, f.InstrOf(c))
			}
		}
	}
	return run
}

// ExecArgs returns the command words of a CMD, ENTRYPOINT or RUN. Exec form
// gives its words. Shell form is converted when it is one simple command of
// literal words (an "exec" in front is dropped); otherwise the error says
// which shell feature it uses. The shell would expand $VAR at run time, and
// exec form does not, so any expansion is a reason not to convert.
func ExecArgs(f *rewrite.File, in *rewrite.Instr) ([]string, error) {
	kw := strings.ToUpper(in.Cmd)
	if in.Node.Attributes["json"] {
		var args []string
		for n := in.Node.Next; n != nil; n = n.Next {
			args = append(args, n.Value)
		}
		return args, nil
	}
	if len(in.Node.Heredocs) > 0 {
		return nil, fmt.Errorf("%s uses a heredoc, which needs a shell", kw)
	}
	sh := shell.Of(f, in)
	if sh == nil {
		return nil, fmt.Errorf("shell-form %s does not parse as a shell command", kw)
	}
	args, why := shell.SimpleCommand(sh.File)
	if why == "" {
		return args, nil
	}
	if strings.HasPrefix(why, "$") {
		why = "expands " + why + " at run time"
	}
	return nil, fmt.Errorf("shell-form %s cannot become exec form: it %s", kw, why)
}

// scriptReason says why running args needs a shell: it starts one, or runs a
// script. It returns "" when nothing shows that.
func scriptReason(files *StageFiles, args []string) string {
	if len(args) == 0 {
		return ""
	}
	if prog := path.Base(args[0]); slices.Contains(Shells, prog) {
		return fmt.Sprintf("runs %s, which the runtime image does not have", prog)
	}
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		src, data := files.find(a)
		if data != nil {
			if bytes.HasPrefix(data, []byte("#!")) {
				line, _, _ := bytes.Cut(data, []byte("\n"))
				return fmt.Sprintf("runs %s, a script (%s) that needs an interpreter the runtime image does not have", src, strings.TrimSpace(string(line)))
			}
			continue
		}
		if strings.HasSuffix(a, ".sh") || strings.HasSuffix(a, ".bash") {
			return fmt.Sprintf("runs %s, a shell script", a)
		}
	}
	return ""
}

// StageFiles maps paths in a stage's filesystem back to the build context
// files and other stages' files that COPY and ADD put there.
type StageFiles struct {
	p       *Source
	Copies  []StageCopy
	Workdir string // the working directory at the end of the stage
}

// A StageCopy is one COPY or ADD of a stage, with what it copies and where to.
type StageCopy struct {
	In      *rewrite.Instr
	Workdir string // WORKDIR when the copy ran
	From    string // --from, "" for the context
	Srcs    []string
	Dest    string // resolved against Workdir
	Dir     bool   // dest names a directory (trailing slash or several sources)
}

// FilesOf walks the COPY, ADD and WORKDIR instructions of stage, which
// starts in the working directory wd with the environment env (may be nil),
// expanding variables in destinations as the ENV and ARG instructions of the
// stage set them.
func FilesOf(src *Source, stage *instructions.Stage, wd string, env map[string]string) *StageFiles {
	sf := &StageFiles{p: src}
	vars := maps.Clone(env)
	if vars == nil {
		vars = map[string]string{}
	}
	lex := bkshell.NewLex(rune(src.File.Escape))
	expand := func(s string) string {
		if !strings.Contains(s, "$") {
			return s
		}
		var kv []string
		for k, v := range vars {
			kv = append(kv, k+"="+v)
		}
		res, err := lex.ProcessWordWithMatches(s, bkshell.EnvsFromSlice(kv))
		if err != nil || len(res.Unmatched) > 0 {
			return s
		}
		return res.Result
	}
	for _, c := range stage.Commands {
		switch c := c.(type) {
		case *instructions.EnvCommand:
			for _, e := range c.Env {
				vars[e.Key] = expand(e.Value)
			}
		case *instructions.ArgCommand:
			for _, a := range c.Args {
				if a.Value != nil {
					vars[a.Key] = expand(*a.Value)
				}
			}
		case *instructions.WorkdirCommand:
			wd = resolvePath(wd, expand(c.Path))
		case *instructions.CopyCommand:
			sd := c.SourcesAndDest
			sd.DestPath = expand(sd.DestPath)
			sf.add(src.File.InstrOf(c), wd, c.From, sd)
		case *instructions.AddCommand:
			sd := c.SourcesAndDest
			sd.DestPath = expand(sd.DestPath)
			sf.add(src.File.InstrOf(c), wd, "", sd)
		}
	}
	sf.Workdir = wd
	return sf
}

func (sf *StageFiles) add(in *rewrite.Instr, wd, from string, sd instructions.SourcesAndDest) {
	sf.Copies = append(sf.Copies, StageCopy{
		In: in, Workdir: wd, From: from, Srcs: sd.SourcePaths,
		Dest: resolvePath(wd, sd.DestPath),
		Dir:  strings.HasSuffix(sd.DestPath, "/") || len(sd.SourcePaths) > 1,
	})
}

// resolvePath joins a WORKDIR or destination p to the working directory wd.
func resolvePath(wd, p string) string {
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	return path.Join(wd, p)
}

// PathDirs are where a bare command name is looked up.
var PathDirs = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// Targets returns the absolute paths a command name can mean in the stage:
// itself when absolute, relative to the last WORKDIR, or looked up in PATH.
func (sf *StageFiles) Targets(name string) []string {
	switch {
	case strings.HasPrefix(name, "/"):
		return []string{path.Clean(name)}
	case strings.Contains(name, "/"):
		return []string{path.Join(sf.Workdir, name)}
	}
	var out []string
	for _, d := range PathDirs {
		out = append(out, path.Join(d, name))
	}
	return out
}

// find returns the context path and contents of the file that the stage has
// at name (see Targets). It returns "" and nil when no copy from the context
// explains the file or the context cannot be read.
func (sf *StageFiles) find(name string) (string, []byte) {
	c, src := sf.Origin(name)
	if c == nil || c.From != "" || sf.p.Context == nil {
		return "", nil
	}
	data, err := fs.ReadFile(sf.p.Context, src)
	if err != nil {
		return "", nil
	}
	return src, data
}

// Origin returns the last copy that put a file at name into the stage and
// the source path it copied (in the context, or in the --from stage or
// image), or nil. Sources from other stages cannot be looked at, so a copy
// whose destination is a directory above name counts as copying a directory.
func (sf *StageFiles) Origin(name string) (*StageCopy, string) {
	for i := len(sf.Copies) - 1; i >= 0; i-- {
		c := &sf.Copies[i]
		for _, t := range sf.Targets(name) {
			if src := c.source(sf.p.Context, t); src != "" {
				return c, src
			}
		}
	}
	return nil, ""
}

// source returns the path that c copied to target, or "".
func (c *StageCopy) source(ctx fs.FS, target string) string {
	for _, s := range c.Srcs {
		src := path.Clean(s)
		if c.From == "" {
			src = path.Clean(strings.TrimPrefix(s, "/"))
		}
		if strings.ContainsAny(src, "*?[") {
			if path.Dir(target) == c.Dest {
				if ok, _ := path.Match(path.Base(src), path.Base(target)); ok {
					return path.Join(path.Dir(src), path.Base(target))
				}
			}
			continue
		}
		isDir, known := false, false
		if c.From == "" {
			if ctx == nil {
				continue
			}
			info, err := fs.Stat(ctx, src)
			if err != nil {
				continue
			}
			isDir, known = info.IsDir(), true
		}
		fileMatch := (!c.Dir && target == c.Dest) || (c.Dir && target == path.Join(c.Dest, path.Base(src)))
		if fileMatch && !isDir {
			return src
		}
		if known && !isDir {
			continue
		}
		if rel, ok := strings.CutPrefix(target, strings.TrimSuffix(c.Dest, "/")+"/"); ok {
			return path.Join(src, rel)
		}
	}
	return ""
}
