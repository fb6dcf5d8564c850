package main

import (
	"bytes"
	"os"
	"testing"
)

func TestColorFor(t *testing.T) {
	var buf bytes.Buffer
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// /dev/null is a character device, as a terminal is: it stands in for one.
	dev, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	for _, tt := range []struct {
		color, noColor, term string
		w                    any
		want                 bool
	}{
		{"always", "1", "dumb", &buf, true},
		{"never", "", "xterm", dev, false},
		{"auto", "", "xterm", &buf, false}, // not a file
		{"auto", "", "xterm", f, false},    // a file, not a terminal
		{"auto", "", "xterm", dev, true},
		{"auto", "1", "xterm", dev, false},
		{"auto", "", "dumb", dev, false},
	} {
		t.Setenv("NO_COLOR", tt.noColor)
		t.Setenv("TERM", tt.term)
		o := &options{}
		o.color = tt.color
		w := tt.w.(interface{ Write([]byte) (int, error) })
		if got := o.colorFor(w); got != tt.want {
			t.Errorf("--color %s, NO_COLOR=%q, TERM=%s, %T: colour %v, want %v", tt.color, tt.noColor, tt.term, tt.w, got, tt.want)
		}
	}
}
