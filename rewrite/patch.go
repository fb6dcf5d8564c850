package rewrite

import (
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// contextLines is the number of unchanged lines around each change in a hunk.
const contextLines = 3

// Unified returns a git-style unified diff that turns old into new, with
// 3 lines of context, or nil when they are equal. The file is labelled
// a/name and b/name, quoted as git quotes them (see quotePath), with git's
// TAB after a name holding a space; created selects "--- /dev/null" for a
// new file.
// Lines keep their own endings, so CRLF files round-trip through git apply
// and patch -p1.
func Unified(name string, old, new []byte, created bool) []byte {
	if string(old) == string(new) {
		return nil
	}
	ops := lineOps(string(old), string(new))
	var b strings.Builder
	a, bn := quotePath("a/"+name), quotePath("b/"+name)
	tab := "" // git ends a ---/+++ name holding a space with a TAB
	if strings.Contains(name, " ") && !strings.HasPrefix(a, `"`) {
		tab = "\t"
	}
	fmt.Fprintf(&b, "diff --git %s %s\n", a, bn)
	if created {
		fmt.Fprintf(&b, "new file mode 100644\n--- /dev/null\n")
	} else {
		fmt.Fprintf(&b, "--- %s%s\n", a, tab)
	}
	fmt.Fprintf(&b, "+++ %s%s\n", bn, tab)
	writeHunks(&b, ops)
	return []byte(b.String())
}

// quotePath quotes a patch path as git does: inside "…", with C escapes
// (\t, \n, \", \\, octal for other control characters), when it holds a
// control character, a quote or a backslash. Other bytes, UTF-8 included,
// are written as they are.
func quotePath(p string) string {
	if !strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '"' || r == '\\' }) {
		return p
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\v':
			b.WriteString(`\v`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(&b, "\\%03o", c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

type lineOp struct {
	kind byte // ' ', '-' or '+'
	text string
}

// lineOps diffs old and new line by line with diffmatchpatch's line mode.
func lineOps(old, new string) []lineOp {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // always a minimal diff; Dockerfiles are small
	a, b, lines := dmp.DiffLinesToChars(old, new)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)
	var ops []lineOp
	for _, d := range diffs {
		kind := byte(' ')
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			kind = '-'
		case diffmatchpatch.DiffInsert:
			kind = '+'
		}
		for _, l := range splitLines(d.Text) {
			ops = append(ops, lineOp{kind, l})
		}
	}
	return ops
}

// splitLines splits s after each '\n', keeping the line endings.
func splitLines(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

func writeHunks(b *strings.Builder, ops []lineOp) {
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		// A hunk starts contextLines before the change and ends when the
		// unchanged run after a change is longer than 2*contextLines.
		start := max(i-contextLines, 0)
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*contextLines {
				end = min(end+contextLines, len(ops))
				break
			}
			end = run
		}
		writeHunk(b, ops, start, end)
		i = end
	}
}

func writeHunk(b *strings.Builder, ops []lineOp, start, end int) {
	oldLine, newLine := 1, 1
	for _, op := range ops[:start] {
		if op.kind != '+' {
			oldLine++
		}
		if op.kind != '-' {
			newLine++
		}
	}
	var oldN, newN int
	for _, op := range ops[start:end] {
		if op.kind != '+' {
			oldN++
		}
		if op.kind != '-' {
			newN++
		}
	}
	if oldN == 0 {
		oldLine--
	}
	if newN == 0 {
		newLine--
	}
	fmt.Fprintf(b, "@@ -%s +%s @@\n", hunkRange(oldLine, oldN), hunkRange(newLine, newN))
	for _, op := range ops[start:end] {
		b.WriteByte(op.kind)
		b.WriteString(op.text)
		if !strings.HasSuffix(op.text, "\n") {
			b.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

func hunkRange(line, n int) string {
	if n == 1 {
		return fmt.Sprint(line)
	}
	return fmt.Sprintf("%d,%d", line, n)
}
