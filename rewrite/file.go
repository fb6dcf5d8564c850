package rewrite

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// MaxSize is the largest Dockerfile that [Parse] accepts, in bytes.
const MaxSize = 10 << 20

// File is a parsed Dockerfile that keeps its exact bytes.
type File struct {
	Name string // as given to Parse; used in error messages
	Src  []byte // the original bytes; never modified

	AST      *parser.Result            // BuildKit's parse of Src
	Stages   []instructions.Stage      // typed stages, from instructions.Parse
	MetaArgs []instructions.ArgCommand // ARGs before the first FROM
	Instrs   []*Instr                  // top-level instructions in source order

	Escape       byte   // the escape character: '\\' or '`'
	Newline      string // "\n" or "\r\n", the first line ending in the file
	BOM          bool   // Src starts with a UTF-8 byte order mark
	FinalNewline bool   // Src ends with a line ending
	Directives   int    // number of parser-directive lines at the top (# syntax=, # escape=, # check=)

	lineStart []int // byte offset of the start of each line; lineStart[0] is line 1

	memoMu sync.Mutex
	memo   map[any]any
}

// Instr is one top-level instruction and where it sits in [File.Src].
type Instr struct {
	Node      *parser.Node
	Cmd       string // lower-case keyword: "from", "run", …
	StartLine int    // 1-based, as BuildKit reports it
	EndLine   int    // last physical line, including heredoc bodies
	// CommentLine is the first line of the comment block directly above the
	// instruction (no blank line between), or StartLine when there is none.
	CommentLine int
	// Span runs from the keyword's first byte to the end of EndLine, line ending excluded.
	Span Span
}

// Error is a problem with a file at a line.
type Error struct {
	File string
	Line int // 1-based; 0 when the problem has no line
	Err  error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// maxLineSize is the longest line BuildKit's parser reads: its scanner's
// buffer (bufio.MaxScanTokenSize) less the line ending.
const maxLineSize = bufio.MaxScanTokenSize - 1

// Parse parses src as the Dockerfile called name. It accepts what BuildKit's
// parser and instructions.Parse accept, and rejects binary data, invalid UTF-8,
// files over [MaxSize] and files with no instruction, with an [*Error].
func Parse(name string, src []byte) (*File, error) {
	if len(src) > MaxSize {
		return nil, &Error{File: name, Err: fmt.Errorf("file is larger than %d MiB", MaxSize>>20)}
	}
	f := &File{Name: name, Src: src, Escape: '\\', Newline: "\n"}
	f.indexLines()
	if i := bytes.IndexByte(src, 0); i >= 0 {
		return nil, f.errorf(f.lineOf(i), "binary file (NUL byte)")
	}
	if !utf8.Valid(src) {
		off := 0
		for off < len(src) {
			r, n := utf8.DecodeRune(src[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return nil, f.errorf(f.lineOf(off), "invalid UTF-8")
	}
	// BuildKit's scanner stops at a line it cannot hold and names the line
	// before it: name the long line here.
	for i, start := range f.lineStart {
		end := len(src)
		if i+1 < len(f.lineStart) {
			end = f.lineStart[i+1] - 1 // the '\n'
		}
		if end-start > maxLineSize {
			return nil, f.errorf(i+1, "dockerfile line greater than max allowed size of %d", maxLineSize)
		}
	}
	f.BOM = bytes.HasPrefix(src, utf8BOM)
	if i := bytes.IndexByte(src, '\n'); i > 0 && src[i-1] == '\r' {
		f.Newline = "\r\n"
	}
	f.FinalNewline = len(src) > 0 && src[len(src)-1] == '\n'

	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, f.locate(err)
	}
	f.AST = res
	f.Escape = byte(res.EscapeToken)
	// A linter without a Warn function reports nothing; a nil one panics on
	// a "# check=..." comment above an instruction, which BuildKit reads.
	f.Stages, f.MetaArgs, err = instructions.Parse(res.AST, linter.New(&linter.Config{}))
	if err != nil {
		return nil, f.locate(err)
	}
	f.countDirectives()
	for _, n := range res.AST.Children {
		f.Instrs = append(f.Instrs, f.newInstr(n))
	}
	return f, nil
}

func (f *File) errorf(line int, format string, args ...any) error {
	return &Error{File: f.Name, Line: line, Err: fmt.Errorf(format, args...)}
}

// locate turns a BuildKit error into an *Error with the first line it names.
func (f *File) locate(err error) error {
	line := 0
	var le *parser.LocationError
	if errors.As(err, &le) {
		for _, rs := range le.Locations {
			if len(rs) > 0 {
				line = rs[0].Start.Line
				break
			}
		}
	}
	// BuildKit reports directive errors with the 0-based line number.
	if m := err.Error(); strings.Contains(m, "escape token") || strings.Contains(m, "parser directive") {
		line++
	}
	// Keep the message on one line: BuildKit's errors carry no newlines, but be sure.
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	if line > len(f.lineStart) {
		line = len(f.lineStart)
	}
	return &Error{File: f.Name, Line: line, Err: errors.New(msg)}
}

// indexLines records where each line starts. Lines end at '\n', as in BuildKit.
func (f *File) indexLines() {
	f.lineStart = append(f.lineStart[:0], 0)
	for i, c := range f.Src {
		if c == '\n' && i+1 < len(f.Src) {
			f.lineStart = append(f.lineStart, i+1)
		}
	}
}

// countDirectives counts the parser-directive lines at the top of the file,
// the way BuildKit's directive parser does.
func (f *File) countDirectives() {
	var dp parser.DirectiveParser
	for n := 1; n <= f.Lines(); n++ {
		line := bytes.TrimLeft(f.lineBytes(n), " \t\v\f\r")
		if n == 1 {
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		d, err := dp.ParseLine(line)
		if err != nil || d == nil {
			return
		}
		f.Directives = n
	}
}

func (f *File) newInstr(n *parser.Node) *Instr {
	in := &Instr{Node: n, Cmd: strings.ToLower(n.Value), StartLine: n.StartLine, EndLine: n.EndLine}
	start := f.LineStart(n.StartLine)
	if n.StartLine == 1 && f.BOM {
		start += len(utf8BOM)
	}
	for start < len(f.Src) && (f.Src[start] == ' ' || f.Src[start] == '\t') {
		start++
	}
	in.Span = Span{start, f.LineEnd(n.EndLine)}
	in.CommentLine = n.StartLine
	for l := n.StartLine - 1; l > f.Directives && f.isComment(l); l-- {
		in.CommentLine = l
	}
	return in
}

// Lines returns the number of lines in the file. A final line ending does not start a new line.
func (f *File) Lines() int { return len(f.lineStart) }

// LineStart returns the offset of the first byte of line n (1-based).
func (f *File) LineStart(n int) int {
	if n < 1 {
		return 0
	}
	if n > len(f.lineStart) {
		return len(f.Src)
	}
	return f.lineStart[n-1]
}

// LineEnd returns the offset just past the last byte of line n before its line ending.
func (f *File) LineEnd(n int) int {
	end := f.LineFullEnd(n)
	if end > 0 && f.Src[end-1] == '\n' {
		end--
		if end > 0 && f.Src[end-1] == '\r' {
			end--
		}
	}
	return end
}

// LineFullEnd returns the offset just past line n, including its line ending.
func (f *File) LineFullEnd(n int) int {
	if n >= len(f.lineStart) {
		return len(f.Src)
	}
	return f.lineStart[n]
}

func (f *File) lineBytes(n int) []byte { return f.Src[f.LineStart(n):f.LineEnd(n)] }

// Line returns the text of line n without its line ending.
func (f *File) Line(n int) string { return string(f.lineBytes(n)) }

func (f *File) isComment(n int) bool {
	line := bytes.TrimLeft(f.lineBytes(n), " \t")
	return len(line) > 0 && line[0] == '#'
}

// lineOf returns the 1-based line that holds offset off.
func (f *File) lineOf(off int) int {
	lo, hi := 0, len(f.lineStart)
	for lo < hi {
		m := (lo + hi) / 2
		if f.lineStart[m] <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// Position returns the 1-based line and column (in bytes) of offset off.
func (f *File) Position(off int) (line, col int) {
	line = f.lineOf(off)
	return line, off - f.LineStart(line) + 1
}

// Text returns the source text in s.
func (f *File) Text(s Span) string { return string(f.Src[s.Start:s.End]) }

// InstrAt returns the instruction that starts on line, or nil.
func (f *File) InstrAt(line int) *Instr {
	lo, hi := 0, len(f.Instrs)
	for lo < hi {
		m := (lo + hi) / 2
		switch l := f.Instrs[m].StartLine; {
		case l == line:
			return f.Instrs[m]
		case l < line:
			lo = m + 1
		default:
			hi = m
		}
	}
	return nil
}

// InstrOf returns the instruction of a typed command from [File.Stages], or nil.
func (f *File) InstrOf(cmd interface{ Location() []parser.Range }) *Instr {
	loc := cmd.Location()
	if len(loc) == 0 {
		return nil
	}
	return f.InstrAt(loc[0].Start.Line)
}

// Block returns the span of whole lines from the instruction's comment block
// through its last line, including that line's ending: what moves when the
// instruction moves.
func (f *File) Block(in *Instr) Span {
	return Span{f.LineStart(in.CommentLine), f.LineFullEnd(in.EndLine)}
}

// Indent returns the white space before the instruction's keyword.
func (f *File) Indent(in *Instr) string {
	start := f.LineStart(in.StartLine)
	if in.StartLine == 1 && f.BOM {
		start += len(utf8BOM)
	}
	return string(f.Src[start:in.Span.Start])
}

// Memo returns the value cached under key for this file, computing it with
// compute the first time. A File never changes, so anything derived from it
// alone can be cached for as long as the File lives; key should be a value of
// an unexported type of the caller's package, to avoid collisions.
func (f *File) Memo(key any, compute func() any) any {
	f.memoMu.Lock()
	v, ok := f.memo[key]
	f.memoMu.Unlock()
	if ok {
		return v
	}
	v = compute()
	f.memoMu.Lock()
	defer f.memoMu.Unlock()
	if f.memo == nil {
		f.memo = map[any]any{}
	}
	if old, ok := f.memo[key]; ok {
		return old
	}
	f.memo[key] = v
	return v
}
