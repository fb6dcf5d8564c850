package facts

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	bkshell "github.com/moby/buildkit/frontend/dockerfile/shell"
	"mvdan.cc/sh/v3/syntax"
)

// Binary is what dfslim can tell about a binary copied from a build stage.
type Binary struct {
	Kind   catalog.Kind // KindStatic, KindGlibc or KindCC
	Distro string       // the build image's distro, for the glibc version
	What   string       // "a static Go binary"
	Reason string       // when the kind cannot be told: why
	// CgoOff is set when the binary fits kind only once its build stage
	// builds it with CGO_ENABLED=0 (pure Go code; see [Artifact.CgoOffAt]).
	CgoOff *Artifact
}

// BinaryOf looks at the stage that a copy came from and tells how the
// binary at src was linked.
func BinaryOf(source *Source, c *StageCopy, src string) Binary {
	f := source.File
	if c.From == "" {
		return Binary{Reason: fmt.Sprintf("%s comes from the build context; dfslim cannot tell how it is linked", src)}
	}
	idx := StageIndex(f, c.From, len(f.Stages)-1)
	if idx < 0 {
		return Binary{Reason: fmt.Sprintf("%s comes from the image %s; dfslim cannot tell how it is linked", src, c.From)}
	}
	chain := StageChain(f, idx)
	root := ClassifyStageBase(f, chain[0])
	b := ReadBuildHints(source, chain)
	lang := b.Language
	if lang == "" {
		lang = root.Language
	}
	// The build analysis knows the artifact when it can follow the build
	// command to src; its libc wins unless this stage chain shows a static
	// build it cannot see (CGO_ENABLED from a parent stage or go env -w).
	art, reason := ArtifactAt(source, idx, src)
	if reason != "" {
		return Binary{Reason: reason}
	}
	if art != nil && art.Language != "" {
		lang = art.Language
	}
	bin := Binary{Distro: root.Distro}
	switch lang {
	case "go":
		switch {
		case b.Cgo == "0" || (art != nil && art.Libc == catalog.LibcNone):
			bin.Kind, bin.What = catalog.KindStatic, "a static Go binary"
		case art != nil && art.CgoOffAt != nil && b.Cgo == "" && b.DevPackage == "":
			bin.Kind, bin.What, bin.CgoOff = catalog.KindStatic, "a pure Go binary, built with CGO_ENABLED=0", art
		case art != nil && art.Libc == catalog.LibcGlibc && b.Cgo == "":
			bin.Kind, bin.What = catalog.KindGlibc, "a Go binary that may link glibc"
		case root.Libc == catalog.LibcMusl:
			bin.Reason = fmt.Sprintf("%s is a Go binary built on Alpine without CGO_ENABLED=0; it may link musl, which glibc runtime images lack (set CGO_ENABLED=0)", src)
		case root.Libc == catalog.LibcGlibc:
			bin.Kind, bin.What = catalog.KindGlibc, "a Go binary that may link glibc"
		default:
			bin.Reason = fmt.Sprintf("%s is a Go binary built on %s, whose libc dfslim does not know (set CGO_ENABLED=0 for a static binary)", src, f.Stages[chain[0]].BaseName)
		}
	case "rust":
		switch {
		case b.Musl || strings.Contains(src, "-musl/") || root.Libc == catalog.LibcMusl || (art != nil && art.Libc == catalog.LibcNone):
			bin.Kind, bin.What = catalog.KindStatic, "a static Rust binary (musl)"
		case root.Libc == catalog.LibcGlibc:
			bin.Kind, bin.What = catalog.KindCC, "a Rust binary linked against glibc"
		default:
			bin.Reason = fmt.Sprintf("%s is a Rust binary built on %s, whose libc dfslim does not know", src, f.Stages[chain[0]].BaseName)
		}
	case "c":
		switch {
		case art.Libc == catalog.LibcNone:
			bin.Kind, bin.What = catalog.KindStatic, "a static C/C++ binary"
		case art.Libc == catalog.LibcGlibc:
			bin.Kind, bin.What = catalog.KindCC, "a C/C++ binary linked against glibc"
		default:
			bin.Reason = fmt.Sprintf("%s is a C/C++ binary built on %s, whose libc dfslim does not know", src, f.Stages[chain[0]].BaseName)
		}
	default:
		return Binary{Reason: fmt.Sprintf("dfslim cannot tell how stage %s builds %s, so not which libc it needs", c.From, src)}
	}
	if bin.Kind != catalog.KindStatic && b.DevPackage != "" {
		return Binary{Reason: fmt.Sprintf("stage %s installs %s, so %s may link libraries that runtime images lack", c.From, b.DevPackage, src)}
	}
	return bin
}

// ArtifactAt returns the artifact the build analysis finds at src (or
// below the directory src) in stage idx, or a reason it cannot be copied.
func ArtifactAt(source *Source, idx int, src string) (*Artifact, string) {
	arts, blockers := Of(*source).Outputs(&source.File.Stages[idx])
	for i := len(arts) - 1; i >= 0; i-- {
		a := &arts[i]
		if a.Path == "" || (a.Path != src && !strings.HasPrefix(a.Path, strings.TrimSuffix(src, "/")+"/")) {
			continue
		}
		for _, b := range blockers {
			if strings.Contains(b.Reason, a.Path) {
				return nil, b.Reason
			}
		}
		return a, ""
	}
	return nil, ""
}

// BuildHints is what the RUN, ENV and ARG instructions of a build stage chain
// tell about its binaries.
type BuildHints struct {
	Language   string // "go" or "rust" when a RUN builds with it
	Cgo        string // the value of CGO_ENABLED, "" when unset
	Musl       bool   // cargo builds for a *-musl target
	DevPackage string // a C library development package it installs, other than libc's and OpenSSL's
}

// harmlessDevPackages are development packages whose libraries every glibc
// runtime image has (libc, libssl in distroless base and cc) or that link
// statically.
var harmlessDevPackages = []string{"libc6-dev", "libc-dev", "musl-dev", "libssl-dev", "openssl-dev", "openssl-devel", "glibc-devel", "linux-libc-dev", "libgcc-dev"}

// ReadBuildHints reads the stages of chain (indexes into the file's stages,
// from the one that starts from an image) for what their RUN, ENV and ARG
// instructions tell about the binaries they build: the language, CGO_ENABLED,
// a musl target, a C library development package.
func ReadBuildHints(source *Source, chain []int) BuildHints {
	f := source.File
	var b BuildHints
	for _, i := range chain {
		for _, c := range f.Stages[i].Commands {
			switch c := c.(type) {
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					if kv.Key == "CGO_ENABLED" {
						b.Cgo = kv.Value
					}
				}
			case *instructions.ArgCommand:
				for _, kv := range c.Args {
					if kv.Key == "CGO_ENABLED" && kv.Value != nil {
						b.Cgo = *kv.Value
					}
				}
			case *instructions.RunCommand:
				in := f.InstrOf(c)
				if in == nil {
					continue
				}
				sh := shell.Run(f, in)
				if sh == nil {
					continue
				}
				for _, a := range shellAssigns(sh) {
					if a[0] == "CGO_ENABLED" {
						b.Cgo = a[1]
					}
				}
				for _, call := range sh.Calls() {
					args := call.Args
					switch path.Base(call.Name()) {
					case "go":
						if len(args) > 1 && (args[1] == "build" || args[1] == "install") {
							b.Language = "go"
						}
						if len(args) > 3 && args[1] == "env" && args[2] == "-w" && strings.HasPrefix(args[3], "CGO_ENABLED=") {
							b.Cgo = strings.TrimPrefix(args[3], "CGO_ENABLED=")
						}
					case "cargo":
						if len(args) > 1 && (args[1] == "build" || args[1] == "install" || args[1] == "auditable") {
							b.Language = "rust"
						}
						for k, a := range args {
							if (a == "--target" && k+1 < len(args) && strings.HasSuffix(args[k+1], "-musl")) || (strings.HasPrefix(a, "--target=") && strings.HasSuffix(a, "-musl")) {
								b.Musl = true
							}
						}
					}
					if slices.Contains(PackageManagers, path.Base(call.Name())) && b.DevPackage == "" {
						for _, a := range args[1:] {
							if (strings.HasSuffix(a, "-dev") || strings.HasSuffix(a, "-devel")) && strings.HasPrefix(a, "lib") && !slices.Contains(harmlessDevPackages, a) {
								b.DevPackage = a
								break
							}
						}
					}
				}
			}
		}
	}
	return b
}

// shellAssigns returns the literal NAME=value assignments in a shell program:
// inline ones, export and plain assignments.
func shellAssigns(sh *shell.Script) [][2]string {
	var out [][2]string
	syntax.Walk(sh.File, func(n syntax.Node) bool {
		if a, ok := n.(*syntax.Assign); ok && a.Name != nil && a.Value != nil {
			if v, ok := shell.WordValue(a.Value); ok {
				out = append(out, [2]string{a.Name.Value, v})
			}
		}
		return true
	})
	return out
}

// StageIndex returns the index of the stage that name (a stage name or
// number) refers to among the first n stages, or -1.
func StageIndex(f *rewrite.File, name string, n int) int {
	if i, err := strconv.Atoi(name); err == nil {
		if i >= 0 && i < n {
			return i
		}
		return -1
	}
	for i := 0; i < n && i < len(f.Stages); i++ {
		if f.Stages[i].Name != "" && strings.EqualFold(f.Stages[i].Name, name) {
			return i
		}
	}
	return -1
}

// StageChain returns the indexes of the stages that stage i builds on,
// from the one that starts from an image to i itself.
func StageChain(f *rewrite.File, i int) []int {
	chain := []int{i}
	for {
		parent := ParentIndex(f, i)
		if parent < 0 || slices.Contains(chain, parent) {
			break
		}
		chain = append([]int{parent}, chain...)
		i = parent
	}
	return chain
}

// ExpandMetaArgs expands the ARGs declared before the first FROM in ref with
// their defaults, or returns "" when one has none.
func ExpandMetaArgs(f *rewrite.File, ref string) string {
	var env []string
	for _, a := range f.MetaArgs {
		for _, kv := range a.Args {
			if kv.Value != nil {
				env = append(env, kv.Key+"="+*kv.Value)
			}
		}
	}
	lex := bkshell.NewLex(rune(f.Escape))
	res, err := lex.ProcessWordWithMatches(ref, bkshell.EnvsFromSlice(env))
	if err != nil || len(res.Unmatched) > 0 {
		return ""
	}
	return res.Result
}

// ClassifyStageBase classifies the image stage i starts from, with the
// defaults of the ARGs before the first FROM filled in: for telling how a
// build stage links, the default is a fair guess.
func ClassifyStageBase(f *rewrite.File, i int) catalog.BaseInfo {
	ref := f.Stages[i].BaseName
	if strings.Contains(ref, "$") {
		if def := ExpandMetaArgs(f, ref); def != "" {
			ref = def
		}
	}
	return catalog.ClassifyBase(ref)
}
