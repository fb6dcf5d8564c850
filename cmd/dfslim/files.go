package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/dfslim/dfslim/rules"
)

// skipDirs are never walked into.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true}

// expandPaths turns the command-line paths into Dockerfile paths: files as
// given, directories walked. Errors are returned per path, in order, and do
// not stop the others.
func expandPaths(args []string) (files []string, errs []error) {
	if len(args) == 0 {
		args = []string{"Dockerfile"}
	}
	seen := map[string]bool{} // absolute paths: a file named twice is processed once
	add := func(p string) {
		key, err := filepath.Abs(p)
		if err != nil {
			key = filepath.Clean(p)
		}
		if !seen[key] {
			seen[key] = true
			files = append(files, p)
		}
	}
	for _, arg := range args {
		fi, err := os.Stat(arg)
		if err != nil {
			errs = append(errs, pathError(arg, err))
			continue
		}
		if !fi.IsDir() {
			add(arg)
			continue
		}
		err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, pathError(p, err))
				return nil
			}
			if d.IsDir() {
				if p != arg && skipDirs[d.Name()] {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && rules.IsDockerfileName(d.Name()) {
				add(p)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, pathError(arg, err))
		}
	}
	return files, errs
}

// pathError formats an I/O error as "path: reason" on one line.
func pathError(p string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", escapeText(p), pe.Err)
	}
	return fmt.Errorf("%s: %v", escapeText(p), err)
}

// contextFor returns the build context directory of a Dockerfile and the
// Dockerfile's slash path inside it ("" when outside).
func contextFor(dockerfile, contextFlag string) (dir, rel string) {
	dir = filepath.Dir(dockerfile)
	if contextFlag != "" {
		dir = contextFlag
	}
	r, err := filepath.Rel(dir, dockerfile)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return dir, ""
	}
	return dir, filepath.ToSlash(r)
}

// openContext opens the build context directory dir ("" for none) as the
// rules read it: confined to dir (no symbolic link out of it), files opened
// without blocking. close releases it.
func openContext(dir string) (ctx fs.FS, close func(), err error) {
	if dir == "" {
		return nil, func() {}, nil
	}
	d, err := rules.OpenContextDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("build context %s: %v", displayPath(dir), unwrapPath(err))
	}
	return d, func() { d.Close() }, nil
}

// checkContextDir refuses a --context that is not a directory.
func checkContextDir(dir string) error {
	if dir == "" {
		return nil
	}
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("--context %s: %v", displayPath(dir), unwrapPath(err))
	case !fi.IsDir():
		return fmt.Errorf("--context %s: not a directory", displayPath(dir))
	}
	return nil
}

// unwrapPath returns the reason of a path error without its path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// cleanPath is the name of a file as JSON and SARIF carry it:
// slash-separated, without a leading "./", control characters as they are
// (the encoder escapes them).
func cleanPath(p string) string {
	return path.Clean(filepath.ToSlash(p))
}

// displayPath is the name of a file in text listings and messages: cleanPath
// with its control characters escaped (see escapeText); an absolute path
// keeps its "/".
func displayPath(p string) string {
	return escapeText(cleanPath(p))
}

// patchPath is the name of a file in a patch, relative as git writes it (the
// a/ and b/ prefixes come on top; rewrite.Unified quotes it).
func patchPath(p string) string {
	return strings.TrimPrefix(cleanPath(p), "/")
}

// escapeText writes the control characters of s (C0, DEL, C1, and the line
// and paragraph separators) as Go escapes (\n, \t, \x1b…), so that a file
// name or a message read from the build context cannot start a line of its
// own (a GitHub workflow command, say) or drive a terminal.
func escapeText(s string) string {
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
