package report

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// CleanPath is the name of a file as JSON and SARIF carry it:
// slash-separated, without a leading "./", control characters as they are
// (the encoder escapes them).
func CleanPath(p string) string {
	return path.Clean(filepath.ToSlash(p))
}

// DisplayPath is the name of a file in text listings and messages: CleanPath
// with its control characters escaped (see EscapeText); an absolute path
// keeps its "/".
func DisplayPath(p string) string {
	return EscapeText(CleanPath(p))
}

// PatchPath is the name of a file in a patch, relative as git writes it (the
// a/ and b/ prefixes come on top; rewrite.Unified quotes it).
func PatchPath(p string) string {
	return strings.TrimPrefix(CleanPath(p), "/")
}

// EscapeText writes the control characters of s (C0, DEL, C1, and the line
// and paragraph separators) as Go escapes (\n, \t, \x1b…), so that a file
// name or a message read from the build context cannot start a line of its
// own (a GitHub workflow command, say) or drive a terminal.
func EscapeText(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !isControl(r) {
			b.WriteRune(r)
			continue
		}
		switch r {
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x80 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		}
	}
	return b.String()
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029
}
