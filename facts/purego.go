package facts

import (
	"bufio"
	"bytes"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"strings"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
)

// MaxGoFiles bounds the scan of [PureGo]; a larger context is not judged.
const MaxGoFiles = 20000

// PureGo reports whether the Go code in the build context can be
// built with CGO_ENABLED=0: no .go file imports "C", and every go.mod either
// requires nothing or has its requirements vendored (so that their code was
// scanned too). Module code downloaded during the build cannot be seen, so a
// module with unvendored requirements is not pure as far as dfslim can prove.
func PureGo(src *Source) bool {
	if src.Context == nil {
		return false
	}
	key := pureGoKey{}
	v := src.File.Memo(key, func() any { return scanPureGo(src.Context) })
	return v.(bool)
}

type pureGoKey struct{}

func scanPureGo(fsys fs.FS) bool {
	files, mods := 0, 0
	pure, fetched := true, false // fetched: a .go file imports a path with a domain (go get fetches it)
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules":
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case d.Name() == "go.mod":
			mods++
			data, err := fs.ReadFile(fsys, name)
			if err != nil || (requiresModules(data) && !Exists(fsys, path.Join(path.Dir(name), "vendor", "modules.txt"))) {
				pure = false
			}
		case strings.HasSuffix(name, ".go"):
			files++
			if files > MaxGoFiles {
				pure = false
				return fs.SkipAll
			}
			src, err := fs.ReadFile(fsys, name)
			if err != nil {
				pure = false
				return fs.SkipAll
			}
			f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
			if err != nil {
				pure = false // a file the scan cannot read might use cgo
				return fs.SkipAll
			}
			for _, imp := range f.Imports {
				if imp.Path.Value == `"C"` {
					pure = false
					return fs.SkipAll
				}
				first, _, _ := strings.Cut(strings.Trim(imp.Path.Value, `"`), "/")
				fetched = fetched || strings.Contains(first, ".")
			}
		}
		if !pure {
			return fs.SkipAll
		}
		return nil
	})
	// Without go.mod (a GOPATH build), the imports show the dependencies:
	// only the standard library and packages of the tree itself.
	return err == nil && pure && (mods > 0 || !fetched) && files > 0
}

// requiresModules reports whether a go.mod has a require directive.
func requiresModules(gomod []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 0 && fields[0] == "require" {
			return true
		}
	}
	return false
}

// goCommandStart returns the empty span in front of the go command of sc in
// its RUN, where an environment assignment applies to that command only.
func (a *Build) goCommandStart(step *RunStep, sc *Command) *rewrite.Span {
	sh := shell.Of(a.file, step.In)
	if sh == nil {
		return nil
	}
	at := sh.Offset(sc.Call.Expr.Pos())
	return &rewrite.Span{Start: at, End: at}
}
