// Package corpustest gives tests the shared corpus of real Dockerfiles named
// by $DFSLIM_CORPUS (.ci/run sets it to ../shared/corpus/files). Tests that
// use it skip with a message when the variable is unset, so a fresh clone
// passes on its own.
package corpustest

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the corpus directory, or skips tb when $DFSLIM_CORPUS is unset.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("DFSLIM_CORPUS")
	if dir == "" {
		tb.Skip("DFSLIM_CORPUS is not set; set it to ../shared/corpus/files to test the corpus")
	}
	return dir
}

// Files returns the names and contents of the corpus files, in name order,
// or skips tb when $DFSLIM_CORPUS is unset.
func Files(tb testing.TB) (names []string, srcs [][]byte) {
	tb.Helper()
	dir := Dir(tb)
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		names = append(names, e.Name())
		srcs = append(srcs, data)
	}
	if len(names) == 0 {
		tb.Fatalf("%s holds no files", dir)
	}
	return names, srcs
}
