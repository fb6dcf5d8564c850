package shell

import (
	"slices"
	"strings"
)

// Args are the words of a command split into flags (with their values) and
// operands.
type Args struct {
	Flags    map[string][]string // flag name without dashes → values ("" for a bare flag)
	Operands []string
	Dynamic  bool // an operand or flag value needs run-time expansion
}

// ParseArgs splits args into flags and operands, for a tool whose flags named
// in valued take a value ("-o x", "-o=x", "--out x"). dyn[i] says args[i]
// needs expansion at run time.
func ParseArgs(args []string, dyn []bool, valued []string) Args {
	pa := Args{Flags: map[string][]string{}}
	for i := 0; i < len(args); i++ {
		x := args[i]
		if dyn[i] {
			pa.Dynamic = true
			pa.Operands = append(pa.Operands, "")
			continue
		}
		if x == "--" {
			pa.Operands = append(pa.Operands, args[i+1:]...)
			break
		}
		if len(x) < 2 || x[0] != '-' {
			pa.Operands = append(pa.Operands, x)
			continue
		}
		name := strings.TrimLeft(x, "-")
		value, hasValue := "", false
		if k := strings.Index(name, "="); k >= 0 {
			name, value, hasValue = name[:k], name[k+1:], true
		}
		if !hasValue && slices.Contains(valued, name) && i+1 < len(args) {
			i++
			value = args[i]
			pa.Dynamic = pa.Dynamic || dyn[i]
		}
		pa.Flags[name] = append(pa.Flags[name], value)
	}
	return pa
}

// Last returns the value of the last of the flags names given, and whether
// one was.
func (pa Args) Last(names ...string) (string, bool) {
	for _, n := range names {
		if v, ok := pa.Flags[n]; ok {
			return v[len(v)-1], true
		}
	}
	return "", false
}

// Has reports whether one of the flags names was given.
func (pa Args) Has(names ...string) bool {
	_, ok := pa.Last(names...)
	return ok
}
