//go:build unix

package verify

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// setGroup puts the command in a process group of its own, so that killTree
// reaches what it started even when the engine client exits first.
func setGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// killTree stops pid, its process group and every descendant (snapshotted
// first: buildah run's chroot child may start a session of its own): TERM,
// then KILL what is left after 5 seconds.
func killTree(pid int) {
	pids := append([]int{pid}, descendants(pid)...)
	signal := func(sig syscall.Signal) {
		syscall.Kill(-pid, sig)
		for _, p := range pids {
			syscall.Kill(p, sig)
		}
	}
	signal(syscall.SIGTERM)
	for i := 0; i < 50; i++ {
		alive := false
		for _, p := range pids {
			if running(p) {
				alive = true
				break
			}
		}
		if !alive {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	signal(syscall.SIGKILL)
}

// descendants lists the children of pid, recursively, from /proc (Linux; none elsewhere).
func descendants(pid int) []int {
	var out []int
	tasks, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	for _, t := range tasks {
		data, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + t.Name() + "/children")
		for _, f := range strings.Fields(string(data)) {
			if c, err := strconv.Atoi(f); err == nil {
				out = append(out, c)
				out = append(out, descendants(c)...)
			}
		}
	}
	return out
}

// running reports whether pid is alive and not a zombie.
func running(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		if procExists() {
			return false
		}
		return syscall.Kill(pid, 0) == nil
	}
	if i := strings.LastIndexByte(string(data), ')'); i > 0 && i+2 < len(data) {
		return data[i+2] != 'Z'
	}
	return true
}

// procExists reports whether /proc is there (else running falls back to kill -0).
func procExists() bool {
	_, err := os.Stat("/proc/self")
	return err == nil
}

// lockPort takes a lock on a host port shared by every dfslim verify on this
// machine (a file in the temporary directory, flock), so that runs side by
// side never see each other's servers when containers share the host's
// network. It waits for the lock; unlock releases it.
func lockPort(port int) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "dfslim-verify-port-"+strconv.Itoa(port)+".lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}
