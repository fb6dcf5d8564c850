package rewrite

import (
	"bytes"
	"strings"
)

// Joined is the logical line of an instruction — its physical lines joined the
// way BuildKit joins them — with a map back to byte offsets in [File.Src].
//
// Text keeps each physical line's bytes and ends every continued line with
// "\\\n", whatever the file's escape character, trailing blanks or line ending,
// so that a shell parser reads it as BuildKit's shell would. Comment lines and
// empty lines inside the continuation are left out of Text. Heredoc bodies are
// never part of it.
type Joined struct {
	Text    string
	Args    int  // offset in Text where the arguments start, after keyword and flags
	Skipped bool // comment or empty lines inside the continuation were left out
	// Comments is set when comment lines were left out (not only empty ones):
	// a rewrite of the instruction would lose them.
	Comments bool
	Heredoc  bool // the instruction has heredoc bodies after its logical line
	segs     []segment
}

type segment struct{ view, src, n int }

// Source maps an offset in j.Text to an offset in the file. An offset at the end
// of a continued line maps to the escape character that continues it.
func (j *Joined) Source(off int) int {
	for i := len(j.segs) - 1; i >= 0; i-- {
		s := j.segs[i]
		if off >= s.view {
			if off > s.view+s.n {
				off = s.view + s.n
			}
			return s.src + off - s.view
		}
	}
	return j.segs[0].src
}

// SourceSpan maps a span of j.Text to the file.
func (j *Joined) SourceSpan(start, end int) Span { return Span{j.Source(start), j.Source(end)} }

// Join returns the logical line of in.
func (f *File) Join(in *Instr) *Joined {
	j := &Joined{Heredoc: len(in.Node.Heredocs) > 0}
	var b strings.Builder
	first := true
	for n := in.StartLine; n <= in.EndLine; n++ {
		start, end := f.LineStart(n), f.LineEnd(n)
		if first {
			start = in.Span.Start
		} else if f.isComment(n) || len(bytes.TrimLeft(f.Src[start:end], " \t\v\f\r")) == 0 {
			j.Skipped = true
			j.Comments = j.Comments || f.isComment(n)
			continue
		}
		first = false
		line := f.Src[start:end]
		cont := continuation(line, f.Escape)
		if cont >= 0 {
			line = line[:cont]
		}
		j.segs = append(j.segs, segment{view: b.Len(), src: start, n: len(line)})
		b.Write(line)
		if cont < 0 {
			break
		}
		b.WriteString("\\\n")
	}
	j.Text = b.String()
	j.Args = argsStart(j.Text, len(in.Node.Flags))
	return j
}

// continuation returns the offset of the escape character that continues line
// (BuildKit's rule: the last non-blank character, not itself escaped), or -1.
func continuation(line []byte, esc byte) int {
	t := bytes.TrimRight(line, " \t")
	if len(t) == 0 || t[len(t)-1] != esc {
		return -1
	}
	if len(t) >= 2 && t[len(t)-2] == esc {
		return -1
	}
	return len(t) - 1
}

// argsStart skips the keyword and nflags flags (quotes respected) of a logical line.
func argsStart(s string, nflags int) int {
	i := skipBlank(s, 0)
	i = skipWord(s, i)
	for k := 0; k < nflags; k++ {
		i = skipWord(s, skipBlank(s, i))
	}
	return skipBlank(s, i)
}

func skipBlank(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t':
			i++
		case strings.HasPrefix(s[i:], "\\\n"):
			i += 2
		default:
			return i
		}
	}
	return i
}

func skipWord(s string, i int) int {
	var quote byte
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == ' ' || c == '\t' || c == '\n' || (c == '\\' && strings.HasPrefix(s[i:], "\\\n")):
			return i
		}
	}
	return i
}
