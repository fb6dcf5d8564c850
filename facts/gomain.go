package facts

import (
	"bytes"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/dfslim/dfslim/catalog"
)

// goMainPackages returns the directories of the stage (absolute) that a Go
// package pattern such as ./... or ./cmd/... matches and that hold a main
// package, read from the build-context files the COPY instructions seen so
// far put there. reason says why it cannot tell.
func (a *Build) goMainPackages(dir, pattern string) (mains []string, reason string) {
	prefix, ok := strings.CutSuffix(pattern, "...")
	if !ok || strings.Contains(prefix, "...") || !(strings.HasPrefix(prefix, ".") || strings.HasPrefix(prefix, "/")) {
		return nil, "only local patterns ending in /... are read"
	}
	base := strings.TrimSuffix(ResolveIn(dir, prefix), "/")
	if base == "" {
		return nil, "the working directory is unknown"
	}
	if a.p.Context == nil {
		return nil, "the build context is not available"
	}
	found := map[string]bool{}
	for _, cp := range a.Copies {
		if cp.Remote || cp.Dest == "" {
			continue
		}
		dest := strings.TrimSuffix(cp.Dest, "/")
		if !Within(dest, base) && !Within(base, dest) {
			continue
		}
		for _, src := range cp.Sources {
			if strings.ContainsAny(src, "*?[") {
				if strings.HasSuffix(src, ".go") && Within(dest, base) {
					// *.go copied into a directory: read the files it matches.
					dirCtx := path.Dir(CleanSource(src))
					if isGoMain(a.p.Context, ContextPath(strings.TrimPrefix(dirCtx, ".")), path.Base(src)) {
						found[dest] = true
					}
				}
				continue
			}
			s := CleanSource(src)
			info, err := fs.Stat(a.p.Context, ContextPath(s))
			if err != nil {
				continue
			}
			if !info.IsDir() {
				if strings.HasSuffix(s, ".go") && Within(dest, base) && isGoMain(a.p.Context, ContextPath(path.Dir(s)), path.Base(s)) {
					d := dest
					if !strings.HasSuffix(cp.Dest, "/") {
						d = path.Dir(dest)
					}
					found[d] = true
				}
				continue
			}
			err = fs.WalkDir(a.p.Context, ContextPath(s), func(name string, d fs.DirEntry, err error) error {
				if err != nil || !d.IsDir() {
					return nil
				}
				rel := strings.TrimPrefix(strings.TrimPrefix(name, s), "/")
				if s == "" || s == "." {
					rel = name
					if name == "." {
						rel = ""
					}
				}
				if n := d.Name(); rel != "" && (n == "vendor" || n == "testdata" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") || n == "node_modules") {
					return fs.SkipDir
				}
				stageDir := path.Join(dest, rel)
				if Within(stageDir, base) && isGoMain(a.p.Context, name, "*.go") {
					found[stageDir] = true
				}
				return nil
			})
			if err != nil {
				return nil, "the build context cannot be read"
			}
		}
	}
	for d := range found {
		mains = append(mains, d)
	}
	slices.Sort(mains)
	return mains, ""
}

// isGoMain reports whether the Go files matching glob in the context
// directory dir (tests and files built only with the ignore tag left out)
// form a main package.
func isGoMain(fsys fs.FS, dir, glob string) bool {
	des, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return false
	}
	for _, de := range des {
		n := de.Name()
		if de.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		if ok, _ := path.Match(glob, n); !ok {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, n))
		if err != nil {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), n, data, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			continue
		}
		head := data[:min(len(data), int(f.Package))]
		if bytes.Contains(head, []byte("//go:build ignore")) || bytes.Contains(head, []byte("// +build ignore")) {
			continue
		}
		if f.Name.Name == "main" {
			return true
		}
	}
	return false
}

// cCompilerPackages are packages that put a C compiler in PATH.
var cCompilerPackages = []string{"gcc", "g++", "clang", "build-base", "tcc", "musl-dev", "alpine-sdk", "cc", "gcc-go"}

// cgoOffWithoutCC reports whether the go command of the stage builds with cgo
// off although CGO_ENABLED is unset: from Go 1.20, cgo defaults to off when
// CC is unset and no C compiler is in PATH, which is so on the official
// golang Alpine images unless a RUN installs one.
func (a *Build) cgoOffWithoutCC(sc *Command) bool {
	if a.Image.Repo != "golang" || a.Image.Libc != catalog.LibcMusl {
		return false
	}
	if _, set := a.lookupVar(sc, "CC"); set {
		return false
	}
	major, minor, ok := goVersion(a.Image.Version)
	if a.Image.Version == "" {
		ok, major, minor = true, 1, 99 // golang:alpine: the latest release
	}
	if !ok || major < 1 || (major == 1 && minor < 20) {
		return false
	}
	for _, step := range a.Runs {
		if step.Exec {
			return false
		}
		for _, c := range step.Cmds {
			if c.Dynamic {
				return false
			}
			name := path.Base(c.Call.Name())
			if !slices.Contains(HarmlessCommands, name) && !slices.Contains(FileSafeCommands, name) &&
				!slices.Contains([]string{"apk", "apt-get", "apt", "yum", "dnf", "rm", "cp", "mv", "ln", "touch"}, name) {
				return false // it may install a compiler
			}
			if slices.Contains([]string{"apk", "apt-get", "apt", "yum", "dnf"}, name) {
				pkgs, remove := PackageArgs(name, c.Call.Args, c.Call.Dynamic)
				if remove {
					continue
				}
				if slices.Contains(c.Call.Dynamic, true) || slices.ContainsFunc(pkgs, func(p string) bool { return slices.Contains(cCompilerPackages, p) }) {
					return false
				}
			}
		}
	}
	return true
}

// goVersion parses "1.21", "1.21.3" or "1.21rc1".
func goVersion(v string) (major, minor int, ok bool) {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	var err1, err2 error
	major, err1 = strconv.Atoi(parts[0])
	m := parts[1]
	if i := strings.IndexFunc(m, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		m = m[:i]
	}
	minor, err2 = strconv.Atoi(m)
	return major, minor, err1 == nil && err2 == nil
}

// GoStdRebuilds reports whether the go command of that version rebuilds the
// standard library for CGO_ENABLED=0 on its own (Go 1.10's build cache);
// older ones link the installed cgo-built net package unless given -a.
func GoStdRebuilds(version string) bool {
	if version == "" {
		return true // the latest release
	}
	major, minor, ok := goVersion(version)
	return ok && (major > 1 || minor >= 10)
}
