package rules

import (
	"bytes"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
)

// DefaultMaxRounds bounds the fix loop of [Run] when [Options.MaxRounds] is zero.
const DefaultMaxRounds = 10

// Options select what [Run] and [Check] run.
type Options struct {
	Rules     []*Rule // nil: every registered rule; empty, not nil: none
	Config    Config
	Unsafe    bool // apply Unsafe fixes too
	MaxRounds int  // 0: DefaultMaxRounds
	// DockerfilePath is the Dockerfile's slash path inside the context, or "".
	DockerfilePath string
}

// FileChange is the old and new content of a context file that fixes changed.
type FileChange struct {
	Old, New []byte
	Created  bool // the file did not exist
}

// Result is what [Run] made of one Dockerfile.
type Result struct {
	File *rewrite.File // the final Dockerfile, parsed
	// Files holds the other context files that fixes changed, by slash path.
	Files map[string]*FileChange
	// Findings are the findings that remain on the final text, including the
	// driver's own reports of fixes it rejected.
	Findings []Finding
	// Applied counts the fixes applied, by rule name.
	Applied map[string]int
	// RuntimeBase is the change of the image the final stage runs on, from
	// the Dockerfile as given to the fixed one; nil when it is the same.
	RuntimeBase *catalog.BaseChange
}

// Changed reports whether any file changed.
func (r *Result) Changed() bool { return len(r.Applied) > 0 }

// Check runs the rules on f once and returns their findings, fixes unapplied.
func Check(f *rewrite.File, ctx fs.FS, opts Options) ([]Finding, error) {
	if err := checkRules(opts.rules()); err != nil {
		return nil, fmt.Errorf("rules.Options: %w", err)
	}
	guard := newContextFS(ctx)
	var out []Finding
	for _, r := range opts.rules() {
		fs, err := run(r, f, asFS(guard), opts)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	out = append(out, unreadFindings(f, guard)...)
	sortFindings(out)
	return out, nil
}

// asFS returns the guard as an fs.FS, nil when there is no context.
func asFS(guard *contextFS) fs.FS {
	if guard == nil {
		return nil
	}
	return guard
}

// unreadFindings reports the context files the rules did not read, each
// once, under the rule that first tried, at the first instruction.
func unreadFindings(f *rewrite.File, guard *contextFS) []Finding {
	if guard == nil {
		return nil
	}
	paths, why, by := guard.unread()
	var out []Finding
	at := rewrite.Span{}
	if len(f.Instrs) > 0 {
		at = rewrite.Span{Start: f.Instrs[0].Span.Start, End: f.Instrs[0].Span.Start}
	}
	line, col := f.Position(at.Start)
	for _, p := range paths {
		out = append(out, Finding{Rule: by[p], Span: at, Line: line, Col: col, Severity: Warning,
			Message: fmt.Sprintf("did not read %s from the build context: %s", p, why[p])})
	}
	return out
}

// guardOf returns the context reader under ctx, or nil.
func guardOf(ctx fs.FS) *contextFS {
	switch c := ctx.(type) {
	case *overlayFS:
		return guardOf(c.base)
	case *contextFS:
		return c
	}
	return nil
}

// Run runs the rules on f in registry order, applying their fixes, and
// re-parses the file after each rule that changed it. It repeats until a whole
// round changes nothing. A rule whose fix leaves a file that BuildKit cannot
// parse is not applied to this file again, and a finding says so.
func Run(f *rewrite.File, ctx fs.FS, opts Options) (*Result, error) {
	if err := checkRules(opts.rules()); err != nil {
		return nil, fmt.Errorf("rules.Options: %w", err)
	}
	guard := newContextFS(ctx)
	overlay := &overlayFS{base: asFS(guard), files: map[string][]byte{}}
	res := &Result{Files: map[string]*FileChange{}, Applied: map[string]int{}}
	original := f
	broken := map[string]Finding{} // rules whose fixes broke the file
	maxRounds := opts.MaxRounds
	if maxRounds <= 0 {
		maxRounds = DefaultMaxRounds
	}
	for round := 0; ; round++ {
		var changedBy []string
		var findings []Finding
		for _, r := range opts.rules() {
			found, err := run(r, f, overlay, opts)
			if err != nil {
				return nil, err
			}
			if _, ok := broken[r.Name]; ok {
				findings = append(findings, withoutFixes(found)...)
				continue
			}
			edits, files := mergeFixes(found, opts.Unsafe)
			nf, newFiles, err := apply(f, overlay, edits, files)
			if err != nil {
				broken[r.Name] = rejected(r, f, edits, err)
				findings = append(findings, withoutFixes(found)...)
				continue
			}
			if nf == f && len(newFiles) == 0 {
				findings = append(findings, found...)
				continue
			}
			changedBy = append(changedBy, r.Name)
			res.Applied[r.Name] += countApplied(found, opts.Unsafe)
			for path, data := range newFiles {
				if _, ok := res.Files[path]; !ok {
					old, err := fs.ReadFile(overlay, path)
					res.Files[path] = &FileChange{Old: old, Created: err != nil}
				}
				res.Files[path].New = data
				overlay.files[path] = data
			}
			f = nf
		}
		if len(changedBy) == 0 {
			for _, b := range broken {
				findings = append(findings, b)
			}
			findings = append(findings, unreadFindings(f, guard)...)
			sortFindings(findings)
			res.RuntimeBase = RuntimeBaseChange(original, f)
			res.File, res.Findings = f, findings
			for path, c := range res.Files {
				if bytes.Equal(c.Old, c.New) && !c.Created {
					delete(res.Files, path)
				}
			}
			return res, nil
		}
		if round+1 >= maxRounds {
			return nil, &rewrite.Error{File: f.Name, Err: fmt.Errorf("fixes did not converge after %d rounds (still changing: %s)", maxRounds, strings.Join(changedBy, ", "))}
		}
	}
}

func (o *Options) rules() []*Rule {
	if o.Rules == nil {
		return registered
	}
	return o.Rules
}

func run(r *Rule, f *rewrite.File, ctx fs.FS, opts Options) ([]Finding, error) {
	if g := guardOf(ctx); g != nil {
		g.setRule(r.Name)
	}
	p := &Pass{Rule: r, Source: facts.Source{File: f, Context: ctx, DockerfilePath: opts.DockerfilePath}, Config: &opts.Config, known: knownRule(&opts)}
	if err := r.Run(p); err != nil {
		return nil, fmt.Errorf("%s: rule %s: %w", f.Name, r.Name, err)
	}
	found := filterBuildKitSkips(f, filterSuppressed(f, p.findings))
	annotateBaseChanges(f, found)
	return found, nil
}

func applicable(fx *Fix, unsafe bool) bool {
	return fx != nil && (fx.Safety == Safe || (unsafe && fx.Safety == Unsafe))
}

// mergeFixes gathers the applicable fixes of one rule. A fix that overlaps one
// taken before it is left for the next round.
func mergeFixes(found []Finding, unsafe bool) ([]rewrite.Edit, map[string][]rewrite.Edit) {
	var edits []rewrite.Edit
	files := map[string][]rewrite.Edit{}
	for _, fd := range found {
		fx := fd.Fix
		if !applicable(fx, unsafe) || rewrite.Overlaps(edits, fx.Edits) {
			continue
		}
		clash := false
		for path, e := range fx.Files {
			clash = clash || rewrite.Overlaps(files[path], e)
		}
		if clash {
			continue
		}
		edits = append(edits, fx.Edits...)
		for path, e := range fx.Files {
			files[path] = append(files[path], e...)
		}
	}
	return edits, files
}

func countApplied(found []Finding, unsafe bool) int {
	n := 0
	for _, fd := range found {
		if applicable(fd.Fix, unsafe) {
			n++
		}
	}
	return n
}

// apply applies edits to f and to the context files. It returns f itself when
// the Dockerfile did not change, and only the context files whose bytes did.
func apply(f *rewrite.File, ctx fs.FS, edits []rewrite.Edit, files map[string][]rewrite.Edit) (*rewrite.File, map[string][]byte, error) {
	nf := f
	if len(edits) > 0 {
		src, err := rewrite.Apply(f.Src, edits)
		if err != nil {
			return nil, nil, err
		}
		if !bytes.Equal(src, f.Src) {
			if nf, err = rewrite.Parse(f.Name, src); err != nil {
				return nil, nil, err
			}
		}
	}
	changed := map[string][]byte{}
	for path, e := range files {
		old, _ := fs.ReadFile(ctx, path)
		data, err := rewrite.Apply(old, e)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		if !bytes.Equal(data, old) || (len(data) == 0 && len(e) > 0 && !facts.Exists(ctx, path)) {
			changed[path] = data
		}
	}
	return nf, changed, nil
}

func rejected(r *Rule, f *rewrite.File, edits []rewrite.Edit, err error) Finding {
	at := rewrite.Span{}
	if len(edits) > 0 {
		at = rewrite.Span{Start: edits[0].Start, End: edits[0].Start}
	}
	line, col := f.Position(at.Start)
	return Finding{Rule: r.Name, Span: at, Line: line, Col: col, Severity: Warning,
		Message: fmt.Sprintf("fix not applied: it would leave an invalid Dockerfile (%v)", err)}
}

func withoutFixes(found []Finding) []Finding {
	out := slices.Clone(found)
	for i := range out {
		out[i].Fix = nil
	}
	return out
}

func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		if a.Col != b.Col {
			return a.Col - b.Col
		}
		return strings.Compare(a.Rule, b.Rule)
	})
}
