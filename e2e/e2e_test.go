package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// flavour is one way the suite rewrites the apps: dfslim's flags, the apps
// it applies to (all when nil), and the Dockerfile it starts from per app
// (default Dockerfile).
type flavour struct {
	name    string
	flags   []string
	apps    []string
	sources map[string]string
}

// flavours are the rewrites built for each app. DFSLIM_E2E_FLAVOURS (a comma
// list) builds only those, without the original and expert images, and merges
// their rows into the results the apps already have.
var flavours = []flavour{
	{name: "distroless", flags: []string{"--base", "distroless"}},
	{name: "chainguard", flags: []string{"--base", "chainguard"}},
	// The seed article's smallest image. rust-lambda starts from a static
	// build this machine can make (glibc with +crt-static: it has no musl
	// Rust standard library), see testdata/e2e/rust-lambda/Dockerfile.crt-static.
	{name: "scratch", flags: []string{"--base", "scratch"}, apps: []string{"go-cli", "rust-lambda"},
		sources: map[string]string{"rust-lambda": "Dockerfile.crt-static"}},
	// --static on the Go apps. rust-lambda is left out: --static builds it
	// for x86_64-unknown-linux-musl, whose standard library this machine lacks.
	{name: "static", flags: []string{"--static"}, apps: []string{"go-cli", "go-config", "go-http", "go-lambda"}},
}

// variant is one image of an app: the original, the expert's, or a rewrite.
type variant struct {
	Name       string // "original", "expert", "distroless", "chainguard", "scratch", "static"
	Dockerfile string `json:"-"` // as built
	Tag        string `json:"-"`
	Size       int64
	Same       bool   // behaves as the spec says
	Shell      string // shells found in the image, "" for none
	User       string
	Log        string // why it failed, when it did
	// SameAs names an earlier rewrite whose Dockerfile this one equals
	// byte for byte: it is not built again, and its results are copied.
	SameAs string `json:",omitempty"`
}

// app is one sample app and its variants.
type app struct {
	Name     string
	Compiled bool // Go, Rust: the runtime needs only a binary
	// SlimRung: no distroless or Chainguard image can run the app, so its
	// rewrite runs on the slim rung (an official slim image, with a shell);
	// e2e.json says "rung": "slim".
	SlimRung bool `json:",omitempty"`
	Variants []*variant
	Skipped  []string // flavours dfslim did not rewrite, with its reason
}

func (a *app) variant(name string) *variant {
	for _, v := range a.Variants {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// TestE2E builds every sample app four ways and checks behaviour and size.
func TestE2E(t *testing.T) {
	if os.Getenv("DFSLIM_E2E") != "1" {
		t.Skip("DFSLIM_E2E is not 1; run e2e/setup.sh first, then DFSLIM_E2E=1 go test ./e2e")
	}
	start := time.Now()
	tmp := t.TempDir()
	dfslim := filepath.Join(tmp, "dfslim")
	if out, err := exec.Command("go", "build", "-o", dfslim, "../cmd/dfslim").CombinedOutput(); err != nil {
		t.Fatalf("building dfslim: %v\n%s", err, out)
	}
	dirs, _ := filepath.Glob("../testdata/e2e/*/Dockerfile")
	if len(dirs) == 0 {
		t.Fatal("no sample apps in testdata/e2e")
	}
	var apps []*app
	for _, df := range dirs {
		dir := filepath.Dir(df)
		a := &app{Name: filepath.Base(dir), Compiled: strings.HasPrefix(filepath.Base(dir), "go-") || strings.HasPrefix(filepath.Base(dir), "rust-")}
		t.Run(a.Name, func(t *testing.T) { runApp(t, a, dir, dfslim, tmp) })
		if len(a.Variants) > 0 { // not filtered out by -run
			apps = append(apps, a)
		}
	}
	// Each app's results are kept in results/<app>.json, so a run of some
	// apps (go test -run TestE2E/go-http) updates their rows only.
	if os.Getenv("DFSLIM_E2E_FLAVOURS") != "" {
		mergeSaved(t, apps, "results")
	}
	for _, a := range apps {
		if err := saveApp(a, "results"); err != nil {
			t.Fatal(err)
		}
	}
	all, err := loadApps("results")
	if err != nil {
		t.Fatal(err)
	}
	if err := writeResults(all, "RESULTS.md", "sizes.svg", time.Since(start)); err != nil {
		t.Fatal(err)
	}
	t.Logf("e2e: %d apps in %s; wrote e2e/RESULTS.md and e2e/sizes.svg", len(apps), time.Since(start).Round(time.Second))
}

func runApp(t *testing.T, a *app, dir, dfslim, tmp string) {
	spec, err := filepath.Abs(filepath.Join(dir, "e2e.json"))
	if err != nil {
		t.Fatal(err)
	}
	tag := func(v string) string { return "localhost/dfslim-e2e/" + a.Name + ":" + v }
	a.SlimRung = specRung(spec) == "slim"
	only := os.Getenv("DFSLIM_E2E_FLAVOURS")
	if only == "" {
		a.Variants = []*variant{
			{Name: "original", Dockerfile: filepath.Join(dir, "Dockerfile"), Tag: tag("original")},
			{Name: "expert", Dockerfile: filepath.Join(dir, "Dockerfile.expert"), Tag: tag("expert")},
		}
	}
	for _, fl := range flavours {
		if (fl.apps != nil && !slices.Contains(fl.apps, a.Name)) || (only != "" && !slices.Contains(strings.Split(only, ","), fl.name)) {
			continue
		}
		flavour := fl.name
		source := "Dockerfile"
		if s, ok := fl.sources[a.Name]; ok {
			source = s
		}
		copyDir := filepath.Join(tmp, a.Name+"-"+flavour)
		copyTree(t, dir, copyDir)
		if source != "Dockerfile" {
			copyFile(t, filepath.Join(dir, source), filepath.Join(copyDir, "Dockerfile"))
		}
		cmd := exec.Command(dfslim, append(append([]string{"fix", "-w"}, fl.flags...), "Dockerfile")...)
		cmd.Dir = copyDir
		out, err := cmd.CombinedOutput()
		if err != nil && exitCode(err) != 1 { // 1: findings left for a person
			t.Errorf("dfslim fix -w %s: %v\n%s", strings.Join(fl.flags, " "), err, out)
		}
		orig, _ := os.ReadFile(filepath.Join(dir, source))
		fixed, _ := os.ReadFile(filepath.Join(copyDir, "Dockerfile"))
		t.Logf("dfslim fix %s:\n%s", strings.Join(fl.flags, " "), out)
		if bytes.Equal(orig, fixed) || !slimBase(fixed) && !(a.SlimRung && multiStage(filepath.Join(copyDir, "Dockerfile"))) {
			// Distroless must fit every sample app. Chainguard's free images
			// carry one language version each, so dfslim may rightly refuse
			// (and only tidy the file with its other rules).
			if flavour == "distroless" {
				t.Errorf("%s: dfslim did not rewrite the Dockerfile:\n%s", flavour, out)
			}
			a.Skipped = append(a.Skipped, flavour+": "+firstFinding(string(out)))
			continue
		}
		nv := &variant{Name: flavour, Dockerfile: filepath.Join(copyDir, "Dockerfile"), Tag: tag(flavour)}
		for _, v := range a.Variants {
			if data, _ := os.ReadFile(v.Dockerfile); v.SameAs == "" && v.Name != "original" && v.Name != "expert" && bytes.Equal(data, fixed) {
				nv.SameAs = v.Name
				break
			}
		}
		a.Variants = append(a.Variants, nv)
	}
	built := map[string]*variant{} // rewritten Dockerfile -> the variant built from it
	for _, v := range a.Variants {
		if v.SameAs != "" {
			same := *a.variant(v.SameAs)
			same.Name, same.SameAs, same.Dockerfile = v.Name, v.SameAs, v.Dockerfile
			*v = same
			t.Logf("%-10s same Dockerfile as %s: not built again", v.Name, v.SameAs)
			continue
		}
		if _, err := os.Stat(v.Dockerfile); err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		// Both flavours may give the same rewrite (the slim rung): build it once.
		df, _ := os.ReadFile(v.Dockerfile)
		if prev := built[string(df)]; prev != nil && v.Name != "original" && v.Name != "expert" {
			v.Size, v.Same, v.Shell, v.User, v.Log = prev.Size, prev.Same, prev.Shell, prev.User, prev.Log
			t.Logf("%-10s the same Dockerfile as %s: not built again", v.Name, prev.Name)
			continue
		}
		if v.Name != "original" && v.Name != "expert" {
			built[string(df)] = v
		}
		if err := build(t, filepath.Dir(v.Dockerfile), v.Dockerfile, v.Tag); err != nil {
			v.Log = "build failed: " + lastLines(err.Error(), 15)
			t.Errorf("%s: build failed: %v", v.Name, err)
			continue
		}
		out, err := lib("run_check", v.Tag, spec)
		v.Same = err == nil
		if !v.Same {
			v.Log = lastLines(out, 15)
			t.Errorf("%s: behaves differently:\n%s", v.Name, out)
		}
		cfg, err := inspect(t, v.Tag)
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
		}
		v.Size = cfg.Size
		shells, _ := lib("has_shell", v.Tag)
		v.Shell = strings.Join(strings.Fields(shells), " ")
		v.User = cfg.User
		if v.Name == "scratch" {
			// What scratch-files adds: the CA bundle, zoneinfo, a user entry.
			if out, err := lib("has_file", v.Tag, "/etc/ssl/certs/ca-certificates.crt", "/usr/share/zoneinfo/UTC", "/etc/passwd", "/etc/group"); err != nil {
				t.Errorf("scratch: %s", out)
				v.Same, v.Log = false, out
			}
			if v.User != "65532:65532" {
				t.Errorf("scratch: runs as %q, want 65532:65532", v.User)
			}
		}
		t.Logf("%-10s %8.1f MB  same=%v  shell=%q  user=%q", v.Name, mb(v.Size), v.Same, v.Shell, v.User)
	}
	checkTargets(t, a)
	for _, v := range a.Variants {
		lib("rmi", v.Tag) // vfs keeps full copies: free the space as we go
	}
}

// checkTargets asserts what the issue asks of every rewrite.
func checkTargets(t *testing.T, a *app) {
	orig, expert := a.variant("original"), a.variant("expert")
	for _, fl := range flavours {
		name := fl.name
		v := a.variant(name)
		if v == nil || v.Size == 0 {
			continue
		}
		if v.Shell != "" && !a.SlimRung {
			t.Errorf("%s: the rewritten image has a shell (%s)", name, v.Shell)
		}
		if df, _ := os.ReadFile(v.Dockerfile); bytes.Contains(df, []byte("USER 65532:65532")) && v.User != "65532:65532" {
			t.Errorf("%s: dfslim set USER 65532:65532 but the image runs as %q", name, v.User)
		}
	}
	v := a.variant("distroless")
	if v == nil || v.Size == 0 || expert == nil || orig == nil || expert.Size == 0 || orig.Size == 0 {
		return
	}
	if ratio := float64(v.Size) / float64(expert.Size); ratio > 1.10 {
		t.Errorf("distroless rewrite is %.2f× the expert image (%.1f MB vs %.1f MB); target ≤ 1.10×", ratio, mb(v.Size), mb(expert.Size))
	}
	// The size target is for single-stage originals, where the split drops
	// the toolchain. An original that already runs on an OS-only base (AWS's
	// provided images) is held to the expert's size above instead; its stand-in
	// base is also far smaller than AWS's (135 MB here, 309 MB real).
	if saved := 1 - float64(v.Size)/float64(orig.Size); a.Compiled && !multiStage(orig.Dockerfile) && saved < 0.80 {
		t.Errorf("compiled app only %.0f%% smaller than the original; target ≥ 80%%", 100*saved)
	}
}

// specRung returns the "rung" of an app's e2e.json, "" when it has none.
func specRung(spec string) string {
	data, _ := os.ReadFile(spec)
	var s struct{ Rung string }
	_ = json.Unmarshal(data, &s)
	return s.Rung
}

// lib runs a function of lib.sh and returns its combined output.
func lib(args ...string) (string, error) {
	cmd := exec.Command("bash", append([]string{"lib.sh"}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if fi.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, fi.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// multiStage reports whether a Dockerfile has more than one FROM.
func multiStage(path string) bool {
	data, _ := os.ReadFile(path)
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 1 && strings.EqualFold(f[0], "FROM") {
			n++
		}
	}
	return n > 1
}

// slimBase reports whether the final stage of a Dockerfile is on a
// distroless or Chainguard image, that is whether dfslim swapped the runtime
// (other rules may still have tidied a file it could not slim).
func slimBase(dockerfile []byte) bool {
	last := ""
	for _, line := range strings.Split(string(dockerfile), "\n") {
		if f := strings.Fields(line); len(f) > 1 && strings.EqualFold(f[0], "FROM") {
			last = line
		}
	}
	return strings.Contains(last, "gcr.io/distroless/") || strings.Contains(last, "cgr.dev/chainguard/") || (last != "" && strings.EqualFold(strings.Fields(last)[1], "scratch"))
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// exitCode returns the exit status of a command's error, or -1.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// firstFinding returns the first finding dfslim printed, without its position.
func firstFinding(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "Dockerfile:"); ok {
			if _, msg, ok := strings.Cut(rest, ": "); ok {
				return msg // "rule: message"
			}
		}
	}
	return lastLines(out, 1)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func mb(n int64) float64 { return float64(n) / 1e6 }

// mergeSaved puts the variants saved by earlier runs that this run did not
// build back into apps, so that a run of some flavours keeps the other rows.
func mergeSaved(t *testing.T, apps []*app, dir string) {
	saved, err := loadApps(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range apps {
		for _, old := range saved {
			if old.Name != a.Name {
				continue
			}
			var merged []*variant
			for _, v := range old.Variants {
				if a.variant(v.Name) == nil {
					merged = append(merged, v)
				}
			}
			a.Variants = append(merged, a.Variants...)
			for _, sk := range old.Skipped {
				if !slices.Contains(a.Skipped, sk) {
					a.Skipped = append(a.Skipped, sk)
				}
			}
		}
	}
}
