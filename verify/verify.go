package verify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Fixed is a Dockerfile's rewrite: its new text and the context files the
// rewrite changes or creates (.dockerignore).
type Fixed struct {
	Dockerfile []byte            // nil when the Dockerfile is unchanged
	Files      map[string][]byte // slash-separated paths relative to the context directory
	Note       string            // why nothing was rewritten (the first finding), when so
}

// FixFunc computes the rewrite of dockerfile, whose build context is dir,
// without writing anything.
type FixFunc func(dockerfile, dir string) (Fixed, error)

// Options configure Verify.
type Options struct {
	Engine       Engine
	Fix          FixFunc
	Context      string        // build context directory ("" = the Dockerfile's directory)
	Port         int           // server port (0 = the original image's lowest EXPOSEd TCP port, if any)
	Path         string        // HTTP path to GET ("" = /)
	Settle       time.Duration // a worker must stay up this long; a command must end by then
	StartTimeout time.Duration // a server must answer within this time
	BuildTimeout time.Duration // each build
	Env          []string      // K=V for both containers
	Args         []string      // arguments for both containers (replace CMD)
	Keep         bool          // keep the images
	Progress     io.Writer     // progress lines (nil = none)
}

// Image is what verify learnt about one image.
type Image struct {
	Tag     string
	Size    int64
	Shell   string // first of Shells that runs, "" for none
	User    string // config User, "" = root
	Outcome Outcome
}

// Result is the verdict on one Dockerfile.
type Result struct {
	Path          string
	Status        string // Same, Different, Unchanged or Error
	What          string // what differed, why unchanged, or the error
	Before, After Image
	Elapsed       time.Duration
}

// Result statuses.
const (
	Same      = "same"
	Different = "different"
	Unchanged = "unchanged" // dfslim did not rewrite the Dockerfile: nothing to compare
	Error     = "error"     // the original could not be built or run
)

// Verify builds, runs and compares one Dockerfile and its rewrite.
func Verify(ctx context.Context, dockerfile string, o Options) Result {
	start := time.Now()
	v := &verifier{o: o, r: runner{eng: o.Engine}, file: dockerfile, start: start}
	res := v.verify(ctx)
	res.Path, res.Elapsed = dockerfile, time.Since(start)
	v.progress("done: %s", res.Status)
	return res
}

type verifier struct {
	o     Options
	r     runner
	file  string
	start time.Time
	mu    sync.Mutex
}

func (v *verifier) progress(format string, args ...any) {
	if v.o.Progress == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	fmt.Fprintf(v.o.Progress, "dfslim verify: %s: [%s] %s\n", v.file, time.Since(v.start).Round(time.Second), fmt.Sprintf(format, args...))
}

// step runs fn, printing its name now and every 30 seconds while it lasts.
func (v *verifier) step(name string, fn func() error) error {
	v.progress("%s", name)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				v.progress("%s (still running)", name)
			}
		}
	}()
	return fn()
}

func (v *verifier) verify(ctx context.Context) (res Result) {
	o := v.o
	dir := o.Context
	if dir == "" {
		dir = filepath.Dir(v.file)
	}
	fixed, err := o.Fix(v.file, dir)
	if err != nil {
		return Result{Status: Error, What: err.Error()}
	}
	if fixed.Dockerfile == nil && len(fixed.Files) == 0 {
		return Result{Status: Unchanged, What: orDefault(fixed.Note, "dfslim did not rewrite it")}
	}
	if fixed.Dockerfile == nil { // only a context file changes (.dockerignore): it can still break the build
		if fixed.Dockerfile, err = os.ReadFile(v.file); err != nil {
			return Result{Status: Error, What: err.Error()}
		}
	}
	tmp, err := os.MkdirTemp("", "dfslim-verify-")
	if err != nil {
		return Result{Status: Error, What: err.Error()}
	}
	defer os.RemoveAll(tmp)
	fixedDir := filepath.Join(tmp, "context")
	if err := v.step("copying the build context", func() error { return copyTree(dir, fixedDir) }); err != nil {
		return Result{Status: Error, What: "copying the context: " + err.Error()}
	}
	fixedFile := filepath.Join(tmp, "Dockerfile")
	if rel, err := filepath.Rel(dir, v.file); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		fixedFile = filepath.Join(fixedDir, rel)
	}
	writes := map[string][]byte{fixedFile: fixed.Dockerfile}
	for p, data := range fixed.Files {
		writes[filepath.Join(fixedDir, filepath.FromSlash(p))] = data
	}
	for p, data := range writes {
		os.Remove(p) // the copy may be a hard link to the user's file
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return Result{Status: Error, What: err.Error()}
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return Result{Status: Error, What: err.Error()}
		}
	}

	id := randomID()
	base := strings.ToLower(sanitize(filepath.Base(filepath.Dir(absPath(v.file)))))
	res.Before.Tag = "localhost/dfslim-verify/" + base + ":original-" + id
	res.After.Tag = "localhost/dfslim-verify/" + base + ":fixed-" + id
	if !o.Keep {
		defer func() {
			for _, tag := range []string{res.Before.Tag, res.After.Tag} {
				o.Engine.RemoveImage(context.WithoutCancel(ctx), tag)
			}
		}()
	}
	var before, after Config
	if err := v.build("original", dir, v.file, res.Before.Tag, &before, ctx); err != nil {
		res.Status, res.What = Error, "the original does not build: "+err.Error()
		return res
	}
	if err := v.build("rewrite", fixedDir, fixedFile, res.After.Tag, &after, ctx); err != nil {
		res.Status, res.What = Different, "the rewrite does not build: "+err.Error()
		return res
	}
	res.Before.Size, res.Before.User = before.Size, before.User
	res.After.Size, res.After.User = after.Size, after.User

	pr := Probe{Port: o.Port, Path: orDefault(o.Path, "/"), Settle: o.Settle, StartTimeout: o.StartTimeout, Env: o.Env, Args: o.Args}
	if pr.Port == 0 && len(before.Ports) > 0 {
		pr.Port = before.Ports[0]
	}
	if pr.Settle == 0 {
		pr.Settle = 10 * time.Second
	}
	if pr.StartTimeout == 0 {
		pr.StartTimeout = 60 * time.Second
	}
	what := "running"
	if pr.Port > 0 {
		what = fmt.Sprintf("running (server: GET :%d%s)", pr.Port, pr.Path)
	}
	for _, im := range []struct {
		name string
		img  *Image
		cfg  Config
	}{{"original", &res.Before, before}, {"rewrite", &res.After, after}} {
		err := v.step(what+" the "+im.name, func() error {
			var err error
			im.img.Outcome, im.img.Shell, err = v.r.observe(ctx, "dfslim-verify-"+id+"-"+im.name, im.img.Tag, im.cfg, pr)
			return err
		})
		if err != nil {
			res.Status, res.What = Error, fmt.Sprintf("running the %s: %v", im.name, err)
			return res
		}
		v.progress("the %s: %s", im.name, im.img.Outcome)
	}
	// One stayed up and the other exited: a crash that takes longer than
	// --settle (a DNS lookup of a missing database host, on a busy machine)
	// looks like a worker. Run the one that stayed up again, longer, and
	// compare what it does then.
	if b, a := res.Before.Outcome.Kind, res.After.Outcome.Kind; b != a && (b == Up || a == Up) {
		longer := pr
		longer.Settle = max(6*pr.Settle, time.Minute)
		im, name, cfg := &res.Before, "original", before
		if a == Up {
			im, name, cfg = &res.After, "rewrite", after
		}
		err := v.step(fmt.Sprintf("running the %s again, up to %s", name, longer.Settle), func() error {
			var err error
			im.Outcome, _, err = v.r.observe(ctx, "dfslim-verify-"+id+"-"+name+"-again", im.Tag, cfg, longer)
			im.Outcome.Crashed = im.Outcome.Kind == Exited
			return err
		})
		if err != nil {
			res.Status, res.What = Error, fmt.Sprintf("running the %s: %v", name, err)
			return res
		}
		v.progress("the %s: %s", name, im.Outcome)
		res.Before.Outcome.Crashed = res.Before.Outcome.Crashed || im.Outcome.Crashed
		res.After.Outcome.Crashed = res.After.Outcome.Crashed || im.Outcome.Crashed
	}
	same, diff := Compare(res.Before.Outcome, res.After.Outcome)
	if same {
		res.Status, res.What = Same, res.Before.Outcome.String()
	} else {
		res.Status, res.What = Different, diff
	}
	return res
}

func (v *verifier) build(name, dir, dockerfile, tag string, cfg *Config, ctx context.Context) error {
	limit := v.o.BuildTimeout
	if limit == 0 {
		limit = 20 * time.Minute
	}
	return v.step("building the "+name, func() error {
		if err := v.o.Engine.Build(ctx, dir, dockerfile, tag, limit); err != nil {
			return err
		}
		var err error
		*cfg, err = v.o.Engine.Inspect(ctx, tag)
		return err
	})
}

// copyTree copies the directory from to to, hard-linking regular files where
// it can (the caller replaces, never edits, the files it changes) and
// keeping symlinks as links.
func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(dst, info.Mode().Perm()|0o700)
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, dst)
		case info.Mode().IsRegular():
			if os.Link(p, dst) == nil {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(dst, data, info.Mode().Perm())
		}
		return nil // sockets, FIFOs, devices: not sent to a build either
	})
}

func randomID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// sanitize makes s a valid image repository name component: lower case,
// every run of other characters than letters and digits one "-" (the
// reference grammar allows no "_-" or "--."), at most 64 characters.
func sanitize(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	out := b.String()
	if len(out) > 64 {
		out = out[:64]
	}
	out = strings.Trim(out, "-")
	if out == "" {
		return "app"
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// WriteTable prints one row per result.
func WriteTable(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tSIZE BEFORE → AFTER\tBEHAVIOUR\tSHELL\tUSER")
	for _, r := range results {
		size, shell, user := "-", "-", "-"
		if r.Before.Size > 0 && r.After.Size > 0 {
			size = fmt.Sprintf("%s → %s (%+.0f%%)", MB(r.Before.Size), MB(r.After.Size), 100*(float64(r.After.Size)/float64(r.Before.Size)-1))
			shell = orDefault(r.Before.Shell, "none") + " → " + orDefault(r.After.Shell, "none")
			user = orDefault(r.Before.User, "root") + " → " + orDefault(r.After.User, "root")
		}
		behaviour := r.Status
		if r.What != "" {
			behaviour += ": " + oneLine(r.What)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Path, size, behaviour, shell, user)
	}
	return tw.Flush()
}

// MB formats a size in megabytes.
func MB(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func oneLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return clip(line, 160)
}
