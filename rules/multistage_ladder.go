package rules

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// imageSize writes an image's approximate size for a message.
func imageSize(img *catalog.Image) string {
	if img.SizeMB <= 0 {
		return "size unknown"
	}
	return fmt.Sprintf("about %d MB", img.SizeMB)
}

// blockRung records a blocker that only the first rung's image causes (no
// image for the version, no shell, glibc only, no package manager): the slim
// rung may still run the app.
func (sp *split) blockRung(in *rewrite.Instr, format string, args ...any) {
	sp.block(in, format, args...)
	if !sp.slim {
		sp.soft++
	}
}

// runtimeShellCommands are the commands a shell-form command may run besides
// its program, on the slim rung: shell builtins and tools every slim image has.
var runtimeShellCommands = []string{"echo", "printf", "true", "false", ":", "sleep", "cd", "export", "set", "test", "[", "exit", "env", "umask", "ulimit"}

// shellEntry reads a CMD or ENTRYPOINT that needs a shell, for the slim rung,
// which keeps it as written: the program is its last simple command, and the
// commands before it must be the same program or harmless shell commands.
func (sp *split) shellEntry() bool {
	in := sp.entrypoint
	if in == nil {
		in = sp.cmd
	} else if sp.cmd != nil {
		sp.block(sp.cmd, "shell-form CMD after an ENTRYPOINT is passed to it as /bin/sh -c arguments, which dfslim does not follow")
		return false
	}
	kw := strings.ToUpper(in.Cmd)
	sh := shell.Of(sp.f, in)
	if sh == nil || len(in.Node.Heredocs) > 0 {
		sp.block(in, "shell-form %s does not parse as a shell command", kw)
		return false
	}
	return sp.shellProgram(in, kw, sh, true)
}

// shellProgram finds the program of a command that a shell runs, kept as
// written on the slim rung: sh is the shell-form instruction's script
// (inFile) or the script of an exec-form sh -c.
func (sp *split) shellProgram(in *rewrite.Instr, kw string, sh *shell.Script, inFile bool) bool {
	var calls [][]string
	for _, c := range sh.Calls() {
		args, dyn := c.Args, c.Dynamic
		if len(args) > 1 && args[0] == "exec" && !dyn[0] {
			args, dyn = args[1:], dyn[1:]
		}
		if dyn[0] || args[0] == "" {
			sp.block(in, "%s runs a program whose name is not literal", kw)
			return false
		}
		if args[0] == "poetry" && sp.a.Image.Language == "python" {
			if !inFile {
				sp.block(in, "%s runs poetry inside sh -c, whose script dfslim does not rewrite", kw)
				return false
			}
			words, ok := sp.poetryRunShell(in, sh, c, args, dyn)
			if !ok {
				return false
			}
			calls = append(calls, words)
			continue
		}
		words := slices.Clone(args)
		for i := range words {
			if dyn[i] {
				words[i] = "$" // expanded at run time: not a path dfslim can follow
			}
		}
		calls = append(calls, words)
	}
	if len(calls) == 0 {
		sp.block(in, "%s has no command", kw)
		return false
	}
	// The program is the last command that is not a shell tool; the others
	// must be that program again or tools every slim image has.
	argv := calls[len(calls)-1]
	for i := len(calls) - 1; i >= 0; i-- {
		if name := path.Base(calls[i][0]); !slices.Contains(runtimeShellCommands, name) && !catalog.SlimBaseHas(name) {
			argv = calls[i]
			break
		}
	}
	for _, c := range calls {
		if name := path.Base(c[0]); name != path.Base(argv[0]) && !slices.Contains(runtimeShellCommands, name) && !catalog.SlimBaseHas(name) && !slices.Contains(sp.envProgs, c[0]) {
			sp.block(in, "%s also runs `%s`, which the runtime stage may not have", kw, name)
			return false
		}
	}
	if i := slices.Index(argv, "-jar"); i >= 0 && i+1 < len(argv) && argv[i+1] == "$" {
		sp.block(in, "%s names the jar with a pattern or variable, so dfslim cannot tell which file to copy", kw)
		return false
	}
	sp.shellCmd = true
	sp.argv, sp.epArgs, sp.cmdArgs = argv, nil, argv
	return true
}

// devPackageSuffixes mark system packages of headers and static libraries.
var devPackageSuffixes = []string{"-dev", "-devel", "-headers"}

// harmlessRuntimeDev are development packages whose libraries every slim
// image has (libc) or that only hold headers.
var harmlessRuntimeDev = []string{"libc6-dev", "libc-dev", "musl-dev", "linux-libc-dev", "linux-headers", "glibc-devel"}

// isBuildPackage reports whether a system package only serves the build:
// compilers, build tools, headers.
func isBuildPackage(pk string) bool {
	if slices.Contains(buildPackages, pk) || strings.Contains(pk, "compiler") {
		return true
	}
	for _, s := range devPackageSuffixes {
		if strings.HasSuffix(pk, s) {
			return true
		}
	}
	return false
}

// carryPackages plans the system packages the slim runtime stage installs:
// the ones the build stage installed that are not build tools or headers.
// A development package other than libc's is refused: the runtime needs the
// library it brought, whose package name dfslim cannot tell.
func (sp *split) carryPackages(installed map[string]*rewrite.Instr, removed map[string]bool) {
	var names []string
	for pk := range installed {
		if !removed[pk] && !strings.HasPrefix(pk, "-") {
			names = append(names, pk)
		}
	}
	slices.Sort(names)
	var first *rewrite.Instr
	for _, pk := range names {
		in := installed[pk]
		if isBuildPackage(pk) && !sp.healthcheckUses(pk) && !sp.unusedProbe(pk) {
			if !slices.Contains(buildPackages, pk) && !strings.Contains(pk, "compiler") && !slices.Contains(harmlessRuntimeDev, pk) {
				lib := ""
				if sp.image.PackageManager == "apt" || sp.image.PackageManager == "apk" {
					lib = runtimeLibPackage(pk, sp.image.Distro)
				}
				if lib == "" {
					sp.block(in, "RUN installs %s: the program may load the library it builds against, and dfslim cannot tell which runtime package provides it (install that package in the runtime stage by hand)", pk)
					return
				}
				if !slices.Contains(sp.runtimePkgs, lib) {
					sp.runtimePkgs = append(sp.runtimePkgs, lib) // the library the build linked
				}
				if first == nil {
					first = in
				}
			}
			continue
		}
		sp.runtimePkgs = append(sp.runtimePkgs, pk)
		if first == nil {
			first = in
		}
	}
	libs, at := sp.compilerLibs(installed, removed)
	for _, lib := range libs {
		if !slices.Contains(sp.runtimePkgs, lib) {
			sp.runtimePkgs = append(sp.runtimePkgs, lib)
		}
	}
	if first == nil {
		first = at
	}
	if len(sp.runtimePkgs) == 0 {
		return
	}
	sp.noRecommends = strings.Contains(sp.f.Text(first.Span), "--no-install-recommends") || strings.Contains(sp.f.Text(first.Span), "Install-Recommends=false")
	tool := ""
	if sh := shell.Of(sp.f, first); sh != nil {
		for _, c := range sh.Calls() {
			if slices.Contains(facts.PackageManagers, path.Base(c.Name())) {
				tool = path.Base(c.Name())
			}
		}
	}
	want := map[string]string{"apt-get": "apt", "apt": "apt", "apk": "apk"}[tool]
	switch {
	case want == "" || want != sp.image.PackageManager:
		sp.block(first, "RUN installs %s with %s, and the slim image %s has %s", strings.Join(sp.runtimePkgs, ", "), tool, sp.image.Ref, sp.image.PackageManager)
	case sp.kind == catalog.KindJava && sp.image.Distro != sp.a.Image.Distro && sp.image.Distro != "alpine":
		sp.block(first, "RUN installs %s on %s, and the JRE image %s is another distribution, whose package names may differ", strings.Join(sp.runtimePkgs, ", "), sp.a.BaseRef, sp.image.Ref)
	}
}

// installLine is the RUN that installs the carried packages in the runtime stage, or "".
func (sp *split) installLine(kw func(string) string) string {
	if len(sp.runtimePkgs) == 0 {
		return ""
	}
	pkgs := strings.Join(sp.runtimePkgs, " ")
	if sp.image.PackageManager == "apk" {
		return kw("RUN") + " apk add --no-cache " + pkgs
	}
	flags := "-y "
	if sp.noRecommends {
		flags += "--no-install-recommends " // as the build stage installed them
	}
	return kw("RUN") + " apt-get update && apt-get install " + flags + pkgs + " && rm -rf /var/lib/apt/lists/*"
}

// planSlimUser keeps the user the original ran as: root stays root (slim
// official images run as root, and an app may write where a new user could
// not). A user the build stage created, which the slim image lacks, becomes
// 65532:65532 as on the first rung.
func (sp *split) planSlimUser() {
	user := ""
	for _, c := range sp.stage.Commands {
		if u, ok := c.(*instructions.UserCommand); ok {
			user = sp.a.Expand(u.User)
		}
	}
	name, group, _ := strings.Cut(user, ":")
	nonroot := sp.image.NonrootUser
	switch {
	case user == "":
		// root stays root: the slim rung is there to keep what the program
		// does, and it may write to volumes or paths outside its directory.
	case name == "root" || name == "0":
		sp.user = user
	case name == nonroot && (group == "" || group == nonroot):
		sp.user, sp.chown = user, nonroot+":"+nonroot
	case isNumeric(name) && (group == "" || isNumeric(group)):
		sp.user, sp.chown = user, user
	default:
		sp.user, sp.chown = sp.p.Config.RuntimeUser(), sp.p.Config.RuntimeUser()
	}
	if sp.language != "node" && sp.language != "python" {
		sp.chown = ""
	}
}

// defaultPath is the PATH of the official slim images.
var defaultPath = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// checkSlim checks what is particular to the slim rung: the command kept as
// written must find its program, and the runtime must lose something.
func (sp *split) checkSlim() {
	keep := slices.Equal(sp.argv, sp.origArgv) || sp.script != ""
	in := sp.entryInstr()
	if sp.shellCmd && !keep {
		sp.block(in, "the command needs a shell, and dfslim would have to rewrite it to run %s", strings.Join(sp.argv, " "))
		return
	}
	if keep && sp.language == "" && sp.entryPath != "" && !strings.Contains(sp.argv[0], "/") {
		if _, setsPath := sp.a.EnvVars["PATH"]; !setsPath && !slices.Contains(defaultPath, path.Dir(sp.entryPath)) && !sp.keepImagePath() {
			sp.block(in, "the command finds %s through the build image's PATH, which %s does not have", sp.argv[0], sp.image.Ref)
			return
		}
	}
	if sp.language == "python" && sp.sitePackages != "" && strings.Count(sp.version, ".") < 1 {
		sp.block(sp.from, "Python version %q is not precise enough to tell the site-packages directory to copy (need major.minor)", sp.version)
		return
	}
	if sp.stageScript != "" && !catalog.SameImage(sp.a.BaseRef, sp.image.Ref) {
		sp.block(in, "%s comes from another stage with the packages it runs, which may load libraries of %s that %s lacks", sp.stageScript, sp.a.BaseRef, sp.image.Ref)
		return
	}
	if sp.kind == catalog.KindMusl && sp.art != nil && sp.art.Kind == facts.KindGoBinary && !slices.Contains(sp.runtimePkgs, "tzdata") {
		// The build image's Go reads $GOROOT/lib/time/zoneinfo.zip when
		// the system has no time zone database; Alpine has neither.
		sp.runtimePkgs = append(sp.runtimePkgs, "tzdata")
	}
	if catalog.SameImage(sp.a.BaseRef, sp.image.Ref) && sp.prune == "" && !sp.installsBuildPackages() && !sp.leavesPackageCache() && !sp.dropsPythonTools() {
		sp.block(sp.from, "%s is the build image itself, so a split would remove nothing from it (no build packages, devDependencies, package cache or toolchain)", sp.image.Ref)
	} else if catalog.SlimJRE(sp.a.BaseRef) && !sp.installsBuildPackages() && !sp.leavesPackageCache() {
		sp.block(sp.from, "%s is a slim JRE image already, and the slim rung %s another JRE of the same Java major: a split would remove nothing from it (no JDK, build packages or package cache)", sp.a.BaseRef, sp.image.Ref)
	}
}

// installsBuildPackages reports whether a RUN of the build stage installs a
// system package that only serves the build and leaves it in its layer: one
// the same RUN removes again (apk add --virtual .build-deps … && pip install
// … && apk del .build-deps) is not in the image, so a split would not remove it.
func (sp *split) installsBuildPackages() bool {
	for _, step := range sp.a.Runs {
		left := map[string]bool{}
		groups := facts.VirtualGroups{}
		for _, sc := range step.Cmds {
			if sc.Dynamic {
				continue
			}
			name := path.Base(sc.Call.Args[0])
			if !slices.Contains(facts.PackageManagers, name) {
				continue
			}
			pkgs, remove := facts.PackageArgs(name, sc.Call.Args, sc.Call.Dynamic)
			groups.Note(name, sc.Call.Args, sc.Call.Dynamic, pkgs, remove)
			if remove {
				for _, pk := range groups.Expand(pkgs) {
					delete(left, pk)
				}
				continue
			}
			for _, pk := range pkgs {
				if isBuildPackage(pk) && !sp.unusedProbe(pk) {
					left[pk] = true
				}
			}
		}
		if len(left) > 0 {
			return true
		}
	}
	return false
}

// slimRuntimeBase tries the slim rung for a final stage that the first
// rung's image cannot run (first holds why): the official slim image of the
// stage's own language and version, with every instruction kept as written.
// It returns slimNone when there is no slim rung to try, leaving the report
// of first's blockers to the caller; otherwise it has reported them.
func slimRuntimeBase(p *Pass, final *instructions.Stage, info catalog.BaseInfo, refSpan rewrite.Span, first *runtimePlan) slimVerdict {
	kind := catalog.LanguageKind(info.Language)
	if p.Config.NoFallback || kind == "" || len(first.blockers) == 0 {
		return slimNone
	}
	img, err := catalog.SlimImage(kind, final.BaseName)
	if err != nil {
		return slimNone
	}
	if catalog.SameImage(final.BaseName, img.Ref) || catalog.SlimJRE(final.BaseName) {
		if _, err := catalog.RuntimeImageOn(p.Config.Flavor(), kind, info.Version, info.Distro, p.Config.Debug); err != nil {
			// No image of the first rung at all: that is the reason.
			p.Reportf(p.File.InstrAt(final.Location[0].Start.Line).Span, "final stage stays on %s, which is already the slim rung: %v", final.BaseName, err)
			return slimStays
		}
		for _, b := range first.blockers {
			p.Reportf(b.Span, "final stage stays on %s, which is already the slim rung: %s", final.BaseName, b.Reason)
		}
		return slimStays
	}
	if b, ok := slimStageBlocker(p, final, info, img); ok {
		for _, fb := range first.blockers {
			p.Reportf(fb.Span, "final stage stays on %s: %s", final.BaseName, fb.Reason)
		}
		p.Reportf(b.Span, "final stage stays on %s: the slim rung %s cannot run it either: %s", final.BaseName, img.Ref, b.Reason)
		return slimStays
	}
	msg := fmt.Sprintf("final stage runs on %s (slim rung, %s) instead of %s: %s", img.Ref, imageSize(img), final.BaseName, first.blockers[0].Reason)
	p.Report(Finding{Span: refSpan, Message: msg, Fix: &Fix{
		Message: "Use " + img.Ref + " as the runtime image",
		Safety:  Safe,
		Edits:   []rewrite.Edit{{Span: refSpan, New: p.Config.ImageRef(img.Ref)}},
	}})
	return slimFixed
}

// slimVerdict is what the slim rung made of a final stage.
type slimVerdict int

const (
	slimNone  slimVerdict = iota // no slim rung: nothing reported
	slimStays                    // the stage stays; the reasons are reported
	slimFixed                    // a fix moves the stage to the slim image
)

// slimStageBlocker checks that every instruction of a final stage, kept as
// written, still works on the slim image img: the programs its RUN, CMD,
// ENTRYPOINT and HEALTHCHECK start are in the image, installed by an earlier
// RUN of the stage with the image's package manager, or copied in; its
// scripts from the build context call only such programs; and its USER exists.
func slimStageBlocker(p *Pass, final *instructions.Stage, info catalog.BaseInfo, img *catalog.Image) (facts.Blocker, bool) {
	f := p.File
	files := p.Facts().Files(final, "/", nil)
	installed := map[string]bool{}
	installers, usersAdded := false, false
	has := func(prog string) bool {
		name := path.Base(prog)
		if strings.Contains(prog, "/") {
			if c, _ := files.Origin(prog); c != nil {
				return true
			}
			if !slices.Contains(facts.PathDirs, path.Dir(prog)) || img.Kind == catalog.KindJava && catalog.SlimLanguageHas(catalog.KindJava, name) {
				return false // the JRE lives elsewhere (/opt/java/openjdk)
			}
		}
		if c, _ := files.Origin(name); c != nil {
			return true
		}
		return catalog.DistroHas(img.Distro, name) || shell.Builtins[name] || catalog.SlimImageHas(img, name) ||
			img.Kind == catalog.KindPython && pythonRe.MatchString(name) || installed[name] || installers && !strings.Contains(prog, "/")
	}
	var checkCalls func(in *rewrite.Instr, what string, calls []*shell.Call, depth int) (facts.Blocker, bool)
	checkScript := func(in *rewrite.Instr, what, prog string, anyFile bool, depth int) (facts.Blocker, bool) {
		c, src := files.Origin(prog)
		if c == nil {
			return facts.Blocker{}, false
		}
		if c.From != "" {
			return facts.Blocker{}, false // a program built in another stage
		}
		data, err := fs.ReadFile(p.Context, src)
		if p.Context == nil || err != nil || !anyFile && !bytes.HasPrefix(data, []byte("#!")) {
			return facts.Blocker{}, false
		}
		script, err := shell.ParseNamed(string(data), src)
		if err != nil {
			return facts.Blocker{Span: in.Span, Reason: fmt.Sprintf("%s runs %s, a script dfslim cannot parse", what, src)}, true
		}
		return checkCalls(in, what+" (through "+src+")", script.Calls(), depth+1)
	}
	checkCalls = func(in *rewrite.Instr, what string, calls []*shell.Call, depth int) (facts.Blocker, bool) {
		for _, call := range calls {
			args, dyn := call.Args, call.Dynamic
			for len(args) > 1 && (args[0] == "exec" || args[0] == "command" || args[0] == "nohup") && !dyn[0] {
				args, dyn = args[1:], dyn[1:]
			}
			if dyn[0] {
				if depth > 0 {
					continue // exec "$@" in an entry script: the command is checked on its own
				}
				return facts.Blocker{Span: in.Span, Reason: what + " runs a program whose name is not literal"}, true
			}
			name := path.Base(args[0])
			if slices.Contains(facts.PackageManagers, name) {
				pm := map[string]string{"apt-get": "apt", "apt": "apt", "apk": "apk"}[name]
				pkgs, remove := facts.PackageArgs(name, args, dyn)
				switch {
				case pm != img.PackageManager:
					return facts.Blocker{Span: in.Span, Reason: fmt.Sprintf("%s runs %s, and the slim image %s has %s", what, name, img.Ref, img.PackageManager)}, true
				case img.Kind == catalog.KindJava && !remove && len(pkgs) > 0 && info.Distro != img.Distro:
					return facts.Blocker{Span: in.Span, Reason: fmt.Sprintf("%s installs %s on %s; the JRE image %s is another distribution, whose package names may differ", what, strings.Join(pkgs, ", "), info.Distro, img.Ref)}, true
				}
				for _, pk := range pkgs {
					installed[pk] = !remove
				}
				continue
			}
			if name == "useradd" || name == "adduser" || name == "groupadd" || name == "addgroup" {
				usersAdded = true
			}
			sub := ""
			if len(args) > 1 {
				sub = args[1]
			}
			if facts.IsPip(args) || (name == "npm" || name == "yarn" || name == "pnpm") && (sub == "install" || sub == "i" || sub == "ci" || sub == "add") ||
				(name == "uv" || name == "poetry" || name == "pipenv") && (sub == "sync" || sub == "pip" || sub == "install") {
				if depth == 0 && what == "RUN" {
					// The full image has compilers and headers for packages
					// without wheels or prebuilt addons; the slim one has not.
					return facts.Blocker{Span: in.Span, Reason: fmt.Sprintf("RUN installs packages with %s, which may build native code with the compilers and headers %s has and %s lacks; install them in a build stage", name, final.BaseName, img.Ref)}, true
				}
				installers = true
			}
			if !has(args[0]) {
				return facts.Blocker{Span: in.Span, Reason: fmt.Sprintf("%s runs %s, which %s does not have", what, args[0], img.Ref)}, true
			}
			if depth < 2 {
				script, anyFile := args[0], false
				if slices.Contains(facts.Shells, name) && len(args) > 1 && !strings.HasPrefix(args[1], "-") && !dyn[1] {
					script, anyFile = args[1], true // sh script.sh
				}
				if b, ok := checkScript(in, what, script, anyFile, depth); ok {
					return b, true
				}
			}
		}
		return facts.Blocker{}, false
	}
	var cmd, ep *rewrite.Instr
	for _, c := range final.Commands {
		in := f.InstrOf(c)
		if in == nil {
			continue
		}
		switch c := c.(type) {
		case *instructions.RunCommand:
			sh := shell.Run(f, in)
			if sh == nil {
				return facts.Blocker{Span: in.Span, Reason: "RUN cannot be read as a shell program, so what it needs is unknown"}, true
			}
			if b, ok := checkCalls(in, "RUN", sh.Calls(), 0); ok {
				return b, true
			}
		case *instructions.CmdCommand:
			cmd = in
		case *instructions.EntrypointCommand:
			ep = in
		case *instructions.HealthCheckCommand:
			if c.Health == nil || len(c.Health.Test) < 2 {
				continue
			}
			calls, ok := shell.HealthCheck(f, in, c.Health.Test)
			if !ok {
				return facts.Blocker{Span: in.Span, Reason: "HEALTHCHECK does not parse as a shell command"}, true
			}
			if b, ok := checkCalls(in, "HEALTHCHECK", calls, 0); ok {
				return b, true
			}
		case *instructions.UserCommand:
			name, _, _ := strings.Cut(c.User, ":")
			if name != "root" && facts.LeadingDigits(name) != name && name != img.NonrootUser && !usersAdded {
				return facts.Blocker{Span: in.Span, Reason: fmt.Sprintf("USER %s is not a user of %s, and no RUN of the stage adds it", name, img.Ref)}, true
			}
		}
	}
	for _, in := range []*rewrite.Instr{ep, cmd} {
		if in == nil || in == cmd && ep != nil && ep.Node.Attributes["json"] && !in.Node.Attributes["json"] {
			continue
		}
		kw := strings.ToUpper(in.Cmd)
		if args, err := facts.ExecArgs(f, in); err == nil {
			if in == cmd && ep != nil {
				continue // arguments of the ENTRYPOINT
			}
			if b, ok := checkCalls(in, kw, []*shell.Call{{Args: args, Dynamic: make([]bool, len(args))}}, 0); ok {
				return b, true
			}
			continue
		}
		sh := shell.Of(f, in)
		if sh == nil {
			return facts.Blocker{Span: in.Span, Reason: kw + " does not parse as a shell command"}, true
		}
		if b, ok := checkCalls(in, kw, sh.Calls(), 0); ok {
			return b, true
		}
	}
	return facts.Blocker{}, false
}

// initWrappers are init programs that run the app as their arguments
// (ENTRYPOINT ["tini", "--"]), installed as system packages.
var initWrappers = []string{"tini", "dumb-init"}

// initWrapper handles a command that starts with an init program the build
// installs with its package manager: the first rung's images cannot install
// it; on the slim rung the package is carried and the app is located from
// the arguments after it, while the command stays as written.
func (sp *split) initWrapper(in *rewrite.Instr) bool {
	name := path.Base(sp.argv[0])
	if !slices.Contains(initWrappers, name) || !sp.installsPackage(name) {
		return true
	}
	if !sp.slim && !sp.carryStaticInit(in, name) {
		return false
	}
	rest := sp.argv[1:]
	for len(rest) > 0 && strings.HasPrefix(rest[0], "-") {
		flag := rest[0]
		rest = rest[1:]
		if flag == "--" {
			break
		}
	}
	if len(rest) == 0 {
		sp.block(in, "%s runs no program", name)
		return false
	}
	sp.argv = slices.Clone(rest)
	sp.origArgv = slices.Clone(rest)
	if sp.initCopy[0] != "" {
		sp.epArgs, sp.cmdArgs = nil, sp.argv // the app; the wrapper is added back as the ENTRYPOINT
	}
	return true
}

// installsPackage reports whether a RUN of the build stage installs the
// system package pkg.
func (sp *split) installsPackage(pkg string) bool {
	for _, step := range sp.a.Runs {
		for _, sc := range step.Cmds {
			if sc.Dynamic || !slices.Contains(facts.PackageManagers, path.Base(sc.Call.Args[0])) {
				continue
			}
			if pkgs, remove := facts.PackageArgs(path.Base(sc.Call.Args[0]), sc.Call.Args, sc.Call.Dynamic); !remove && slices.Contains(pkgs, pkg) {
				return true
			}
		}
	}
	return false
}

// healthcheckUses reports whether the stage's HEALTHCHECK starts the program prog.
func (sp *split) healthcheckUses(prog string) bool {
	for _, c := range sp.stage.Commands {
		h, ok := c.(*instructions.HealthCheckCommand)
		if !ok || h.Health == nil || len(h.Health.Test) < 2 {
			continue
		}
		if h.Health.Test[0] == "CMD" && path.Base(h.Health.Test[1]) == prog {
			return true
		}
		if h.Health.Test[0] == "CMD-SHELL" {
			calls, _ := shell.HealthCheck(sp.f, sp.f.InstrOf(h), h.Health.Test)
			for _, call := range calls {
				if !call.Dynamic[0] && path.Base(call.Args[0]) == prog {
					return true
				}
			}
		}
	}
	return false
}

// slimHealthcheck says why a HEALTHCHECK cannot run on the slim image, or
// "": every program it starts must be a shell tool, the app's interpreter or
// program, or a package the runtime stage installs.
func (sp *split) slimHealthcheck(c *instructions.HealthCheckCommand) string {
	calls, ok := shell.HealthCheck(sp.f, sp.f.InstrOf(c), c.Health.Test)
	if !ok {
		return "HEALTHCHECK does not parse as a shell command"
	}
	for _, call := range calls {
		if call.Dynamic[0] {
			return "HEALTHCHECK runs a program whose name is not literal"
		}
		name := path.Base(call.Args[0])
		ok := catalog.DistroHas(sp.image.Distro, name) || slices.Contains(runtimeShellCommands, name) || shell.Builtins[name] ||
			catalog.SlimImageHas(sp.image, name) || slices.Contains(sp.runtimePkgs, name) ||
			call.Args[0] == sp.entryPath || name == path.Base(sp.argv[0]) || sp.carryProbe(call.Args[0])
		if !ok {
			return fmt.Sprintf("HEALTHCHECK runs %s, which %s does not have", call.Args[0], sp.image.Ref)
		}
	}
	return ""
}

// locateClasspath finds the entries of `java -cp A:B/* Main`: each must be
// copied in by the Dockerfile or lie in the tree a Java build writes.
func (sp *split) locateClasspath(in *rewrite.Instr, cp string) bool {
	if sp.a.Image.Language != "java" {
		sp.block(sp.from, "dfslim does not know the Java version of the build image %s, so no runtime image can be matched to the classes", sp.a.BaseRef)
		return false
	}
	if cp == "$" || strings.ContainsAny(cp, "$`") {
		sp.block(in, "the classpath is set by a variable, so dfslim cannot tell which files to copy")
		return false
	}
	for _, e := range strings.Split(cp, ":") {
		e = strings.TrimSuffix(strings.TrimSuffix(e, "*"), "/")
		if e == "" || e == "." || strings.ContainsAny(e, "*?[") {
			sp.block(in, "the classpath entry %q cannot be told apart from the rest of the working directory", e)
			return false
		}
		abs := facts.ResolveIn(sp.a.Workdir, e)
		if abs == "" {
			sp.block(in, "the working directory is unknown, so the classpath entry %s cannot be located", e)
			return false
		}
		if !sp.classpathSource(abs) {
			sp.block(in, "the classpath entry %s is not built or copied in by this Dockerfile", abs)
			return false
		}
		sp.classpath = append(sp.classpath, abs)
	}
	sp.entryPath = sp.classpath[0]
	sp.version = sp.a.Image.Version
	sp.art = &facts.Artifact{Kind: facts.KindJavaJar, Path: sp.entryPath, Language: "java", Version: sp.version}
	return true
}

// classpathSource reports whether abs is copied in from the context or lies
// in the working tree of a Java build.
func (sp *split) classpathSource(abs string) bool {
	for _, cp := range sp.a.Copies {
		if cp.Image == "" && cp.Dest != "" && (facts.Within(abs, strings.TrimSuffix(cp.Dest, "/")) || facts.Within(strings.TrimSuffix(cp.Dest, "/"), abs)) {
			return true
		}
	}
	for _, art := range sp.a.Artifacts {
		if art.Language == "java" && art.Workdir != "" && facts.Within(abs, art.Workdir) {
			return true
		}
	}
	return false
}

// planClasspath copies the classpath entries that planCopies did not.
func (sp *split) planClasspath() {
	for _, e := range sp.classpath {
		if !slices.ContainsFunc(sp.copies, func(k string) bool { return facts.Within(e, k) }) {
			sp.copies = append(sp.copies, e)
		}
	}
}
