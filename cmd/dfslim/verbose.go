package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// reportContextSavings prints, for -v, how many files and bytes of the build
// context the new lines of each changed ignore file exclude, measured on the
// real context directory.
func reportContextSavings(stderr io.Writer, out outcome, contextFlag string) {
	if out.path == "-" {
		return
	}
	dir, _ := contextFor(out.path, contextFlag)
	for _, c := range out.changes {
		if c.path == out.path || !strings.HasSuffix(c.path, ".dockerignore") {
			continue
		}
		files, size, err := newlyExcluded(dir, c.old, c.new)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", displayPath(c.path), err)
			continue
		}
		fmt.Fprintf(stderr, "%s: the new entries exclude %d %s (%s) of the build context %s\n",
			displayPath(c.path), files, plural(files, "file", "files"), byteSize(size), displayPath(dir))
	}
}

// newlyExcluded walks the context dir and counts the regular files, and
// their bytes, that the ignore file newData excludes and oldData did not.
func newlyExcluded(dir string, oldData, newData []byte) (files int, size int64, err error) {
	oldPM, err := matcher(oldData)
	if err != nil {
		return 0, 0, err
	}
	newPM, err := matcher(newData)
	if err != nil {
		return 0, 0, err
	}
	type dirInfo struct{ old, new patternmatcher.MatchInfo }
	infos := map[string]dirInfo{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable: nothing to count
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		parent := infos[filepath.ToSlash(filepath.Dir(rel))]
		wasOut, oldInfo, _ := oldPM.MatchesUsingParentResults(rel, parent.old)
		isOut, newInfo, _ := newPM.MatchesUsingParentResults(rel, parent.new)
		if d.IsDir() {
			if wasOut && !oldPM.Exclusions() {
				return filepath.SkipDir // already out, and nothing in it comes back
			}
			infos[rel] = dirInfo{oldInfo, newInfo}
			return nil
		}
		if isOut && !wasOut && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				files++
				size += fi.Size()
			}
		}
		return nil
	})
	return files, size, err
}

func matcher(data []byte) (*patternmatcher.PatternMatcher, error) {
	patterns, err := ignorefile.ReadAll(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return patternmatcher.New(patterns)
}

// byteSize writes n bytes in a unit that keeps it short: 512 B, 3.4 KiB, 1.2 MiB.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
