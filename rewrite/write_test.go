package rewrite

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(name, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(name, []byte("new")); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(name)
	fi, _ := os.Stat(name)
	if string(data) != "new" || fi.Mode().Perm() != 0o600 {
		t.Errorf("content %q mode %v, want \"new\" 0600", data, fi.Mode().Perm())
	}

	created := filepath.Join(dir, ".dockerignore")
	if err := WriteFile(created, []byte(".git\n")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(created); fi.Mode().Perm() != 0o644 {
		t.Errorf("new file mode %v, want 0644", fi.Mode().Perm())
	}

	link := filepath.Join(dir, "link")
	if err := os.Symlink(name, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("x")); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("symlink: err = %v", err)
	}
	if data, _ := os.ReadFile(name); string(data) != "new" {
		t.Errorf("target changed through the link: %q", data)
	}

	// A failed write leaves no temporary file behind.
	if err := WriteFile(filepath.Join(dir, "missing", "Dockerfile"), []byte("x")); err == nil {
		t.Error("write into a missing directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".dfslim-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// TestWriteFileKeeps checks that a rewrite keeps the owner and every mode
// bit (setuid, setgid, sticky) of the file it replaces.
func TestWriteFileKeeps(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(name, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	mode := os.FileMode(0o750) | os.ModeSetuid | os.ModeSetgid | os.ModeSticky
	if err := os.Chmod(name, mode); err != nil {
		t.Fatal(err)
	}
	uid, gid := os.Getuid(), os.Getgid()
	if uid == 0 {
		uid, gid = 1234, 5678
		if err := os.Chown(name, uid, gid); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(name, mode); err != nil { // chown clears setuid
			t.Fatal(err)
		}
	}
	if err := WriteFile(name, []byte("new")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode() & (os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky); got != mode {
		t.Errorf("mode %v, want %v", got, mode)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if int(st.Uid) != uid || int(st.Gid) != gid {
		t.Errorf("owner %d:%d, want %d:%d", st.Uid, st.Gid, uid, gid)
	}
}

// TestWriteFileReadOnly checks that a file without write permission is
// treated as gofmt -w treats it: refused (and left as it was) for a user
// open(2) would refuse, written for root, whom open(2) lets write it.
func TestWriteFileReadOnly(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(name, []byte("old"), 0o444); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(name, []byte("new"))
	data, _ := os.ReadFile(name)
	if os.Geteuid() == 0 {
		if err != nil || string(data) != "new" {
			t.Errorf("as root: err = %v, content %q; want the file written like gofmt -w writes it", err, data)
		}
		if fi, _ := os.Stat(name); fi.Mode().Perm() != 0o444 {
			t.Errorf("mode %v, want 0444 kept", fi.Mode().Perm())
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("err = %v, want read-only", err)
	}
	if string(data) != "old" {
		t.Errorf("content %q, want old", data)
	}
	if err := CheckWritable(name); err == nil {
		t.Error("CheckWritable accepts a read-only file")
	}
}

// TestWriteFileUmask checks that a new file gets 0666 less the umask.
func TestWriteFileUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	name := filepath.Join(t.TempDir(), ".dockerignore")
	if err := WriteFile(name, []byte(".git\n")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(name); fi.Mode().Perm() != 0o600 {
		t.Errorf("new file mode %v under umask 077, want 0600", fi.Mode().Perm())
	}
}

// TestRemoveTempsOnSignal checks that SIGTERM during a write removes the
// temporary file, and exits with 128+15.
func TestRemoveTempsOnSignal(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(name, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	paused, resume := make(chan struct{}), make(chan struct{})
	testHookBeforeRename = func() { close(paused); <-resume }
	defer func() { testHookBeforeRename = nil }()
	exited := make(chan int, 1)
	stop := HandleSignals(func(code int) { exited <- code })
	defer stop()
	done := make(chan error, 1)
	go func() { done <- WriteFile(name, []byte("new")) }()
	<-paused
	if temps, _ := filepath.Glob(filepath.Join(dir, ".Dockerfile.dfslim-*")); len(temps) != 1 {
		t.Fatalf("temporary files during the write: %q, want one", temps)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := <-exited; code != 128+int(syscall.SIGTERM) {
		t.Errorf("exit code %d, want %d", code, 128+int(syscall.SIGTERM))
	}
	if temps, _ := filepath.Glob(filepath.Join(dir, ".Dockerfile.dfslim-*")); len(temps) != 0 {
		t.Errorf("temporary files left after SIGTERM: %q", temps)
	}
	close(resume)
	<-done
	if data, _ := os.ReadFile(name); string(data) != "old" {
		t.Errorf("content %q after an interrupted write, want old", data)
	}
}

// TestReadRegular checks that a FIFO, a directory and a file over MaxSize
// are refused without blocking, and a regular file is read.
func TestReadRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, MaxSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := filepath.Join(dir, "ok")
	if err := os.WriteFile(ok, []byte("FROM a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{fifo: "not a regular file", dir: "not a regular file", big: "larger than"} {
		if _, err := ReadRegular(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadRegular(%s) = %v, want %q", filepath.Base(name), err, want)
		}
	}
	if data, err := ReadRegular(ok); err != nil || string(data) != "FROM a\n" {
		t.Errorf("ReadRegular(ok) = %q, %v", data, err)
	}
}
