package rules

import (
	"slices"
	"strings"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// buildkitChecks maps BuildKit's build checks to the dfslim findings that
// report the same thing: a "# check=skip=NAME" (or "skip=all") directive,
// which tells BuildKit to leave those instructions alone, silences them in
// dfslim too. See https://docs.docker.com/reference/build-checks/.
var buildkitChecks = []struct {
	check string   // BuildKit's rule name
	rule  string   // dfslim's rule
	cmds  []string // the instructions it covers, lower case
}{
	{"JSONArgsRecommended", "exec-form", []string{"cmd", "entrypoint"}},
}

// filterBuildKitSkips drops the findings that BuildKit's check options skip:
// the "# check=" directive at the top of the file, merged, as BuildKit does,
// with a "# check=" comment directly above the finding's instruction.
func filterBuildKitSkips(f *rewrite.File, found []Finding) []Finding {
	if len(found) == 0 || !strings.Contains(string(f.Src), "check") {
		return found
	}
	var file *linter.Config
	if value, _, _, ok := parser.ParseDirective("check", f.Src); ok {
		file, _ = linter.ParseLintOptions(value) // a bad one fails BuildKit's build; not dfslim's to report
	}
	return slices.DeleteFunc(found, func(fd Finding) bool {
		in := instrAtLine(f, fd.Line)
		if in == nil {
			return false
		}
		skips := func(check string) bool {
			if file != nil && (file.SkipAll || slices.Contains(file.SkipRules, check)) {
				return true
			}
			c := instrCheckOptions(in)
			return c != nil && (c.SkipAll || slices.Contains(c.SkipRules, check))
		}
		for _, c := range buildkitChecks {
			if fd.Rule == c.rule && slices.Contains(c.cmds, in.Cmd) && skips(c.check) {
				return true
			}
		}
		return false
	})
}

// instrCheckOptions reads the check options of the comments directly above
// an instruction the way BuildKit does: the first "# check=" comment.
func instrCheckOptions(in *rewrite.Instr) *linter.Config {
	for _, comment := range in.Node.PrevComment {
		var p parser.DirectiveParser
		p.SetComment("")
		d, _ := p.ParseLine([]byte(comment))
		if d == nil || d.Name != "check" {
			continue
		}
		v, _, _ := strings.Cut(d.Value, " ")
		c, err := linter.ParseLintOptions(v)
		if err != nil {
			return nil
		}
		return c
	}
	return nil
}

// instrAtLine returns the instruction that spans line n, or nil.
func instrAtLine(f *rewrite.File, n int) *rewrite.Instr {
	i, found := slices.BinarySearchFunc(f.Instrs, n, func(in *rewrite.Instr, n int) int {
		switch {
		case in.EndLine < n:
			return -1
		case in.StartLine > n:
			return 1
		}
		return 0
	})
	if !found {
		return nil
	}
	return f.Instrs[i]
}
