package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// Dockerignore completes the build context's ignore file with the entries it
// lacks: VCS data, editor and CI folders, caches, build outputs the image
// rebuilds, secrets, and the Dockerfiles themselves.
var Dockerignore = &Rule{
	Name:    "dockerignore",
	Summary: "Keep VCS data, caches, rebuilt outputs and secrets out of the build context",
	Why: `
Everything in the build context is sent to the builder, and ` + "`COPY . .`" + ` puts it in the
image: .git, node_modules or target/ from the host (large, and built for another
platform), caches, .env files and keys (which then sit in an image layer for anyone who
pulls it). Any change to them also invalidates the cache of every COPY that reads them.

The rule reads the context, recognises the ecosystems from their files (go.mod,
Cargo.toml, package.json, pyproject.toml or requirements*.txt, pom.xml, build.gradle) and
proposes only entries that match something there, or that the ecosystem's tools make:
VCS data (.git), editor and CI folders (.idea, .vscode, .github), caches (__pycache__,
*.pyc, .pytest_cache…), build outputs (node_modules, target, dist, build, .venv),
secrets (.env, .env.*, *.pem, *.key, id_rsa*, .aws, .docker/config.json…), and the
Dockerfiles, ignore files and compose files at the root, with the Dockerfile's and the
ignore file's own paths, which COPY never needs (BuildKit reads the Dockerfile and
ignore file on its own; a Dockerfile deeper down may be a test's input). Those last
ones are only added together with others.

The ignore file is ` + "`<Dockerfile>.dockerignore`" + ` next to the Dockerfile when it exists (BuildKit
prefers it), else .dockerignore at the context root. An existing file is never
reordered and no line of it is removed: the missing entries are appended under one
"# added by dfslim" comment, with the file's line endings. A secret that the Dockerfile
copies by name, or from a directory it names, is reported: pass it with
` + "`RUN --mount=type=secret`" + ` instead.

Example: for a Node app whose Dockerfile runs ` + "`COPY . .`" + ` then ` + "`RUN npm ci`" + `, with .git,
node_modules and .env in its directory, the rule creates:

    # added by dfslim
    .git
    **/node_modules
    **/.env
    Dockerfile
    .dockerignore`,
	FixSafety: `
The fix never hides a file the build reads. The rule computes every context path that a
COPY, an ADD (not URLs or Git) or a RUN --mount=type=bind of any stage reads, in the
Dockerfile and in every other Dockerfile of the context that shares the ignore file. A
variable in a source counts twice, with its ARG default and as a wildcard, since a build
argument can change any ARG (so ` + "`COPY ${DIR} .`" + ` reads the whole context). Each candidate
is judged with moby/patternmatcher, as BuildKit does, against the user's lines (` + "`!`" + `
exceptions, ` + "`**`" + `, a leading /) and the entries already chosen:

- an entry that would exclude a path a COPY names or a wildcard source matches, or a
  path the user re-included with ` + "`!`" + `, is dropped;
- a path that a stage reads as part of a larger read (` + "`COPY . .`" + `, a directory) may go
  when no build needs it: VCS, editor and CI data, caches, the Dockerfiles. .git stays
  when that stage runs git or the project takes its version from git (setuptools-scm,
  hatch-vcs…);
- a build output (node_modules, target, dist, build, .venv) goes when no stage reads it;
  a stage that reads it must rebuild it (npm ci, cargo build, mvn package, gradle build,
  pip install…), itself or in a stage it is built on. A prebuilt dist/ that is copied, or
  a node_modules that ` + "`COPY . .`" + ` brings without an install, stays. An output that is not
  there yet is proposed only when the Dockerfile rebuilds it (dist, target, build: in a
  stage that reads the whole context);
- a secret that a COPY names, that a stage reads from a directory it names, that the
  user re-included, a test fixture (under testdata, test, tests, fixtures…) that a stage
  reads, or a file whose name a RUN uses (` + "`cp .env.example .env`" + `), is kept by a ` + "`!`" + `
  exception after the entry; the first two are reported;
- no line may re-include a file the user's lines exclude.

A base image with ONBUILD triggers, or another Dockerfile that does not parse, counts as
reading the whole context and rebuilding nothing. The rule does nothing when the
Dockerfile lies outside the context (or comes from standard input), and reports instead
of fixing when the context holds more than 200000 files. It does not look inside .git,
nor inside node_modules unless a stage reads it.`,
	Safety: Safe,
	Run:    runDockerignore,
}

// addedComment heads the lines the rule appends.
const addedComment = "# added by dfslim"

// maxContextPaths bounds the files and directories the rule reads.
const maxContextPaths = 200000

func runDockerignore(p *Pass) error {
	if p.Context == nil || p.DockerfilePath == "" || len(p.File.Instrs) == 0 {
		return nil
	}
	at := rewrite.Span{Start: p.File.Instrs[0].Span.Start, End: p.File.Instrs[0].Span.Start}
	ignorePath, shared := ignoreFileFor(p.Context, p.DockerfilePath)
	old, err := fs.ReadFile(p.Context, ignorePath)
	var unread *errUnread
	if errors.As(err, &unread) {
		return nil // the driver reports it
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		p.Reportf(at, "cannot read %s: %v", ignorePath, err)
		return nil
	}
	user, err := ignorefile.ReadAll(bytes.NewReader(old))
	if err == nil {
		_, err = patternmatcher.New(user)
	}
	if err != nil {
		p.Reportf(at, "%s: %v; no entries proposed", ignorePath, err)
		return nil
	}
	var descend []string
	for pass := 0; ; pass++ {
		tree, err := scanContext(p.Context, ignorePath, descend)
		if err != nil {
			p.Reportf(at, "%v; no entries proposed", err)
			return nil
		}
		pl := newIgnorePlanner(p, tree, user)
		if !pl.worthPlanning() {
			return nil
		}
		pl.loadReads(shared)
		if more := pl.plan(pass == 0, ignorePath); len(more) > 0 {
			descend = more
			continue
		}
		pl.report(at, ignorePath, old)
		return nil
	}
}

// ignoreFileFor returns the ignore file BuildKit reads for the Dockerfile at
// dfPath: <Dockerfile>.dockerignore when it exists, else the context's
// .dockerignore, which other Dockerfiles of the context share.
func ignoreFileFor(ctx fs.FS, dfPath string) (name string, shared bool) {
	own := dfPath + ".dockerignore"
	if _, err := fs.Stat(ctx, own); err == nil {
		return own, false
	}
	return ".dockerignore", true
}

// contextTree is the build context as a list of paths, each directory before
// what it holds.
type contextTree struct {
	paths  []string
	dir    []bool
	parent []int // index of the directory holding the path; -1 at the root
	index  map[string]int
	// closed holds the directories whose content was not read: .git, and
	// node_modules unless asked for.
	closed []int
}

// scanContext lists the context. It does not go into .git, nor into
// node_modules directories other than those in descend. The ignore file is
// listed even when it does not exist yet, since the fix creates it.
func scanContext(ctx fs.FS, ignorePath string, descend []string) (*contextTree, error) {
	t := &contextTree{index: map[string]int{}}
	err := fs.WalkDir(ctx, ".", func(name string, d fs.DirEntry, err error) error {
		if name == "." {
			return err
		}
		if err != nil {
			return nil // unreadable: nothing to judge in it
		}
		if len(t.paths) >= maxContextPaths {
			return fmt.Errorf("the build context has more than %d files", maxContextPaths)
		}
		t.add(name, d.IsDir())
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules" && !slices.Contains(descend, name)) {
			t.closed = append(t.closed, len(t.paths)-1)
			return fs.SkipDir
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, ok := t.index[ignorePath]; !ok {
		t.add(ignorePath, false)
	}
	return t, nil
}

func (t *contextTree) add(name string, dir bool) {
	parent := -1
	if d := path.Dir(name); d != "." {
		var ok bool
		if parent, ok = t.index[d]; !ok {
			t.add(d, true)
			parent = len(t.paths) - 1
		}
	}
	t.index[name] = len(t.paths)
	t.paths = append(t.paths, name)
	t.dir = append(t.dir, dir)
	t.parent = append(t.parent, parent)
}

// matches returns, for every path, whether the pattern (without "!")
// matches it or a directory above it: what patternmatcher does for each
// line of an ignore file.
func (t *contextTree) matches(pattern string) []bool {
	pathTests.Add(int64(len(t.paths)))
	out := make([]bool, len(t.paths))
	pm, err := patternmatcher.New([]string{pattern})
	if err != nil {
		return out
	}
	lit := longestLiteral(path.Clean(pattern)) // New cleans the pattern too
	for i, p := range t.paths {
		if t.parent[i] >= 0 && out[t.parent[i]] {
			out[i] = true
			continue
		}
		if !strings.Contains(p, lit) {
			continue // cannot match: the pattern's literal text is not in it
		}
		// With a single pattern that is not an exception, and its parent
		// known not to match, this is the direct match of p. (The function
		// is deprecated for lists with exceptions, which this is not.)
		out[i], _ = pm.MatchesUsingParentResult(p, false) //nolint:staticcheck
	}
	return out
}

// pathTests counts the paths that contextTree.matches has looked at, for
// the tests that bound the rule's work.
var pathTests atomic.Int64

// longestLiteral returns the longest run of pattern characters that a
// matching path must contain as they are: no wildcard, class, escape or
// slash (**/ matches no directory at all).
func longestLiteral(pattern string) string {
	best, run := "", ""
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '*', '?', '/', '\\':
			run = ""
			if c == '\\' {
				i++
			}
		case '[':
			run = ""
			for i < len(pattern) && pattern[i] != ']' {
				i++
			}
		default:
			run += string(c)
			if len(run) > len(best) {
				best = run
			}
		}
	}
	return best
}

// excludedBy returns, for every path, whether the ignore-file lines exclude it.
func (t *contextTree) excludedBy(lines []string) []bool {
	out := make([]bool, len(t.paths))
	for _, l := range lines {
		neg := strings.HasPrefix(l, "!")
		m := t.matches(strings.TrimPrefix(l, "!"))
		for i := range out {
			if neg {
				out[i] = out[i] && !m[i]
			} else {
				out[i] = out[i] || m[i]
			}
		}
	}
	return out
}

// excludes reports whether lines exclude the path p, which may not be in
// the context.
func excludes(lines []string, p string) bool {
	ok, err := patternmatcher.MatchesOrParentMatches(p, lines)
	return err == nil && ok
}

// excluder answers excludes for one list of lines, compiled once.
type excluder struct {
	pm *patternmatcher.PatternMatcher
}

func newExcluder(lines []string) excluder {
	pm, err := patternmatcher.New(lines)
	if err != nil {
		pm = nil
	}
	return excluder{pm}
}

// excludes reports whether the lines exclude p, as excludes does.
func (x excluder) excludes(p string) bool {
	if x.pm == nil {
		return false
	}
	ok, err := x.pm.MatchesOrParentMatches(p)
	return err == nil && ok
}

// literalPath returns the path an ignore-file pattern names when it holds no
// wildcard (escapes removed), and false otherwise.
func literalPath(pattern string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '*', '?', '[', ']':
			return "", false
		case '\\':
			if i+1 == len(pattern) {
				return "", false
			}
			i++
			b.WriteByte(pattern[i])
		default:
			b.WriteByte(c)
		}
	}
	lit := b.String()
	if lit == "" || path.Clean(lit) != lit || strings.HasPrefix(lit, "/") {
		return "", false
	}
	return lit, true
}

// namedPath is a context path that a COPY, ADD or bind mount names, or that
// a wildcard source matches.
type namedPath struct {
	path  string
	probe bool // a stand-in for what a wildcard source may match, not a real path
}

// ignorePlanner decides the entries to add to one ignore file.
type ignorePlanner struct {
	p        *Pass
	tree     *contextTree
	ecos     map[ecosystem]bool
	stages   []*facts.StageReads         // of the Dockerfile and of the others sharing the ignore file
	all      map[*facts.StageReads]bool  // stages that read the whole context
	namedAt  map[int][]facts.ContextRead // per path, the reads that name it
	namedBy  map[int][]*facts.StageReads // per path, the stages whose reads name it
	extra    []namedPath                 // named paths that are not in the context
	words    map[string]bool             // base names used by RUN commands
	gitVer   bool                        // the project asks git for its version
	userKeep []bool                      // paths a user "!" line re-includes
	lines    []string                    // the user's lines, then the ones chosen
	excluded []bool                      // paths that lines exclude
	added    []string                    // the lines chosen, in order
	useful   int                         // entries chosen of a kind other than kindDocker
	secrets  map[*rewrite.Instr][]string
	matched  map[string][]bool // tree.matches, by pattern
}

func newIgnorePlanner(p *Pass, tree *contextTree, user []string) *ignorePlanner {
	pl := &ignorePlanner{
		p: p, tree: tree, ecos: map[ecosystem]bool{},
		all: map[*facts.StageReads]bool{}, namedAt: map[int][]facts.ContextRead{}, namedBy: map[int][]*facts.StageReads{},
		words: map[string]bool{}, lines: slices.Clone(user),
		secrets: map[*rewrite.Instr][]string{}, matched: map[string][]bool{},
	}
	for _, name := range tree.paths {
		if e := ecosystemOf(path.Base(name)); e != 0 {
			pl.ecos[e] = true
		}
	}
	pl.excluded = tree.excludedBy(pl.lines)
	pl.userKeep = make([]bool, len(tree.paths))
	for _, l := range user {
		if strings.HasPrefix(l, "!") {
			for i, m := range pl.matches(l[1:]) {
				pl.userKeep[i] = pl.userKeep[i] || m
			}
		}
	}
	return pl
}

// matches is tree.matches, remembered.
func (pl *ignorePlanner) matches(pattern string) []bool {
	m, ok := pl.matched[pattern]
	if !ok {
		m = pl.tree.matches(pattern)
		pl.matched[pattern] = m
	}
	return m
}

// worthPlanning reports whether an entry other than the Dockerfiles' could
// apply at all: its ecosystem is there, and so is its path or the tool that
// makes it. Most contexts without one are settled without reading a
// Dockerfile.
func (pl *ignorePlanner) worthPlanning() bool {
	for _, e := range ignoreEntries {
		if e.kind == kindDocker || !pl.ecoOK(e) {
			continue
		}
		if e.produced || slices.Contains(pl.matches(e.pattern), true) {
			return true
		}
	}
	return false
}

func (pl *ignorePlanner) ecoOK(e ignoreEntry) bool {
	return e.eco == nil || slices.ContainsFunc(e.eco, func(x ecosystem) bool { return pl.ecos[x] })
}

// loadReads reads what the Dockerfile, and with shared every other
// Dockerfile of the context without an ignore file of its own, read from the
// context, and the project files that ask git for a version.
func (pl *ignorePlanner) loadReads(shared bool) {
	t, p := pl.tree, pl.p
	reads := []*facts.Reads{p.Facts().Reads()}
	for i, name := range t.paths {
		if t.dir[i] {
			continue
		}
		base := path.Base(name)
		if slices.Contains(scmVersionFiles, base) {
			pl.gitVer = pl.gitVer || mentionsSCMVersion(p.Context, name)
		}
		if shared && name != p.DockerfilePath && rewrite.IsDockerfileName(base) {
			if _, own := t.index[name+".dockerignore"]; !own {
				reads = append(reads, facts.ReadsOfFile(p.Context, name))
			}
		}
	}
	for _, dr := range reads {
		pl.stages = append(pl.stages, dr.Stages...)
		for w := range dr.Words {
			pl.words[w] = true
		}
	}
	for _, st := range pl.stages {
		pl.all[st] = st.Unknown
		for _, r := range st.Reads {
			pl.addRead(st, r)
		}
	}
}

// mentionsSCMVersion reports whether a project file asks git for the version.
func mentionsSCMVersion(ctx fs.FS, name string) bool {
	data, err := fs.ReadFile(ctx, name)
	if err != nil || len(data) > 1<<20 {
		return false
	}
	text := strings.ReplaceAll(string(data), " ", "")
	for _, m := range scmVersionMarkers {
		if strings.Contains(text, strings.ReplaceAll(m, " ", "")) {
			return true
		}
	}
	return false
}

// addRead records what one read of a stage names.
func (pl *ignorePlanner) addRead(st *facts.StageReads, r facts.ContextRead) {
	t := pl.tree
	switch {
	case r.All():
		pl.all[st] = true
	case !r.Wildcard:
		if i, ok := t.index[r.Path]; ok {
			pl.name(st, i, r)
		} else {
			pl.extra = append(pl.extra, namedPath{path: r.Path})
		}
	default:
		m := pl.matches(r.Path)
		for i := range t.paths {
			if m[i] && (t.parent[i] < 0 || !m[t.parent[i]]) {
				pl.name(st, i, r)
			}
		}
		probe := strings.Map(func(c rune) rune {
			if strings.ContainsRune("*?[]", c) {
				return 'x'
			}
			return c
		}, r.Path)
		pl.extra = append(pl.extra, namedPath{path: probe, probe: true})
	}
}

func (pl *ignorePlanner) name(st *facts.StageReads, i int, r facts.ContextRead) {
	if !slices.Contains(pl.namedBy[i], st) {
		pl.namedBy[i] = append(pl.namedBy[i], st)
	}
	pl.namedAt[i] = append(pl.namedAt[i], r)
}

// covering returns the stages that read the path p as part of a larger read
// (the whole context, or a directory they name), and whether one of them
// names a directory above it (not the whole context).
func (pl *ignorePlanner) covering(p string) (stages []*facts.StageReads, underNamedDir bool) {
	for _, st := range pl.stages {
		if pl.all[st] {
			stages = append(stages, st)
		}
	}
	for d := path.Dir(p); d != "."; d = path.Dir(d) {
		i, ok := pl.tree.index[d]
		if !ok {
			continue
		}
		for _, st := range pl.namedBy[i] {
			underNamedDir = true
			if !slices.Contains(stages, st) {
				stages = append(stages, st)
			}
		}
	}
	return stages, underNamedDir
}

// isTestFixture reports whether a path lies under a test-fixture directory,
// and returns that directory.
func isTestFixture(p string) (dir string, ok bool) {
	parts := strings.Split(p, "/")
	for k := len(parts) - 2; k >= 0; k-- {
		if slices.Contains(testDirs, parts[k]) {
			return strings.Join(parts[:k+1], "/"), true
		}
	}
	return "", false
}

// plan chooses the entries, in table order. With mayDescend, it may stop and
// return the node_modules directories the context scan must read before the
// choice can be trusted: those that a stage reads and no entry excludes,
// since a secret pattern could reach into them.
func (pl *ignorePlanner) plan(mayDescend bool, ignorePath string) (descend []string) {
	secretsChecked := !mayDescend
	entries := ignoreEntries
	for _, own := range []string{pl.p.DockerfilePath, ignorePath} {
		if strings.Contains(own, "/") {
			entries = append(slices.Clone(entries), ignoreEntry{pattern: escapePattern(own), kind: kindDocker})
		}
	}
	for _, e := range entries {
		if e.kind == kindSecret && !secretsChecked {
			secretsChecked = true
			if d := pl.openDirsNeeded(); len(d) > 0 {
				return d
			}
		}
		pl.consider(e)
	}
	pl.findSecrets()
	return nil
}

// openDirsNeeded returns the closed node_modules directories that stay in
// the context and that a stage reads.
func (pl *ignorePlanner) openDirsNeeded() []string {
	var out []string
	for _, i := range pl.tree.closed {
		p := pl.tree.paths[i]
		if path.Base(p) != "node_modules" || pl.excluded[i] {
			continue
		}
		if st, _ := pl.covering(p); len(st) > 0 || len(pl.namedAt[i]) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// wouldRebuild reports whether the Dockerfiles rebuild an output that is not
// in the context yet, where the entry expects it: for a root-only entry
// (dist, target), a stage that reads the whole context must rebuild it,
// since a build in a subdirectory writes its output there.
func (pl *ignorePlanner) wouldRebuild(e ignoreEntry) bool {
	nested := strings.HasPrefix(e.pattern, "**/")
	return slices.ContainsFunc(pl.stages, func(st *facts.StageReads) bool {
		return (nested || pl.all[st]) && st.Ran(e.rebuiltBy)
	})
}

// escapePattern escapes the characters of a path that an ignore-file pattern
// would read as wildcards.
func escapePattern(p string) string {
	var b strings.Builder
	for _, c := range p {
		if strings.ContainsRune(`*?[]\\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// verdict is what consider found out about one entry.
type verdict struct {
	conflict   bool
	exceptions []string
}

// consider judges one entry and adds it when it is safe and useful.
func (pl *ignorePlanner) consider(e ignoreEntry) {
	if !pl.ecoOK(e) {
		return
	}
	m := pl.matches(e.pattern)
	present := slices.Contains(m, true)
	var probe string
	if !present {
		if !e.produced || (e.kind == kindOutput && !pl.wouldRebuild(e)) {
			return
		}
		probe = strings.TrimPrefix(e.pattern, "**/")
		if excludes(pl.lines, probe) || !excludes([]string{e.pattern}, probe) {
			return
		}
	}
	v := pl.judge(e, m, probe)
	if v.conflict {
		return
	}
	group := append([]string{e.pattern}, v.exceptions...)
	next := slices.Clone(pl.excluded)
	for _, l := range group {
		neg := strings.HasPrefix(l, "!")
		lm := m
		if l != e.pattern {
			pat := strings.TrimPrefix(l, "!")
			if lit, ok := literalPath(pat); ok {
				// A file's own path matches that file alone; a path not
				// in the context matches none of it. Either way there is
				// no need to look at every path, once per exception.
				i, in := pl.tree.index[lit]
				if !in {
					continue
				}
				if !pl.tree.dir[i] {
					next[i] = !neg
					continue
				}
			}
			lm = pl.matches(pat)
		}
		for i := range next {
			if neg {
				next[i] = next[i] && !lm[i]
			} else {
				next[i] = next[i] || lm[i]
			}
		}
	}
	newly := false
	for i := range next {
		if pl.excluded[i] && !next[i] {
			return // an exception would re-include what the user excludes
		}
		newly = newly || next[i] && !pl.excluded[i]
	}
	lines := append(slices.Clone(pl.lines), group...)
	after := newExcluder(lines)
	if probe != "" {
		newly = newly || after.excludes(probe)
	}
	if !newly {
		return
	}
	// Check the whole group once more: nothing named may be excluded by it.
	for i := range next {
		if next[i] && !pl.excluded[i] && (len(pl.namedAt[i]) > 0 || pl.userKeep[i]) {
			return
		}
	}
	if len(pl.extra) > 0 {
		before := newExcluder(pl.lines)
		for _, x := range pl.extra {
			if after.excludes(x.path) && !before.excludes(x.path) {
				return
			}
		}
	}
	pl.lines, pl.excluded = lines, next
	pl.added = append(pl.added, group...)
	if e.kind != kindDocker {
		pl.useful++
	}
}

// judge finds the paths the entry would newly exclude that the build needs:
// a conflict drops the entry; for a secret entry, an exception keeps the path.
func (pl *ignorePlanner) judge(e ignoreEntry, m []bool, probe string) verdict {
	t := pl.tree
	var v verdict
	kept := map[string]bool{}
	keep := func(p string) {
		ex := "!" + escapePattern(p)
		if dir, ok := isTestFixture(p); ok {
			ex = "!" + escapePattern(dir) + "/**/" + strings.TrimPrefix(e.pattern, "**/")
		}
		if !kept[ex] {
			kept[ex] = true
			v.exceptions = append(v.exceptions, ex)
		}
	}
	check := func(p string, named bool) {
		if named {
			if e.kind == kindSecret {
				keep(p)
			} else {
				v.conflict = true
			}
			return
		}
		stages, underDir := pl.covering(p)
		if len(stages) == 0 {
			return
		}
		switch e.kind {
		case kindOutput:
			for _, st := range stages {
				if st.Unknown || !st.Ran(e.rebuiltBy) {
					v.conflict = true
				}
			}
		case kindVCS:
			if pl.gitVer || slices.ContainsFunc(stages, func(st *facts.StageReads) bool { return st.Unknown || st.Ran(gitCall) }) {
				v.conflict = true
			}
		case kindSecret:
			_, fixture := isTestFixture(p)
			if underDir || fixture || pl.words[path.Base(p)] {
				keep(p)
			}
		}
	}
	for i := range t.paths {
		if !m[i] || pl.excluded[i] || v.conflict {
			continue
		}
		if pl.userKeep[i] {
			if e.kind != kindSecret {
				v.conflict = true
				break
			}
			keep(t.paths[i]) // the user keeps it: keep it too
			continue
		}
		check(t.paths[i], len(pl.namedAt[i]) > 0)
	}
	if probe != "" && !v.conflict {
		check(probe, false)
	}
	entry, before := newExcluder([]string{e.pattern}), newExcluder(pl.lines)
	for _, x := range pl.extra {
		if v.conflict {
			break
		}
		if entry.excludes(x.path) && !before.excludes(x.path) {
			if x.probe || e.kind != kindSecret {
				v.conflict = true
			} else {
				keep(x.path)
			}
		}
	}
	return v
}

// findSecrets records, per instruction, the secret-looking files that a
// COPY or ADD reads by name or from a directory it names, and that stay in
// the context. A secret directory (.aws) is reported once, not file by file.
func (pl *ignorePlanner) findSecrets() {
	t := pl.tree
	secret := make([]bool, len(t.paths))
	for _, e := range ignoreEntries {
		if e.kind == kindSecret {
			for i, m := range pl.matches(e.pattern) {
				secret[i] = secret[i] || m
			}
		}
	}
	type secretOf struct {
		in   *rewrite.Instr
		path int
	}
	seen := map[secretOf]bool{}
	for j, p := range t.paths {
		if !secret[j] || pl.excluded[j] {
			continue
		}
		if _, fixture := isTestFixture(p); fixture {
			continue
		}
		top := t.parent[j] < 0 || !secret[t.parent[j]]
		for a := j; a >= 0; a = t.parent[a] {
			if a != j && !top {
				break // only the top of a secret counts as read from above
			}
			for _, r := range pl.namedAt[a] {
				// A bind mount leaves nothing in the image.
				if r.Instr != nil && r.Instr.Cmd != "run" && !seen[secretOf{r.Instr, j}] {
					seen[secretOf{r.Instr, j}] = true
					pl.secrets[r.Instr] = append(pl.secrets[r.Instr], p)
				}
			}
		}
	}
}

// report turns the plan into findings: one with the fix that appends the
// chosen lines, and one per instruction that copies a secret.
func (pl *ignorePlanner) report(at rewrite.Span, ignorePath string, old []byte) {
	f := pl.p.File
	var instrs []*rewrite.Instr
	for in := range pl.secrets {
		instrs = append(instrs, in)
	}
	slices.SortFunc(instrs, func(a, b *rewrite.Instr) int { return a.Span.Start - b.Span.Start })
	for _, in := range instrs {
		if !slices.Contains(f.Instrs, in) {
			continue // another Dockerfile's
		}
		paths := pl.secrets[in]
		slices.Sort(paths)
		at := rewrite.Span{Start: in.Span.Start, End: in.Span.Start}
		msg := fmt.Sprintf("%s copies %s, which looks like a secret, into the image; pass it with RUN --mount=type=secret instead",
			strings.ToUpper(in.Cmd), strings.Join(paths, ", "))
		if len(paths) > 1 {
			msg = fmt.Sprintf("%s copies %d files that look like secrets into the image (%s); pass them with RUN --mount=type=secret instead",
				strings.ToUpper(in.Cmd), len(paths), capList(paths, 6))
		}
		pl.p.Report(Finding{Span: at, Severity: Warning, Message: msg})
	}
	if pl.useful == 0 {
		return
	}
	var entries []string
	for _, l := range pl.added {
		if !strings.HasPrefix(l, "!") {
			entries = append(entries, l)
		}
	}
	pl.p.Report(Finding{
		Span:    at,
		Message: fmt.Sprintf("%s lacks %s: %s", ignorePath, countOf(len(entries), "entry", "entries"), capList(entries, 6)),
		Fix: &Fix{
			Message: fmt.Sprintf("Add %s to %s", countOf(len(entries), "entry", "entries"), ignorePath),
			Safety:  Safe,
			Files:   map[string][]rewrite.Edit{ignorePath: {appendLines(old, pl.added)}},
		},
	})
}

// capList joins the first max items with commas, and counts the rest.
func capList(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:max], ", "), len(items)-max)
}

// countOf writes n and the noun in the singular or the plural.
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// appendLines returns the edit that appends lines to an ignore file under
// addedComment, in the file's line ending, after a blank line, and after a
// line ending when the file lacks a final one.
func appendLines(old []byte, lines []string) rewrite.Edit {
	nl := "\n"
	if i := bytes.IndexByte(old, '\n'); i > 0 && old[i-1] == '\r' {
		nl = "\r\n"
	}
	var b strings.Builder
	if len(old) > 0 {
		if !bytes.HasSuffix(old, []byte("\n")) {
			b.WriteString(nl)
		}
		if trimmed := bytes.TrimRight(old, "\r\n"); len(trimmed) > 0 && bytes.Count(old[len(trimmed):], []byte("\n")) < 2 {
			b.WriteString(nl)
		}
	}
	b.WriteString(addedComment + nl)
	for _, l := range lines {
		b.WriteString(l + nl)
	}
	return rewrite.Edit{Span: rewrite.Span{Start: len(old), End: len(old)}, New: b.String()}
}
