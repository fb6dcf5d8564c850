package rules

import (
	"io/fs"
	"strings"
	"testing"
	"time"
)

// endlessFS holds one file, "big", that says it is a small regular file but
// never ends when read: a file swapped for /dev/zero after the check.
type endlessFS struct{}

func (endlessFS) Open(name string) (fs.File, error) {
	if name != "big" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return endlessFile{}, nil
}

type endlessFile struct{}

func (endlessFile) Stat() (fs.FileInfo, error) { return endlessInfo{}, nil }
func (endlessFile) Close() error               { return nil }
func (endlessFile) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type endlessInfo struct{}

func (endlessInfo) Name() string       { return "big" }
func (endlessInfo) Size() int64        { return 10 }
func (endlessInfo) Mode() fs.FileMode  { return 0o644 }
func (endlessInfo) ModTime() time.Time { return time.Time{} }
func (endlessInfo) IsDir() bool        { return false }
func (endlessInfo) Sys() any           { return nil }

// TestContextReaderCap checks that a read stops at MaxContextFile bytes
// whatever the file said its size was, and that the refusal is recorded.
func TestContextReaderCap(t *testing.T) {
	c := newContextFS(endlessFS{})
	c.setRule("dockerignore")
	data, err := fs.ReadFile(c, "big")
	if err == nil || !strings.Contains(err.Error(), "larger than") || len(data) > 0 {
		t.Fatalf("ReadFile = %d bytes, %v; want an error, no data", len(data), err)
	}
	paths, why, by := c.unread()
	if len(paths) != 1 || paths[0] != "big" || !strings.HasPrefix(why["big"], "larger than") || by["big"] != "dockerignore" {
		t.Errorf("unread = %q %q %q", paths, why, by)
	}
}
