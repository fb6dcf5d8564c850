package rules

import (
	"bytes"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
)

// RuntimeBaseRef returns the image the final stage of f starts from,
// following stages built on earlier stages to the image they start from,
// with the defaults of the ARGs before the first FROM filled in; "" when
// there is no stage.
func RuntimeBaseRef(f *rewrite.File) string {
	n := len(f.Stages)
	if n == 0 {
		return ""
	}
	chain := facts.StageChain(f, n-1)
	ref := f.Stages[chain[0]].BaseName
	if strings.Contains(ref, "$") {
		if def := facts.ExpandMetaArgs(f, ref); def != "" {
			ref = def
		}
	}
	return ref
}

// RuntimeBaseChange compares the runtime bases of two versions of a
// Dockerfile; nil when they are the same image.
func RuntimeBaseChange(before, after *rewrite.File) *catalog.BaseChange {
	a, b := RuntimeBaseRef(before), RuntimeBaseRef(after)
	if a == "" || b == "" || a == b {
		return nil
	}
	return &catalog.BaseChange{From: catalog.SizeOf(a), To: catalog.SizeOf(b)}
}

// annotateBaseChanges sets RuntimeBase on the fixes among found that change
// the image the final stage of f runs on. Only fixes that touch a FROM line
// or write one are tried.
func annotateBaseChanges(f *rewrite.File, found []Finding) {
	var froms []rewrite.Span
	for _, in := range f.Instrs {
		if in.Cmd == "from" {
			froms = append(froms, in.Span)
		}
	}
	for i := range found {
		fx := found[i].Fix
		if fx == nil || len(fx.Edits) == 0 || fx.RuntimeBase != nil {
			continue
		}
		touches := false
		for _, e := range fx.Edits {
			if bytes.Contains(bytes.ToUpper([]byte(e.New)), []byte("FROM ")) {
				touches = true
			}
			for _, s := range froms {
				if e.Start < s.End && e.End > s.Start {
					touches = true
				}
			}
		}
		if !touches {
			continue
		}
		src, err := rewrite.Apply(f.Src, fx.Edits)
		if err != nil {
			continue
		}
		nf, err := rewrite.Parse(f.Name, src)
		if err != nil {
			continue
		}
		fx.RuntimeBase = RuntimeBaseChange(f, nf)
	}
}
