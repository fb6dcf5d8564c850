package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Outcome is what an image did when it ran.
type Outcome struct {
	Kind    string // Exited, Answered, Up or Silent
	Code    int    // exit code (Exited)
	Stdout  string // standard output (Exited)
	ErrLine string // first error line of the output, timestamps dropped or masked (Exited)
	Status  int    // HTTP status (Answered)
	Log     string // the last lines of the output, for a person
	// Crashed: a server, or a process that outlived --settle, exited. Its
	// standard output is log lines (npm start's banner, races with the crash),
	// so only the exit code and the first error line are compared.
	Crashed bool
}

// Outcome kinds.
const (
	Exited   = "exited"   // the command ended
	Answered = "answered" // the server answered an HTTP GET
	Up       = "up"       // still running after the settle time (a worker)
	Silent   = "silent"   // a server that ran but never answered
)

func (o Outcome) String() string {
	switch o.Kind {
	case Exited:
		if o.Code != 0 && o.ErrLine != "" {
			return fmt.Sprintf("exit %d (%s)", o.Code, o.ErrLine)
		}
		return fmt.Sprintf("exit %d", o.Code)
	case Answered:
		return fmt.Sprintf("HTTP %d", o.Status)
	case Up:
		return "stays up"
	case Silent:
		return "never answered"
	}
	return o.Kind
}

// Compare reports whether after behaves as before, and if not, what differs.
func Compare(before, after Outcome) (bool, string) {
	if before.Kind != after.Kind || before.Kind == Answered && before.Status != after.Status {
		return false, fmt.Sprintf("%s → %s", before, after)
	}
	if before.Kind != Exited {
		return true, ""
	}
	if before.Code != after.Code {
		return false, fmt.Sprintf("exit code %d → %d", before.Code, after.Code)
	}
	if before.Stdout != after.Stdout && !before.Crashed && !after.Crashed {
		return false, "stdout differs: " + firstDiff(before.Stdout, after.Stdout)
	}
	if (before.Code != 0 || before.Crashed || after.Crashed) && before.ErrLine != after.ErrLine {
		return false, fmt.Sprintf("first error line %q → %q", before.ErrLine, after.ErrLine)
	}
	return true, ""
}

// firstDiff describes the first line where a and b differ.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y || i >= len(al) || i >= len(bl) {
			return fmt.Sprintf("line %d %q → %q", i+1, clip(x, 80), clip(y, 80))
		}
	}
	return "(equal)"
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

var (
	errWord = regexp.MustCompile(`(?i)\b(error|fatal|panic|exception|refused|cannot|can't|failed|no such)\b`)
	// leading timestamps of log lines: 2026/12/02 19:00:00.123, 2026-12-02T19:00:00Z, [19:00:00]
	stamp = regexp.MustCompile(`^\W{0,2}\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?\W{0,2}\s*|^\[?\d\d:\d\d:\d\d(\.\d+)?\]?\s+`)
	// timestamps inside a line (structured logs: {"timestamp":"2026-12-02T19:00:00.123Z", "time":1764702000123})
	innerStamp = regexp.MustCompile(`\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?|("(time|timestamp|ts)"\s*:\s*)\d+(\.\d+)?`)
)

// engineLine matches what buildah run itself prints when the command fails.
var engineLine = regexp.MustCompile(`^(subprocess exited with status \d+|(Error: )?exit status \d+|error running container: .*)$`)

// ErrorLine is the first line of out that names an error (or else its first
// non-empty line), without a leading timestamp and with the timestamps inside
// it replaced by "<time>": what an app that needs a database says when it has
// none, comparable from one run to the next.
func ErrorLine(out string) string {
	first := ""
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(stamp.ReplaceAllString(strings.TrimSpace(line), ""))
		line = innerStamp.ReplaceAllString(line, "$3<time>")
		if line == "" || engineLine.MatchString(line) {
			continue
		}
		if first == "" {
			first = line
		}
		if errWord.MatchString(line) {
			return clip(line, 200)
		}
	}
	return clip(first, 200)
}

// capped keeps the first max bytes written to it.
type capped struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := c.max - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// runner runs engine commands with time limits.
type runner struct {
	eng Engine
}

// run executes argv and returns its stdout; on failure the error carries
// the end of stderr.
func (r runner) run(ctx context.Context, limit time.Duration, argv []string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var stdout bytes.Buffer
	stderr := &capped{max: 1 << 20}
	p, err := r.start(argv, &stdout, stderr)
	if err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- p.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		killTree(p.Process.Pid)
		<-done
		return nil, fmt.Errorf("%s: timed out after %s", r.name(argv), limit)
	}
	if err != nil {
		return stdout.Bytes(), fmt.Errorf("%s: %v: %s\n%s", r.name(argv), err,
			lastLines(stderr.String(), 1), lastLines(stderr.String(), 50))
	}
	return stdout.Bytes(), nil
}

// name is how errors call a command: the engine and its subcommand.
func (r runner) name(argv []string) string {
	if i := 1 + len(r.eng.Flags); i < len(argv) && len(argv) > 0 && argv[0] == r.eng.Bin {
		return r.eng.Kind + " " + argv[i]
	}
	return argv[0]
}

func (r runner) start(argv []string, stdout, stderr io.Writer) (*exec.Cmd, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), r.eng.Env...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	setGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return cmd, nil
}

// Probe describes how to exercise an image.
type Probe struct {
	Port         int           // server port (0 = not a server)
	Path         string        // HTTP path of the GET
	Settle       time.Duration // how long a worker must stay up; a command must end by then
	StartTimeout time.Duration // how long a server has to answer
	Env          []string      // K=V
	Args         []string      // replace CMD
}

// observe runs image once and reports what it did, and the shell it has.
func (r runner) observe(ctx context.Context, name, image string, cfg Config, pr Probe) (Outcome, string, error) {
	run := Run{Name: name, Image: image, Env: pr.Env, Args: pr.Args, Port: pr.Port, HostPort: pr.Port}
	if pr.Port > 0 {
		if !r.eng.SharesHostNetwork() {
			hp, err := freePort()
			if err != nil {
				return Outcome{}, "", err
			}
			run.HostPort = hp
		} else {
			unlock, err := lockPort(pr.Port)
			if err != nil {
				return Outcome{}, "", err
			}
			defer unlock()
			if err := waitFree(ctx, pr.Port, 30*time.Second); err != nil {
				return Outcome{}, "", err
			}
		}
	}
	if _, err := r.run(ctx, 10*time.Minute, r.eng.CreateCmd(run)); err != nil {
		return Outcome{}, "", err
	}
	defer r.run(context.WithoutCancel(ctx), 5*time.Minute, r.eng.RemoveCmd(name))
	argv, err := r.eng.StartCmd(run, cfg)
	if err != nil {
		return Outcome{}, "", err
	}
	stdout, stderr := &capped{max: 1 << 20}, &capped{max: 1 << 20}
	p, err := r.start(argv, stdout, stderr)
	if err != nil {
		return Outcome{}, "", err
	}
	done := make(chan error, 1)
	go func() { done <- p.Wait() }()
	exited := func(err error) Outcome {
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			code = -1
		}
		all := stderr.String() + "\n" + stdout.String()
		return Outcome{Kind: Exited, Code: code, Stdout: stdout.String(), ErrLine: ErrorLine(all), Log: lastLines(all, 15)}
	}
	var out Outcome
	if pr.Port > 0 {
		out = r.serve(ctx, run.HostPort, pr, done, exited)
	} else {
		select {
		case err := <-done:
			out = exited(err)
		case <-time.After(pr.Settle):
			out = Outcome{Kind: Up}
		case <-ctx.Done():
			out = Outcome{Kind: Silent}
		}
	}
	if out.Kind == Exited && pr.Port > 0 {
		out.Crashed = true
	}
	if out.Kind != Exited {
		killTree(p.Process.Pid)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
		if out.Log == "" {
			out.Log = lastLines(stderr.String()+"\n"+stdout.String(), 15)
		}
	}
	return out, r.shell(ctx, run, cfg), ctx.Err()
}

// serve waits for the server to answer a GET, exit, or time out.
func (r runner) serve(ctx context.Context, port int, pr Probe, done chan error, exited func(error) Outcome) Outcome {
	client := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	url := "http://127.0.0.1:" + strconv.Itoa(port) + pr.Path
	deadline := time.After(pr.StartTimeout)
	for {
		select {
		case err := <-done:
			return exited(err)
		case <-deadline:
			return Outcome{Kind: Silent}
		case <-ctx.Done():
			return Outcome{Kind: Silent}
		case <-time.After(250 * time.Millisecond):
		}
		resp, err := client.Get(url)
		if err != nil {
			continue
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		return Outcome{Kind: Answered, Status: resp.StatusCode}
	}
}

// Shells verify looks for, in this order.
var Shells = []string{"/bin/sh", "/busybox/sh"}

// ExecCmd runs argv in the image of r (in r's container for buildah, which
// can run more than one command in a container; in a new one otherwise).
func (e Engine) ExecCmd(r Run, argv []string) []string {
	if e.Kind == Buildah {
		return e.cmd(append([]string{"run", r.Name, "--"}, argv...)...)
	}
	return e.cmd(append([]string{"run", "--rm", "--entrypoint", argv[0], r.Image}, argv[1:]...)...)
}

// shell returns the first of Shells that runs in the image, "" for none.
func (r runner) shell(ctx context.Context, run Run, cfg Config) string {
	for _, sh := range Shells {
		if _, err := r.run(ctx, 2*time.Minute, r.eng.ExecCmd(run, []string{sh, "-c", "exit 0"})); err == nil {
			return sh
		}
	}
	return ""
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitFree waits until nothing listens on the host's port.
func waitFree(ctx context.Context, port int, limit time.Duration) error {
	end := time.Now().Add(limit)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err != nil {
			return nil
		}
		c.Close()
		if time.Now().After(end) || ctx.Err() != nil {
			return fmt.Errorf("port %d is in use on this host (buildah containers share the host's network)", port)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimLeft(strings.Join(lines, "\n"), "\n")
}

// Build builds dockerfile (context dir) as tag within limit.
func (e Engine) Build(ctx context.Context, dir, dockerfile, tag string, limit time.Duration) error {
	_, err := runner{eng: e}.run(ctx, limit, e.BuildCmd(dir, dockerfile, tag))
	return err
}

// Inspect returns an image's configuration and size.
func (e Engine) Inspect(ctx context.Context, image string) (Config, error) {
	out, err := runner{eng: e}.run(ctx, 2*time.Minute, e.InspectCmd(image))
	if err != nil {
		return Config{}, err
	}
	return e.ParseInspect(out)
}

// RemoveImage removes an image; a missing image is not an error.
func (e Engine) RemoveImage(ctx context.Context, image string) {
	runner{eng: e}.run(ctx, 5*time.Minute, e.RemoveImageCmd(image))
}
