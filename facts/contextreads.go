package facts

import (
	"bytes"
	"encoding/csv"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	bkshell "github.com/moby/buildkit/frontend/dockerfile/shell"
)

// ContextRead is one path, or pattern, that an instruction reads from the
// build context: a COPY or ADD source, or the source of a RUN
// --mount=type=bind without from=.
type ContextRead struct {
	// Path is a clean slash path relative to the context root, "." for the
	// whole context. It may hold wildcards (see Wildcard).
	Path string
	// Wildcard is set when Path is a pattern: it had * ? or [, or a
	// variable whose value is unknown (written as *).
	Wildcard bool
	Instr    *rewrite.Instr
}

// All reports whether the read takes the whole context: ".", "*" or "**".
func (r ContextRead) All() bool {
	return r.Path == "." || r.Path == "*" || r.Path == "**" || r.Path == "**/*"
}

// StageReads is one build stage as far as the context is concerned: what it
// reads from it and which commands its RUN instructions run.
type StageReads struct {
	name   string      // the AS name, lower case
	Parent *StageReads // the earlier stage it is built FROM, or nil
	Reads  []ContextRead
	calls  [][]string // the words of each simple command of its RUNs; "" where a word is dynamic
	// Unknown is set when the stage may read the context in ways the
	// Dockerfile does not show: an ONBUILD base image.
	Unknown bool
}

// Ran reports whether a RUN of the stage, or of a stage it builds on, runs a
// command for which match is true.
func (st *StageReads) Ran(match func(call []string) bool) bool {
	for s := st; s != nil; s = s.Parent {
		for _, c := range s.calls {
			if match(c) {
				return true
			}
		}
	}
	return false
}

// Reads is what one Dockerfile reads from its build context.
type Reads struct {
	Stages []*StageReads
	// Words holds the base names of the literal Words of every RUN command
	// (not the command names; for --flag=value, the value): the files a RUN
	// may read.
	Words map[string]bool
}

// unknownVar stands for a variable whose value is unknown while expanding.
const unknownVar = "\x00"

// ReadsOf returns what f reads from its build context.
func ReadsOf(f *rewrite.File) *Reads {
	dr := &Reads{Words: map[string]bool{}}
	lex := bkshell.NewLex(rune(f.Escape))
	meta := map[string]string{}
	for _, a := range f.MetaArgs {
		for _, kv := range a.Args {
			if kv.Value != nil {
				meta[kv.Key] = *kv.Value
			}
		}
	}
	type built struct {
		st  *StageReads
		env map[string]string // its ENV and ARG values, for the stages built on it
	}
	builts := make([]built, 0, len(f.Stages))
	for i, stage := range f.Stages {
		st := &StageReads{name: strings.ToLower(stage.Name)}
		env := map[string]string{} // known values: ENV, and ARG defaults
		p := ParentIndex(f, i)
		switch {
		case p >= 0:
			base := builts[p]
			st.Parent = base.st
			for k, v := range base.env {
				env[k] = v
			}
		case isOnbuildImage(stage.BaseName):
			st.Unknown = true
		}
		for _, cmd := range stage.Commands {
			in := f.InstrOf(cmd)
			switch c := cmd.(type) {
			case *instructions.ArgCommand:
				for _, kv := range c.Args {
					switch {
					case kv.Value != nil:
						env[kv.Key] = expandWord(lex, *kv.Value, env, expandKnown)
					case meta[kv.Key] != "":
						env[kv.Key] = meta[kv.Key]
					default:
						delete(env, kv.Key)
					}
				}
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					env[kv.Key] = expandWord(lex, kv.Value, env, expandKnown)
				}
			case *instructions.CopyCommand:
				if c.From == "" {
					st.addSources(lex, c.SourcePaths, env, in)
				}
			case *instructions.AddCommand:
				var local []string
				for _, s := range c.SourcePaths {
					if !isRemoteSource(s) {
						local = append(local, s)
					}
				}
				st.addSources(lex, local, env, in)
			case *instructions.RunCommand:
				if in == nil {
					continue
				}
				for _, src := range bindMountSources(in.Node.Flags) {
					st.addSources(lex, []string{src}, env, in)
				}
				for _, call := range runCalls(f, in, c) {
					st.calls = append(st.calls, call)
					dr.addWords(call)
				}
			}
		}
		builts = append(builts, built{st, env})
		dr.Stages = append(dr.Stages, st)
	}
	return dr
}

// addWords records the base names of the words of a call that may name a
// file it reads. The destination of cp, mv, ln, install and rsync is left out:
// it is written, not read.
func (dr *Reads) addWords(call []string) {
	args := call[1:]
	switch call[0] {
	case "cp", "mv", "ln", "install", "rsync":
		for k := len(args) - 1; k >= 0; k-- {
			if !strings.HasPrefix(args[k], "-") {
				args = append(args[:k:k], args[k+1:]...)
				break
			}
		}
	}
	for _, w := range args {
		if _, v, ok := strings.Cut(w, "="); ok && strings.HasPrefix(w, "-") {
			w = v
		}
		if w != "" {
			dr.Words[path.Base(w)] = true
		}
	}
}

// addSources records the context sources of one instruction. Each is
// expanded with BuildKit's bkshell.Lex three times, since a build argument can
// change any ARG and the base image's ENV is not known: with the values the
// Dockerfile gives its variables (ARG defaults, ENV; any other variable unset,
// so that ${X:-default} reads default), with every variable set to an unknown
// value (the wildcard *, so ${X:+alt} reads alt), and with every variable
// unset.
func (st *StageReads) addSources(lex *bkshell.Lex, srcs []string, env map[string]string, in *rewrite.Instr) {
	seen := map[string]bool{}
	for _, src := range srcs {
		for _, mode := range []expandMode{expandKnown, expandWild, expandUnset} {
			p := cleanContextPath(expandWord(lex, src, env, mode))
			if seen[p] {
				continue
			}
			seen[p] = true
			st.Reads = append(st.Reads, ContextRead{Path: p, Wildcard: strings.ContainsAny(p, "*?["), Instr: in})
		}
	}
}

// expandMode says what expandWord takes a variable's value to be.
type expandMode int

const (
	expandKnown expandMode = iota // the value in env; unset when not there
	expandWild                    // an unknown value, written *
	expandUnset                   // unset
)

// expandWord expands the variables in a Dockerfile word the way BuildKit does
// for COPY sources, and removes its quotes. An unknown value becomes *.
func expandWord(lex *bkshell.Lex, word string, env map[string]string, mode expandMode) string {
	res, _, err := lex.ProcessWord(word, expandEnv{env, mode})
	if err != nil {
		res = word // BuildKit fails the same way at build time; read it as written
	}
	return strings.ReplaceAll(res, unknownVar, "*")
}

// expandEnv is the environment of expandWord.
type expandEnv struct {
	known map[string]string
	mode  expandMode
}

// Get returns the value of key for the expansion mode of e.
func (e expandEnv) Get(key string) (string, bool) {
	switch e.mode {
	case expandWild:
		return unknownVar, true
	case expandKnown:
		v, ok := e.known[key]
		return v, ok
	}
	return "", false
}

// Keys returns the names of the variables e knows.
func (e expandEnv) Keys() []string {
	if e.mode == expandUnset {
		return nil
	}
	keys := make([]string, 0, len(e.known))
	for k := range e.known {
		keys = append(keys, k)
	}
	return keys
}

// cleanContextPath makes a source path relative to the context root, as
// BuildKit does: a leading / and .. are relative to the root, and the ./
// pivot of COPY --parents is dropped.
func cleanContextPath(p string) string {
	c := path.Clean("/" + p)
	if c == "/" {
		return "."
	}
	return c[1:]
}

// isRemoteSource reports whether an ADD source is a URL or a Git repository.
func isRemoteSource(s string) bool {
	return strings.Contains(s, "://") || strings.HasPrefix(s, "git@")
}

// isOnbuildImage reports whether a base image is one of the ONBUILD variants
// (node:onbuild, python:3-onbuild…) whose triggers copy the context.
func isOnbuildImage(ref string) bool {
	return strings.Contains(strings.ToLower(ref), "onbuild")
}

// bindMountSources returns the context paths that RUN --mount=type=bind
// flags without from= read ("." when no source is given).
func bindMountSources(flags []string) []string {
	var out []string
	for _, fl := range flags {
		val, ok := strings.CutPrefix(fl, "--mount=")
		if !ok {
			continue
		}
		fields, err := csv.NewReader(strings.NewReader(val)).Read()
		if err != nil {
			continue
		}
		typ, from, src := "bind", "", "."
		for _, field := range fields {
			k, v, _ := strings.Cut(field, "=")
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "type":
				typ = strings.ToLower(v)
			case "from":
				from = v
			case "source", "src":
				src = v
			}
		}
		if typ == "bind" && from == "" {
			out = append(out, src)
		}
	}
	return out
}

// runCalls returns the simple commands a RUN runs, each as its words with
// wrappers (sudo, env, npx…) removed, the command name reduced to its base
// name, and "python -m X" read as X.
func runCalls(f *rewrite.File, in *rewrite.Instr, run *instructions.RunCommand) [][]string {
	var raw [][]string
	switch {
	case len(run.Files) > 0:
		for _, h := range run.Files {
			raw = append(raw, shellCalls(f, in, h.Data)...)
		}
	case !run.PrependShell:
		args := run.CmdLine
		if len(args) >= 3 && isShellName(args[0]) && args[1] == "-c" {
			raw = shellCalls(f, in, args[2])
		} else if len(args) > 0 {
			raw = [][]string{args}
		}
	default:
		if s := shell.Of(f, in); s != nil {
			for _, c := range s.Calls() {
				raw = append(raw, c.Args)
			}
		}
	}
	var out [][]string
	for _, c := range raw {
		if c = unwrapCall(c); len(c) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// shellCalls parses a script that in runs and returns the words of its simple
// commands.
func shellCalls(f *rewrite.File, in *rewrite.Instr, script string) [][]string {
	s := shell.Text(f, in, script)
	if s == nil {
		return nil
	}
	var out [][]string
	for _, c := range s.Calls() {
		out = append(out, c.Args)
	}
	return out
}

func isShellName(s string) bool {
	switch path.Base(s) {
	case "sh", "bash", "ash", "dash", "zsh":
		return true
	}
	return false
}

// unwrapCall strips command wrappers and normalises the command name.
func unwrapCall(c []string) []string {
	for len(c) > 0 {
		c[0] = path.Base(c[0])
		switch name := c[0]; {
		case name == "sudo" || name == "exec" || name == "time" || name == "nice" || name == "nohup" || name == "npx" || name == "bunx":
			c = skipFlags(c[1:])
		case name == "env":
			c = c[1:]
			for len(c) > 0 && (strings.Contains(c[0], "=") || strings.HasPrefix(c[0], "-")) {
				c = c[1:]
			}
		case (name == "pnpm" || name == "yarn") && len(c) > 1 && c[1] == "dlx":
			c = skipFlags(c[2:])
		case pythonName.MatchString(name) && len(c) > 2 && c[1] == "-m":
			c = c[2:]
		case PipName.MatchString(name):
			c[0] = "pip"
			return c
		case pythonName.MatchString(name) && len(c) > 1 && path.Base(c[1]) == "setup.py":
			return append([]string{"setup.py"}, c[2:]...)
		case name == "mvnw":
			c[0] = "mvn"
			return c
		case name == "gradlew":
			c[0] = "gradle"
			return c
		default:
			return c
		}
	}
	return c
}

func skipFlags(c []string) []string {
	for len(c) > 0 && strings.HasPrefix(c[0], "-") {
		c = c[1:]
	}
	return c
}

// HasFlag reports whether a call has one of the flags.
func HasFlag(c []string, flags ...string) bool {
	for _, w := range c[1:] {
		for _, f := range flags {
			if w == f || strings.HasPrefix(w, f+"=") {
				return true
			}
		}
	}
	return false
}

// ReadsOfFile parses another Dockerfile of the context. One that cannot be
// read or parsed is taken to read the whole context and rebuild nothing; an
// empty one reads nothing.
func ReadsOfFile(ctx fs.FS, name string) *Reads {
	src, err := fs.ReadFile(ctx, name)
	if err != nil {
		return &Reads{Stages: []*StageReads{{Unknown: true}}, Words: map[string]bool{}}
	}
	if len(bytes.TrimSpace(src)) == 0 {
		return &Reads{Words: map[string]bool{}} // builds nothing, reads nothing
	}
	readsCache.Lock()
	defer readsCache.Unlock()
	if dr, ok := readsCache.m[string(src)]; ok {
		return dr
	}
	dr := &Reads{Stages: []*StageReads{{Unknown: true}}, Words: map[string]bool{}}
	if f, err := rewrite.Parse(name, src); err == nil {
		dr = ReadsOf(f)
	}
	if readsCache.m == nil || len(readsCache.m) >= 4096 {
		readsCache.m = map[string]*Reads{}
	}
	readsCache.m[string(src)] = dr
	return dr
}

// readsCache holds the reads of the other Dockerfiles of a context, by
// content: a directory of many Dockerfiles that share one ignore file is
// parsed once, not once for each of them. The values are never modified.
var readsCache struct {
	sync.Mutex
	m map[string]*Reads
}
