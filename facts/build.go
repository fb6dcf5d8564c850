package facts

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	bkshell "github.com/moby/buildkit/frontend/dockerfile/shell"
	"mvdan.cc/sh/v3/syntax"
)

// An ArtifactKind is what sort of thing a build produces.
type ArtifactKind string

// Artifact kinds that [BuildOutputs] recognises.
const (
	KindGoBinary   ArtifactKind = "go-binary"   // go build / go install
	KindRustBinary              = "rust-binary" // cargo build / cargo install
	KindCBinary                 = "c-binary"    // cc / gcc / g++ / clang -o
	KindNodeApp                 = "node-app"    // npm / yarn / pnpm install: the app directory
	KindPythonApp               = "python-app"  // pip install: the directory holding the dependencies
	KindJavaJar                 = "java-jar"    // mvn package / gradle build / jar --create
	KindBinary                  = "binary"      // a file copied in from the build context
)

// Artifact is something a build stage produces for a runtime stage to run.
type Artifact struct {
	Kind ArtifactKind
	// Path is absolute, in the build stage: the binary, the jar, the app
	// directory (node-app: where package.json is), or the directory holding
	// the installed packages (python-app: a site-packages or --target
	// directory; "" when it cannot be told).
	Path string
	// Libc is catalog.LibcNone (statically linked: runs on static or
	// scratch), catalog.LibcGlibc, catalog.LibcMusl (dynamically linked against musl, or musl
	// with unknown linkage), or LibcUnknown. Interpreted apps and jars carry
	// the libc of the build image, which matters for native extensions.
	Libc     catalog.Libc
	Language string // "go", "rust", "c", "node", "python", "java", or ""
	Version  string // language version when the build image tells it ("3.11", "22"), else ""
	Workdir  string // the working directory of the producing step, absolute
	// DevDeps is set on a node-app whose install also installed devDependencies.
	DevDeps bool
	// Jars lists, for a Maven jar, the other jars the build writes next to
	// Path (absolute): the shade plugin's outputFile or shaded classifier,
	// the assembly plugin's descriptorRef jars.
	Jars []string
	// JarDirs lists the directories (absolute) that a jar of Path or Jars
	// needs whole: Quarkus' target/quarkus-app for quarkus-run.jar.
	JarDirs []string
	// InstallDir is, for a Gradle installDist, the directory (absolute)
	// holding one directory per distribution: bin/ with the start scripts
	// the application plugin writes, lib/ with the jars.
	InstallDir string
	// ServerDir is, for a Maven build that provisions a WildFly server
	// (wildfly-maven-plugin's package goal), the server's directory
	// (absolute): bin/ with its shell scripts, modules/, standalone/.
	ServerDir string
	// CgoOffAt is set on a Go binary that links libc only because cgo is on
	// by default, when the build context shows pure Go code: the empty span
	// in front of the go command where CGO_ENABLED=0 makes the build static,
	// so that the binary runs on a static image.
	CgoOffAt *rewrite.Span
	// Requires lists, for a python-app, the distributions the install is
	// known to install: its operands and the lines of the requirement files,
	// pyproject.toml or Pipfile it reads from the build context.
	Requires []Requirement
	// Venv is, for a python-app installed into a virtual environment, the
	// environment's directory (absolute); "" otherwise.
	Venv string
	// Editable is set on a python-app whose install links a project in
	// place through a .pth file, which only the environment's own
	// interpreter reads (not PYTHONPATH).
	Editable bool
	// Unread lists, for a python-app, the requirement files the install
	// reads that the build context does not have.
	Unread []string
	Span   rewrite.Span // the producing instruction
}

// BuildOutputs reads a build stage and returns what it produces, in order,
// and the reasons some products cannot be pinned down (an output name that
// needs a file the build context lacks, a cache mount hiding the output, …).
func BuildOutputs(src *Source, stage *instructions.Stage) ([]Artifact, []Blocker) {
	a := AnalyzeBuild(src, stage)
	return a.Artifacts, a.Blockers
}

// Build is the walk of one stage: what it copies in, runs and produces.
type Build struct {
	p       *Source
	file    *rewrite.File
	stage   *instructions.Stage
	from    *rewrite.Instr
	Image   BuildImage
	BaseRef string // the FROM reference with ARG defaults expanded

	Vars    map[string]string // ARG defaults and ENV values, for expansion
	EnvVars map[string]bool   // names set by ENV in this stage
	Workdir string            // current working directory, absolute; "" while unknown

	Copies    []ContextCopy
	Runs      []*RunStep
	Artifacts []Artifact
	Blockers  []Blocker
	poetryCfg map[string]string // `poetry config` settings made by RUNs so far
	lex       *bkshell.Lex
	goModInit map[string]string // go mod init: the directory → its module path
	// NodeBuilt holds the directories where a Node.js build ran (npm run
	// build, tsc, …), directly or inside a package script.
	NodeBuilt   map[string]bool
	scriptDepth int // package scripts being followed
}

// Clone returns a copy of a that the caller may extend (with build steps of
// its own, as the split does) without changing a.
func (a *Build) Clone() *Build {
	c := *a
	c.Image.Env = maps.Clone(a.Image.Env)
	c.Vars, c.EnvVars = maps.Clone(a.Vars), maps.Clone(a.EnvVars)
	c.poetryCfg, c.goModInit, c.NodeBuilt = maps.Clone(a.poetryCfg), maps.Clone(a.goModInit), maps.Clone(a.NodeBuilt)
	c.Copies, c.Runs, c.Blockers = slices.Clip(a.Copies), slices.Clip(a.Runs), slices.Clip(a.Blockers)
	c.Artifacts = slices.Clone(a.Artifacts)
	c.lex = bkshell.NewLex(rune(a.file.Escape))
	return &c
}

// ContextCopy is a COPY or ADD of build-context files into the stage.
type ContextCopy struct {
	In      *rewrite.Instr
	Sources []string // as written, expanded; relative to the context root
	Dest    string   // absolute; ends with "/" when it names a directory
	chown   string
	Remote  bool   // ADD of a URL or git repository
	Image   string // COPY --from=IMAGE: files of another image, not of the context
}

// RunStep is one RUN instruction and what its commands do.
type RunStep struct {
	In      *rewrite.Instr
	cmd     *instructions.RunCommand
	Workdir string
	Exec    bool // exec form or heredoc: not analysed as shell
	Cmds    []Command
	Caches  []string // cache and tmpfs mount targets, absolute
}

// Command is one simple command of a RUN with the state it runs in.
type Command struct {
	Call    *shell.Call
	Dir     string            // working directory, after any cd before it
	Env     map[string]string // inline assignments and exports before it in the RUN
	Writes  []string          // redirect targets, absolute ("" for a dynamic one)
	piped   bool              // reads its standard input from a pipe
	Dynamic bool              // the command name itself is not literal
}

// AnalyzeBuild reads the build steps of stage: its base image, the working
// directory and variables as each instruction sees them, the files each COPY
// brings in, and the artifacts its RUN instructions produce.
func AnalyzeBuild(src *Source, stage *instructions.Stage) *Build {
	f := src.File
	a := &Build{p: src, file: f, stage: stage, Vars: map[string]string{}, EnvVars: map[string]bool{},
		lex: bkshell.NewLex(rune(f.Escape))}
	for _, m := range f.MetaArgs {
		for _, kv := range m.Args {
			if kv.Value != nil {
				a.Vars[kv.Key] = *kv.Value
			}
		}
	}
	if len(stage.Location) > 0 {
		a.from = f.InstrAt(stage.Location[0].Start.Line)
	}
	a.BaseRef = a.Expand(stage.BaseName)
	a.Image = classifyBuilder(a.BaseRef)
	for k, v := range a.Image.Env {
		a.Vars[k] = v
	}
	if _, set := a.Vars["PATH"]; !set {
		// An image whose PATH we do not know has the default one, so that
		// ENV PATH=/x:$PATH keeps the standard directories.
		a.Vars["PATH"] = strings.Join(PathDirs, ":")
	}
	a.Workdir = a.Image.workdir
	stageVars := map[string]bool{}
	for _, c := range stage.Commands {
		in := f.InstrOf(c)
		if in == nil {
			continue
		}
		switch c := c.(type) {
		case *instructions.ArgCommand:
			for _, kv := range c.Args {
				stageVars[kv.Key] = true
				if kv.Value != nil {
					if _, set := a.Vars[kv.Key]; !set || !a.isMetaArg(kv.Key) {
						a.Vars[kv.Key] = a.Expand(*kv.Value)
					}
				}
			}
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				a.Vars[kv.Key] = a.Expand(kv.Value)
				a.EnvVars[kv.Key] = true
			}
		case *instructions.WorkdirCommand:
			a.Workdir = a.resolve(a.Expand(c.Path))
		case *instructions.CopyCommand:
			a.addCopy(in, c.SourcePaths, c.DestPath, c.Chown, false)
			if c.From != "" {
				a.Copies[len(a.Copies)-1].Image = a.Expand(c.From)
			}
		case *instructions.AddCommand:
			remote := false
			for _, s := range c.SourcePaths {
				remote = remote || strings.Contains(s, "://") || strings.HasPrefix(s, "git@")
			}
			a.addCopy(in, c.SourcePaths, c.DestPath, c.Chown, remote)
		case *instructions.RunCommand:
			a.addRun(in, c)
		}
	}
	return a
}

func (a *Build) isMetaArg(name string) bool {
	for _, m := range a.file.MetaArgs {
		for _, kv := range m.Args {
			if kv.Key == name {
				return true
			}
		}
	}
	return false
}

// Expand expands $VAR and ${VAR} in s with the values known so far. Unknown
// variables Expand to "" as in BuildKit.
func (a *Build) Expand(s string) string {
	if !strings.ContainsAny(s, "$\"'") && !strings.ContainsRune(s, rune(a.file.Escape)) {
		return s // nothing to expand, no quotes to remove
	}
	var env []string
	for k, v := range a.Vars {
		env = append(env, k+"="+v)
	}
	out, _, err := a.lex.ProcessWord(s, bkshell.EnvsFromSlice(env))
	if err != nil {
		return s
	}
	return out
}

// resolve makes p absolute against the current working directory. It
// returns "" when p is relative and the working directory is unknown.
func (a *Build) resolve(p string) string { return ResolveIn(a.Workdir, p) }

// ResolveIn makes p absolute against the directory dir. It returns "" when p
// is empty, or relative and dir is unknown ("").
func ResolveIn(dir, p string) string {
	if p == "" {
		return ""
	}
	if path.IsAbs(p) {
		return cleanKeepSlash(p)
	}
	if dir == "" {
		return ""
	}
	return cleanKeepSlash(path.Join(dir, p) + trailingSlash(p))
}

func trailingSlash(p string) string {
	if strings.HasSuffix(p, "/") || p == "." {
		return "/"
	}
	return ""
}

func cleanKeepSlash(p string) string {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

func (a *Build) addCopy(in *rewrite.Instr, srcs []string, dest, chown string, remote bool) {
	cp := ContextCopy{In: in, chown: chown, Remote: remote}
	for _, s := range srcs {
		cp.Sources = append(cp.Sources, a.Expand(s))
	}
	d := a.Expand(dest)
	cp.Dest = a.resolve(d)
	if cp.Dest != "" && (len(srcs) > 1 || strings.HasSuffix(d, "/") || d == ".") && !strings.HasSuffix(cp.Dest, "/") {
		cp.Dest += "/"
	}
	a.Copies = append(a.Copies, cp)
}

// ContextFile returns the context path of the file that the stage holds at
// the absolute path abs, following the COPY instructions seen so far, and
// whether one was found. Only plain directory and file copies are followed.
func (a *Build) ContextFile(abs string) (string, bool) {
	name, cp := a.ContextSource(abs)
	return name, cp != nil
}

// ContextSource is [Build.ContextFile] that also returns the COPY or ADD that put
// the file there (nil when none did).
func (a *Build) ContextSource(abs string) (string, *ContextCopy) {
	for i := len(a.Copies) - 1; i >= 0; i-- {
		cp := &a.Copies[i]
		if cp.Remote || cp.Image != "" || cp.Dest == "" {
			continue
		}
		for _, src := range cp.Sources {
			if strings.ContainsAny(src, "*?[") {
				// A glob copies matching names into the destination directory.
				if strings.HasSuffix(cp.Dest, "/") && path.Dir(abs)+"/" == cp.Dest {
					if ok, _ := path.Match(path.Base(src), path.Base(abs)); ok {
						return path.Join(path.Dir(CleanSource(src)), path.Base(abs)), cp
					}
				}
				continue
			}
			s := CleanSource(src)
			if !strings.HasSuffix(cp.Dest, "/") {
				if abs == cp.Dest {
					return s, cp
				}
				// A directory source copies its contents to dest.
				if rel, ok := strings.CutPrefix(abs, cp.Dest+"/"); ok && a.Exists(path.Join(s, rel)) {
					return path.Join(s, rel), cp
				}
				continue
			}
			// A directory source copies its contents into dest; a file source
			// lands at dest/base. Without the context we cannot tell which,
			// so try both.
			dir := strings.TrimSuffix(cp.Dest, "/")
			if rel, ok := strings.CutPrefix(abs, dir+"/"); ok {
				if a.Exists(path.Join(s, rel)) {
					return path.Join(s, rel), cp
				}
				if rel == path.Base(s) && a.Exists(s) {
					return s, cp
				}
			}
		}
	}
	return "", nil
}

// Exists reports whether the build context has the file name.
func (a *Build) Exists(name string) bool {
	_, ok := ReadContext(a.p, name)
	return ok
}

// CleanSource cleans a COPY source path as BuildKit does: relative to the
// context root, without "..", a leading slash or a trailing one.
func CleanSource(s string) string {
	c := path.Clean("/" + s)
	return strings.TrimPrefix(c, "/")
}

func (a *Build) addRun(in *rewrite.Instr, c *instructions.RunCommand) {
	step := &RunStep{In: in, cmd: c, Workdir: a.Workdir}
	for _, m := range RunMounts(in) {
		if m["type"] == "cache" || m["type"] == "tmpfs" {
			if t := a.resolve(a.Expand(m["target"])); t != "" {
				step.Caches = append(step.Caches, t)
			}
		}
	}
	a.Runs = append(a.Runs, step)
	sh := shell.Of(a.file, in)
	if sh == nil {
		step.Exec = true
		return
	}
	a.walkShell(step, sh)
	for i := range step.Cmds {
		a.detectBuild(step, &step.Cmds[i])
		a.followMove(step, &step.Cmds[i])
	}
}

// followMove follows `cp`/`mv`/`install` of an artifact to a new path, and of
// a glob over a jar build's output directory (`cp target/*.jar app.jar`).
func (a *Build) followMove(step *RunStep, sc *Command) {
	name := path.Base(sc.Call.Name())
	if sc.Dynamic || (name != "cp" && name != "mv" && name != "install") {
		return
	}
	var operands []string
	for i, w := range sc.Call.Expr.Args[1:] {
		v := sc.Call.Args[i+1]
		if sc.Call.Dynamic[i+1] {
			v = GlobLiteral(w)
		}
		if v == "" {
			return
		}
		if strings.HasPrefix(v, "-") {
			if name == "install" && (v == "-m" || v == "-o" || v == "-g" || v == "-t") {
				return // install with options that take values: not followed
			}
			continue
		}
		operands = append(operands, v)
	}
	if len(operands) != 2 {
		return
	}
	src, dst := ResolveIn(sc.Dir, operands[0]), ResolveIn(sc.Dir, operands[1])
	if src == "" || dst == "" {
		return
	}
	for i := len(a.Artifacts) - 1; i >= 0; i-- {
		art := a.Artifacts[i]
		match := art.Path != "" && art.Path == src
		if !match && art.Kind == KindJavaJar && strings.ContainsAny(src, "*?[") && strings.HasSuffix(src, ".jar") {
			outDir := strings.TrimSuffix(art.Workdir, "/") + "/target"
			if strings.Contains(art.Path, "/build/libs/") || strings.HasSuffix(path.Dir(art.Path), "/build/libs") {
				outDir = path.Dir(art.Path)
			}
			match = path.Dir(src) == outDir || (art.Path != "" && path.Dir(src) == path.Dir(art.Path))
		}
		if !match {
			continue
		}
		moved := art
		moved.Span = step.In.Span
		moved.Path = dst
		if strings.HasSuffix(dst, "/") {
			if strings.ContainsAny(src, "*?[") {
				return
			}
			moved.Path = dst + path.Base(src)
		}
		a.Artifacts = append(a.Artifacts, moved)
		return
	}
}

// GlobLiteral returns the text of a word made only of unquoted literals,
// glob characters included, or "".
func GlobLiteral(w *syntax.Word) string {
	var b strings.Builder
	for _, part := range w.Parts {
		lit, ok := part.(*syntax.Lit)
		if !ok {
			return ""
		}
		b.WriteString(lit.Value)
	}
	return b.String()
}

// RunMounts returns the --mount options of a RUN as key/value maps, with
// "type" defaulted to bind and "dst"/"destination" folded into "target".
func RunMounts(in *rewrite.Instr) []map[string]string {
	var out []map[string]string
	for _, fl := range in.Node.Flags {
		spec, ok := strings.CutPrefix(fl, "--mount=")
		if !ok {
			continue
		}
		m := map[string]string{"type": "bind"}
		for _, field := range strings.Split(spec, ",") {
			k, v, _ := strings.Cut(field, "=")
			k = strings.ToLower(strings.TrimSpace(k))
			if k == "dst" || k == "destination" {
				k = "target"
			}
			m[k] = strings.Trim(v, `"'`)
		}
		out = append(out, m)
	}
	return out
}

// walkShell records the simple commands of a RUN in order, following cd and
// export so that each command knows its directory and environment.
func (a *Build) walkShell(step *RunStep, sh *shell.Script) {
	dir := step.Workdir
	exported := map[string]string{}
	piped := map[*syntax.Stmt]bool{}
	syntax.Walk(sh.File, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.BinaryCmd:
			if n.Op == syntax.Pipe || n.Op == syntax.PipeAll {
				piped[n.Y] = true
			}
		case *syntax.Stmt:
			call, ok := n.Cmd.(*syntax.CallExpr)
			if !ok {
				break
			}
			env := map[string]string{}
			for k, v := range exported {
				env[k] = v
			}
			for _, as := range call.Assigns {
				if as.Value != nil {
					v, _ := shell.WordValue(as.Value)
					env[as.Name.Value] = a.expandWith(v, env)
				} else {
					env[as.Name.Value] = ""
				}
			}
			if len(call.Args) == 0 {
				for k, v := range env {
					exported[k] = v
				}
				return true
			}
			c := &shell.Call{Expr: call}
			for _, w := range call.Args {
				v, ok := shell.WordValue(w)
				if !ok {
					// Expand plain ${VAR} words with the stage's values.
					if lit, okLit := shell.ParamWordValue(w, func(name string) (string, bool) {
						if v, ok := env[name]; ok {
							return v, true
						}
						v, ok := a.Vars[name]
						return v, ok
					}); okLit {
						v, ok = lit, true
					}
				}
				c.Args = append(c.Args, v)
				c.Dynamic = append(c.Dynamic, !ok)
			}
			sc := Command{Call: c, Dir: dir, Env: env, piped: piped[n], Dynamic: c.Dynamic[0]}
			for _, r := range n.Redirs {
				if r.Op == syntax.RdrOut || r.Op == syntax.AppOut || r.Op == syntax.RdrAll || r.Op == syntax.AppAll || r.Op == syntax.ClbOut {
					t, ok := shell.WordValue(r.Word)
					if !ok {
						sc.Writes = append(sc.Writes, "")
					} else if !strings.HasPrefix(t, "/dev/") {
						sc.Writes = append(sc.Writes, ResolveIn(dir, t))
					}
				}
			}
			step.Cmds = append(step.Cmds, sc)
			switch c.Name() {
			case "cd":
				if len(c.Args) > 1 && !c.Dynamic[1] {
					dir = ResolveIn(dir, c.Args[1])
				} else {
					dir = ""
				}
			case "export":
				// "export A=b" parses as a DeclClause, not here.
			}
		case *syntax.DeclClause:
			if n.Variant.Value == "export" {
				for _, as := range n.Args {
					if as.Name != nil && as.Value != nil {
						v, _ := shell.WordValue(as.Value)
						exported[as.Name.Value] = v
					}
				}
			}
		}
		return true
	})
}

func (a *Build) expandWith(s string, env map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var list []string
	for k, v := range a.Vars {
		list = append(list, k+"="+v)
	}
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	out, _, err := a.lex.ProcessWord(s, bkshell.EnvsFromSlice(list))
	if err != nil {
		return s
	}
	return out
}

// lookupVar returns the value of name for a command: inline and exported
// values first, then ENV and ARG.
func (a *Build) lookupVar(sc *Command, name string) (string, bool) {
	if v, ok := sc.Env[name]; ok {
		return v, true
	}
	v, ok := a.Vars[name]
	return v, ok
}

func (a *Build) block(in *rewrite.Instr, format string, args ...any) {
	a.Blockers = append(a.Blockers, Blocker{Span: in.Span, Reason: fmt.Sprintf(format, args...)})
}

// Add records art as a product of the current RUN, or a blocker when the
// RUN writes it inside one of its cache mounts, which later stages cannot read.
func (a *Build) Add(art Artifact) {
	for _, c := range a.Runs[len(a.Runs)-1].Caches {
		if art.Path != "" && (art.Path == c || strings.HasPrefix(art.Path, strings.TrimSuffix(c, "/")+"/")) {
			a.block(art.Instr(a.file), "the build output %s is inside the cache mount %s, so later stages cannot copy it", art.Path, c)
		}
	}
	a.Artifacts = append(a.Artifacts, art)
}

// Instr returns the instruction of f that produced art.
func (art Artifact) Instr(f *rewrite.File) *rewrite.Instr {
	line, _ := f.Position(art.Span.Start)
	if in := f.InstrAt(line); in != nil {
		return in
	}
	return &rewrite.Instr{Span: art.Span}
}

// detectBuild recognises build commands and records their artifacts.
func (a *Build) detectBuild(step *RunStep, sc *Command) {
	args := sc.Call.Args
	if sc.Dynamic || len(args) == 0 {
		return
	}
	name := path.Base(args[0])
	switch {
	case name == "go":
		a.detectGo(step, sc)
	case name == "go-wrapper" && len(args) > 1 && args[1] == "install":
		// The golang:onbuild images' helper: go install -v "$@".
		call := *sc.Call
		call.Args = append([]string{"go", "install", "-v"}, args[2:]...)
		call.Dynamic = append([]bool{false, false, false}, sc.Call.Dynamic[2:]...)
		wrapped := *sc
		wrapped.Call = &call
		a.detectGo(step, &wrapped)
	case name == "cargo":
		a.DetectCargo(step, sc)
	case name == "npm" || name == "yarn" || name == "pnpm":
		a.detectNode(step, sc)
	case IsPip(args):
		a.detectPip(step, sc)
	case name == "uv":
		a.detectUV(step, sc)
	case name == "flit":
		a.detectFlit(step, sc)
	case name == "poetry":
		a.detectPoetry(step, sc)
	case name == "pipenv":
		a.detectPipenv(step, sc)
	case name == "mvn" || name == "mvnw" || name == "gradle" || name == "gradlew":
		a.detectJava(step, sc)
	case name == "jar":
		a.detectJarTool(step, sc)
	case name == "cc" || name == "gcc" || name == "g++" || name == "c++" || name == "clang" || name == "clang++":
		a.detectC(step, sc)
	}
}

func hasArg(args []string, names ...string) bool {
	for _, x := range args {
		if slices.Contains(names, x) {
			return true
		}
	}
	return false
}
