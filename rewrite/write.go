package rewrite

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile replaces the regular file name with data atomically: it writes a
// temporary file in the same directory, gives it the original's permission
// bits, syncs it and renames it over name. A file that does not exist yet is
// created with mode 0644. Anything but a regular file is refused, and on any
// failure the original is left as it was.
func WriteFile(name string, data []byte) (err error) {
	perm := fs.FileMode(0o644)
	fi, err := os.Lstat(name)
	switch {
	case err == nil && !fi.Mode().IsRegular():
		return &fs.PathError{Op: "write", Path: name, Err: errors.New("not a regular file")}
	case err == nil:
		perm = fi.Mode().Perm()
	case !os.IsNotExist(err):
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".dfslim-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
