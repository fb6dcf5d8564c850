package rewrite

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
)

// wOK is access(2)'s W_OK: may this process write the file.
const wOK = 2

// ReadRegular reads the regular file name, of at most MaxSize bytes;
// anything else is refused. The file is opened without blocking and checked
// once open, so that a FIFO swapped in after the first check cannot hang the
// read.
func ReadRegular(name string) ([]byte, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("file is larger than %d MiB", MaxSize>>20)
	}
	return data, nil
}

// keptBits are the mode bits a rewrite keeps.
const keptBits = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// CheckWritable reports why WriteFile would refuse name, or nil: a symbolic
// link (never written through), anything but a regular file, a file this
// process may not write (access(2) decides, as open(2) would for gofmt -w:
// root may write a 0444 file, other users may not), or a missing directory
// for a new file.
func CheckWritable(name string) error {
	fi, err := os.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		di, err := os.Stat(filepath.Dir(name))
		if err != nil {
			return err
		}
		if !di.IsDir() {
			return &fs.PathError{Op: "write", Path: name, Err: errors.New("not in a directory")}
		}
		return nil
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return &fs.PathError{Op: "write", Path: name, Err: errors.New("a symbolic link (dfslim does not write through links; name its target)")}
	case !fi.Mode().IsRegular():
		return &fs.PathError{Op: "write", Path: name, Err: errors.New("not a regular file")}
	case syscall.Access(name, wOK) != nil:
		return &fs.PathError{Op: "write", Path: name, Err: errors.New("read-only (no write permission)")}
	}
	return nil
}

// WriteFile replaces the regular file name with data atomically: it writes a
// temporary file in the same directory, gives it the original's owner and
// mode bits (setuid, setgid and sticky included), syncs it and renames it over
// name. The file is replaced, not rewritten in place: another hard link to
// it keeps the old content. A file that does not exist yet is created with
// mode 0666 less the umask. What CheckWritable refuses is refused, and on any
// failure the original is left as it was. A SIGINT or SIGTERM that
// HandleSignals catches meanwhile removes the temporary file.
func WriteFile(name string, data []byte) (err error) {
	if err := CheckWritable(name); err != nil {
		return err
	}
	fi, statErr := os.Lstat(name)
	exists := statErr == nil
	perm := fs.FileMode(0o666) // less the umask, applied by open(2)
	if exists {
		perm = fi.Mode().Perm() | 0o200 // writable while written; the bits are set below
	}
	tmp, err := createTemp(filepath.Dir(name), "."+filepath.Base(name)+".dfslim-", perm)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
		forgetTemp(tmp.Name())
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if exists {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			// Before the chmod: chown clears setuid and setgid.
			if err = tmp.Chown(int(st.Uid), int(st.Gid)); err != nil {
				return fmt.Errorf("%s: cannot keep its owner: %w", name, err)
			}
		}
		if err = tmp.Chmod(fi.Mode() & keptBits); err != nil {
			return err
		}
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if testHookBeforeRename != nil {
		testHookBeforeRename()
	}
	return os.Rename(tmp.Name(), name)
}

// testHookBeforeRename, when set, runs just before the rename.
var testHookBeforeRename func()

// temps holds the temporary files being written.
var temps struct {
	sync.Mutex
	names map[string]bool
}

// createTemp creates a new file dir/prefix<random> with perm (less the
// umask) and records it until forgetTemp.
func createTemp(dir, prefix string, perm fs.FileMode) (*os.File, error) {
	for try := 0; ; try++ {
		name := filepath.Join(dir, fmt.Sprintf("%s%d", prefix, rand.Uint32()))
		temps.Lock()
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if err == nil {
			if temps.names == nil {
				temps.names = map[string]bool{}
			}
			temps.names[name] = true
		}
		temps.Unlock()
		if errors.Is(err, fs.ErrExist) && try < 100 {
			continue
		}
		return f, err
	}
}

func forgetTemp(name string) {
	temps.Lock()
	delete(temps.names, name)
	temps.Unlock()
}

// RemoveTemps removes the temporary files of the writes in progress. The
// writes then fail, leaving their originals as they were.
func RemoveTemps() {
	temps.Lock()
	defer temps.Unlock()
	for name := range temps.names {
		os.Remove(name)
		delete(temps.names, name)
	}
}

// HandleSignals makes SIGINT and SIGTERM remove the temporary files of the
// writes in progress, then call exit with 128 plus the signal number. stop
// restores the default handling.
func HandleSignals(exit func(code int)) (stop func()) {
	sigs := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-sigs:
			RemoveTemps()
			code := 1
			if n, ok := s.(syscall.Signal); ok {
				code = 128 + int(n)
			}
			exit(code)
		case <-done:
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			signal.Stop(sigs)
			close(done)
		})
	}
}
