package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// noteEmptyWalks says on stderr which directory arguments hold no Dockerfile,
// so that a wrong path is not mistaken for a clean one. The exit status stays
// 0, as ruff's does when it finds no file.
func noteEmptyWalks(stderr io.Writer, args, paths []string) {
	for _, arg := range args {
		fi, err := os.Stat(arg)
		if err != nil || !fi.IsDir() {
			continue
		}
		found := false
		for _, p := range paths {
			if rel, err := filepath.Rel(arg, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				found = true
				break
			}
		}
		if !found {
			fmt.Fprintf(stderr, "dfslim: no Dockerfile in %s (looked for Dockerfile, Containerfile, Dockerfile.*, *.dockerfile)\n", displayPath(arg))
		}
	}
}
