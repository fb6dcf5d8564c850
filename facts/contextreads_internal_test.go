package facts

import (
	"slices"
	"testing"

	"github.com/dfslim/dfslim/rewrite"
	bkshell "github.com/moby/buildkit/frontend/dockerfile/shell"
)

// TestReadsExpandDefaults checks that COPY sources are expanded as BuildKit
// expands them (:- - :+ +), with the stage's ARG and ENV, and that a
// variable a build argument may set is also read as a wildcard.
func TestReadsExpandDefaults(t *testing.T) {
	src := `FROM alpine
ARG EMPTY=""
ARG UNSET
ENV SET=val
COPY ${EMPTY:-a} ${EMPTY-b} ${UNSET-c} ${UNSET:+d} ${SET:+e} ${SET-f} ${OTHER:-g} /dst/
`
	f, err := rewrite.Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range ReadsOf(f).Stages[0].Reads {
		got = append(got, r.Path)
	}
	// known values, then every variable unknown (*), then every variable unset
	for _, want := range []string{"a", "c", "e", "val", "g", "*"} {
		if !slices.Contains(got, want) {
			t.Errorf("reads %q, want %q among them", got, want)
		}
	}
	known := map[string]string{"EMPTY": "", "SET": "val"}
	for _, r := range []struct{ word, want string }{
		{"${EMPTY:-a}", "a"}, {"${EMPTY-b}", ""}, {"${UNSET-c}", "c"}, {"${UNSET:+d}", ""},
		{"${SET:+e}", "e"}, {"${SET-f}", "val"}, {"x${OTHER}y", "xy"},
	} {
		lex := bkshell.NewLex(rune(f.Escape))
		if got := expandWord(lex, r.word, known, expandKnown); got != r.want {
			t.Errorf("known %s = %q, want %q", r.word, got, r.want)
		}
		if got := expandWord(lex, r.word, known, expandWild); r.word == "x${OTHER}y" && got != "x*y" {
			t.Errorf("wild %s = %q, want x*y", r.word, got)
		}
	}
}
