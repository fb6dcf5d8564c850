package rules

import (
	"fmt"
	"go/parser"
	"go/token"
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

// Static turns a dynamically linked Rust or Go build into a static one and
// moves it from a glibc runtime image to a static one.
var Static = &Rule{
	Name:    "static",
	Summary: "Build Rust (musl) and Go (CGO_ENABLED=0) binaries statically and run them on a static image",
	Why: `
A Rust binary built for the default *-gnu target, or a Go binary built with cgo, links glibc (and
for Rust libgcc_s), so it needs distroless cc or base, or Chainguard glibc-dynamic: about 10 to
25 MB before the program. Built statically, the same program runs on distroless static or
Chainguard static (1 to 2 MB) or, with --base scratch, on nothing at all. This is the trick of
the seed article (Szilagyi 2025): its Rust Lambda is 12.7 MB on Chainguard glibc-dynamic and
4.03 MB on Chainguard static, 26.2 MB on distroless cc and 4.68 MB on distroless static.

Rust: cargo builds for <arch>-unknown-linux-musl (rustup target add, --target; the artifact moves
to target/<triple>/release/), and musl-tools is installed on Debian builders when a crate compiles
C (the cc crate is in Cargo.lock). The architecture comes from the build's --target, FROM
--platform, or else from uname -m in the builder. Go: the build runs with CGO_ENABLED=0. A binary
that is static already (a musl build on distroless cc, as in the seed's Dockerfile-distroless-glibc-x86)
just moves to the static image of the same tag.`,
	FixSafety: `
Unsafe unless --static (or "static: true" in .dfslim.yaml) is given: the finding states the
expected saving, --static applies it. A static build can behave differently: musl's allocator is
slower than glibc's for allocation-heavy programs, and musl resolves host names without glibc's NSS
(no mDNS or LDAP hosts); Go without cgo uses its own DNS resolver and os/user lookups.
Refused, with the reason, when the build cannot be made static: Rust crates that link system
libraries dynamically (openssl-sys, libz-sys, pq-sys without pq-src, libsqlite3-sys without the
bundled feature, curl-sys without static-curl, libgit2-sys, libssh2-sys, rdkafka-sys,
mysqlclient-sys, and C++ crates, which musl-tools cannot compile), no Cargo.lock in the context, a
builder without rustup or apt; Go code that imports "C", a module that only works with cgo
(mattn/go-sqlite3, confluent-kafka-go, …) or CGO_ENABLED=1 set on purpose.`,
	Safety: Unsafe,
	Before: `FROM rust:1.84 AS build
WORKDIR /src
COPY . .
RUN cargo build --release --target x86_64-unknown-linux-gnu

FROM gcr.io/distroless/cc-debian13:nonroot
COPY --from=build /src/target/x86_64-unknown-linux-gnu/release/app /app
ENTRYPOINT ["/app"]
`,
	After: `FROM rust:1.84 AS build
WORKDIR /src
COPY . .
RUN rustup target add x86_64-unknown-linux-musl && cargo build --release --target x86_64-unknown-linux-musl

FROM gcr.io/distroless/static-debian13:nonroot
COPY --from=build /src/target/x86_64-unknown-linux-musl/release/app /app
ENTRYPOINT ["/app"]
`,
	Run: runStatic,
}

// staticPlan is what making the final stage's program static takes.
type staticPlan struct {
	what   string // "the Rust binary bootstrap"
	how    string // "built for x86_64-unknown-linux-musl"
	edits  []rewrite.Edit
	reason string       // why it cannot be made static
	at     rewrite.Span // where the reason is reported
}

func runStatic(p *Pass) error {
	f := p.File
	final, refSpan, ok := finalImageStage(f)
	if !ok {
		return nil
	}
	img := catalog.Lookup(final.BaseName)
	sibling := ""
	if img == nil {
		// A distroless tag dfslim does not emit (cc:latest-amd64, the seed's): its static sibling.
		sibling = staticSibling(final.BaseName)
		if sibling == "" {
			return nil
		}
		img = &catalog.Image{Ref: final.BaseName, Kind: catalog.KindCC, Workdir: "/"} // distroless :latest tags start in /
	}
	if img.Language != "" || (img.Kind != catalog.KindGlibc && img.Kind != catalog.KindCC) {
		return nil
	}
	c, src := finalProgram(p, final, img.Workdir)
	if c == nil || c.From == "" {
		return nil
	}
	idx := facts.StageIndex(f, c.From, len(f.Stages)-1)
	if idx < 0 {
		return nil
	}
	art, reason := facts.ArtifactAt(&p.Source, idx, src)
	if art == nil || reason != "" || art.Path != src {
		return nil
	}
	var plan staticPlan
	switch {
	case art.Libc == catalog.LibcNone:
		// Already static, on an image with a libc it does not use.
		plan = staticPlan{what: "the static binary " + path.Base(art.Path)}
	case art.Language == "rust":
		plan = planRustStatic(p, idx, art, c, src)
	case art.Language == "go":
		plan = planGoStatic(p, idx, art)
	default:
		return nil
	}
	if plan.reason != "" {
		if p.Config.Static {
			p.Reportf(plan.at, "--static: %s stays dynamically linked: %s", plan.what, plan.reason)
		}
		return nil
	}
	flavor := img.Flavor
	if f := p.Config.Flavor(); f == catalog.Scratch || f == catalog.Alpine {
		flavor = f
	}
	static, err := catalog.RuntimeImageOn(flavor, catalog.KindStatic, "", img.Distro, img.Shell)
	if sibling != "" && flavor == "" {
		static, err = &catalog.Image{Ref: sibling}, nil // same user and working directory
	} else if err != nil || static.User != img.User || (static.Workdir != img.Workdir && reliesOnWorkdir(final)) {
		return nil
	}
	change := &catalog.BaseChange{From: catalog.SizeOf(final.BaseName), To: catalog.SizeOf(static.Ref)}
	saving := ""
	if mb, ok := change.SavedMB(); ok {
		saving = fmt.Sprintf(" (%s less)", strings.TrimPrefix(catalog.FormatMB(mb), "≈"))
		saving = strings.Replace(saving, "(", "(≈", 1)
	}
	safety, apply := Unsafe, "; --static applies it"
	if p.Config.Static {
		safety, apply = Safe, ""
	}
	edits := append([]rewrite.Edit{{Span: refSpan, New: static.Ref}}, plan.edits...)
	msg := fmt.Sprintf("%s can be linked statically (%s) and run on %s", plan.what, plan.how, static.Ref)
	if plan.how == "" {
		msg = fmt.Sprintf("%s needs no libc: it runs on %s", plan.what, static.Ref)
	}
	fixMsg := "Build " + plan.what + " statically and run it on " + static.Ref
	if plan.how == "" {
		fixMsg = "Run " + plan.what + " on " + static.Ref
	}
	p.Report(Finding{Span: refSpan,
		Message: fmt.Sprintf("%s: runtime base %s%s%s", msg, change, saving, apply),
		Fix:     &Fix{Message: fixMsg, Safety: safety, Edits: edits}})
	return nil
}

// staticSibling returns the distroless static image that matches a
// distroless base or cc reference tag for tag ("gcr.io/distroless/cc:latest-amd64"
// -> "gcr.io/distroless/static:latest-amd64"), or "".
func staticSibling(ref string) string {
	b := catalog.ClassifyBase(ref)
	if b.Family != catalog.FamilyDistroless || b.Language != "" || b.Libc != catalog.LibcGlibc || strings.Contains(ref, "@") {
		return ""
	}
	name := strings.TrimPrefix(b.Name, "gcr.io/distroless/")
	for _, kind := range []string{"base-nossl", "base", "cc"} {
		if rest, ok := strings.CutPrefix(name, kind); ok && (rest == "" || strings.HasPrefix(rest, "-debian")) {
			out := "gcr.io/distroless/static" + rest
			if b.Tag != "" {
				out += ":" + b.Tag
			}
			return out
		}
	}
	return ""
}

// reliesOnWorkdir reports whether a stage without a WORKDIR of its own
// copies to a relative destination or starts a program by a relative path,
// so that it depends on the image's working directory.
func reliesOnWorkdir(stage *instructions.Stage) bool {
	var run []string
	for _, c := range stage.Commands {
		switch c := c.(type) {
		case *instructions.WorkdirCommand:
			return false
		case *instructions.EntrypointCommand:
			run = c.CmdLine
		case *instructions.CmdCommand:
			if run == nil {
				run = c.CmdLine
			}
		}
	}
	return usesRelativePaths(stage, run)
}

// finalProgram returns the copy that brings in the program the final stage
// starts (its ENTRYPOINT, else its CMD) and the program's path in the stage
// it comes from.
func finalProgram(p *Pass, final *instructions.Stage, workdir string) (*facts.StageCopy, string) {
	run := facts.ExecProgram(p.File, final)
	if len(run) == 0 {
		return nil, ""
	}
	return p.Facts().Files(final, workdir, nil).Origin(run[0])
}

// dynamicCrates are crates that link a system library dynamically unless
// the crate named by unless is in Cargo.lock (or the feature is named in
// Cargo.toml: "feature:NAME").
var dynamicCrates = []struct{ name, lib, unless string }{
	{"openssl-sys", "OpenSSL (libssl); its vendored build needs kernel headers that musl-gcc lacks on Debian: use rustls", ""},
	{"libz-sys", "zlib", "feature:static"},
	{"pq-sys", "libpq", "pq-src"},
	{"libsqlite3-sys", "SQLite", "feature:bundled"},
	{"curl-sys", "libcurl", "feature:static-curl"},
	{"libgit2-sys", "libgit2", "feature:vendored-libgit2"},
	{"libssh2-sys", "libssh2", "feature:vendored-openssl"},
	{"rdkafka-sys", "librdkafka and its C dependencies", ""},
	{"mysqlclient-sys", "libmysqlclient", ""},
	{"libdbus-sys", "libdbus", ""},
	{"libudev-sys", "libudev", ""},
	{"alsa-sys", "ALSA", ""},
	{"glib-sys", "GLib", ""},
	{"gdal-sys", "GDAL", ""},
	{"proj-sys", "PROJ", ""},
	{"hdf5-sys", "HDF5", ""},
	{"x11", "Xlib", ""},
	{"fontconfig-sys", "fontconfig", ""},
	{"freetype-sys", "FreeType", ""},
	{"libpcap-sys", "libpcap", ""},
	{"librocksdb-sys", "RocksDB, C++ that musl-tools cannot compile", ""},
	{"cxx", "C++ (the cxx bridge), which musl-tools cannot compile", ""},
	{"link-cplusplus", "libstdc++, which musl-tools lacks", ""},
}

// cargoLockPackages returns the package names of a Cargo.lock.
func cargoLockPackages(data []byte) []string {
	var names []string
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if ok && strings.TrimSpace(k) == "name" {
			names = append(names, strings.Trim(strings.TrimSpace(v), `"`))
		}
	}
	return names
}

// planRustStatic works out the edits that build the Rust artifact for musl.
func planRustStatic(p *Pass, idx int, art *facts.Artifact, c *facts.StageCopy, src string) staticPlan {
	f := p.File
	name := path.Base(art.Path)
	plan := staticPlan{what: "the Rust binary " + name}
	in := art.Instr(f)
	plan.at = in.Span
	fail := func(format string, args ...any) staticPlan {
		plan.reason = fmt.Sprintf(format, args...)
		return plan
	}
	chain := facts.StageChain(f, idx)
	root := facts.ClassifyStageBase(f, chain[0])
	a := p.Facts().Build(&f.Stages[idx])
	lockName, ok := a.ContextFile(art.Workdir + "/Cargo.lock")
	lock, ok2 := p.Facts().ReadContext(lockName)
	if !ok || !ok2 {
		return fail("there is no Cargo.lock in the build context, so dfslim cannot tell which crates link C libraries")
	}
	crates := cargoLockPackages(lock)
	manifestName, _ := a.ContextFile(art.Workdir + "/Cargo.toml")
	manifest, _ := p.Facts().ReadContext(manifestName)
	for _, d := range dynamicCrates {
		if !slices.Contains(crates, d.name) {
			continue
		}
		if feat, ok := strings.CutPrefix(d.unless, "feature:"); ok {
			if strings.Contains(string(manifest), `"`+feat+`"`) {
				continue
			}
		} else if d.unless != "" && slices.Contains(crates, d.unless) {
			continue
		}
		return fail("Cargo.lock has %s, which links %s", d.name, d.lib)
	}
	sh := shell.Of(f, in)
	if sh == nil {
		return fail("the cargo build is not a shell-form RUN dfslim can edit")
	}
	var cargo, rustup *shell.Call
	hasRustup := false
	for _, i := range chain {
		for _, c := range f.Stages[i].Commands {
			if in := f.InstrOf(c); in != nil && in.Cmd == "run" {
				if rs := shell.Run(f, in); rs != nil {
					for _, call := range rs.Calls() {
						hasRustup = hasRustup || path.Base(call.Name()) == "rustup"
					}
				}
			}
		}
	}
	for _, call := range sh.Calls() {
		switch path.Base(call.Name()) {
		case "cargo":
			if cargo == nil && len(call.Args) > 1 && slices.Contains([]string{"build", "b", "install"}, call.Args[1]) {
				cargo = call
			}
		case "rustup":
			if len(call.Args) > 3 && call.Args[1] == "target" && call.Args[2] == "add" {
				rustup = call
			}
		}
	}
	if cargo == nil {
		return fail("dfslim cannot find the cargo build in its RUN")
	}
	// The target triple: the build's own, FROM --platform, or uname -m.
	arch, tripleWord := "", -1
	for k := 2; k < len(cargo.Args); k++ {
		a := cargo.Args[k]
		switch {
		case a == "--target" && k+1 < len(cargo.Args):
			tripleWord = k + 1
		case strings.HasPrefix(a, "--target="):
			return fail("cargo's --target=TRIPLE form is not edited by dfslim; write --target TRIPLE")
		}
	}
	gnuTriple := ""
	if tripleWord >= 0 {
		gnuTriple = cargo.Args[tripleWord]
		a, rest, _ := strings.Cut(gnuTriple, "-")
		if cargo.Dynamic[tripleWord] || !strings.HasSuffix(rest, "-linux-gnu") {
			return fail("cargo builds for %s, not a literal *-linux-gnu target", gnuTriple)
		}
		arch = a
	} else {
		switch platform := f.Stages[idx].Platform; platform {
		case "linux/amd64":
			arch = "x86_64"
		case "linux/arm64", "linux/arm64/v8":
			arch = "aarch64"
		case "":
		default:
			if !strings.Contains(platform, "$") {
				return fail("the build stage's platform %s has no musl target dfslim knows", platform)
			}
		}
	}
	triple, tripleShell := arch+"-unknown-linux-musl", arch+"-unknown-linux-musl"
	if arch == "" {
		tripleShell = `"$(uname -m)-unknown-linux-musl"`
	}
	plan.how = "built for " + triple
	if arch == "" {
		plan.how = "built for the builder's <arch>-unknown-linux-musl"
	}
	// A C compiler for musl when a crate compiles C.
	prefix := ""
	if slices.Contains(crates, "cc") && !installsPackage(f, chain, "musl-tools") {
		switch root.Family {
		case catalog.FamilyRust, catalog.FamilyDebian, catalog.FamilyUbuntu:
			prefix += "apt-get update && apt-get install -y --no-install-recommends musl-tools && "
		default:
			return fail("a crate compiles C (cc is in Cargo.lock) and dfslim does not know how to install a musl C compiler on %s", f.Stages[chain[0]].BaseName)
		}
	}
	switch {
	case rustup != nil && rustup.Args[3] == gnuTriple && gnuTriple != "":
		plan.edits = append(plan.edits, rewrite.Edit{Span: sh.Span(rustup.Expr.Args[3]), New: tripleShell})
	case root.Family == catalog.FamilyRust || hasRustup:
		prefix += "rustup target add " + tripleShell + " && "
	default:
		return fail("the build image %s may have no rustup to add the musl target", f.Stages[chain[0]].BaseName)
	}
	if prefix != "" {
		at := sh.Offset(cargo.Expr.Pos())
		plan.edits = append(plan.edits, rewrite.Edit{Span: rewrite.Span{Start: at, End: at}, New: prefix})
	}
	if tripleWord >= 0 {
		plan.edits = append(plan.edits, rewrite.Edit{Span: sh.Span(cargo.Expr.Args[tripleWord]), New: tripleShell})
	} else {
		at := sh.Offset(cargo.Expr.Args[1].End())
		plan.edits = append(plan.edits, rewrite.Edit{Span: rewrite.Span{Start: at, End: at}, New: " --target " + tripleShell})
	}
	if cargo.Args[1] == "install" {
		return plan // cargo install writes to its bin directory whatever the target
	}
	// Where the artifact lands now.
	dir := path.Dir(art.Path)
	var newDir string
	switch {
	case gnuTriple != "" && strings.Contains(dir, "/"+gnuTriple+"/"):
		newDir = strings.Replace(dir, "/"+gnuTriple+"/", "/"+triple+"/", 1)
	case gnuTriple == "":
		profile := path.Base(dir)
		newDir = path.Join(path.Dir(dir), triple, profile)
	default:
		return fail("dfslim cannot tell where cargo writes the binary")
	}
	if arch == "" {
		// The triple is known only when the build runs: copy the binary
		// back where the Dockerfile expects it.
		shellDir := strings.Replace(newDir, triple, `"$(uname -m)"-unknown-linux-musl`, 1)
		at := sh.Offset(cargo.Expr.End())
		plan.edits = append(plan.edits, rewrite.Edit{Span: rewrite.Span{Start: at, End: at},
			New: " && mkdir -p " + dir + " && cp " + shellDir + "/" + name + " " + dir + "/" + name})
		return plan
	}
	e, ok := copySourceEdit(f, c, src, newDir+"/"+name)
	if !ok {
		return fail("the COPY of %s cannot be pointed at %s", src, newDir+"/"+name)
	}
	plan.edits = append(plan.edits, e)
	return plan
}

// copySourceEdit returns the edit that changes the one source of a
// shell-form COPY that names src (as written, absolute) to newSrc.
func copySourceEdit(f *rewrite.File, c *facts.StageCopy, src, newSrc string) (rewrite.Edit, bool) {
	in := c.In
	if len(c.Srcs) != 1 || in.Node.Attributes["json"] || len(in.Node.Heredocs) > 0 || path.Clean("/"+c.Srcs[0]) != src {
		return rewrite.Edit{}, false
	}
	j := f.Join(in)
	text := j.Text
	written := c.Srcs[0]
	k := strings.Index(" "+text[j.Args:], " "+written+" ")
	if k < 0 || strings.Count(text[j.Args:], written) != 1 {
		return rewrite.Edit{}, false
	}
	start := j.Args + k
	if !strings.HasPrefix(written, "/") {
		newSrc = strings.TrimPrefix(newSrc, "/")
	}
	return rewrite.Edit{Span: j.SourceSpan(start, start+len(written)), New: newSrc}, true
}

// installsPackage reports whether a RUN of the stage chain installs pkg
// with a package manager.
func installsPackage(f *rewrite.File, chain []int, pkg string) bool {
	for _, i := range chain {
		for _, c := range f.Stages[i].Commands {
			if _, ok := c.(*instructions.RunCommand); !ok {
				continue
			}
			in := f.InstrOf(c)
			if in == nil {
				continue
			}
			if sh := shell.Run(f, in); sh != nil {
				for _, call := range sh.Calls() {
					if slices.Contains(facts.PackageManagers, path.Base(call.Name())) && slices.Contains(call.Args, pkg) {
						return true
					}
				}
			}
		}
	}
	return false
}

// cgoModules are Go modules that do not build, or do not work, without cgo.
var cgoModules = []string{
	"github.com/mattn/go-sqlite3", "github.com/confluentinc/confluent-kafka-go", "gopkg.in/gographics/imagick",
	"github.com/linxGnu/grocksdb", "github.com/tecbot/gorocksdb", "github.com/DataDog/zstd", "github.com/valyala/gozstd",
	"github.com/miekg/pkcs11", "github.com/godror/godror", "github.com/ibmdb/go_ibm_db", "github.com/go-gl/glfw",
	"github.com/go-gl/gl", "fyne.io/fyne", "github.com/google/gopacket/pcap", "github.com/mattn/go-oci8",
	"github.com/shirou/w32", "github.com/davidbyttow/govips", "github.com/h2non/bimg", "github.com/libvips",
}

// planGoStatic works out the edit that builds the Go artifact with cgo off.
func planGoStatic(p *Pass, idx int, art *facts.Artifact) staticPlan {
	f := p.File
	plan := staticPlan{what: "the Go binary " + path.Base(art.Path), how: "CGO_ENABLED=0"}
	in := art.Instr(f)
	plan.at = in.Span
	chain := facts.StageChain(f, idx)
	if b := facts.ReadBuildHints(&p.Source, chain); b.Cgo != "" {
		plan.reason = "CGO_ENABLED=" + b.Cgo + " is set in the build"
		return plan
	}
	if reason := goCgoReason(p); reason != "" {
		plan.reason = reason
		return plan
	}
	sh := shell.Of(f, in)
	if sh == nil {
		plan.reason = "the go build is not a shell-form RUN dfslim can edit"
		return plan
	}
	for _, call := range sh.Calls() {
		if path.Base(call.Name()) == "go" && len(call.Args) > 1 && (call.Args[1] == "build" || call.Args[1] == "install") {
			at := sh.Offset(call.Expr.Pos())
			plan.edits = append(plan.edits, rewrite.Edit{Span: rewrite.Span{Start: at, End: at}, New: "CGO_ENABLED=0 "})
		}
	}
	if len(plan.edits) == 0 {
		plan.reason = "dfslim cannot find the go build in its RUN"
	}
	return plan
}

// goCgoReason tells why the Go code of the context needs cgo: a file that
// imports "C", or a go.mod that requires a module that needs cgo; "" when
// neither shows (modules downloaded at build time are not read).
func goCgoReason(p *Pass) string {
	if p.Context == nil {
		return "there is no build context to read the Go code from"
	}
	v := p.File.Memo(goCgoKey{}, func() any { return scanGoCgo(p) })
	return v.(string)
}

type goCgoKey struct{}

func scanGoCgo(p *Pass) string {
	if p.Facts().PureGo() {
		return ""
	}
	reason := ""
	found := false
	err := walkContext(p, func(name string, data []byte) bool {
		switch {
		case path.Base(name) == "go.mod":
			found = true
			for _, m := range cgoModules {
				if strings.Contains(string(data), m+" ") || strings.Contains(string(data), m+"/") {
					reason = fmt.Sprintf("%s requires %s, which needs cgo", name, m)
					return false
				}
			}
		case strings.HasSuffix(name, ".go"):
			if importsC(data) {
				reason = fmt.Sprintf("%s imports \"C\"", name)
				return false
			}
		}
		return true
	})
	if reason == "" && err != nil {
		return err.Error()
	}
	if reason == "" && !found {
		return "the build context has no go.mod"
	}
	return reason
}

// walkContext calls fn with the go.mod and .go files of the build context,
// skipping .git, node_modules and vendor, until fn returns false. A directory
// or such a file it cannot read (a FIFO, a dangling link, no permission), or
// a context of more than facts.MaxGoFiles of them, ends the walk with an error that
// says why: what it did not read might import "C".
func walkContext(p *Pass, fn func(name string, data []byte) bool) error {
	files := 0
	var why error
	err := fs.WalkDir(p.Context, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			why = fmt.Errorf("%s cannot be read, so dfslim cannot tell whether its Go code imports \"C\"", name)
			return fs.SkipAll
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "vendor":
				return fs.SkipDir
			}
			return nil
		}
		if d.Name() != "go.mod" && !strings.HasSuffix(name, ".go") {
			return nil
		}
		if files++; files > facts.MaxGoFiles {
			why = fmt.Errorf("the build context has more than %d Go files, more than dfslim reads to tell whether one imports \"C\"", facts.MaxGoFiles)
			return fs.SkipAll
		}
		// The rules' context reader refuses FIFOs, devices and links that
		// leave the context, and reports them.
		data, err := fs.ReadFile(p.Context, name)
		if err != nil {
			why = fmt.Errorf("%s is not a regular file dfslim can read, so it cannot tell whether it imports \"C\"", name)
			return fs.SkipAll
		}
		if !fn(name, data) {
			return fs.SkipAll
		}
		return nil
	})
	if why != nil {
		return why
	}
	return err
}

// importsC reports whether Go source imports "C".
func importsC(src []byte) bool {
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.ImportsOnly)
	if err != nil {
		return false
	}
	for _, imp := range f.Imports {
		if imp.Path.Value == `"C"` {
			return true
		}
	}
	return false
}

// cgoOffEdit returns the edit that builds art, a Go binary with a
// [facts.Artifact.CgoOffAt], with CGO_ENABLED=0.
func cgoOffEdit(art *facts.Artifact) *rewrite.Edit {
	return &rewrite.Edit{Span: *art.CgoOffAt, New: "CGO_ENABLED=0 "}
}
