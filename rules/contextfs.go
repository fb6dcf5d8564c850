package rules

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"syscall"
)

// MaxContextFile is the largest build-context file the rules read.
const MaxContextFile = 64 << 20

// maxSymlinks bounds the symbolic links followed to resolve one path.
const maxSymlinks = 40

// errUnread is the error of a context file that the rules refuse to read.
type errUnread struct {
	path, why string
}

func (e *errUnread) Error() string { return e.path + ": " + e.why }

// contextFS is the build context as the rules see it: the one reader of
// context files. It opens regular files only (never a FIFO or a device),
// reads at most MaxContextFile bytes of one, and follows a symbolic link only
// when it stays inside the context. It remembers what it refused, so that the
// driver can report it.
type contextFS struct {
	base fs.FS
	mu   sync.Mutex
	rule string            // the rule running now
	skip map[string]string // refused path -> why
	by   map[string]string // refused path -> the rule that asked
	list []string          // refused paths, in order
}

func newContextFS(base fs.FS) *contextFS {
	if base == nil {
		return nil
	}
	if c, ok := base.(*contextFS); ok {
		return c
	}
	return &contextFS{base: base, skip: map[string]string{}, by: map[string]string{}}
}

// refuse records that name was not read, and why.
func (c *contextFS) refuse(name, why string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.skip[name]; !ok {
		c.skip[name], c.by[name] = why, c.rule
		c.list = append(c.list, name)
	}
	return &fs.PathError{Op: "read", Path: name, Err: &errUnread{name, why}}
}

func (c *contextFS) setRule(name string) {
	c.mu.Lock()
	c.rule = name
	c.mu.Unlock()
}

// unread returns the refused paths, with why and the rule that asked, in the
// order they were refused.
func (c *contextFS) unread() (paths []string, why, by map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.list), c.skip, c.by
}

// resolve follows the symbolic links of name, component by component, and
// returns the path they lead to inside the context. A link out of the
// context, or too many links, are refused. Without fs.ReadLinkFS the base
// resolves (and confines) links itself.
func (c *contextFS) resolve(name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if _, ok := c.base.(fs.ReadLinkFS); !ok || name == "." {
		return name, nil
	}
	todo := strings.Split(name, "/")
	done := ""
	for links := 0; len(todo) > 0; {
		next := path.Join(done, todo[0])
		todo = todo[1:]
		info, err := fs.Lstat(c.base, next)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return path.Join(append([]string{next}, todo...)...), nil // open reports it
			}
			return "", err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			done = next
			continue
		}
		if links++; links > maxSymlinks {
			return "", c.refuse(name, "too many symbolic links (a loop?)")
		}
		target, err := fs.ReadLink(c.base, next)
		if err != nil {
			return "", err
		}
		var to string
		if !path.IsAbs(target) {
			to = path.Join(path.Dir(next), target)
		}
		if path.IsAbs(target) || to == ".." || strings.HasPrefix(to, "../") {
			return "", c.refuse(name, fmt.Sprintf("a symbolic link to %s, outside the build context", target))
		}
		done = ""
		if to != "." {
			todo = append(strings.Split(to, "/"), todo...)
		}
	}
	if done == "" {
		done = "."
	}
	return done, nil
}

// Open opens a directory, or a regular file whose reads stop at
// MaxContextFile bytes.
func (c *contextFS) Open(name string) (fs.File, error) {
	real, err := c.resolve(name)
	if err != nil {
		return nil, err
	}
	info, err := fs.Stat(c.base, real)
	if err != nil {
		return nil, c.confined(name, err)
	}
	if why := notReadable(info); why != "" {
		return nil, c.refuse(name, why)
	}
	f, err := c.base.Open(real)
	if err != nil {
		return nil, c.confined(name, err)
	}
	// The file may have been replaced since the Stat: check what was opened.
	info, err = f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if why := notReadable(info); why != "" {
		f.Close()
		return nil, c.refuse(name, why)
	}
	if info.IsDir() {
		return f, nil
	}
	return &cappedFile{File: f, left: MaxContextFile + 1}, nil
}

// confined turns the base's refusal of a path that leaves it (os.Root) or
// loops into a recorded refusal; other errors pass.
func (c *contextFS) confined(name string, err error) error {
	switch {
	case errors.Is(err, syscall.ELOOP):
		return c.refuse(name, "too many symbolic links (a loop?)")
	case err != nil && strings.Contains(err.Error(), "escapes from parent"):
		return c.refuse(name, "a symbolic link to outside the build context")
	}
	return err
}

// notReadable returns why a file of this kind is not read, or "".
func notReadable(info fs.FileInfo) string {
	switch m := info.Mode(); {
	case m.IsDir():
		return ""
	case !m.IsRegular():
		return fmt.Sprintf("not a regular file (%s)", fileKind(m))
	case info.Size() > MaxContextFile:
		return fmt.Sprintf("larger than %d MiB", MaxContextFile>>20)
	}
	return ""
}

// fileKind names the type of a file that is not regular.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "type " + m.Type().String()
}

// ReadFile reads a regular file of at most MaxContextFile bytes.
func (c *contextFS) ReadFile(name string) ([]byte, error) {
	f, err := c.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, ok := f.(*cappedFile); !ok {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	}
	data, err := io.ReadAll(f)
	if errors.Is(err, errTooLarge) {
		return nil, c.refuse(name, fmt.Sprintf("larger than %d MiB", MaxContextFile>>20))
	}
	return data, err
}

// Stat describes a file without opening it; a symbolic link is described by
// what it leads to inside the context.
func (c *contextFS) Stat(name string) (fs.FileInfo, error) {
	real, err := c.resolve(name)
	if err != nil {
		return nil, err
	}
	info, err := fs.Stat(c.base, real)
	return info, c.confined(name, err)
}

// ReadDir lists a directory. Its entries are not followed: a symbolic link
// is listed as one.
func (c *contextFS) ReadDir(name string) ([]fs.DirEntry, error) {
	real, err := c.resolve(name)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(c.base, real)
	return entries, c.confined(name, err)
}

// errTooLarge ends the reads of a file past MaxContextFile bytes.
var errTooLarge = errors.New("file too large")

// cappedFile is a regular file whose reads fail past MaxContextFile bytes.
type cappedFile struct {
	fs.File
	left int64
}

func (f *cappedFile) Read(p []byte) (int, error) {
	if f.left <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > f.left {
		p = p[:f.left]
	}
	n, err := f.File.Read(p)
	f.left -= int64(n)
	if f.left <= 0 && err == nil {
		err = errTooLarge
	}
	return n, err
}

// ReadAt lets debug/elf and archive readers look at parts of the file.
func (f *cappedFile) ReadAt(p []byte, off int64) (int, error) {
	ra, ok := f.File.(io.ReaderAt)
	if !ok {
		return 0, errors.New("ReadAt not supported")
	}
	return ra.ReadAt(p, off)
}

// ContextDir is a directory on disk as a build context for [Run] and
// [Check]: an [os.Root], so that no path or symbolic link leads out of it,
// whose files are opened without blocking (a FIFO swapped in after the check
// cannot hang the read).
type ContextDir struct {
	root *os.Root
	fsys fs.FS
}

// OpenContextDir opens dir as a build context. It fails when dir is not a
// directory.
func OpenContextDir(dir string) (*ContextDir, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, &fs.PathError{Op: "open", Path: dir, Err: errors.New("not a directory")}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &ContextDir{root: root, fsys: root.FS()}, nil
}

// Close releases the directory.
func (d *ContextDir) Close() error { return d.root.Close() }

// Open opens a file of the context read-only and non-blocking.
func (d *ContextDir) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := d.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Stat implements fs.StatFS.
func (d *ContextDir) Stat(name string) (fs.FileInfo, error) { return fs.Stat(d.fsys, name) }

// ReadDir implements fs.ReadDirFS.
func (d *ContextDir) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(d.fsys, name) }

// ReadLink implements fs.ReadLinkFS.
func (d *ContextDir) ReadLink(name string) (string, error) { return fs.ReadLink(d.fsys, name) }

// Lstat implements fs.ReadLinkFS.
func (d *ContextDir) Lstat(name string) (fs.FileInfo, error) { return fs.Lstat(d.fsys, name) }
