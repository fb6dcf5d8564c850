package shell

import (
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

func TestWordValueUnquotes(t *testing.T) {
	cases := []struct {
		word string
		want string
		ok   bool
	}{
		{`plain`, "plain", true},
		{`'single $x'`, "single $x", true},
		{`"double"`, "double", true},
		{`"a\"b"`, `a"b`, true},
		{`"a\\b"`, `a\b`, true},
		{`"a\$b"`, `a$b`, true},
		{`"a\nb"`, `a\nb`, true}, // \n is not special inside double quotes
		{`a\ b`, "a b", true},
		{`C:\\dir`, `C:\dir`, true},
		{"ab\\\ncd", "abcd", true},
		{`pre"mid"'post'`, "premidpost", true},
		{`$HOME`, "", false},
		{`"$HOME"`, "", false},
		{`*.txt`, "", false},
		{`$(date)`, "", false},
		{`$'x'`, "", false},
		{`~/x`, "", false},
	}
	for _, c := range cases {
		f, err := syntax.NewParser().Parse(strings.NewReader("cmd "+c.word), "")
		if err != nil {
			t.Fatalf("%s: %v", c.word, err)
		}
		w := f.Stmts[0].Cmd.(*syntax.CallExpr).Args[1]
		got, ok := WordValue(w)
		if got != c.want || ok != c.ok {
			t.Errorf("WordValue(%s) = %q, %v; want %q, %v", c.word, got, ok, c.want, c.ok)
		}
	}
}
