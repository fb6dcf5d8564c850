package rewrite

import (
	"strings"
	"testing"
)

func TestApply(t *testing.T) {
	src := []byte("FROM a\nRUN b\n")
	tests := []struct {
		name    string
		edits   []Edit
		want    string
		wantErr string
	}{
		{"none", nil, "FROM a\nRUN b\n", ""},
		{"replace", []Edit{{Span{0, 4}, "from"}}, "from a\nRUN b\n", ""},
		{"insert and replace at same offset", []Edit{{Span{7, 10}, "CMD"}, {Span{7, 7}, "# x\n"}}, "FROM a\n# x\nCMD b\n", ""},
		{"identical edits coalesce", []Edit{{Span{0, 4}, "from"}, {Span{0, 4}, "from"}}, "from a\nRUN b\n", ""},
		{"unsorted", []Edit{{Span{11, 12}, "c"}, {Span{5, 6}, "z"}}, "FROM z\nRUN c\n", ""},
		{"append", []Edit{{Span{13, 13}, "CMD c\n"}}, "FROM a\nRUN b\nCMD c\n", ""},
		{"overlap", []Edit{{Span{0, 4}, "x"}, {Span{2, 6}, "y"}}, "", "overlap"},
		{"two inserts at one offset", []Edit{{Span{3, 3}, "x"}, {Span{3, 3}, "y"}}, "", "overlap"},
		{"out of bounds", []Edit{{Span{10, 20}, "x"}}, "", "out of bounds"},
		{"reversed", []Edit{{Span{5, 4}, "x"}}, "", "out of bounds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Apply(src, tt.edits)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if string(src) != "FROM a\nRUN b\n" {
		t.Fatal("Apply modified its input")
	}
}

func TestOverlapErrorNamesBoth(t *testing.T) {
	_, err := Validate(20, []Edit{{Span{0, 4}, "x"}, {Span{2, 6}, "y"}})
	if err == nil || !strings.Contains(err.Error(), `[0,4)→"x"`) || !strings.Contains(err.Error(), `[2,6)→"y"`) {
		t.Fatalf("err = %v, want both edits named", err)
	}
}

func TestOverlaps(t *testing.T) {
	a := []Edit{{Span{0, 4}, "x"}}
	for _, tt := range []struct {
		b    []Edit
		want bool
	}{
		{[]Edit{{Span{4, 6}, "y"}}, false},
		{[]Edit{{Span{3, 6}, "y"}}, true},
		{[]Edit{{Span{0, 4}, "x"}}, false},
		{[]Edit{{Span{0, 0}, "y"}}, true},
	} {
		if got := Overlaps(a, tt.b); got != tt.want {
			t.Errorf("Overlaps(%v, %v) = %v", a, tt.b, got)
		}
	}
}
