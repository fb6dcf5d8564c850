// Package layers holds the test that keeps dfslim's package graph layered:
//
//	rewrite ← shell ← facts ← rules ← cmd/dfslim;   catalog ← facts, rules
//
// A package may import only the dfslim packages below it.
package layers

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/dfslim/dfslim/"

// below lists, for each layered package (a directory of the module), the
// dfslim packages it may import.
var below = map[string][]string{
	"rewrite": {},
	"catalog": {},
	"shell":   {"rewrite"},
	"facts":   {"rewrite", "shell", "catalog"},
	"rules":   {"rewrite", "shell", "catalog", "facts", "internal/suggest"},
}

// TestLayers fails when a layered package imports a dfslim package that is
// not below it.
func TestLayers(t *testing.T) {
	for dir, allowed := range below {
		imports := dfslimImports(t, filepath.Join("..", "..", dir))
		if len(imports) == 0 && dir != "rewrite" && dir != "catalog" {
			t.Errorf("%s imports no dfslim package: is the test reading the right directory?", dir)
		}
		for imp, file := range imports {
			if !slices.Contains(allowed, imp) {
				t.Errorf("%s imports %s, which is not below it (allowed: %v)", file, imp, allowed)
			}
		}
	}
}

// TestLayersSeeViolations checks that dfslimImports finds the imports the
// layers are judged by: rules imports facts, facts imports shell.
func TestLayersSeeViolations(t *testing.T) {
	for dir, want := range map[string]string{"rules": "facts", "facts": "shell", "shell": "rewrite"} {
		if _, ok := dfslimImports(t, filepath.Join("..", "..", dir))[want]; !ok {
			t.Errorf("%s: import of %s not found", dir, want)
		}
	}
}

// dfslimImports returns the dfslim packages that the non-test Go files of
// dir import, each with one file that imports it.
func dfslimImports(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		path := filepath.Join(dir, name)
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if rest, ok := strings.CutPrefix(p, module); ok {
				out[rest] = path
			}
		}
	}
	return out
}
