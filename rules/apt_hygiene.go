package rules

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"maps"
	"path"
	"strings"

	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"mvdan.cc/sh/v3/syntax"
)

// AptHygiene keeps package managers from leaving caches and extra packages in
// the image: apt-get install gets --no-install-recommends, a RUN that runs
// apt-get update removes /var/lib/apt/lists/*, apk add gets --no-cache and pip
// install gets --no-cache-dir.
var AptHygiene = &Rule{
	Name:    "apt-hygiene",
	Summary: "Keep package-manager caches and recommended packages out of the image",
	Why: `
Package managers leave things in the layer that the application never uses: apt's package
lists (/var/lib/apt/lists, tens of MB), apk's index (/var/cache/apk) and pip's download
cache (~/.cache/pip); and apt-get install also installs every "recommended" package.
Removing them later in another RUN does not shrink the image, because the earlier layer
still holds them: it has to happen in the same RUN. The rule adds --no-install-recommends
to apt-get install, appends ` + "`&& rm -rf /var/lib/apt/lists/*`" + ` to a RUN that runs apt-get
update, adds --no-cache to apk add and --no-cache-dir to pip install (hadolint DL3015,
DL3009, DL3019, DL3042). It looks only at the stages that end up in the final image (the
last stage and the stages it builds on), and leaves alone a cache that a
` + "`RUN --mount=type=cache`" + ` (or tmpfs) already keeps out of the layer.`,
	FixSafety: `
Each fix inserts one flag after the install word, or appends one command after the RUN's
last command, so continuation lines, indentation and comments stay as they are. The lists
are removed only when the RUN's last command is a plain command joined by && or ; (not ||,
&, a subshell or a compound command), and only when no later RUN of the stage (or of a
stage built on it) uses apt without running apt-get update first, before a RUN that
updates them again. --no-install-recommends is not added when the same
stage installs a package that usually needs one of its recommendations (curl, wget or git
without ca-certificates, gnupg without dirmngr, python3-pip without build-essential), or
when the file configures APT::Install-Recommends itself; the finding says what to add.`,
	Safety: Safe,
	Before: `FROM debian:12-slim
RUN apt-get update \
    && apt-get install -y \
        ca-certificates \
        curl
RUN pip install -r requirements.txt
`,
	After: `FROM debian:12-slim
RUN apt-get update \
    && apt-get install --no-install-recommends -y \
        ca-certificates \
        curl && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
`,
	Run: runAptHygiene,
}

// Cache directories of the package managers, for matching cache mounts.
var (
	aptCacheDirs = []string{"/var/cache/apt", "/var/lib/apt"}
	apkCacheDirs = []string{"/var/cache/apk", "/etc/apk/cache"}
	pipCacheDirs = []string{"/root/.cache/pip"}
)

// recommendedNeeds maps packages to a package they only recommend but that
// their usual use needs, and what for.
var recommendedNeeds = map[string][2]string{
	"curl":        {"ca-certificates", "HTTPS"},
	"wget":        {"ca-certificates", "HTTPS"},
	"git":         {"ca-certificates", "HTTPS remotes"},
	"gnupg":       {"dirmngr", "fetching keys"},
	"gnupg2":      {"dirmngr", "fetching keys"},
	"python3-pip": {"build-essential", "building packages from source"},
}

// pkgCall is a package-manager command found in a shell program.
type pkgCall struct {
	*shell.Call
	tool string // "apt", "apk" or "pip"
	name string // the command as written: "apt-get", "pip3", …
	sub  int    // index in Args of the subcommand: "install", "add", …
}

// subcommand returns the subcommand, "" when there is none.
func (c *pkgCall) subcommand() string {
	if c.sub < 0 {
		return ""
	}
	return c.Args[c.sub]
}

// has reports whether any literal argument is one of flags, or starts with
// one of them followed by "=".
func (c *pkgCall) has(flags ...string) bool {
	for i, a := range c.Args {
		if c.Dynamic[i] {
			continue
		}
		for _, fl := range flags {
			if a == fl || strings.HasPrefix(a, fl+"=") {
				return true
			}
		}
	}
	return false
}

// hasAbbrev reports whether a literal argument is the long option full or an
// abbreviation of it at least as long as shortest (pip accepts unambiguous
// prefixes: --no-cache for --no-cache-dir), with or without "=value".
func (c *pkgCall) hasAbbrev(full, shortest string) bool {
	for i, a := range c.Args {
		a, _, _ = strings.Cut(a, "=")
		if !c.Dynamic[i] && len(a) >= len(shortest) && strings.HasPrefix(full, a) {
			return true
		}
	}
	return false
}

// operands returns the literal arguments after the subcommand that are not
// options or option values.
func (c *pkgCall) operands() []string {
	var out []string
	for i := c.sub + 1; c.sub >= 0 && i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case c.Dynamic[i] || a == "":
		case valueOptions[c.tool][a]:
			i++
		case !strings.HasPrefix(a, "-"):
			out = append(out, a)
		}
	}
	return out
}

// valueOptions are the options of each tool that take the next word as value.
var valueOptions = map[string]map[string]bool{
	"apt": {"-o": true, "-c": true, "-t": true, "-a": true, "-P": true, "--option": true,
		"--config-file": true, "--target-release": true, "--default-release": true,
		"--host-architecture": true, "--build-profiles": true},
	"apk": {"-X": true, "--repository": true, "-p": true, "--root": true, "--arch": true,
		"--cache-dir": true, "--keys-dir": true, "--repositories-file": true,
		"--cache-max-age": true, "--timeout": true, "--wait": true, "-t": true, "--virtual": true},
	"pip": {"--python": true, "--log": true, "--proxy": true, "--retries": true,
		"--timeout": true, "--exists-action": true, "--trusted-host": true, "--cert": true,
		"--client-cert": true, "--cache-dir": true},
}

// packageCall recognises apt-get/apt, apk and pip commands (also behind sudo
// or env, and as python -m pip). It returns nil for anything else, and for a
// command whose subcommand cannot be told because a word before it is dynamic.
func packageCall(c *shell.Call) *pkgCall {
	i := 0
	for i < len(c.Args) && !c.Dynamic[i] {
		switch name := path.Base(c.Args[i]); {
		case name == "sudo":
			i++
			continue
		case name == "env":
			i++
			for i < len(c.Args) && !c.Dynamic[i] && strings.Contains(c.Args[i], "=") && !strings.HasPrefix(c.Args[i], "-") {
				i++
			}
			continue
		case name == "apt-get" || name == "apt":
			return findSubcommand(c, "apt", i)
		case name == "apk":
			return findSubcommand(c, "apk", i)
		case versioned(name, "pip"):
			return findSubcommand(c, "pip", i)
		case versioned(name, "python"):
			for j := i + 1; j+1 < len(c.Args) && !c.Dynamic[j]; j++ {
				if c.Args[j] == "-m" {
					if m := c.Args[j+1]; !c.Dynamic[j+1] && versioned(m, "pip") {
						pc := findSubcommand(c, "pip", j+1)
						if pc != nil {
							pc.name = c.Args[i] + " -m " + m
						}
						return pc
					}
					return nil
				}
				if !strings.HasPrefix(c.Args[j], "-") || c.Args[j] == "-c" {
					return nil
				}
			}
			return nil
		}
		return nil
	}
	return nil
}

// versioned reports whether name is base followed by an optional version: pip, pip3, pip3.12.
func versioned(name, base string) bool {
	rest, ok := strings.CutPrefix(name, base)
	return ok && strings.Trim(rest, "0123456789.") == "" && !strings.HasPrefix(rest, ".")
}

// findSubcommand returns the call with its subcommand located after the tool
// word at index at, or nil when a dynamic word hides it.
func findSubcommand(c *shell.Call, tool string, at int) *pkgCall {
	pc := &pkgCall{Call: c, tool: tool, name: path.Base(c.Args[at]), sub: -1}
	for i := at + 1; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case c.Dynamic[i]:
			return nil
		case valueOptions[tool][a]:
			i++
		case !strings.HasPrefix(a, "-"):
			pc.sub = i
			return pc
		}
	}
	return pc
}

// aptRun is what apt-hygiene knows about one RUN instruction.
type aptRun struct {
	in     *rewrite.Instr
	stage  *facts.Stage
	shell  *shell.Script // nil: exec form, heredoc or unparsable
	calls  []*pkgCall
	mounts []string // targets of cache and tmpfs mounts
}

func runAptHygiene(p *Pass) error {
	f := p.File
	stages := p.Facts().Stages()
	if len(stages) == 0 {
		return nil
	}
	final := stages[len(stages)-1]
	runs := aptRuns(f, stages)
	recommendsConfigured := bytes.Contains(bytes.ToLower(f.Src), []byte("apt::install-recommends"))
	pipConfigured := setsPipCache(f)
	known := aptFactsOf(f, stages, runs)
	inFinal := map[*facts.Stage]bool{}
	for s := final; s != nil; s = s.Parent {
		inFinal[s] = true
	}
	for i, r := range runs {
		if r.shell == nil || !inFinal[r.stage] {
			continue
		}
		have := known.have[i]
		for _, c := range r.calls {
			switch {
			case c.tool == "apt" && c.subcommand() == "install":
				if !recommendsConfigured && !c.has("--no-install-recommends", "--install-recommends") && !c.mentions("install-recommends") {
					reportRecommends(p, r, c, have)
				}
			case c.tool == "apk" && c.subcommand() == "add":
				if !c.has("--no-cache", "--cache-dir") && !covers(r.mounts, apkCacheDirs) {
					insertFlag(p, r, c, "--no-cache", fmt.Sprintf("%s add without --no-cache keeps the package index in /var/cache/apk", c.name))
				}
			case c.tool == "pip" && c.subcommand() == "install":
				if !pipConfigured && !c.hasAbbrev("--no-cache-dir", "--no-ca") && !c.hasAbbrev("--cache-dir", "--ca") && !coversPip(r.mounts) && !assignsInShell(r.shell, "PIP_NO_CACHE_DIR", "PIP_CACHE_DIR") {
					insertFlag(p, r, c, "--no-cache-dir", fmt.Sprintf("%s install without --no-cache-dir keeps downloaded packages in ~/.cache/pip", c.name))
				}
			}
		}
		checkAptLists(p, r, known.laterNeed[i])
	}
	return nil
}

// aptRuns collects the RUN instructions of f with their shell programs,
// package commands and cache mounts.
func aptRuns(f *rewrite.File, stages []*facts.Stage) []*aptRun {
	var runs []*aptRun
	var st *facts.Stage // the stage of in
	next := 0           // the stage after it
	for _, in := range f.Instrs {
		if in.Cmd != "run" {
			continue
		}
		for next < len(stages) && stages[next].Instrs[0].StartLine <= in.StartLine {
			st, next = stages[next], next+1
		}
		if st == nil {
			continue
		}
		r := &aptRun{in: in, stage: st, shell: shell.Of(f, in), mounts: cacheMountTargets(in)}
		if r.shell != nil {
			for _, c := range r.shell.Calls() {
				if pc := packageCall(c); pc != nil {
					r.calls = append(r.calls, pc)
				}
			}
		}
		runs = append(runs, r)
	}
	return runs
}

// cacheMountTargets returns the cleaned targets of the RUN's cache and tmpfs
// mounts, read from its --mount flags.
func cacheMountTargets(in *rewrite.Instr) []string {
	var out []string
	for _, flag := range in.Node.Flags {
		val, ok := strings.CutPrefix(flag, "--mount=")
		if !ok {
			continue
		}
		fields, err := csv.NewReader(strings.NewReader(val)).Read()
		if err != nil {
			continue
		}
		typ, target := "bind", ""
		for _, field := range fields {
			key, value, _ := strings.Cut(field, "=")
			switch strings.ToLower(key) {
			case "type":
				typ = strings.ToLower(value)
			case "target", "dst", "destination":
				target = value
			}
		}
		if (typ == "cache" || typ == "tmpfs") && target != "" {
			out = append(out, path.Clean(target))
		}
	}
	return out
}

// aptFacts are what apt-hygiene needs to know about the RUNs around each
// RUN, computed once for the file so that the rule stays linear in its size.
type aptFacts struct {
	// have holds, per RUN, the packages of recommendedNeeds (the only ones
	// asked about) installed by it, by the RUNs before it in its stage and by
	// the stages it builds on.
	have []map[string]bool
	// laterNeed holds, per RUN, the first later RUN of its stage or of a stage
	// built on it that uses the apt lists before (or without) running apt-get
	// update, or nil.
	laterNeed []*rewrite.Instr
}

// aptFactsOf computes the aptFacts of runs, which are in file order.
func aptFactsOf(f *rewrite.File, stages []*facts.Stage, runs []*aptRun) *aptFacts {
	known := &aptFacts{have: make([]map[string]bool, len(runs)), laterNeed: make([]*rewrite.Instr, len(runs))}
	needs := map[string]bool{}
	for _, n := range recommendedNeeds {
		needs[n[0]] = true
	}
	runsOf := map[*facts.Stage][]int{}
	children := map[*facts.Stage][]*facts.Stage{}
	for i, r := range runs {
		runsOf[r.stage] = append(runsOf[r.stage], i)
	}
	for _, st := range stages {
		if st.Parent != nil {
			children[st.Parent] = append(children[st.Parent], st)
		}
	}
	// Forward: a stage starts with what the stage it builds on ended with
	// (stages come after the stages they build on).
	atEnd := map[*facts.Stage]map[string]bool{}
	for _, st := range stages {
		cur := map[string]bool{}
		if st.Parent != nil {
			cur = atEnd[st.Parent]
		}
		for _, i := range runsOf[st] {
			for _, c := range runs[i].calls {
				if c.tool != "apt" || c.subcommand() != "install" {
					continue
				}
				for _, pkg := range c.operands() {
					if name := aptPackageName(pkg); needs[name] && !cur[name] {
						cur = maps.Clone(cur) // a few entries at most
						cur[name] = true
					}
				}
			}
			known.have[i] = cur
		}
		atEnd[st] = cur
	}
	// Backward: a RUN that updates before using the lists covers every RUN
	// after it, in its stage and in the stages built on it.
	atStart := map[*facts.Stage]*rewrite.Instr{}
	for k := len(stages) - 1; k >= 0; k-- {
		st := stages[k]
		var need *rewrite.Instr
		for _, c := range children[st] {
			if n := atStart[c]; n != nil && (need == nil || n.StartLine < need.StartLine) {
				need = n
			}
		}
		rs := runsOf[st]
		for j := len(rs) - 1; j >= 0; j-- {
			known.laterNeed[rs[j]] = need
			switch aptListsUse(f, runs[rs[j]]) {
			case listsUsed:
				need = runs[rs[j]].in
			case listsUpdated:
				need = nil
			}
		}
		atStart[st] = need
	}
	return known
}

// listsUse is how a RUN uses the apt package lists.
type listsUse int

const (
	listsUntouched listsUse = iota
	listsUsed               // read before any apt-get update
	listsUpdated            // updated before any use
)

// aptListsUse tells how a RUN uses the apt lists. A RUN whose shell cannot
// be read uses them when it mentions apt.
func aptListsUse(f *rewrite.File, r *aptRun) listsUse {
	if r.shell == nil {
		if strings.Contains(f.Text(r.in.Span), "apt") {
			return listsUsed
		}
		return listsUntouched
	}
	for _, c := range r.shell.Calls() {
		if path.Base(c.Name()) == "apt-cache" {
			return listsUsed
		}
		pc := packageCall(c)
		switch {
		case pc == nil || pc.tool != "apt":
		case pc.subcommand() == "update":
			return listsUpdated
		case aptNeedsLists[pc.subcommand()]:
			return listsUsed
		}
	}
	return listsUntouched
}

// aptPackageName strips a version (=1.2) or release (/bookworm) and an
// architecture (:amd64) from an apt-get install operand.
func aptPackageName(op string) string {
	if i := strings.IndexAny(op, "=/"); i >= 0 {
		op = op[:i]
	}
	if i := strings.IndexByte(op, ':'); i >= 0 {
		op = op[:i]
	}
	return op
}

// mentions reports whether a literal argument contains s, ignoring case.
func (c *pkgCall) mentions(s string) bool {
	for i, a := range c.Args {
		if !c.Dynamic[i] && strings.Contains(strings.ToLower(a), s) {
			return true
		}
	}
	return false
}

func reportRecommends(p *Pass, r *aptRun, c *pkgCall, have map[string]bool) {
	for _, pkg := range c.operands() {
		need, ok := recommendedNeeds[aptPackageName(pkg)]
		if ok && !have[need[0]] {
			p.Reportf(r.shell.Span(c.Expr.Args[0]),
				"%s install without --no-install-recommends; adding it would drop %s, which %s needs for %s: install %s explicitly, then add the flag",
				c.name, need[0], aptPackageName(pkg), need[1], need[0])
			return
		}
	}
	insertFlag(p, r, c, "--no-install-recommends", fmt.Sprintf("%s install without --no-install-recommends also installs recommended packages", c.name))
}

// insertFlag reports msg with a fix that inserts flag right after the subcommand.
func insertFlag(p *Pass, r *aptRun, c *pkgCall, flag, msg string) {
	at := r.shell.Offset(c.Expr.Args[c.sub].End())
	p.Report(Finding{Span: r.shell.Span(c.Expr.Args[0]), Message: msg, Fix: &Fix{
		Message: "Add " + flag, Safety: Safe,
		Edits: []rewrite.Edit{{Span: rewrite.Span{Start: at, End: at}, New: " " + flag}},
	}})
}

// covers reports whether a mount target is one of dirs, inside one, or above one.
func covers(targets, dirs []string) bool {
	for _, t := range targets {
		for _, d := range dirs {
			if t == d || strings.HasPrefix(d, strings.TrimSuffix(t, "/")+"/") || strings.HasPrefix(t, d+"/") {
				return true
			}
		}
	}
	return false
}

// coversPip reports whether a mount holds pip's cache: /root/.cache/pip or any
// user's ~/.cache or ~/.cache/pip.
func coversPip(targets []string) bool {
	for _, t := range targets {
		if strings.HasSuffix(t, "/.cache") || strings.HasSuffix(t, "/.cache/pip") || strings.Contains(t, "/.cache/pip/") {
			return true
		}
	}
	return covers(targets, pipCacheDirs)
}

// setsPipCache reports whether an ENV or ARG of the file sets PIP_NO_CACHE_DIR
// or PIP_CACHE_DIR.
func setsPipCache(f *rewrite.File) bool {
	isPip := func(k string) bool { return k == "PIP_NO_CACHE_DIR" || k == "PIP_CACHE_DIR" }
	for _, a := range f.MetaArgs {
		for _, kv := range a.Args {
			if isPip(kv.Key) {
				return true
			}
		}
	}
	for _, st := range f.Stages {
		for _, cmd := range st.Commands {
			switch c := cmd.(type) {
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					if isPip(kv.Key) {
						return true
					}
				}
			case *instructions.ArgCommand:
				for _, kv := range c.Args {
					if isPip(kv.Key) {
						return true
					}
				}
			}
		}
	}
	return false
}

// assignsInShell reports whether the program assigns one of names (inline,
// or with export).
func assignsInShell(s *shell.Script, names ...string) bool {
	found := false
	syntax.Walk(s.File, func(n syntax.Node) bool {
		if a, ok := n.(*syntax.Assign); ok && a.Name != nil {
			for _, name := range names {
				found = found || a.Name.Value == name
			}
		}
		return !found
	})
	return found
}

// checkAptLists reports a RUN that runs apt-get update without removing the
// package lists, with a fix that appends the removal when that is safe.
// later is the first later RUN that uses the lists without updating them.
func checkAptLists(p *Pass, r *aptRun, later *rewrite.Instr) {
	var update *pkgCall
	for _, c := range r.calls {
		if c.tool == "apt" && c.subcommand() == "update" && update == nil {
			update = c
		}
	}
	if update == nil || covers(r.mounts, aptCacheDirs) || removesAptLists(r) {
		return
	}
	span := r.shell.Span(update.Expr.Args[0])
	msg := fmt.Sprintf("%s update leaves package lists in /var/lib/apt/lists", update.name)
	if reason := appendBlocker(r.shell.File); reason != "" {
		p.Reportf(span, "%s; removing them in this RUN needs a hand edit: %s", msg, reason)
		return
	}
	if later != nil {
		p.Reportf(span, "%s; they are not removed because the RUN on line %d uses apt without updating first", msg, later.StartLine)
		return
	}
	last := r.shell.File.Stmts[len(r.shell.File.Stmts)-1]
	end := last.Cmd.End()
	for _, rd := range last.Redirs {
		if rd.End().After(end) {
			end = rd.End()
		}
	}
	at := r.shell.Offset(end)
	p.Report(Finding{Span: span, Message: msg + "; remove them in the same RUN", Fix: &Fix{
		Message: "Remove /var/lib/apt/lists/* at the end of the RUN", Safety: Safe,
		Edits: []rewrite.Edit{{Span: rewrite.Span{Start: at, End: at}, New: " && rm -rf /var/lib/apt/lists/*"}},
	}})
}

// removesAptLists reports whether the RUN already removes the apt lists: a
// word naming /var/lib/apt/lists (rm, find …), rm of a directory above it, or
// apt-get distclean.
func removesAptLists(r *aptRun) bool {
	for _, c := range r.calls {
		if c.tool == "apt" && (c.subcommand() == "distclean" || c.subcommand() == "dist-clean") {
			return true
		}
	}
	found := false
	syntax.Walk(r.shell.File, func(n syntax.Node) bool {
		if w, ok := n.(*syntax.Word); ok {
			text := strings.Trim(r.shell.Text(w), `"'`)
			found = found || strings.Contains(text, "/var/lib/apt/lists")
			dir := path.Clean(strings.TrimSuffix(text, "*"))
			found = found || dir == "/var/lib/apt" || dir == "/var/lib"
		}
		return !found
	})
	return found
}

// appendBlocker returns why appending "&& cmd" after the program's last
// command would not simply run cmd after it, or "".
func appendBlocker(prog *syntax.File) string {
	if len(prog.Stmts) == 0 {
		return "the RUN is empty"
	}
	last := prog.Stmts[len(prog.Stmts)-1]
	switch {
	case last.Background || last.Coprocess || last.Disown:
		return "the last command runs in the background (&)"
	case last.Negated:
		return "the last command is negated (!)"
	}
	if usesOr(last.Cmd) {
		return "the last command list uses ||"
	}
	cmd := last.Cmd
	for {
		b, ok := cmd.(*syntax.BinaryCmd)
		if !ok {
			break
		}
		if b.Y.Negated || b.Y.Background {
			return "the last command is negated or in the background"
		}
		cmd = b.Y.Cmd
	}
	if _, ok := cmd.(*syntax.CallExpr); !ok {
		return "the last command is " + shell.CompoundName(cmd)
	}
	return ""
}

// usesOr reports whether a list of commands joined by &&, || and pipes uses ||.
func usesOr(cmd syntax.Command) bool {
	b, ok := cmd.(*syntax.BinaryCmd)
	return ok && (b.Op == syntax.OrStmt || usesOr(b.X.Cmd) || usesOr(b.Y.Cmd))
}

// aptNeedsLists are the apt-get and apt subcommands that read the package lists.
var aptNeedsLists = map[string]bool{
	"install": true, "upgrade": true, "dist-upgrade": true, "full-upgrade": true,
	"build-dep": true, "source": true, "download": true, "satisfy": true, "reinstall": true,
	"search": true, "show": true, "policy": true, "list": true, "changelog": true,
}
