package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// MultiStage splits a single-stage build into a build stage and a slim runtime stage.
var MultiStage = &Rule{
	Name:    "multi-stage",
	Summary: "Split a single-stage build into a build stage and a distroless or Chainguard runtime stage",
	Why: `
A single-stage image ships its compilers, package managers, shells, source code and caches
to production. For Go and Rust the runtime needs one binary (2–30 MB instead of 0.9–1.7 GB);
for Node.js, Python and Java it needs the interpreter, the app and its production
dependencies. The rule names the original stage ` + "`build`" + ` and appends a runtime stage on the
distroless (or, with --base chainguard, Chainguard) image that matches what the build
produces: static for CGO_ENABLED=0 Go and musl Rust, base/glibc-dynamic for cgo Go, cc for
glibc Rust, nodejsNN / python3 / javaNN with the builder's language version. It copies the
artifact with explicit paths, carries ENV, LABEL, MAINTAINER, WORKDIR, EXPOSE, VOLUME, STOPSIGNAL,
HEALTHCHECK (exec form) and the ARGs they use, and writes CMD/ENTRYPOINT in exec form for
the runtime image's own entrypoint (node, python, java -jar).`,
	FixSafety: `
The fix applies only when every step is proven: the command the image runs is a build output
dfslim recognises (go build/install, cargo build/install, cc -o, npm/yarn/pnpm installs,
pip installs, a jar built or copied in, or a prebuilt binary whose ELF header in the build
context shows how it is linked and that no later RUN may replace); its linkage is known (a binary that may link glibc never goes to a static image,
a musl-linked one is refused). A Go binary that links libc only because cgo is on by
default is built with CGO_ENABLED=0 instead, when the build context proves the code pure Go:
no .go file imports "C" and every go.mod requires nothing or has its requirements vendored,
or, without go.mod (a GOPATH build), no import names a module to fetch; and the Go release
(1.10 or later) rebuilds the standard library for it (the binary then uses Go's own DNS
resolver and user lookup, which read the same /etc/nsswitch.conf, /etc/hosts and
/etc/passwd files). On golang Alpine images from Go 1.20, a build with CGO_ENABLED and CC
unset and no C compiler installed is static already, as the go command turns cgo off.
` + "`go run`" + ` and ` + "`cargo run`" + ` become a build step at the end of the build stage and the built
binary as the command; ` + "`go install ./...`" + ` names the main packages the copied .go files hold;
` + "`npm start`" + ` becomes ` + "`node FILE`" + ` when its script is that (a prestart script the build already
ran is dropped, one that only compiles moves to the build); the runtime image has the builder's Node.js major, Python
minor or Java major (a Node.js major distroless has no image for, from 4 to 24, built on an official Debian-based
node image, runs on distroless cc with that image's own /usr/local/bin/node copied in: the nodejs.org build, which
needs only glibc, libstdc++ and libgcc_s; a node tag that names no version is not matched, and a RUN that installs
another Node.js with n or nvm is refused); no RUN step leaves behind files or packages the runtime would need
outside what is copied; and the runtime stage needs no shell. Otherwise it reports why at
the line that causes it. Behaviour that changes: the runtime runs as 65532:65532 when the
original ran as root or as a named user (written as USER 65532:65532; a named user's app
directory is copied with --chown=65532:65532); Node.js devDependencies are pruned in the build
stage (` + "`npm prune --omit=dev`" + `, ` + "`npm prune --production`" + ` on Node.js 14 and older, whose npm 6 has no
--omit, or ` + "`pnpm prune --prod`" + `) unless the install already omitted them
(installs inside package scripts count), and a front-end's node_modules below the app directory,
where a build ran and from which the command runs nothing, are removed before the copy;
Python packages are copied from the builder's site-packages (or venv) and found through
PYTHONPATH, so the console script of a well-known server (gunicorn, uvicorn, flask, celery,
streamlit, fastapi, …) runs as ` + "`python -m`" + ` its module, when a pip or uv install of the
Dockerfile names its package in a version whose module runs; a shell-form gunicorn command
whose only expansion is ` + "`--bind :$PORT`" + ` loses the bind, since gunicorn binds
0.0.0.0:$PORT itself (unless a config file could set the bind); ` + "`uv run X`" + ` becomes the
synced environment's X, and ` + "`poetry run X`" + ` (exec form, or each call of a shell-form command
on the slim rung) the X of the in-project environment poetry installed, when X is Python or a
console script of a dependency the project names. For compiled programs the build
context must be readable: dfslim does not guess which files the program reads, so every file
of the app tree the Dockerfile copies in goes to the runtime stage (directories whole, files
by name), except what is provably build input: the compiled language's sources, manifests
and lock files, vendor/, test data, Dockerfiles, Makefiles, and version-control, editor and CI
metadata. A file of that tree that looks like a secret (.env, *.pem) is not copied by name
(a .dockerignore may leave it out): the split is refused. Python distributions and Node.js
addons that load a system library the build image has (psycopg2 built from source against
libpq-dev, mysqlclient, python-ldap, pg-native's libpq, …; not manylinux wheels such as
psycopg2-binary, unless pinned below the first release with wheels for the build's Python,
which pip then builds from source) keep the app off distroless and Chainguard, and on the slim rung the
runtime stage installs the package holding that library. A Python build that installs a C
compiler on a Debian release newer than the distroless image's (python:3.11-slim is Debian 13,
distroless has Python 3.11 on Debian 12 only) takes the slim rung: what it compiles may need
symbols of the newer glibc. node_modules installed on Alpine
go to a glibc image only when package-lock.json (v2 or later) shows no package with an
install script or a per-platform prebuilt binary (os, cpu or libc) among those the runtime
gets (packages npm skips on Linux, such as fsevents, and devDependencies the install omits or
the split prunes do not count), and the app builds no addon of its own (binding.gyp); an
Alpine build of a Node.js major distroless has no image for, whose tag names its version
(node:21.6.2-alpine, node:12-alpine, also through a build argument), then runs on distroless
cc with the node of the official -slim image of that version (node:21.6.2-slim, a stage of
its own: COPY --from expands no build argument), the glibc build of the same release. tini installed with apt as the ENTRYPOINT (ENTRYPOINT
["/usr/bin/tini", "--"], the app in CMD) stays: the runtime stage copies the package's
static build, /usr/bin/tini-static, to the path the ENTRYPOINT names (Alpine's tini links
musl and is refused). A Quarkus Maven build's fast-jar (target/quarkus-app/quarkus-run.jar)
is copied with its whole directory, unless the pom, an active profile, the arguments or the
application's configuration set quarkus.package.*. A start script a Java build writes (a
Gradle installDist's build/install/NAME/bin/SCRIPT, the bin/standalone.sh of a WildFly server
the wildfly-maven-plugin provisions into target/server) needs a shell: it runs on the slim
rung, which copies the whole distribution or server directory. An exec-form command that
hands a script to a shell (["sh", "-c", "java $JAVA_OPTS -jar app.jar"]) is read like the
shell form of that script: the slim rung runs it as written.

The runtime ladder: when only the first rung's image is in the way (no distroless or
Chainguard image for the language version, a command that needs a shell, packages built
on Alpine, system packages installed for run time), the runtime stage falls back to the
slim rung (unless --fallback=false): the official -slim image of the same language, version
and Debian release (python:3.12-slim, node:lts-buster-slim), the Temurin JRE of the same
Java major (Temurin's Ubuntu images have curl and wget; a build on a JRE that is -slim or
Alpine already, such as openjdk:11-jre-slim, stays), debian:<release>-slim for a glibc
binary, the build's own Alpine image, or, for a Go binary linked against musl on an Alpine
build image, Alpine itself (the release the tag names, else alpine:3.22) with tzdata. It
keeps CMD and ENTRYPOINT exactly as written (shell form works there), installs the runtime
packages the build installed (not -dev packages or compilers: a -dev package becomes the
package holding its library, libpq5 for libpq-dev, and one dfslim cannot map is refused; on a
python:*-alpine image, compilers leave libgcc and, for C++, libstdc++, which that image lacks), installs
the curl or wget a HEALTHCHECK runs when the build image had it (the full official images,
built on buildpack-deps), sets the build image's PATH when the command finds its program
through it (cargo install's /usr/local/cargo/bin), keeps the user the original ran as (a Node.js
app on unprivileged ports runs as the image's node user, owning its directory) and
copies Python packages to the same site-packages path. A command that runs a shell script
from the build context (an entrypoint.sh that waits for a database, migrates, then runs
exec "$@") runs there as written: the app is the program the script ends by running (its
arguments for exec "$@"), the script is carried, and every other program it runs must be in
the runtime (the slim image's tools, the app's language, system packages the runtime stage
installs, such as netcat), else the split is refused naming the program. It applies only
when the runtime loses something: a bigger or different base image, build packages (not
those the RUN that installs them removes again, as apk del .build-deps does), or
devDependencies. The values of package-manager options (apt-get -o, -t; apk --virtual, -X)
are not read as packages.`,
	Safety: Safe,
	Before: `FROM golang:1.22
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/server ./cmd/server
EXPOSE 8080
CMD ["/out/server"]
`,
	After: `FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/server ./cmd/server

FROM gcr.io/distroless/static-debian13:nonroot
WORKDIR /src
COPY --from=build /out/server /out/server
EXPOSE 8080
USER 65532:65532
CMD ["/out/server"]
`,
	Run: runMultiStage,
}

// runtimeOnly are the instructions that move from the build stage to the runtime stage.
var runtimeOnly = []string{"cmd", "entrypoint", "expose", "healthcheck", "stopsignal", "volume"}

// buildPackages are system packages that only serve the build.
var buildPackages = []string{"gcc", "g++", "cpp", "make", "cmake", "build-essential", "build-base", "musl-dev",
	"libc-dev", "libc6-dev", "linux-headers", "git", "curl", "wget", "ca-certificates", "gnupg", "gnupg2",
	"dirmngr", "unzip", "zip", "xz-utils", "xz", "tar", "bzip2", "gzip", "pkg-config", "pkgconf", "pkgconfig",
	"autoconf", "automake", "libtool", "python3-dev", "python-dev", "python3", "python", "clang", "llvm",
	"binutils", "patch", "file", "openssh-client", "apt-transport-https", "software-properties-common",
	"lsb-release", "upx", "upx-ucl", "protobuf-compiler", "nodejs", "npm", "yarn", "bash", "gettext", "rsync",
	"cargo", "rust", "rustc"}

// buildOnlyDirs are directories whose contents only the build uses.
var buildOnlyDirs = []string{"/tmp", "/var/tmp", "/root", "/var/cache", "/var/lib/apt", "/var/lib/dpkg",
	"/var/lib/apk", "/etc/apt", "/etc/apk", "/etc/yum.repos.d", "/etc/dnf", "/usr/share/doc", "/usr/share/man",
	"/go/pkg", "/usr/local/cargo/registry", "/usr/local/cargo/git", "/dev"}

func runMultiStage(p *Pass) error {
	f := p.File
	if len(f.Stages) != 1 {
		return nil
	}
	sp := newSplit(p, &f.Stages[0])
	if sp == nil {
		return nil
	}
	sp = sp.planLadder(p, &f.Stages[0])
	if len(sp.blockers) > 0 {
		if len(sp.a.Artifacts) == 0 && (sp.a.Image.Language == "" || len(sp.a.Copies) == 0) && sp.entryPath == "" {
			// Not an app build dfslim can see (a tool image, a base image's
			// own app): its first reason only, so that it is not silent,
			// unless the stage neither copies files in nor installs what a
			// command runs ("FROM alpine" and a RUN): nothing to say then.
			if len(sp.a.Copies) == 0 && (len(sp.a.Runs) == 0 || sp.cmd == nil && sp.entrypoint == nil) {
				return nil
			}
			b := sp.blockers[0]
			p.Reportf(b.Span, "cannot split into build and runtime stages: %s", b.Reason)
			return nil
		}
		seen := map[string]bool{}
		for _, b := range sp.blockers {
			key := fmt.Sprint(b.Span.Start, b.Reason)
			if seen[key] {
				continue
			}
			seen[key] = true
			p.Reportf(b.Span, "cannot split into build and runtime stages: %s", b.Reason)
		}
		return nil
	}
	msg := fmt.Sprintf("single-stage build: split into a build stage and a %s runtime stage", sp.image.Ref)
	if sp.slim {
		msg += " (slim rung): " + sp.why
	}
	switch {
	case sp.nodeFrom != "":
		msg += fmt.Sprintf(" with %s of %s, the glibc build of the same Node.js (package-lock.json shows no native addon): %s", sp.nodeBinary, sp.nodeFrom, sp.why)
	case sp.nodeBinary != "":
		msg += fmt.Sprintf(" with the build image's own %s: %s", sp.nodeBinary, sp.why)
	}
	p.Report(Finding{
		Span:    sp.from.Span,
		Message: msg,
		Fix: &Fix{
			Message: fmt.Sprintf("Run the %s in a %s stage", describeArtifact(sp.art, sp.entryPath), sp.image.Ref) + sp.noteText(),
			Safety:  Safe,
			Edits:   sp.edits,
		},
	})
	return nil
}

// planLadder plans and renders sp, the split on the first rung. When only
// the first rung's image cannot run the app (every blocker is soft), it plans
// the split again on the slim rung and returns that one, its blockers
// prefixed with why the first rung failed.
func (sp *split) planLadder(p *Pass, stage *instructions.Stage) *split {
	sp.plan()
	if len(sp.blockers) == 0 {
		sp.render()
	}
	if len(sp.blockers) == 0 || sp.soft != len(sp.blockers) || p.Config.NoFallback {
		return sp
	}
	sl := newSplit(p, stage)
	sl.slim, sl.why = true, sp.blockers[0].Reason
	sl.plan()
	if len(sl.blockers) == 0 {
		sl.render()
	}
	for i := range sl.blockers {
		sl.blockers[i].Reason = sl.why + "; slim rung: " + sl.blockers[i].Reason
	}
	return sl
}

func describeArtifact(a *facts.Artifact, entry string) string {
	if a == nil {
		return entry
	}
	switch a.Kind {
	case facts.KindNodeApp, facts.KindPythonApp:
		return a.Language + " app"
	}
	return entry
}

// split plans the split of one stage.
type split struct {
	p        *Pass
	f        *rewrite.File
	stage    *instructions.Stage
	a        *facts.Build
	from     *rewrite.Instr
	name     string // the build stage's name
	blockers []facts.Blocker

	entrypoint, cmd *rewrite.Instr
	epArgs, cmdArgs []string
	argv            []string
	language        string // "node", "python", "java", or "" for a binary
	entryPath       string // the binary, script or jar, absolute
	art             *facts.Artifact
	kind            catalog.Kind
	version         string
	image           *catalog.Image
	appDir          string   // node/python: the directory copied whole
	packageDir      string   // node: the package directory of a global bin (nodeGlobalBin), when not the working directory
	sitePackages    string   // python: the dependencies directory (a venv: all of it) when outside the app directory
	pythonPath      string   // python: the site-packages the first rung's interpreter finds through PYTHONPATH
	scripts         []string // python, slim rung: console scripts copied to run as written
	rootFiles       []string // python app in /: the files and directories its COPYs put there
	viaModule       string   // python: the module that runs a console script's command
	notes           []string // what the rewrite changes besides the split, for the fix message
	prune           string   // node: the command that drops devDependencies
	buildRun        string   // go run, cargo run: the build step that replaces it
	dropDirs        []string // node: front-end node_modules the build stage removes before the copy
	copies          []string
	carriedFiles    []string  // files of the build tree the runtime stage copies, besides copies
	initCopy        [2]string // first rung: the static init binary the runtime copies from the build stage, and where
	initEntrypoint  []string  // first rung: the ENTRYPOINT of that init program, as written
	initPackage     string    // first rung: the system package of that init program
	nodeBinary      string    // first rung: the build image's node, which a distroless cc runtime copies (nodebinary.go)
	nodeFrom        string    // first rung: the image nodeBinary comes from ("": the build stage)
	user, chown     string
	builderEdits    []rewrite.Edit // changes to the build stage's own steps
	edits           []rewrite.Edit

	// The runtime ladder (multistage_ladder.go).
	slim         bool     // planning for the slim rung
	why          string   // slim: why the first rung was not taken; nodeBinary: why not a nodejs image
	soft         int      // blockers that only the first rung's image causes
	shellCmd     bool     // slim: the command needs a shell and is kept as written
	origArgv     []string // the command before locate resolved it
	runtimePkgs  []string // slim: system packages the runtime stage installs
	noRecommends bool     // slim: the build installed them without recommended packages
	classpath    []string // java -cp: the directories and jars it names, absolute
	script       string   // slim: the entry shell script the command runs, kept as written
	scriptProgs  []string // slim: the programs the entry script runs
	stageScript  string   // slim: a console script copied in from another stage (COPY --from), run as written

	// slim: `poetry run X` in a shell-form command kept as written (multistage_poetry.go).
	entryEdits []rewrite.Edit // edits of the command's text: each call becomes the environment's X
	envProgs   []string       // the environment's programs that the command runs besides its program

	// slim: the build image's PATH, which the command finds its program through (multistage_slimprobe.go).
	imagePath string
}

func newSplit(p *Pass, stage *instructions.Stage) *split {
	f := p.File
	sp := &split{p: p, f: f, stage: stage}
	if len(stage.Location) == 0 {
		return nil
	}
	sp.from = f.InstrAt(stage.Location[0].Start.Line)
	if sp.from == nil {
		return nil
	}
	sp.a = p.Facts().Build(stage)
	base := catalog.ClassifyBase(sp.a.BaseRef)
	switch {
	case base.Runtime, base.Family == catalog.FamilyScratch, strings.EqualFold(sp.a.BaseRef, "scratch"):
		return nil // already a slim runtime
	case base.Family == catalog.FamilyLambdaProvided || base.Family == catalog.FamilyLambdaLanguage:
		return nil // rule lambda's ground
	case base.Windows:
		return nil
	}
	if base.Family != catalog.Unknown && base.Language == "" && base.Family != catalog.FamilyDebian && base.Family != catalog.FamilyUbuntu &&
		base.Family != catalog.FamilyAlpine && base.Family != catalog.FamilyRHEL && base.Family != catalog.FamilyAmazonLinux && base.Family != catalog.FamilyJava {
		return nil
	}
	sp.name = stage.Name
	if sp.name == "" {
		sp.name = sp.uniqueName()
	}
	return sp
}

// uniqueName returns "build", or "build-N" when the file already uses that
// name for an image in COPY --from or RUN --mount from=.
func (sp *split) uniqueName() string {
	used := map[string]bool{}
	for _, c := range sp.stage.Commands {
		if cp, ok := c.(*instructions.CopyCommand); ok && cp.From != "" {
			used[strings.ToLower(cp.From)] = true
		}
		if in := sp.f.InstrOf(c); in != nil && in.Cmd == "run" {
			for _, m := range facts.RunMounts(in) {
				used[strings.ToLower(m["from"])] = true
			}
		}
	}
	name := "build"
	for n := 2; used[name]; n++ {
		name = fmt.Sprintf("build-%d", n)
	}
	return name
}

func (sp *split) block(in *rewrite.Instr, format string, args ...any) {
	if in == nil {
		in = sp.from
	}
	sp.blockers = append(sp.blockers, facts.Blocker{Span: in.Span, Reason: fmt.Sprintf(format, args...)})
}

// plan works out the runtime stage, or records why it cannot.
func (sp *split) plan() {
	if !sp.entry() {
		return
	}
	sp.origArgv = slices.Clone(sp.argv)
	if !sp.locate() {
		return
	}
	if !sp.chooseImage() {
		return
	}
	sp.checkRuns()
	sp.checkNativeLibs()
	sp.checkGlibcRelease()
	sp.checkProbeTools()
	sp.checkPythonRuns()
	sp.planCopies()
	sp.planClasspath()
	sp.planUser()
	sp.checkCarried()
	if sp.slim {
		sp.checkEntryScript()
		sp.checkSlim()
	}
}

// entry finds the command the image runs.
func (sp *split) entry() bool {
	for _, c := range sp.stage.Commands {
		switch c.(type) {
		case *instructions.CmdCommand:
			sp.cmd = sp.f.InstrOf(c)
		case *instructions.EntrypointCommand:
			sp.entrypoint = sp.f.InstrOf(c)
		case *instructions.OnbuildCommand:
			sp.block(sp.f.InstrOf(c), "ONBUILD triggers run in images built from this one; a split would move them")
		}
	}
	if sp.cmd == nil && sp.entrypoint == nil {
		if cmd := sp.a.Image.Cmd; cmd != "" {
			sp.block(sp.from, "the Dockerfile has no CMD or ENTRYPOINT: the image runs %s (the base image's CMD) unless a command is given at run time (compose, a job or pod spec), and such commands need the build image's tools", cmd)
		} else {
			sp.block(sp.from, "the Dockerfile has no CMD or ENTRYPOINT, so the command comes from the base image")
		}
		return false
	}
	var err error
	if sp.entrypoint != nil {
		if sp.epArgs, err = sp.execArgs(sp.entrypoint); err != nil {
			if sp.slim {
				return sp.shellEntry()
			}
			sp.blockRung(sp.entrypoint, "%v", err)
			return false
		}
		if len(sp.epArgs) == 0 {
			sp.epArgs = nil
		}
		if !sp.entrypoint.Node.Attributes["json"] && sp.cmd != nil {
			sp.cmd = nil // shell-form ENTRYPOINT ignores CMD
		}
	}
	if sp.cmd != nil {
		if sp.cmdArgs, err = sp.execArgs(sp.cmd); err != nil {
			if sp.slim {
				return sp.shellEntry()
			}
			sp.blockRung(sp.cmd, "%v", err)
			return false
		}
	}
	sp.argv = append(slices.Clone(sp.epArgs), sp.cmdArgs...)
	if len(sp.argv) == 0 {
		sp.block(sp.from, "the image's command is empty")
		return false
	}
	if script, ok := shellDashC(sp.argv); ok {
		return sp.shellDashCEntry(script)
	}
	return true
}

// entryInstr is the instruction that names the program.
func (sp *split) entryInstr() *rewrite.Instr {
	if sp.epArgs != nil {
		return sp.entrypoint
	}
	return sp.cmd
}

var pythonRe = regexp.MustCompile(`^python(\d(\.\d+)?)?$`)

// locate finds the program the command runs and the artifact behind it.
func (sp *split) locate() bool {
	in := sp.entryInstr()
	if !sp.buildToolRun(in) { // buildtoolrun.go
		return false
	}
	if !sp.entryScript(in) {
		return false
	}
	if !sp.initWrapper(in) {
		return false
	}
	sp.nodeScript()
	sp.nodeGlobalBin()
	prog := path.Base(sp.argv[0])
	if prog == "poetry" && sp.a.Image.Language == "python" {
		if !sp.poetryRun(in) {
			return false
		}
		prog = path.Base(sp.argv[0])
	}
	if prog == "uv" && sp.a.Image.Language == "python" {
		if !sp.uvRun(in) {
			return false
		}
		prog = path.Base(sp.argv[0])
	}
	switch {
	case prog == "node" || prog == "nodejs":
		sp.language = "node"
	case prog == "npm" || prog == "yarn" || prog == "pnpm":
		if !sp.npmStart(in) {
			return false
		}
		sp.language = "node"
	case prog == "go-wrapper" && len(sp.argv) > 1 && sp.argv[1] == "run":
		if !sp.goWrapperRun(in) {
			return false
		}
	case prog == "go" && len(sp.argv) > 1 && sp.argv[1] == "run":
		if !sp.goRun(in) {
			return false
		}
	case prog == "cargo" && len(sp.argv) > 1 && (sp.argv[1] == "run" || sp.argv[1] == "r"):
		if !sp.cargoRun(in) {
			return false
		}
	case pythonRe.MatchString(prog):
		sp.language = "python"
	case sp.a.Image.Language == "python" && consoleScripts[prog].dist != "":
		if !sp.consoleScript(in) {
			return false
		}
		sp.language = "python"
	case prog == "java":
		sp.language = "java"
	}
	switch sp.language {
	case "node", "python":
		return sp.locateApp(in)
	case "java":
		return sp.locateJar(in)
	}
	if handled, ok := sp.locateStartScript(in); handled {
		return ok
	}
	return sp.locateBinary(in)
}

// npmStart replaces `npm start` (or yarn/pnpm start) by the node command of
// package.json's start script.
func (sp *split) npmStart(in *rewrite.Instr) bool {
	tool := path.Base(sp.argv[0])
	args := sp.argv[1:]
	script := ""
	switch {
	case len(args) >= 1 && args[0] == "start":
		script, args = "start", args[1:]
	case len(args) >= 2 && (args[0] == "run" || args[0] == "run-script"):
		script, args = args[1], args[2:]
	case tool != "npm" && len(args) >= 1 && facts.ScriptCall(sp.argv) == args[0]:
		script, args = args[0], args[1:] // yarn X, pnpm X run the script X
	default:
		sp.block(in, "the command runs %s, which needs a shell and the package manager; only `%s start` can be resolved", strings.Join(sp.argv, " "), tool)
		return false
	}
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	pkgPath := facts.ResolveIn(sp.a.Workdir, "package.json")
	ctx, ok := sp.a.ContextFile(pkgPath)
	data, read := sp.p.Facts().ReadContext(ctx)
	if !ok || !read {
		run := tool + " " + script
		if sp.argv[1] != "start" && sp.argv[1] != script {
			run = tool + " " + sp.argv[1] + " " + script // npm run X
		}
		if !ok && sp.a.Exists("package.json") {
			// The context has one, but no COPY puts it where npm runs.
			sp.block(in, "the command is `%s` in %s, where no COPY puts a package.json (the build context's is not copied there), so its %s script is unknown", run, path.Dir(pkgPath), script)
			return false
		}
		sp.block(in, "the command is `%s`, and package.json is not in the build context, so its %s script is unknown", run, script)
		return false
	}
	var pkg struct {
		Scripts map[string]string `json:"scripts"`
		Main    string            `json:"main"`
		DevDeps map[string]any    `json:"devDependencies"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		sp.block(in, "%s does not parse: %v", ctx, err)
		return false
	}
	cmd, ok := pkg.Scripts[script]
	if !ok && script == "start" {
		cmd, ok = "node server.js", true // npm's default start script
	}
	if !ok {
		sp.block(in, "%s has no %s script", ctx, script)
		return false
	}
	words := strings.Fields(cmd)
	if strings.ContainsAny(cmd, "&|;<>$`'\"\\*?()") || len(words) < 2 || words[0] != "node" {
		if dev := devServer(words); dev != "" {
			sp.block(in, "the %s script is `%s`, %s, not a production server; run the built app with `node FILE` instead", script, cmd, dev)
			return false
		}
		if sp.keepsNpmScript(script, pkg.Scripts, pkg.DevDeps) {
			if sp.slim {
				sp.notes = append(sp.notes, fmt.Sprintf("the %s script `%s` runs through %s on the build's own image", script, cmd, tool))
				return true // kept as written
			}
			sp.blockRung(in, "the %s script is `%s`; only `node FILE` can run without npm and a shell", script, cmd)
			return false
		}
		sp.block(in, "the %s script is `%s`; only `node FILE` can run without npm and a shell", script, cmd)
		return false
	}
	if pre, hasPre := pkg.Scripts["pre"+script]; hasPre && !sp.preScript(in, tool, script, pre, pkg.Scripts) {
		return false
	}
	if _, hasPost := pkg.Scripts["post"+script]; hasPost {
		sp.notes = append(sp.notes, fmt.Sprintf("the post%s script is not run (npm runs it only after the server exits)", script))
	}
	sp.argv = append(words, args...)
	sp.epArgs, sp.cmdArgs = nil, sp.argv
	return true
}

// locateApp finds the app directory of a node or python command.
func (sp *split) locateApp(in *rewrite.Instr) bool {
	a := sp.a
	sp.appDir = strings.TrimSuffix(a.Workdir, "/")
	if sp.packageDir != "" {
		sp.appDir = sp.packageDir
	}
	if a.Workdir == "" {
		sp.block(in, "the working directory of %s is unknown, so the app's files cannot be told apart", a.BaseRef)
		return false
	}
	if sp.appDir == "" || sp.appDir == "/" {
		if sp.language != "python" && sp.language != "node" {
			sp.block(in, "the app lives in /, so its files cannot be told apart from the system's; set a WORKDIR")
			return false
		}
		if !sp.rootApp(in) {
			return false
		}
		sp.appDir = ""
	}
	script := ""
	// The arguments of a console script the slim rung keeps (gunicorn -c
	// FILE) are not the interpreter's.
	for i := 1; i < len(sp.argv) && (sp.language != "python" || pythonRe.MatchString(path.Base(sp.argv[0]))); i++ {
		x := sp.argv[i]
		if sp.language == "python" && (x == "-m" || x == "-c") {
			if x == "-c" {
				sp.block(in, "`python -c` code cannot be checked")
				return false
			}
			break // -m module: found through the app directory and PYTHONPATH
		}
		if strings.HasPrefix(x, "-") {
			continue
		}
		script = x
		break
	}
	if script != "" {
		abs := facts.ResolveIn(a.Workdir, script)
		if abs != sp.appDir && !strings.HasPrefix(abs, sp.appDir+"/") {
			sp.block(in, "the program %s is outside the app directory %s", abs, sp.appDir)
			return false
		}
		if sp.rootFiles != nil && !slices.ContainsFunc(sp.rootFiles, func(k string) bool { return facts.Within(abs, k) }) {
			sp.block(in, "the program %s is not among the files this Dockerfile copies into /", abs)
			return false
		}
		sp.entryPath = abs
	}
	var found *facts.Artifact
	for i := range a.Artifacts {
		art := &a.Artifacts[i]
		if art.Language != sp.language {
			continue
		}
		switch art.Kind {
		case facts.KindNodeApp:
			if sp.frontEnd(art) {
				continue // its node_modules are dropped, its build output kept
			}
			if art.Path == sp.appDir || strings.HasPrefix(sp.appDir, art.Path+"/") || strings.HasPrefix(art.Path, sp.appDir+"/") {
				found = art
			}
		case facts.KindPythonApp:
			found = art
		}
	}
	sp.art = found
	if len(a.Blockers) > 0 {
		// An install whose output dfslim cannot place (pip --user or
		// --prefix, poetry's hashed environment, …) holds packages the app
		// may import, which the runtime stage would not get.
		sp.blockers = append(sp.blockers, a.Blockers...)
		return false
	}
	sp.version = a.Image.Version
	if a.Image.Language != sp.language {
		sp.block(sp.from, "the build image %s is not a %s image, so the %s version the app needs is unknown", a.BaseRef, catalog.LanguageName(sp.language), catalog.LanguageName(sp.language))
		return false
	}
	if a.Image.Libc == catalog.LibcMusl && sp.language == "python" && found != nil && !sp.slim {
		sp.blockRung(found.Instr(sp.f), "packages were installed on %s (musl); their native extensions would not load on the glibc runtime image", a.BaseRef)
		return false
	}
	if sp.language == "node" {
		return sp.planNode(in, found)
	}
	if found != nil {
		if found.Path == "" {
			if a.Image.Official && !strings.Contains(a.Image.Version, ".") {
				sp.block(sp.from, "%s", floatingPython(a.BaseRef))
			} else {
				sp.block(found.Instr(sp.f), "cannot tell where pip installed the packages")
			}
			return false
		}
		if found.Editable && !sp.slim {
			sp.blockRung(found.Instr(sp.f), "the install links the project into %s through a .pth file, which only the environment's own interpreter reads (not PYTHONPATH)", found.Path)
			return false
		}
		dir := found.Path
		if found.Venv != "" {
			dir = found.Venv // the slim rung's command may run the venv's own python
		}
		if sp.appDir == "" || !facts.Within(dir, sp.appDir) {
			sp.sitePackages = dir
		}
		if sp.sitePackages != "" || found.Venv != "" {
			sp.pythonPath = found.Path
		}
		for _, art := range a.Artifacts {
			if art.Kind == facts.KindPythonApp && art.Path != found.Path {
				sp.block(art.Instr(sp.f), "pip installs into both %s and %s", art.Path, found.Path)
				return false
			}
		}
	}
	if _, set := a.EnvVars["PYTHONPATH"]; set && sp.pythonPath != "" && !sp.slim {
		sp.block(sp.from, "the Dockerfile sets PYTHONPATH, which the runtime stage needs for the copied packages")
		return false
	}
	return true
}

// planNode checks a node app's dependencies and how to drop devDependencies.
func (sp *split) planNode(in *rewrite.Instr, art *facts.Artifact) bool {
	a := sp.a
	if art == nil {
		return true // no dependencies installed
	}
	if art.Path != sp.appDir {
		sp.block(art.Instr(sp.f), "dependencies are installed in %s but the app runs in %s", art.Path, sp.appDir)
		return false
	}
	if !sp.planNodePrune(art) {
		return false
	}
	if a.Image.Libc == catalog.LibcMusl && !sp.slim {
		// The packages that reach the runtime: devDependencies are gone when
		// the install omitted them or the runtime stage prunes them.
		if reason := sp.nativeAddons(!art.DevDeps || sp.prune != ""); reason != "" {
			sp.blockRung(art.Instr(sp.f), "node_modules were installed on %s (musl) and %s; native addons would not load on the glibc runtime image", a.BaseRef, reason)
			return false
		}
	}
	return true
}

// planNodePrune works out how the runtime stage drops devDependencies.
func (sp *split) planNodePrune(art *facts.Artifact) bool {
	a := sp.a
	if art.Path == "" && sp.appDir == "" {
		return true // the app in /: only named packages installed there (rootApp)
	}
	if art.DevDeps && len(sp.movedNodeModules()) == 0 {
		tool := strings.Fields(sp.f.Text(art.Span))
		switch {
		case artTool(sp.f, art) == "npm":
			sp.prune = npmPrune(a.Image.Version)
		case artTool(sp.f, art) == "pnpm":
			sp.prune = "pnpm prune --prod"
		case !sp.declaresDevDeps(art.Path):
			return true // package.json declares none: nothing to prune
		default:
			_ = tool
			sp.block(art.Instr(sp.f), "the install also installs devDependencies; dfslim prunes them only for npm and pnpm (use `yarn install --production` or set NODE_ENV=production)")
			return false
		}
		if used := sp.devDependencyInUse(art.Path); used != "" {
			// The app loads a devDependency: pruning would break it at run
			// time, so the runtime keeps every package the build installed.
			sp.notes = append(sp.notes, fmt.Sprintf("devDependencies are kept: the app loads %s", used))
			sp.prune = ""
			return true
		}
		if strings.TrimSuffix(a.Workdir, "/") != art.Path && art.Path == sp.packageDir && strings.HasPrefix(sp.prune, "npm ") {
			sp.prune += " --prefix " + art.Path // a global bin's package, away from the working directory
		} else if strings.TrimSuffix(a.Workdir, "/") != art.Path {
			sp.block(art.Instr(sp.f), "devDependencies must be pruned in %s, but the build stage ends in %s", art.Path, a.Workdir)
			return false
		}
	}
	return true
}

// artTool returns the package manager that made a node-app artifact.
func artTool(f *rewrite.File, art *facts.Artifact) string {
	line, _ := f.Position(art.Span.Start)
	in := f.InstrAt(line)
	if in == nil {
		return ""
	}
	sh := shell.Of(f, in)
	if sh == nil {
		return ""
	}
	for _, c := range sh.Calls() {
		switch name := path.Base(c.Name()); name {
		case "pnpm", "yarn", "npm":
			return name
		}
	}
	return ""
}

// dockerVarRef matches a variable reference in a Dockerfile word ($NAME or ${NAME...}).
var dockerVarRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

// nativeAddons says why node_modules may hold native addons, or "" when the
// build context shows they do not (facts.NativeAddonReason).
func (sp *split) nativeAddons(devDropped bool) string {
	return facts.NativeAddonReason(&sp.p.Source, sp.a, sp.appDir, devDropped)
}

// locateJar finds the jar of `java -jar`.
func (sp *split) locateJar(in *rewrite.Instr) bool {
	jar := ""
	for i := 1; i < len(sp.argv); i++ {
		if sp.argv[i] == "-jar" && i+1 < len(sp.argv) {
			jar = sp.argv[i+1]
			break
		}
		if (sp.argv[i] == "-cp" || sp.argv[i] == "-classpath" || sp.argv[i] == "--class-path") && i+1 < len(sp.argv) {
			return sp.locateClasspath(in, sp.argv[i+1])
		}
	}
	if jar == "" {
		sp.block(in, "the java command does not run a jar (-jar); only jars are copied")
		return false
	}
	abs := facts.ResolveIn(sp.a.Workdir, jar)
	if abs == "" {
		sp.block(in, "the working directory is unknown, so the jar %s cannot be located", jar)
		return false
	}
	sp.entryPath = abs
	sp.version = sp.a.Image.Version
	for i := range sp.a.Artifacts {
		if sp.a.Artifacts[i].Path == abs {
			sp.art = &sp.a.Artifacts[i]
		}
	}
	for i := range sp.a.Artifacts {
		if sp.art == nil && slices.Contains(sp.a.Artifacts[i].Jars, abs) {
			art := sp.a.Artifacts[i] // the shaded or assembled jar of the same build
			art.Path, art.Jars = abs, nil
			sp.art = &art
		}
	}
	if sp.art == nil {
		if _, ok := sp.copiedFile(abs); !ok {
			sp.block(in, "the jar %s is not built or copied in by this Dockerfile", abs)
			return false
		}
		sp.art = &facts.Artifact{Kind: facts.KindJavaJar, Path: abs, Language: "java", Version: sp.version}
	}
	if sp.a.Image.Language != "java" {
		sp.block(sp.from, "dfslim does not know the Java version of the build image %s, so no runtime image can be matched to the jar", sp.a.BaseRef)
		return false
	}
	return true
}

// copiedFile returns the COPY that put a file at abs, if any.
func (sp *split) copiedFile(abs string) (facts.ContextCopy, bool) {
	for i := len(sp.a.Copies) - 1; i >= 0; i-- {
		cp := sp.a.Copies[i]
		if cp.Image != "" {
			continue
		}
		if cp.Dest == abs || (strings.HasSuffix(cp.Dest, "/") && path.Dir(abs)+"/" == cp.Dest) {
			for _, s := range cp.Sources {
				base := path.Base(facts.CleanSource(s))
				if cp.Dest != abs && (strings.HasSuffix(s, "/") || base == "." || sp.contextDir(s)) {
					continue // a directory's contents, not the directory
				}
				if cp.Dest == abs || base == path.Base(abs) || strings.ContainsAny(base, "*?[") {
					return cp, true
				}
			}
		}
	}
	return facts.ContextCopy{}, false
}

// locateBinary finds the binary the command runs and how it is linked.
func (sp *split) locateBinary(in *rewrite.Instr) bool {
	a := sp.a
	prog := sp.argv[0]
	var candidates []string
	switch {
	case path.IsAbs(prog):
		candidates = []string{path.Clean(prog)}
	case strings.Contains(prog, "/"):
		if a.Workdir == "" {
			sp.block(in, "the working directory is unknown, so %s cannot be located", prog)
			return false
		}
		candidates = []string{facts.ResolveIn(a.Workdir, prog)}
	default:
		pth := a.Vars["PATH"]
		if pth == "" {
			pth = strings.Join(facts.PathDirs, ":")
		}
		for _, d := range strings.Split(pth, ":") {
			if path.IsAbs(d) {
				candidates = append(candidates, path.Join(d, prog))
			}
		}
	}
	for _, c := range candidates {
		for i := len(a.Artifacts) - 1; i >= 0 && sp.art == nil; i-- {
			if a.Artifacts[i].Path == c && a.Artifacts[i].Kind != facts.KindNodeApp && a.Artifacts[i].Kind != facts.KindPythonApp {
				sp.art, sp.entryPath = &a.Artifacts[i], c
			}
		}
	}
	if sp.art == nil && len(a.Blockers) > 0 {
		sp.blockers = append(sp.blockers, a.Blockers...)
		return false
	}
	if sp.art == nil {
		for _, c := range candidates {
			cp, ok := sp.copiedFile(c)
			if _, src := a.ContextSource(c); !ok && src != nil {
				cp, ok = *src, true // a file of a directory copied in
			}
			if ok {
				sp.entryPath = c
				if sp.art = sp.prebuilt(in, cp, c); sp.art == nil {
					return false
				}
				break
			}
		}
	}
	if sp.art == nil {
		if a.Image.Language == "python" && !strings.Contains(prog, "/") {
			sp.block(in, "`%s` is not a build output dfslim recognises; if pip installed it as a console script, dfslim does not know its package and module (run the module with `python -m`)", prog)
		} else if why := sp.registryBin(prog); why != "" {
			sp.block(in, "%s", why)
		} else if cs := consoleScripts[prog]; cs.dist != "" && a.Image.Language == "" && !strings.Contains(prog, "/") {
			what := "is not one dfslim knows"
			if catalog.ClassifyBase(a.BaseRef).Family != catalog.Unknown {
				what = "is an OS image, not a Python image"
			}
			sp.block(in, "`%s` is a console script of %s, and the build image %s %s: which Python it has, and so where pip installs and which runtime image matches, is unknown", prog, cs.dist, a.BaseRef, what)
		} else {
			sp.block(in, "`%s` is not a build output dfslim recognises (it comes from the base image, a package or a step dfslim cannot read)", prog)
		}
		return false
	}
	for _, b := range a.Blockers {
		if b.Span == sp.art.Span {
			sp.blockers = append(sp.blockers, b)
		}
	}
	return len(sp.blockers) == 0
}

// prebuilt checks a binary copied in from the build context.
func (sp *split) prebuilt(in *rewrite.Instr, cp facts.ContextCopy, abs string) *facts.Artifact {
	art := &facts.Artifact{Kind: facts.KindBinary, Path: abs, Span: cp.In.Span}
	if strings.HasSuffix(abs, ".sh") {
		sp.entryPath = "" // a script, not a program to carry
		sp.block(in, "the command runs %s, a shell script", abs)
		return nil
	}
	if step := sp.laterRun(cp.In); step != nil {
		sp.block(step.In, "%s is copied in from the build context, but this RUN may replace it, so the file in the context need not be what runs", abs)
		return nil
	}
	ctx, ok := sp.a.ContextFile(abs)
	data, read := sp.p.Facts().ReadContext(ctx)
	if !ok || !read {
		sp.block(cp.In, "%s is copied in prebuilt, and without it in the build context dfslim cannot tell how it is linked", abs)
		return nil
	}
	if bytes.HasPrefix(data, []byte("#!")) {
		sp.entryPath = ""
		line, _, _ := bytes.Cut(data, []byte("\n"))
		sp.block(in, "the command runs %s, a script (%s) that needs an interpreter the runtime image does not have", ctx, strings.TrimSpace(string(line)))
		return nil
	}
	libc, err := facts.ELFLibc(data)
	if err != nil {
		sp.block(cp.In, "%s: %v", ctx, err)
		return nil
	}
	art.Libc = libc
	return art
}

// laterRun returns the first RUN after in that may write files other than
// by the commands of facts.FileSafeCommands, or nil.
func (sp *split) laterRun(in *rewrite.Instr) *facts.RunStep {
	for _, step := range sp.a.Runs {
		if step.In.StartLine <= in.StartLine {
			continue
		}
		if step.Exec {
			return step
		}
		for _, sc := range step.Cmds {
			if sc.Dynamic || len(sc.Writes) > 0 || !slices.Contains(facts.FileSafeCommands, path.Base(sc.Call.Name())) {
				return step
			}
		}
	}
	return nil
}

// chooseImage picks the runtime image.
func (sp *split) chooseImage() bool {
	art := sp.art
	switch sp.language {
	case "node":
		sp.kind = catalog.KindNode
		if step, name := sp.nodeManagerRun(); step != nil {
			sp.block(step.In, "RUN installs another Node.js with %s, so dfslim cannot tell which Node.js the command runs", name)
			return false
		}
	case "python":
		sp.kind = catalog.KindPython
	case "java":
		sp.kind = catalog.KindJava
	default:
		libc := art.Libc
		if art.CgoOffAt != nil && (libc == catalog.LibcGlibc || libc == catalog.LibcMusl) {
			// Pure Go code that links libc only through cgo's default:
			// build it static instead (the fix adds CGO_ENABLED=0).
			libc = catalog.LibcNone
			sp.builderEdits = append(sp.builderEdits, *cgoOffEdit(art))
		}
		switch libc {
		case catalog.LibcNone:
			sp.kind = catalog.KindStatic
		case catalog.LibcGlibc:
			sp.kind = catalog.KindGlibc
			if art.Kind != facts.KindGoBinary {
				sp.kind = catalog.KindCC
			}
		case catalog.LibcMusl:
			if sp.slim && sp.a.Image.Distro == "alpine" && art.Kind == facts.KindGoBinary {
				// The slim rung: Alpine itself, without the build's toolchain.
				// Go's cgo links libc and the libraries asked for; C, C++
				// and Rust binaries may also load libgcc_s or libstdc++,
				// which Alpine's base image lacks.
				sp.kind = catalog.KindMusl
				break
			}
			if sp.slim && sp.a.Image.Distro == "alpine" {
				sp.block(art.Instr(sp.f), "%s is linked against musl, and besides musl it may load libgcc_s or libstdc++, which Alpine's base image lacks", art.Path)
				return false
			}
			hint := ""
			switch art.Kind {
			case facts.KindGoBinary:
				hint = "; build with CGO_ENABLED=0 for a static binary"
			case facts.KindRustBinary:
				hint = "; build for a *-unknown-linux-musl --target for a static binary"
			}
			sp.blockRung(art.Instr(sp.f), "%s may be linked against musl (built on %s), which neither static nor glibc runtime images provide%s", art.Path, sp.a.BaseRef, hint)
			return false
		default:
			sp.block(art.Instr(sp.f), "cannot tell whether %s is static or linked against glibc or musl", art.Path)
			return false
		}
	}
	if sp.slim {
		img, err := catalog.SlimImage(sp.kind, sp.a.Image.SlimBase(sp.a.BaseRef))
		if err != nil {
			sp.block(sp.from, "%v", err)
			return false
		}
		sp.image = img
		return true
	}
	img, err := catalog.RuntimeImageOn(sp.p.Config.Flavor(), sp.kind, sp.version, sp.a.Image.Distro, sp.p.Config.Debug)
	if cc, from := sp.builderNodeRuntime(); err != nil && cc != nil {
		sp.why = err.Error() // why not the nodejs image (the message says it)
		img, err, sp.nodeBinary, sp.nodeFrom = cc, nil, builderNode, from
	}
	if err != nil {
		sp.blockRung(sp.from, "%v", err)
		return false
	}
	sp.image = img
	return true
}

// checkProbeTools refuses a runtime stage without the curl, wget or netcat
// that the stage installs and no RUN runs: it is there for run time (a
// compose or Kubernetes health check the Dockerfile does not show). The slim
// rung keeps it when it installs it in the runtime stage (carryPackages).
func (sp *split) checkProbeTools() {
	for _, u := range unusedProbePackages(sp.f, []*instructions.Stage{sp.stage}) {
		if sp.slim && slices.Contains(sp.runtimePkgs, u.pkg) {
			continue
		}
		sp.blockRung(u.in, "RUN installs %s, which no RUN uses: it is there for run time (a health check or a script run from outside the Dockerfile), and the runtime image %s does not have it", u.pkg, sp.image.Ref)
		return
	}
}

// checkRuns looks for RUN steps whose results the runtime stage would lose.
func (sp *split) checkRuns() {
	interpreted := sp.language == "node" || sp.language == "python"
	dynamic := sp.kind == catalog.KindGlibc || sp.kind == catalog.KindCC || sp.kind == catalog.KindMusl || interpreted
	installed := map[string]*rewrite.Instr{}
	removed := map[string]bool{}
	groups := facts.VirtualGroups{}
	for _, step := range sp.a.Runs {
		if step.Exec {
			if interpreted {
				sp.block(step.In, "RUN in exec form or with a heredoc cannot be checked for files the app needs")
			}
			continue
		}
		for _, sc := range step.Cmds {
			for _, w := range sc.Writes {
				sp.checkWrite(step.In, sc, w, "writes")
			}
			if sc.Dynamic {
				if interpreted {
					sp.block(step.In, "RUN runs a command whose name is not literal")
				}
				continue
			}
			args := sc.Call.Args
			name := path.Base(args[0])
			switch name {
			case "apt-get", "apt", "aptitude", "apk", "yum", "dnf", "microdnf", "tdnf", "zypper":
				pkgs, remove := facts.PackageArgs(name, args, sc.Call.Dynamic)
				groups.Note(name, args, sc.Call.Dynamic, pkgs, remove)
				if remove {
					pkgs = groups.Expand(pkgs)
				}
				for _, pk := range pkgs {
					if remove {
						removed[pk] = true
					} else if _, ok := installed[pk]; !ok {
						installed[pk] = step.In
					}
				}
				continue
			case "mkdir", "touch", "chmod", "chown", "chgrp", "ln", "cp", "mv", "install", "tee", "sed", "tar", "unzip", "curl", "wget", "rm":
				sp.checkFileCommand(step.In, sc, name)
				continue
			case "pip", "pip3":
				continue
			case "uv", "flit", "poetry", "pipenv":
				if sp.language == "python" {
					continue // they write the environment (see detectUV, detectFlit)
				}
			}
			if facts.IsPip(args) || pythonRe.MatchString(name) || slices.Contains(facts.HarmlessCommands, name) {
				continue
			}
			if interpreted {
				sp.block(step.In, "RUN runs `%s`, whose effect on files the app needs cannot be checked", name)
			}
		}
	}
	if !dynamic {
		return
	}
	var runtimePkgs []string
	var at *rewrite.Instr
	for pk, in := range installed {
		if removed[pk] || slices.Contains(buildPackages, pk) || strings.Contains(pk, "compiler") || strings.HasPrefix(pk, "-") || pk == sp.initPackage {
			continue
		}
		runtimePkgs = append(runtimePkgs, pk)
		if at == nil || in.StartLine < at.StartLine {
			at = in
		}
	}
	if sp.slim {
		sp.carryPackages(installed, removed)
		return
	}
	if len(runtimePkgs) > 0 {
		slices.Sort(runtimePkgs)
		more := ""
		if len(runtimePkgs) > 3 {
			more = fmt.Sprintf(" and %d more", len(runtimePkgs)-3)
			runtimePkgs = runtimePkgs[:3]
		}
		sp.blockRung(at, "RUN installs %s%s, which the program may need at run time and the runtime image cannot install", strings.Join(runtimePkgs, ", "), more)
	}
}

// keptPaths are the paths of the build stage that the runtime stage copies.
func (sp *split) keptPaths() []string {
	var out []string
	if sp.appDir != "" {
		out = append(out, sp.appDir)
	}
	out = append(out, sp.rootFiles...)
	if sp.entryPath != "" && sp.language != "node" && sp.language != "python" {
		out = append(out, sp.entryPath)
	}
	if sp.sitePackages != "" {
		out = append(out, sp.sitePackages)
	}
	out = append(out, sp.movedNodeModules()...)
	return out
}

// checkWrite checks that a file a RUN creates or changes is either copied into
// the runtime stage or only serves the build.
func (sp *split) checkWrite(in *rewrite.Instr, sc facts.Command, target, verb string) {
	if target == "" {
		sp.block(in, "RUN %s to a path that is not literal", verb)
		return
	}
	target = strings.TrimSuffix(target, "/")
	for _, d := range buildOnlyDirs {
		if facts.Within(target, d) {
			return
		}
	}
	for _, k := range sp.keptPaths() {
		if facts.Within(target, k) || (sp.language == "" && facts.Within(k, target)) {
			return
		}
	}
	if sp.language == "" || sp.language == "java" {
		for _, art := range sp.a.Artifacts {
			if art.Workdir != "" && facts.Within(target, art.Workdir) {
				return // the build's own tree
			}
		}
	}
	if slices.Contains(sp.movedNodeModules(), path.Join(target, "node_modules")) {
		return // mv node_modules DIR/: the runtime stage carries DIR/node_modules
	}
	sp.block(in, "RUN %s %s, which the runtime stage would not have", verb, target)
}

// checkFileCommand checks the paths a file command changes.
func (sp *split) checkFileCommand(in *rewrite.Instr, sc facts.Command, name string) {
	args := sc.Call.Args
	var ops, raw []string
	var dyn []bool
	for i := 1; i < len(args); i++ {
		if !sc.Call.Dynamic[i] && strings.HasPrefix(args[i], "-") {
			if (name == "curl" && (args[i] == "-o" || args[i] == "--output")) || (name == "wget" && args[i] == "-O") ||
				(name == "tar" && (args[i] == "-C" || args[i] == "--directory")) || (name == "unzip" && args[i] == "-d") {
				if i+1 < len(args) {
					t := ""
					if !sc.Call.Dynamic[i+1] {
						t = facts.ResolveIn(sc.Dir, args[i+1])
					}
					if !(name == "wget" && args[i+1] == "-") && !(name == "curl" && args[i+1] == "-") {
						sp.checkWrite(in, sc, t, "writes")
					}
					i++
				}
			}
			continue
		}
		if name == "rm" && sc.Call.Dynamic[i] && sp.pipCacheDir(sc.Call.Expr.Args[i]) {
			continue // pip's cache: only the build uses it
		}
		ops = append(ops, args[i])
		raw = append(raw, facts.GlobLiteral(sc.Call.Expr.Args[i]))
		dyn = append(dyn, sc.Call.Dynamic[i])
	}
	var targets []int
	switch name {
	case "mkdir", "touch", "tee":
		for i := range ops {
			targets = append(targets, i)
		}
	case "chmod", "chown", "chgrp":
		for i := 1; i < len(ops); i++ {
			targets = append(targets, i)
		}
	case "ln", "cp", "mv", "install":
		if len(ops) > 1 {
			targets = append(targets, len(ops)-1)
		}
	case "sed":
		if slices.ContainsFunc(args, func(s string) bool { return s == "-i" || strings.HasPrefix(s, "-i") }) {
			for i := 1; i < len(ops); i++ {
				targets = append(targets, i)
			}
		}
	case "rm":
		for i, op := range ops {
			for _, k := range sp.keptPaths() {
				switch {
				case !dyn[i]:
					if t := facts.ResolveIn(sc.Dir, op); t != "" && facts.Within(k, t) {
						sp.block(in, "RUN removes %s, which the runtime stage copies", k)
					}
				case globPrefix(raw[i]) != "":
					if t := strings.TrimSuffix(facts.ResolveIn(sc.Dir, globPrefix(raw[i])), "/"); t != "" && k != t && facts.Within(k, t) {
						sp.block(in, "RUN may remove %s (%s), which the runtime stage copies", k, raw[i])
					}
				case sp.language == "node" || sp.language == "python":
					sp.block(in, "RUN removes a path that is not literal")
				}
			}
		}
		return
	}
	for _, i := range targets {
		t := ""
		if !dyn[i] {
			t = facts.ResolveIn(sc.Dir, ops[i])
		}
		if name == "chmod" || name == "chown" || name == "chgrp" {
			if t == "" || slices.ContainsFunc(sp.keptPaths(), func(k string) bool { return facts.Within(t, k) }) {
				continue
			}
		}
		sp.checkWrite(in, sc, t, fileVerbs[name])
	}
}

// fileVerbs say what a file command does to its target, for findings.
var fileVerbs = map[string]string{"mkdir": "creates", "touch": "creates", "chmod": "changes", "chown": "changes",
	"chgrp": "changes", "ln": "links", "cp": "copies to", "mv": "moves to", "install": "installs to", "tee": "writes",
	"sed": "edits", "tar": "extracts to", "unzip": "extracts to"}

// globPrefix returns the literal directory before the first glob character
// of a word such as /var/lib/apt/lists/*, or "".
func globPrefix(w string) string {
	i := strings.IndexAny(w, "*?[")
	if i < 0 {
		return ""
	}
	return path.Dir(w[:i] + "x")
}

// planCopies lists the files the runtime stage copies from the build stage.
func (sp *split) planCopies() {
	switch sp.language {
	case "node", "python":
		if sp.appDir != "" {
			sp.copies = append(sp.copies, sp.appDir)
		}
		sp.copies = append(sp.copies, sp.rootFiles...)
		if sp.sitePackages != "" {
			sp.copies = append(sp.copies, sp.sitePackages)
		}
		sp.copies = append(sp.copies, sp.movedNodeModules()...)
		for _, sc := range sp.scripts {
			if !slices.ContainsFunc(sp.copies, func(k string) bool { return facts.Within(sc, k) }) {
				sp.copies = append(sp.copies, sc)
			}
		}
	default:
		entry := sp.entryPath
		if sp.art != nil {
			for _, d := range sp.art.JarDirs {
				if facts.Within(entry, d) {
					entry = d // the jar loads the files next to it
				}
			}
		}
		sp.copies = append(sp.copies, entry)
	}
	var sourceDirs []string
	if sp.language == "" || sp.language == "java" {
		for _, art := range sp.a.Artifacts {
			if art.Workdir != "" && art.Kind != facts.KindNodeApp && art.Kind != facts.KindPythonApp {
				sourceDirs = append(sourceDirs, strings.TrimSuffix(art.Workdir, "/"))
			}
		}
	}
	var car *carrier
	var carried []carryItem
	var origin []*rewrite.Instr
	for _, cp := range sp.a.Copies {
		if cp.Dest == "" {
			sp.block(cp.In, "%s copies to a relative path and the working directory is unknown", strings.ToUpper(cp.In.Cmd))
			continue
		}
		dest := strings.TrimSuffix(cp.Dest, "/")
		if dest == "" {
			dest = "/"
		}
		if slices.ContainsFunc(sp.copies, func(k string) bool { return facts.Within(dest, k) }) {
			continue
		}
		if cp.Image != "" {
			// Files of another image (a Lambda extension, a tool): the
			// runtime takes them from the build stage, as later RUNs left them.
			switch {
			case slices.ContainsFunc(buildOnlyDirs, func(d string) bool { return facts.Within(dest, d) }):
			case dest == "/":
				sp.block(cp.In, "COPY --from=%s copies into /, so its files cannot be told apart from the system's", cp.Image)
			default:
				for _, k := range sp.binDirFiles(cp, dest) {
					if !slices.Contains(sp.copies, k) && !slices.ContainsFunc(sp.copies, func(c string) bool { return facts.Within(k, c) }) {
						sp.copies = append(sp.copies, k)
					}
				}
			}
			continue
		}
		for _, d := range buildOnlyDirs {
			if facts.Within(dest, d) {
				dest = ""
				break
			}
		}
		if dest == "" {
			continue
		}
		inSource := slices.ContainsFunc(sourceDirs, func(d string) bool { return facts.Within(dest, d) || facts.Within(d, dest) })
		if !inSource {
			if dest == "/" && sp.rootFiles != nil {
				continue // its files are rootFiles
			}
			if dest == "/" {
				sp.block(cp.In, "%s copies into /, so the files the program reads cannot be told apart", strings.ToUpper(cp.In.Cmd))
				continue
			}
			if sp.removedLater(cp.In, dest) {
				continue
			}
			if !slices.Contains(sp.copies, dest) {
				sp.copies = append(sp.copies, dest)
			}
			continue
		}
		// Source copied into the build tree: carry every file of it that is
		// not build input, since the program may read any of them.
		if sp.p.Context == nil {
			sp.block(cp.In, "the build context is not available, so dfslim cannot tell which files next to the source the program reads at run time")
			continue
		}
		if car == nil {
			if car = sp.newCarrier(""); car.reason != "" {
				sp.block(cp.In, "%s", car.reason)
				return
			}
		}
		car.lang = sp.treeLang(dest)
		items, reason := sp.carryCopy(car, cp)
		if reason != "" {
			sp.block(cp.In, "%s", reason)
			continue
		}
		for _, it := range items {
			if sp.removedLater(cp.In, it.dest) {
				continue
			}
			carried = append(carried, it)
			origin = append(origin, cp.In)
		}
	}
	sp.addCarried(carried, origin)
	// A program inside a copied directory comes with it.
	if sp.language == "" || sp.language == "java" {
		if slices.ContainsFunc(sp.copies[1:], func(k string) bool { return facts.Within(sp.entryPath, k) }) {
			sp.copies = sp.copies[1:]
		}
	}
}

// binDirFiles returns what the runtime stage takes of a COPY --from into
// dest: dest itself, except for a bin directory, where each tool it names is
// a file of its own, and a tool that a RUN of the stage runs while the command
// does not is there for the build (a linter, a code generator) and stays in
// the build stage. Globs and words dfslim cannot read keep the whole directory.
func (sp *split) binDirFiles(cp facts.ContextCopy, dest string) []string {
	if b := path.Base(dest); b != "bin" && b != "sbin" {
		return []string{dest}
	}
	// dest is the bin directory, with or without a trailing slash (it
	// exists in every image, so COPY copies into it): each source is a tool
	// of its own, unless it is a directory whose contents go there.
	var files []string
	for _, src := range cp.Sources {
		if b := path.Base(src); src == "" || strings.ContainsAny(src, "*?[$") || strings.HasSuffix(src, "/") || b == "." || b == "bin" || b == "sbin" {
			return []string{dest}
		}
		files = append(files, dest+"/"+path.Base(src))
	}
	var keep []string
	for _, file := range files {
		if file == sp.entryPath || slices.ContainsFunc(sp.argv, func(w string) bool { return w == file || w == path.Base(file) }) || !sp.buildRuns(file) {
			keep = append(keep, file)
		}
	}
	return keep
}

// buildRuns reports whether a RUN of the stage runs the program file, by its
// path or by its name, or the tool it ships beside (toolCompanions).
func (sp *split) buildRuns(file string) bool {
	for _, step := range sp.a.Runs {
		for _, sc := range step.Cmds {
			if sc.Dynamic {
				continue
			}
			if n := sc.Call.Name(); n == file || n == path.Base(file) || toolCompanions[path.Base(file)] == path.Base(n) {
				return true
			}
		}
	}
	return false
}

// contextDir reports whether the build context has a directory name.
func (sp *split) contextDir(name string) bool {
	if sp.p.Context == nil {
		return false
	}
	if name == "" || name == "." {
		return true
	}
	info, err := fs.Stat(sp.p.Context, facts.CleanSource(name))
	return err == nil && info.IsDir()
}

// removedLater reports whether a RUN after in removes dest.
func (sp *split) removedLater(in *rewrite.Instr, dest string) bool {
	for _, step := range sp.a.Runs {
		if step.In.StartLine < in.StartLine {
			continue
		}
		for _, sc := range step.Cmds {
			if sc.Dynamic || path.Base(sc.Call.Name()) != "rm" {
				continue
			}
			for i, x := range sc.Call.Args[1:] {
				if !sc.Call.Dynamic[i+1] && !strings.HasPrefix(x, "-") && facts.Within(dest, facts.ResolveIn(sc.Dir, x)) {
					return true
				}
			}
		}
	}
	return false
}

// planUser decides the runtime USER and the owner of copied app directories.
func (sp *split) planUser() {
	if sp.slim {
		sp.planSlimUser()
		return
	}
	user := ""
	for _, c := range sp.stage.Commands {
		if u, ok := c.(*instructions.UserCommand); ok {
			user = sp.a.Expand(u.User)
		}
	}
	name, group, _ := strings.Cut(user, ":")
	switch {
	case user == "" || name == "root" || name == "0" && (group == "" || group == "0" || group == "root"):
		if user != "" {
			sp.user = user // runs as root on purpose
			return
		}
		sp.user = sp.p.Config.RuntimeUser()
	case isNumeric(name) && (group == "" || isNumeric(group)):
		sp.user = user
		sp.chown = user
	default:
		sp.user, sp.chown = sp.p.Config.RuntimeUser(), sp.p.Config.RuntimeUser()
	}
	if sp.language != "node" && sp.language != "python" {
		sp.chown = ""
	}
}

func isNumeric(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// checkCarried checks the instructions that move to the runtime stage.
func (sp *split) checkCarried() {
	for _, c := range sp.stage.Commands {
		in := sp.f.InstrOf(c)
		if in == nil {
			continue
		}
		switch c := c.(type) {
		case *instructions.HealthCheckCommand:
			if b, ok := facts.HealthcheckBlocker(c, in); ok {
				if !sp.slim {
					sp.blockRung(in, "%s", b.Reason)
				} else if reason := sp.slimHealthcheck(c); reason != "" {
					sp.block(in, "%s", reason)
				}
				continue
			}
			if c.Health != nil && len(c.Health.Test) > 1 && c.Health.Test[0] == "CMD" {
				prog := c.Health.Test[1]
				if prog != sp.entryPath && prog != sp.argv[0] && !(sp.language != "" && path.Base(prog) == path.Base(sp.argv[0])) {
					sp.block(in, "HEALTHCHECK runs %s, which the runtime stage would not have", prog)
				}
				if sp.language != "" && path.Base(prog) == path.Base(sp.argv[0]) && len(sp.image.Entrypoint) > 0 {
					sp.block(in, "HEALTHCHECK runs %s, whose path differs in the runtime image (%s)", prog, sp.image.Entrypoint[0])
				}
			}
		case *instructions.ShellCommand:
			// The build stage keeps it; the runtime has no shell.
		}
	}
}

// render builds the edits and checks the runtime stage they produce.
func (sp *split) render() {
	f := sp.f
	nl := f.Newline
	lower := len(sp.from.Node.Value) > 0 && f.Src[sp.from.Span.Start] >= 'a' && f.Src[sp.from.Span.Start] <= 'z'
	kw := func(k string) string {
		if lower {
			return strings.ToLower(k)
		}
		return k
	}
	var edits []rewrite.Edit
	if sp.stage.Name == "" {
		end := sp.fromImageEnd()
		if end < 0 {
			sp.block(sp.from, "the FROM line could not be read")
			return
		}
		edits = append(edits, rewrite.Edit{Span: rewrite.Span{Start: end, End: end}, New: " " + kw("AS") + " " + sp.name})
	}
	// Instructions that leave the build stage.
	var moved []*rewrite.Instr
	var copied []*rewrite.Instr
	for _, in := range f.Instrs[1:] {
		switch {
		case slices.Contains(runtimeOnly, in.Cmd):
			moved = append(moved, in)
			edits = append(edits, rewrite.Edit{Span: sp.removalSpan(in)})
		case in.Cmd == "env" || in.Cmd == "label" || in.Cmd == "maintainer": // the image's metadata
			copied = append(copied, in)
		}
	}
	// Comments after the last instruction (a region's closing marker, such
	// as "# [END run_dockerfile]") close the file: they stay at its end,
	// after the runtime stage, with the instructions they close.
	tail, trailing := sp.trailingComments()
	removed, err := rewrite.Apply(f.Src, append(slices.Clone(edits[len(edits)-len(moved):]), rewrite.Edit{Span: rewrite.Span{Start: tail, End: len(f.Src)}}))
	if err != nil {
		sp.block(sp.from, "internal error: %v", err)
		return
	}
	// The runtime stage, one instruction per entry, with where it came from.
	var out []emitted
	add := func(origin *rewrite.Instr, text string) { out = append(out, emitted{origin, text}) }
	verbatim := func(in *rewrite.Instr, withComments bool) string {
		start := f.LineStart(in.StartLine)
		if withComments {
			start = f.LineStart(in.CommentLine)
		}
		return string(f.Src[start:f.LineEnd(in.EndLine)])
	}
	fromLine := kw("FROM") + " "
	for _, fl := range sp.from.Node.Flags {
		if strings.HasPrefix(fl, "--platform") {
			fromLine += fl + " "
		}
	}
	if pl := archPlatform(sp.a.BaseRef); pl != "" && !hasPlatformFlag(sp.from) {
		fromLine += "--platform=" + pl + " " // amd64/node is amd64 only
	}
	nodeFrom := sp.name
	if sp.nodeFrom != "" {
		// COPY --from expands no build argument: a stage names the image.
		nodeFrom = sp.name + "-node"
		add(nil, fromLine+nodeImageRef(sp.p.Config, sp.nodeFrom)+" "+kw("AS")+" "+nodeFrom)
		add(nil, "")
	}
	add(nil, fromLine+sp.p.Config.ImageRef(sp.image.Ref))
	for _, d := range sp.neededArgs(moved, copied) {
		if d.in == nil {
			add(nil, kw("ARG")+" "+d.name)
		} else {
			add(d.in, verbatim(d.in, false))
		}
	}
	for _, in := range copied {
		add(in, verbatim(in, false))
	}
	if install := sp.installLine(kw); install != "" {
		add(nil, install)
	}
	if sp.nodeBinary != "" {
		add(nil, kw("COPY")+" --from="+nodeFrom+" "+sp.nodeBinary+" "+sp.nodeBinary)
	}
	add(nil, kw("WORKDIR")+" "+sp.a.Workdir)
	for _, c := range sp.copies {
		flags := "--from=" + sp.name
		if sp.chown != "" && (c == sp.appDir || slices.Contains(sp.rootFiles, c)) {
			flags += " --chown=" + sp.chown
		}
		add(nil, kw("COPY")+" "+flags+" "+quotePath(c)+" "+quotePath(c))
	}
	if sp.initCopy[0] != "" {
		add(nil, kw("COPY")+" --from="+sp.name+" "+quotePath(sp.initCopy[0])+" "+quotePath(sp.initCopy[1]))
	}
	for _, group := range groupByDir(sp.carriedFiles) {
		words := []string{kw("COPY"), "--from=" + sp.name}
		for _, p := range group {
			words = append(words, quotePath(p))
		}
		dest := quotePath(group[0])
		if len(group) > 1 {
			dest = quotePath(strings.TrimSuffix(path.Dir(group[0]), "/") + "/")
		}
		add(nil, strings.Join(append(words, dest), " "))
	}
	if sp.pythonPath != "" && !sp.slim {
		add(nil, kw("ENV")+" PYTHONPATH="+quotePath(sp.pythonPath))
	}
	if sp.imagePath != "" {
		add(nil, kw("ENV")+" PATH="+quotePath(sp.imagePath))
	}
	keep := sp.slim && (slices.Equal(sp.argv, sp.origArgv) || sp.script != "") // the command as written
	for _, in := range moved {
		if in.Cmd != "cmd" && in.Cmd != "entrypoint" {
			add(in, verbatim(in, true))
		}
	}
	if sp.user != "" {
		add(nil, kw("USER")+" "+sp.user)
	}
	for _, in := range moved {
		if keep && (in.Cmd == "cmd" || in.Cmd == "entrypoint") {
			add(in, sp.keptCommand(in, verbatim(in, true)))
		}
	}
	ep, cmd := sp.runtimeCommand()
	if sp.initEntrypoint != nil {
		// The init program runs the app: the image's own ENTRYPOINT (its
		// interpreter) moves in front of the app's arguments.
		if ep == nil {
			ep = sp.image.Entrypoint
		}
		ep, cmd = sp.initEntrypoint, append(slices.Clone(ep), cmd...)
	}
	if keep {
		ep, cmd = nil, nil
	}
	comments := func(in *rewrite.Instr) string {
		if in == nil || in.CommentLine == in.StartLine {
			return ""
		}
		return string(f.Src[f.LineStart(in.CommentLine):f.LineStart(in.StartLine)])
	}
	if ep != nil {
		add(sp.entrypoint, comments(sp.entrypoint)+kw("ENTRYPOINT")+" "+execJSON(ep))
	}
	if cmd != nil {
		origin := sp.cmd
		if origin == nil {
			origin = sp.entrypoint
		}
		add(origin, comments(sp.cmd)+kw("CMD")+" "+execJSON(cmd))
	}
	// Assemble the appended text.
	var b strings.Builder
	if len(removed) > 0 && removed[len(removed)-1] != '\n' {
		b.WriteString(nl)
	}
	if sp.buildRun != "" {
		b.WriteString(kw("RUN") + " " + sp.buildRun + nl)
	}
	if sp.prune != "" {
		b.WriteString(kw("RUN") + " " + sp.prune + nl)
	}
	if len(sp.dropDirs) > 0 {
		b.WriteString(kw("RUN") + " " + shellWords(append([]string{"rm", "-rf"}, sp.dropDirs...)) + nl)
	}
	if !bytes.HasSuffix(removed, []byte("\n\n")) && !bytes.HasSuffix(removed, []byte("\n\r\n")) || sp.prune != "" || sp.buildRun != "" || len(sp.dropDirs) > 0 {
		b.WriteString(nl)
	}
	var starts []int
	for i, e := range out {
		starts = append(starts, b.Len())
		b.WriteString(e.text)
		if i < len(out)-1 || f.FinalNewline || trailing != "" {
			b.WriteString(nl)
		}
	}
	b.WriteString(trailing)
	edits = append(edits, rewrite.Edit{Span: rewrite.Span{Start: tail, End: len(f.Src)}, New: b.String()})
	sp.edits = append(edits, sp.builderEdits...)
	sp.checkRuntime(edits, removed, out, starts)
}

// trailingComments returns where the comment lines after the file's last
// instruction start (blank lines before them included) and their text, or
// the end of the file and "" when there are none.
func (sp *split) trailingComments() (int, string) {
	f := sp.f
	last := f.Instrs[len(f.Instrs)-1]
	start := f.LineStart(last.EndLine + 1)
	if start >= len(f.Src) {
		return len(f.Src), ""
	}
	rest := string(f.Src[start:])
	comment := false
	for _, line := range strings.Split(rest, "\n") {
		switch t := strings.TrimSpace(line); {
		case t == "":
		case strings.HasPrefix(t, "#"):
			comment = true
		default:
			return len(f.Src), ""
		}
	}
	if !comment {
		return len(f.Src), ""
	}
	return start, rest
}

// emitted is one instruction of the runtime stage and the original it comes from.
type emitted struct {
	origin *rewrite.Instr
	text   string
}

// checkRuntime parses the result and runs the shell-less analysis on its
// runtime stage, pointing blockers back at the original lines.
func (sp *split) checkRuntime(edits []rewrite.Edit, removed []byte, out []emitted, starts []int) {
	src, err := rewrite.Apply(sp.f.Src, edits)
	if err != nil {
		sp.block(sp.from, "internal error: %v", err)
		return
	}
	nf, err := rewrite.Parse(sp.f.Name, src)
	if err != nil || len(nf.Stages) < 2 {
		sp.block(sp.from, "the split Dockerfile would not parse: %v", err)
		return
	}
	if sp.slim {
		return // the slim image has a shell
	}
	np := sp.p.Source
	np.File = nf
	base := len(src) - len(edits[len(edits)-1].New)
	for _, b := range facts.ShellNeeds(&np, &nf.Stages[len(nf.Stages)-1]) {
		origin := sp.from
		off := b.Span.Start - base
		for i := len(starts) - 1; i >= 0; i-- {
			if off >= starts[i] {
				if out[i].origin != nil {
					origin = out[i].origin
				}
				break
			}
		}
		sp.blockRung(origin, "%s", b.Reason)
	}
	_ = removed
}

// runtimeCommand returns the ENTRYPOINT and CMD of the runtime stage (nil: none).
func (sp *split) runtimeCommand() (ep, cmd []string) {
	img := sp.image
	if sp.slim && sp.language != "" {
		return sp.epArgs, sp.cmdArgs // the interpreter is on PATH
	}
	if sp.language == "" {
		fix := func(args []string) []string {
			out := slices.Clone(args)
			out[0] = sp.entryPath
			return out
		}
		if sp.epArgs != nil {
			return fix(sp.epArgs), sp.cmdArgs
		}
		if len(img.Entrypoint) > 0 {
			return fix(sp.cmdArgs), nil // e.g. /busybox/sh on debug images
		}
		return nil, fix(sp.cmdArgs)
	}
	if sp.nodeBinary != "" {
		// distroless cc has no ENTRYPOINT (its debug variant has a shell).
		if sp.epArgs != nil {
			return append([]string{sp.nodeBinary}, sp.epArgs[1:]...), sp.cmdArgs
		}
		full := append([]string{sp.nodeBinary}, sp.argv[1:]...)
		if len(img.Entrypoint) > 0 {
			return full, nil
		}
		return nil, full
	}
	interp := img.Entrypoint
	if len(interp) == 0 {
		interp = []string{sp.argv[0]}
	}
	if sp.epArgs != nil {
		return append([]string{interp[0]}, sp.epArgs[1:]...), sp.cmdArgs
	}
	full := append([]string{interp[0]}, sp.argv[1:]...)
	if len(img.Entrypoint) > 0 && len(full) >= len(interp) && slices.Equal(full[:len(interp)], interp) {
		return nil, full[len(interp):]
	}
	return full, nil
}

// argDecl is an ARG the runtime stage re-declares: a copy of the build
// stage's ARG instruction, or, for an ARG declared before FROM, its bare name.
type argDecl struct {
	in   *rewrite.Instr
	name string
}

// neededArgs returns the ARGs the runtime stage must re-declare for the
// variables its carried instructions use: meta ARGs first, then the build
// stage's ARG instructions in file order.
func (sp *split) neededArgs(moved, copied []*rewrite.Instr) []argDecl {
	f := sp.f
	used := map[string]bool{}
	var scan func(text string)
	scan = func(text string) {
		for _, m := range dockerVarRef.FindAllStringSubmatch(text, -1) {
			used[m[1]] = true
		}
	}
	for _, in := range append(slices.Clone(moved), copied...) {
		if in.Cmd != "cmd" && in.Cmd != "entrypoint" {
			scan(f.Text(in.Span))
		}
	}
	var out []*rewrite.Instr
	declared := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, c := range sp.stage.Commands {
			ac, ok := c.(*instructions.ArgCommand)
			if !ok {
				continue
			}
			in := f.InstrOf(c)
			for _, kv := range ac.Args {
				if used[kv.Key] && !declared[kv.Key] && in != nil && !slices.Contains(out, in) {
					out = append(out, in)
					scan(f.Text(in.Span))
					changed = true
				}
			}
			for _, kv := range ac.Args {
				if used[kv.Key] {
					declared[kv.Key] = true
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b *rewrite.Instr) int { return a.StartLine - b.StartLine })
	var decls []argDecl
	for _, m := range f.MetaArgs {
		for _, kv := range m.Args {
			if used[kv.Key] && !declared[kv.Key] {
				declared[kv.Key] = true
				decls = append(decls, argDecl{name: kv.Key})
			}
		}
	}
	for _, in := range out {
		decls = append(decls, argDecl{in: in})
	}
	return decls
}

// fromImageEnd returns the offset just after the image reference of the FROM line.
func (sp *split) fromImageEnd() int {
	j := sp.f.Join(sp.from)
	i := j.Args
	for i < len(j.Text) && j.Text[i] != ' ' && j.Text[i] != '\t' && j.Text[i] != '\\' && j.Text[i] != '\n' {
		i++
	}
	if i == j.Args {
		return -1
	}
	return j.Source(i)
}

// removalSpan is the span to delete when in moves out: its block, plus the
// blank line before it when a blank line or the end of the file follows.
func (sp *split) removalSpan(in *rewrite.Instr) rewrite.Span {
	f := sp.f
	s := f.Block(in)
	blank := func(n int) bool { return n >= 1 && n <= f.Lines() && strings.TrimSpace(f.Line(n)) == "" }
	after := in.EndLine + 1
	if (after > f.Lines() || blank(after)) && blank(in.CommentLine-1) && in.CommentLine-1 > f.Directives {
		s.Start = f.LineStart(in.CommentLine - 1)
	}
	return s
}

// quotePath writes a path for COPY or ENV, escaping blanks, quotes and $.
func quotePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if strings.ContainsRune(" \t\"'$\\", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
