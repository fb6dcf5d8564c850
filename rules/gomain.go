package rules

import (
	"bytes"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// goMainPackages returns the directories of the stage (absolute) that a Go
// package pattern such as ./... or ./cmd/... matches and that hold a main
// package, read from the build-context files the COPY instructions seen so
// far put there. reason says why it cannot tell.
func (a *stageAnalysis) goMainPackages(dir, pattern string) (mains []string, reason string) {
	prefix, ok := strings.CutSuffix(pattern, "...")
	if !ok || strings.Contains(prefix, "...") || !(strings.HasPrefix(prefix, ".") || strings.HasPrefix(prefix, "/")) {
		return nil, "only local patterns ending in /... are read"
	}
	base := strings.TrimSuffix(resolveIn(dir, prefix), "/")
	if base == "" {
		return nil, "the working directory is unknown"
	}
	if a.p.Context == nil {
		return nil, "the build context is not available"
	}
	found := map[string]bool{}
	for _, cp := range a.copies {
		if cp.remote || cp.dest == "" {
			continue
		}
		dest := strings.TrimSuffix(cp.dest, "/")
		if !within(dest, base) && !within(base, dest) {
			continue
		}
		for _, src := range cp.sources {
			if strings.ContainsAny(src, "*?[") {
				if strings.HasSuffix(src, ".go") && within(dest, base) {
					// *.go copied into a directory: read the files it matches.
					dirCtx := path.Dir(cleanSrc(src))
					if isGoMain(a.p.Context, ctxPathOf(strings.TrimPrefix(dirCtx, ".")), path.Base(src)) {
						found[dest] = true
					}
				}
				continue
			}
			s := cleanSrc(src)
			info, err := fs.Stat(a.p.Context, ctxPathOf(s))
			if err != nil {
				continue
			}
			if !info.IsDir() {
				if strings.HasSuffix(s, ".go") && within(dest, base) && isGoMain(a.p.Context, ctxPathOf(path.Dir(s)), path.Base(s)) {
					d := dest
					if !strings.HasSuffix(cp.dest, "/") {
						d = path.Dir(dest)
					}
					found[d] = true
				}
				continue
			}
			err = fs.WalkDir(a.p.Context, ctxPathOf(s), func(name string, d fs.DirEntry, err error) error {
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
				if within(stageDir, base) && isGoMain(a.p.Context, name, "*.go") {
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
