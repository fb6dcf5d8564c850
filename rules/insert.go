package rules

import (
	"strings"
	"unicode"

	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// keyword returns the instruction keyword kw in the casing the file uses: lower
// case when most of its instructions are written in lower case, else upper.
func keyword(f *rewrite.File, kw string) string {
	lower, upper := 0, 0
	for _, in := range f.Instrs {
		end := in.Span.Start + len(in.Cmd)
		if end > len(f.Src) {
			continue
		}
		switch word := string(f.Src[in.Span.Start:end]); word {
		case strings.ToLower(word):
			lower++
		default:
			upper++
		}
	}
	if lower > upper {
		return strings.ToLower(kw)
	}
	return strings.ToUpper(kw)
}

// keywordText returns the keyword of in as written in the file.
func keywordText(f *rewrite.File, in *rewrite.Instr) string {
	return string(f.Src[in.Span.Start : in.Span.Start+len(in.Cmd)])
}

// lineBefore returns an edit that inserts text as a line of its own above in
// and above the comments that belong to in, indented like in.
func lineBefore(f *rewrite.File, in *rewrite.Instr, text string) rewrite.Edit {
	at := f.LineStart(in.CommentLine)
	if in.CommentLine == 1 && f.BOM {
		at += 3
	}
	return rewrite.Edit{Span: rewrite.Span{Start: at, End: at}, New: f.Indent(in) + text + f.Newline}
}

// lineAfter returns an edit that inserts text as a line of its own below in,
// indented like in. At the end of a file without a final newline the new
// line gets none either.
func lineAfter(f *rewrite.File, in *rewrite.Instr, text string) rewrite.Edit {
	at := f.LineFullEnd(in.EndLine)
	line := f.Indent(in) + text
	if at == len(f.Src) && !f.FinalNewline {
		return rewrite.Edit{Span: rewrite.Span{Start: at, End: at}, New: f.Newline + line}
	}
	return rewrite.Edit{Span: rewrite.Span{Start: at, End: at}, New: line + f.Newline}
}

// finalImageStage returns the final stage when it starts from an image (not
// from an earlier stage) and the span of that image reference in its FROM.
func finalImageStage(f *rewrite.File) (final *instructions.Stage, ref rewrite.Span, ok bool) {
	n := len(f.Stages)
	if n == 0 {
		return nil, rewrite.Span{}, false
	}
	final = &f.Stages[n-1]
	if len(final.Location) == 0 || facts.StageIndex(f, final.BaseName, n-1) >= 0 {
		return nil, rewrite.Span{}, false
	}
	from := f.InstrAt(final.Location[0].Start.Line)
	if from == nil {
		return nil, rewrite.Span{}, false
	}
	ref, ok = fromImageSpan(f, from)
	return final, ref, ok
}

// fromImageSpan returns the span of the image reference of a FROM
// instruction: the first argument after its flags.
func fromImageSpan(f *rewrite.File, in *rewrite.Instr) (rewrite.Span, bool) {
	if in.Cmd != "from" || in.Node.Next == nil {
		return rewrite.Span{}, false
	}
	j := f.Join(in)
	start := j.Args
	end := start
	for end < len(j.Text) && !unicode.IsSpace(rune(j.Text[end])) && !strings.HasPrefix(j.Text[end:], "\\\n") {
		end++
	}
	if j.Text[start:end] != in.Node.Next.Value {
		return rewrite.Span{}, false
	}
	return j.SourceSpan(start, end), true
}
