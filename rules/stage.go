package rules

import (
	// Registers SHA-256 with go-digest: without it, references pinned by
	// digest ("img:tag@sha256:…") do not parse, and ClassifyBase would call
	// them unknown images in a binary that links nothing else that imports it.
	_ "crypto/sha256"
	"strings"

	"github.com/dfslim/dfslim/rewrite"
)

// stageInfo is one build stage of a file: its FROM and the instructions up to
// the next FROM, and the earlier stage of the same file it builds on.
type stageInfo struct {
	name   string // the AS name, lower case, or ""
	base   string // the FROM argument: an image or an earlier stage's name
	parent *stageInfo
	instrs []*rewrite.Instr // from the FROM on
}

// stagesOf splits f into its stages, in order.
func stagesOf(f *rewrite.File) []*stageInfo {
	var out []*stageInfo
	for _, in := range f.Instrs {
		if in.Cmd == "from" {
			st := &stageInfo{}
			if i := len(out); i < len(f.Stages) {
				st.name, st.base = strings.ToLower(f.Stages[i].Name), f.Stages[i].BaseName
			}
			for _, prev := range out {
				if prev.name != "" && prev.name == strings.ToLower(st.base) {
					st.parent = prev
				}
			}
			out = append(out, st)
		}
		if len(out) > 0 {
			last := out[len(out)-1]
			last.instrs = append(last.instrs, in)
		}
	}
	return out
}

// stageAt returns the stage that holds the instruction starting on line, or nil.
func stageAt(stages []*stageInfo, line int) *stageInfo {
	var found *stageInfo
	for _, st := range stages {
		if st.instrs[0].StartLine <= line {
			found = st
		}
	}
	return found
}

// root returns the first stage of the chain st builds on.
func (st *stageInfo) root() *stageInfo {
	for st.parent != nil {
		st = st.parent
	}
	return st
}

// inherits reports whether st is anc or builds on it.
func (st *stageInfo) inherits(anc *stageInfo) bool {
	for ; st != nil; st = st.parent {
		if st == anc {
			return true
		}
	}
	return false
}

// last returns the last instruction with keyword cmd in the stage, else in
// the stages it builds on, or nil.
func (st *stageInfo) last(cmd string) *rewrite.Instr {
	for ; st != nil; st = st.parent {
		for i := len(st.instrs) - 1; i >= 0; i-- {
			if st.instrs[i].Cmd == cmd {
				return st.instrs[i]
			}
		}
	}
	return nil
}

// entrypoint returns the ENTRYPOINT in effect for the stage, or nil.
func (st *stageInfo) entrypoint() *rewrite.Instr { return st.last("entrypoint") }

// cmdBelow returns the line of a CMD in st or in a stage that builds on st, or 0.
func (st *stageInfo) cmdBelow(stages []*stageInfo) int {
	for _, other := range stages {
		if !other.inherits(st) {
			continue
		}
		for _, in := range other.instrs {
			if in.Cmd == "cmd" {
				return in.StartLine
			}
		}
	}
	return 0
}
