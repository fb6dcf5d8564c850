package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dfslim/dfslim/report"
	"github.com/dfslim/dfslim/rewrite"
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
			if d.Type().IsRegular() && rewrite.IsDockerfileName(d.Name()) {
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

// cleanPath, displayPath, patchPath and escapeText are the report package's
// (one definition for the CLI and the reports).
func cleanPath(p string) string   { return report.CleanPath(p) }
func displayPath(p string) string { return report.DisplayPath(p) }
func patchPath(p string) string   { return report.PatchPath(p) }
func escapeText(s string) string  { return report.EscapeText(s) }
