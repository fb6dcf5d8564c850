package facts

import (
	// Registers SHA-256 with go-digest: without it, references pinned by
	// digest ("img:tag@sha256:…") do not parse, and ClassifyBase would call
	// them unknown images in a binary that links nothing else that imports it.
	_ "crypto/sha256"
	"strings"

	"github.com/dfslim/dfslim/rewrite"
)

// Stage is one build stage of a file: its FROM and the instructions up to
// the next FROM, and the earlier stage of the same file it builds on.
type Stage struct {
	name   string // the AS name, lower case, or ""
	Base   string // the FROM argument: an image or an earlier stage's name
	Parent *Stage
	Instrs []*rewrite.Instr // from the FROM on
}

// Stages splits f into its stages, in order.
func Stages(f *rewrite.File) []*Stage {
	var out []*Stage
	for _, in := range f.Instrs {
		if in.Cmd == "from" {
			st := &Stage{}
			if i := len(out); i < len(f.Stages) {
				st.name, st.Base = strings.ToLower(f.Stages[i].Name), f.Stages[i].BaseName
				if p := ParentIndex(f, i); p >= 0 {
					st.Parent = out[p]
				}
			}
			out = append(out, st)
		}
		if len(out) > 0 {
			last := out[len(out)-1]
			last.Instrs = append(last.Instrs, in)
		}
	}
	return out
}

// ParentIndex returns the index of the earlier stage that stage i of f
// builds on (its FROM names it by name or number), or -1 when it starts from
// an image. Stage.Parent, StageChain and the context reads all follow it.
func ParentIndex(f *rewrite.File, i int) int {
	return StageIndex(f, f.Stages[i].BaseName, i)
}

// StageAt returns the stage that holds the instruction starting on line, or nil.
func StageAt(stages []*Stage, line int) *Stage {
	var found *Stage
	for _, st := range stages {
		if st.Instrs[0].StartLine <= line {
			found = st
		}
	}
	return found
}

// Root returns the first stage of the chain st builds on.
func (st *Stage) Root() *Stage {
	for st.Parent != nil {
		st = st.Parent
	}
	return st
}

// inherits reports whether st is anc or builds on it.
func (st *Stage) inherits(anc *Stage) bool {
	for ; st != nil; st = st.Parent {
		if st == anc {
			return true
		}
	}
	return false
}

// Last returns the Last instruction with keyword cmd in the stage, else in
// the stages it builds on, or nil.
func (st *Stage) Last(cmd string) *rewrite.Instr {
	for ; st != nil; st = st.Parent {
		for i := len(st.Instrs) - 1; i >= 0; i-- {
			if st.Instrs[i].Cmd == cmd {
				return st.Instrs[i]
			}
		}
	}
	return nil
}

// Entrypoint returns the ENTRYPOINT in effect for the stage, or nil.
func (st *Stage) Entrypoint() *rewrite.Instr { return st.Last("entrypoint") }

// CmdBelow returns the line of a CMD in st or in a stage that builds on st, or 0.
func (st *Stage) CmdBelow(stages []*Stage) int {
	for _, other := range stages {
		if !other.inherits(st) {
			continue
		}
		for _, in := range other.Instrs {
			if in.Cmd == "cmd" {
				return in.StartLine
			}
		}
	}
	return 0
}
