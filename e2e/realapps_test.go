package e2e

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/verify"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// ciRealApps are the real apps CI proves (DFSLIM_REALAPPS=ci), chosen to
// fit CI's budget (2 to 5 minutes each here) and to cover different paths:
// two Go servers whose modules come through the Go proxy, one on distroless
// static and one on distroless base (cgo), and a Node server whose packages
// come from the npm registry, split on the slim rung with `npm start` replaced
// by node (it behaved differently before d09509e). realapps.sh runs them all
// (DFSLIM_REALAPPS=all).
var ciRealApps = []string{
	"docker__docker-gs-ping",
	"Azure-Samples__containerapps-albumapi-go__src",
	"dockersamples__node-bulletin-board__bulletin-board-app",
}

// realApp is one row of the manifest and what happened to it.
type realApp struct {
	Dir        string
	Dockerfile string // relative to Dir
	Language   string
	Before     string // final base image, before → after
	After      string
	Result     string // "same", "different", "not built"
	Why        string // behaviour, what differed, or why it was not built
	SizeBefore int64
	SizeAfter  int64
	Shell      string // before → after
	User       string // before → after
	Aliases    []string
	Seconds    int
	Fixed      string // hash of the rewrite that was built (fixedHash)
	PreStep    string // the manifest's pre-step, run in a copy of the context before the builds
	notes      string // the manifest's notes
}

func (a *realApp) key() string { return a.Dir + "/" + a.Dockerfile }

// TestRealApps runs `dfslim verify` on the real apps of shared/corpus/apps
// that dfslim rewrites, and writes REALAPPS.md.
func TestRealApps(t *testing.T) {
	mode := os.Getenv("DFSLIM_REALAPPS")
	if mode != "ci" && mode != "all" {
		t.Skip("DFSLIM_REALAPPS is not ci or all; see e2e/realapps.sh")
	}
	corpus := os.Getenv("DFSLIM_APPS")
	if corpus == "" {
		corpus = "../../shared/corpus/apps"
	}
	rows, err := readManifest(filepath.Join(corpus, "manifest.tsv"))
	if err != nil {
		t.Skipf("no real apps: %v", err)
	}
	tmp := t.TempDir()
	dfslim := filepath.Join(tmp, "dfslim")
	if out, err := exec.Command("go", "build", "-o", dfslim, "../cmd/dfslim").CombinedOutput(); err != nil {
		t.Fatalf("building dfslim: %v\n%s", err, out)
	}
	flags, err := exec.Command("bash", "-c", `source env.sh && printf '%s\n' "${E2E_VERIFY_FLAGS[@]}"`).Output()
	if err != nil {
		t.Fatal(err)
	}
	verifyFlags := strings.Split(strings.TrimSpace(string(flags)), "\n")
	only := os.Getenv("DFSLIM_REALAPPS_ONLY") // comma-separated app dirs
	start := time.Now()
	for _, a := range rows {
		ctxDir := filepath.Join(corpus, a.Dir)
		fixed, rewritten := rewrittenBy(t, dfslim, ctxDir, a)
		if !rewritten {
			forgetApp(a)
			continue
		}
		a.Fixed = fixedHash(fixed)
		if (mode == "ci" && !slices.Contains(ciRealApps, a.Dir)) ||
			(only != "" && !slices.Contains(strings.Split(only, ","), a.Dir)) {
			if err := keepOrMarkStale(a, ctxDir); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Run(a.Dir, func(t *testing.T) {
			runRealApp(t, a, ctxDir, fixed, dfslim, verifyFlags)
			if err := saveRealApp(a); err != nil {
				t.Fatal(err)
			}
			if a.Result == "different" {
				t.Errorf("%s: behaves differently: %s", a.key(), a.Why)
			}
		})
	}
	all, err := loadRealApps()
	if err != nil {
		t.Fatal(err)
	}
	if err := writeRealApps(all, "REALAPPS.md"); err != nil {
		t.Fatal(err)
	}
	t.Logf("real apps: %s; wrote e2e/REALAPPS.md", time.Since(start).Round(time.Second))
}

func readManifest(path string) ([]*realApp, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []*realApp
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 6 {
			continue
		}
		a := &realApp{Dir: cols[0], Dockerfile: cols[3], Language: cols[5]}
		if len(cols) > 7 {
			a.notes = cols[7]
		}
		out = append(out, a)
	}
	return out, sc.Err()
}

// rewrittenBy runs dfslim fix on the app and reports the fixed Dockerfile and
// whether dfslim gave it another runtime image or split it into build and
// runtime stages (a rewrite, not only hygiene).
func rewrittenBy(t *testing.T, dfslim, ctxDir string, a *realApp) ([]byte, bool) {
	src, err := os.ReadFile(filepath.Join(ctxDir, a.Dockerfile))
	if err != nil {
		t.Logf("%s: %v", a.key(), err)
		return nil, false
	}
	cmd := exec.Command(dfslim, "fix", "--context", ctxDir, "-")
	cmd.Stdin = bytes.NewReader(src)
	fixed, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) { // 1: findings remain
		return nil, false
	}
	before, after := finalBase(src), finalBase(fixed)
	a.Before, a.After = before, after
	return fixed, before != after || stages(fixed) > stages(src)
}

// stages counts a Dockerfile's stages (a split on the same image adds one).
func stages(src []byte) int {
	f, err := rewrite.Parse("Dockerfile", src)
	if err != nil {
		return 0
	}
	return len(f.Stages)
}

// finalBase is the image of a Dockerfile's last stage, ARG defaults filled in.
func finalBase(src []byte) string {
	f, err := rewrite.Parse("Dockerfile", src)
	if err != nil || len(f.Stages) == 0 {
		return ""
	}
	return expand(f, f.Stages[len(f.Stages)-1].BaseName)
}

// bases lists the images a Dockerfile's stages start from (not its stages).
func bases(src []byte) []string {
	f, err := rewrite.Parse("Dockerfile", src)
	if err != nil {
		return nil
	}
	var out []string
	names := map[string]bool{}
	for _, st := range f.Stages {
		ref := expand(f, st.BaseName)
		if !names[strings.ToLower(ref)] && ref != "scratch" && !slices.Contains(out, ref) {
			out = append(out, ref)
		}
		names[strings.ToLower(st.Name)] = true
	}
	return out
}

func expand(f *rewrite.File, ref string) string {
	var env []string
	for _, a := range f.MetaArgs {
		for _, kv := range a.Args {
			if kv.Value != nil {
				env = append(env, kv.Key+"="+*kv.Value)
			}
		}
	}
	res, err := shell.NewLex(rune(f.Escape)).ProcessWordWithMatches(ref, shell.EnvsFromSlice(env))
	if err != nil {
		return ref
	}
	return res.Result
}

// standIns maps an image repository (normalized, mirrors stripped) to the
// e2e stand-in that serves for every tag of it. The Go and Node builders are
// setup.sh's variants that trust this machine's proxy CA
// (localhost/dfslim-e2e/proxy/...; the plain stand-in when there are none). Versions are the stand-ins' (Go
// 1.26, Node 18, rustc 1.63, Python 3.11, Java 17, Debian 12), whatever the tag says.
var standIns = map[string]string{
	"docker.io/library/golang":            "localhost/dfslim-e2e/proxy/golang:1.26",
	"docker.io/library/node":              "localhost/dfslim-e2e/proxy/node:20",
	"docker.io/library/rust":              "docker.io/library/rust:1",
	"docker.io/library/python":            "docker.io/library/python:3.11",
	"docker.io/library/eclipse-temurin":   "docker.io/library/eclipse-temurin:17",
	"docker.io/library/debian":            "docker.io/library/debian:bookworm",
	"public.ecr.aws/lambda/provided":      "public.ecr.aws/lambda/provided:al2023",
	"gcr.io/distroless/static-debian12":   "gcr.io/distroless/static-debian12:nonroot",
	"gcr.io/distroless/base-debian12":     "gcr.io/distroless/base-debian12:nonroot",
	"gcr.io/distroless/cc-debian12":       "gcr.io/distroless/cc-debian12:nonroot",
	"gcr.io/distroless/nodejs20-debian12": "gcr.io/distroless/nodejs20-debian12:nonroot",
}

const proxyPrefix = "localhost/dfslim-e2e/proxy/"

// mirrors are registries that serve Docker Hub's official images under another name.
var mirrors = []string{"public.ecr.aws/docker/library/", "mirror.gcr.io/library/"}

// standInFor returns the stand-in for ref ("" = none) and ref's full name.
func standInFor(ref string) (standIn, full string) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", ref
	}
	named = reference.TagNameOnly(named)
	full = named.String()
	repo := named.Name()
	for _, m := range mirrors {
		if rest, ok := strings.CutPrefix(repo, m); ok {
			repo = "docker.io/library/" + rest
		}
	}
	// distroless nodejsNN: the one Node stand-in
	if strings.HasPrefix(repo, "gcr.io/distroless/nodejs") {
		repo = "gcr.io/distroless/nodejs20-debian12"
	}
	if repo == "docker.io/library/node" && eolNode(named) {
		return eolNodeStandIn, full
	}
	return standIns[repo], full
}

// eolNodeStandIn serves the node tags of a major distroless has no image for
// (4 to 24 but 18, 20, 22, 24): dfslim's rewrite copies their
// /usr/local/bin/node onto distroless cc, which only the node:16 stand-in has
// (setup.sh: upstream's layout, this machine's nodejs.org build); its proxy
// variant, so that npm reaches the registry.
const eolNodeStandIn = proxyPrefix + "node:16"

// eolNode reports whether a node reference's tag names a major (its leading
// digits) that distroless has no image for and that runs on distroless cc:
// below 25, not 18, 20, 22 or 24.
func eolNode(named reference.Named) bool {
	tagged, ok := named.(reference.Tagged)
	if !ok {
		return false
	}
	tag := tagged.Tag()
	i := 0
	for i < len(tag) && tag[i] >= '0' && tag[i] <= '9' {
		i++
	}
	major, err := strconv.Atoi(tag[:i])
	return err == nil && major < 25 && !slices.Contains([]int{18, 20, 22, 24}, major)
}

// registryNeed says which unreachable registry an app's build needs, if any:
// crates.io, PyPI and Maven Central are not reachable from this machine.
func registryNeed(ctxDir string, a *realApp, src []byte) string {
	has := func(name string) bool {
		_, err := os.Stat(filepath.Join(ctxDir, filepath.Dir(a.Dockerfile), name))
		if err != nil {
			_, err = os.Stat(filepath.Join(ctxDir, name))
		}
		return err == nil
	}
	text := string(src)
	switch a.Language {
	case "rust":
		lock, err := os.ReadFile(filepath.Join(ctxDir, filepath.Dir(a.Dockerfile), "Cargo.lock"))
		if err != nil {
			lock, _ = os.ReadFile(filepath.Join(ctxDir, "Cargo.lock"))
		}
		if bytes.Contains(lock, []byte("registry+")) || !has("Cargo.lock") {
			return "crates.io (its Cargo dependencies)"
		}
	case "python":
		if regexp.MustCompile(`\b(pip3? install|uv (sync|pip)|poetry install|pipenv install)\b`).MatchString(text) {
			return "PyPI (pip/uv/poetry install)"
		}
	case "java":
		if has("pom.xml") || has("build.gradle") || has("build.gradle.kts") || strings.Contains(text, "mvn") || strings.Contains(text, "gradle") {
			return "Maven Central (Maven/Gradle dependencies)"
		}
	}
	return ""
}

func runRealApp(t *testing.T, a *realApp, ctxDir string, fixed []byte, dfslim string, verifyFlags []string) {
	start := time.Now()
	defer func() { a.Seconds = int(time.Since(start).Seconds()) }()
	src, _ := os.ReadFile(filepath.Join(ctxDir, a.Dockerfile))
	if need := registryNeed(ctxDir, a, src); need != "" {
		a.Result, a.Why = "not built", "needs "+need+", not reachable from this machine"
		return
	}
	if a.PreStep = preStep(ctxDir, a.notes); a.PreStep != "" {
		dir, err := runPreStep(t, ctxDir, a.PreStep)
		if err != nil {
			a.Result, a.Why = "not built", "the pre-step `"+a.PreStep+"` failed: "+err.Error()
			return
		}
		ctxDir = dir
	}
	// Stand-ins under the names the two Dockerfiles use, for this app only,
	// so that both builds see the same images: a missing name gets the
	// stand-in as an extra tag, removed after the app; a builder name that
	// exists (golang:1.26: the offline stand-in) points at the proxy variant
	// meanwhile and back after.
	eng := e2eEngine(t)
	restore := map[string]string{} // name -> image ID to tag it with again
	defer func() {
		for _, al := range a.Aliases {
			if id, ok := restore[al]; ok {
				bah(eng, "tag", id, al)
				continue
			}
			bah(eng, "rmi", al) // rmi of one name of an image with several only removes that name
		}
		sort.Strings(a.Aliases)
	}()
	for _, ref := range append(bases(src), bases(fixed)...) {
		standIn, full := standInFor(ref)
		if slices.Contains(a.Aliases, full) {
			continue
		}
		if strings.HasPrefix(standIn, proxyPrefix) && imageID(eng, standIn) == "" {
			standIn = "docker.io/library/" + strings.TrimPrefix(standIn, proxyPrefix) // no proxy CA on this machine
		}
		id := imageID(eng, full)
		switch {
		case id != "" && (!strings.HasPrefix(standIn, proxyPrefix) || id == imageID(eng, standIn)):
			continue // a stand-in of that name exists
		case standIn == "":
			a.Result, a.Why = "not built", "no stand-in for "+ref
			return
		case id != "":
			restore[full] = id
		}
		if out, err := bah(eng, "tag", standIn, full); err != nil {
			t.Fatalf("buildah tag %s %s: %v\n%s", standIn, full, err, out)
		}
		a.Aliases = append(a.Aliases, full)
	}
	args := append([]string{"verify"}, verifyFlags...)
	args = append(args, "--build-timeout", "15m", "--context", ctxDir, filepath.Join(ctxDir, a.Dockerfile))
	cmd := exec.Command(dfslim, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	t.Logf("%s (%s):\n%s", a.key(), time.Since(start).Round(time.Second), stdout.String())
	row := parseRow(stdout.String())
	if row == nil {
		a.Result, a.Why = "not built", "dfslim verify: "+lastLines(stderr.String(), 1)
		t.Logf("stderr:\n%s", lastLines(stderr.String(), 40))
		return
	}
	a.SizeBefore, a.SizeAfter, a.Shell, a.User = row.before, row.after, row.shell, row.user
	status, what, _ := strings.Cut(row.behaviour, ": ")
	switch {
	case status == "same":
		a.Result, a.Why = "same", what
	case status == "different" && strings.HasPrefix(what, "the rewrite does not build"):
		a.Result, a.Why = "different", what
	case status == "different":
		a.Result, a.Why = "different", what
	default: // error: the original did not build or run
		a.Result, a.Why = "not built", what
		if cause := buildCause(stderr.String()); cause != "" && !strings.Contains(what, cause) {
			a.Why += " (" + cause + ")"
		}
		if m := goDepError.FindStringSubmatch(stderr.String()); m != nil && a.Language == "go" {
			a.Why += fmt.Sprintf(" (%s does not compile with the stand-in's Go 1.26: %s; the Dockerfile names %s)", m[1], m[2], strings.Join(bases(src), ", "))
		}
		for _, n := range strings.Split(a.notes, ";") {
			if strings.HasPrefix(n, "needs-") { // the manifest knows: needs-pre-step, needs-prebuilt-lib
				a.Why += " (manifest: " + n + ")"
			}
		}
	}
	runtimeTooOld(a)
	if err != nil || a.Result != "same" {
		t.Logf("stderr:\n%s", lastLines(stderr.String(), 40))
	}
}

// tooOldRE matches what an app says when the runtime's version is below the
// one it requires: Node.js 18 standing in for 22, say.
var tooOldRE = regexp.MustCompile(`(?i)unsupported node\.?js version|node\.?js .*(>=|version).* is required|engine "node" is incompatible`)

// runtimeTooOld turns a "same" of two runs that both stopped at once because
// the stand-in's runtime is older than the app requires into "not built":
// nothing of the app ran, so the two runs prove nothing about the rewrite.
func runtimeTooOld(a *realApp) {
	if a.Result == "same" && strings.HasPrefix(a.Why, "exit ") && tooOldRE.MatchString(a.Why) {
		a.Result, a.Why = "not built", "both builds work, but the app stops at once in both: the stand-in's runtime is older than it requires ("+a.Why+")"
	}
}

// preStepRE finds the command the manifest records for an app whose build
// needs files its repository makes first: needs-pre-step:'COMMAND'.
var preStepRE = regexp.MustCompile(`needs-pre-step:'([^']+)'`)

// preStep is the command that makes the files an app's Dockerfile copies but
// its repository does not commit, "" if none is known: the one the manifest
// records, or for a Node package whose compiled lib/ is missing
// (needs-prebuilt-lib) its own publish script, which compiles it, after an
// install of its dependencies from the npm registry (Node and npm of this
// machine).
func preStep(ctxDir, notes string) string {
	if m := preStepRE.FindStringSubmatch(notes); m != nil {
		return m[1]
	}
	if !strings.Contains(notes, "needs-prebuilt-lib") {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(ctxDir, "package.json"))
	if err != nil {
		return ""
	}
	var pkg struct{ Scripts map[string]string }
	if json.Unmarshal(data, &pkg) != nil {
		return ""
	}
	for _, script := range []string{"prepublishOnly", "prepublish", "prepare", "build"} {
		if pkg.Scripts[script] != "" {
			return "npm install --ignore-scripts --no-audit --no-fund && npm run " + script
		}
	}
	return ""
}

// runPreStep runs an app's pre-step (the repository's own script or build,
// as its maintainers run it before `docker build`) in a copy of the build
// context, and returns the copy. The corpus stays untouched.
func runPreStep(t *testing.T, ctxDir, command string) (string, error) {
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-a", ctxDir+"/.", dir).CombinedOutput(); err != nil {
		return "", fmt.Errorf("copying the context: %v: %s", err, out)
	}
	cmd := exec.Command("sh", "-c", command)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%v: %s", err, lastLines(string(out), 1))
	}
	return dir, nil
}

// goDepError is a compile error in a Go module the build downloaded (the
// module and the error): code that needs an older Go than the stand-in's.
var goDepError = regexp.MustCompile(`pkg/mod/(\S+?)@v[^/]+/\S+\.go:\d+:\d+: (.*)`)

// buildCause is the first line of a failed build's output that says what
// went wrong (not buildah's "building at STEP" summary, not progress).
func buildCause(stderr string) string {
	re := regexp.MustCompile(`(?i)(\berr(or)?\b|ERR_|\bfatal\b|cannot|can only|not found|no such|^E: |no installation candidate|\b40[34] (Forbidden|Not Found)\b)`)
	// npm's usage text after an error says nothing about the error
	npmNoise := regexp.MustCompile(`^npm ERR!\s*(\[|-|Options:|aliases:|Run "npm help|$|code |npm ci$|Clean install)`)
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "dfslim verify:") || strings.Contains(line, "building at STEP") ||
			strings.Contains(line, ": error: ") || npmNoise.MatchString(line) || !re.MatchString(line) {
			continue
		}
		return clipTo(urlHost.ReplaceAllString(line, "…"), 160)
	}
	return ""
}

// urlHost is the scheme and host of a URL in a build's output: the results
// name what failed, not the endpoints this machine reaches.
var urlHost = regexp.MustCompile(`https?://[^/\s]+`)

func clipTo(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// bah runs buildah on the e2e store.
func bah(eng verify.Engine, args ...string) ([]byte, error) {
	cmd := exec.Command("buildah", append(slices.Clone(eng.Flags), args...)...)
	cmd.Env = append(os.Environ(), eng.Env...)
	return cmd.CombinedOutput()
}

// imageID is the ID of an image in the e2e store, "" if there is none.
func imageID(eng verify.Engine, name string) string {
	out, err := bah(eng, "inspect", "--type", "image", "--format", "{{.FromImageID}}", name)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

type row struct {
	before, after int64
	behaviour     string
	shell, user   string
}

var rowRE = regexp.MustCompile(`(?m)^\S+ +(?:(\d+\.\d) MB → (\d+\.\d) MB \([-+]\d+%\)|-) +(.*?) +(\S+ → \S+|-) +(\S+ → \S+|-)$`)

func parseRow(out string) *row {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 {
		return nil
	}
	m := rowRE.FindStringSubmatch(lines[1])
	if m == nil {
		return nil
	}
	r := &row{behaviour: m[3], shell: m[4], user: m[5]}
	var b, a float64
	fmt.Sscanf(m[1], "%g", &b)
	fmt.Sscanf(m[2], "%g", &a)
	r.before, r.after = int64(b*1e6), int64(a*1e6)
	return r
}

func realAppFile(a *realApp) string {
	return filepath.Join("realapps", strings.NewReplacer("/", "__", "{", "", "}", "").Replace(a.key())+".json")
}

func saveRealApp(a *realApp) error {
	data, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll("realapps", 0o755); err != nil {
		return err
	}
	return os.WriteFile(realAppFile(a), append(data, '\n'), 0o644)
}

// fixedHash identifies a rewrite, so that a saved result can tell whether it
// was built from today's rewrite.
func fixedHash(fixed []byte) string {
	sum := sha256.Sum256(fixed)
	return hex.EncodeToString(sum[:8])
}

// keepOrMarkStale handles an app dfslim rewrites that this run does not
// build: an app with no saved result, or whose same/different result was
// built from another rewrite than today's, is listed as not built (not run
// yet, or changed since); other saved results are kept (a not-built reason is
// the original's or the machine's, and results saved before the hash was
// recorded carry none).
func keepOrMarkStale(a *realApp, ctxDir string) error {
	var why string
	data, err := os.ReadFile(realAppFile(a))
	switch {
	case os.IsNotExist(err):
		src, _ := os.ReadFile(filepath.Join(ctxDir, a.Dockerfile))
		if need := registryNeed(ctxDir, a, src); need != "" { // what a run would find out at once
			a.Result, a.Why = "not built", "needs "+need+", not reachable from this machine"
			return saveRealApp(a)
		}
		why = "not run yet"
	case err != nil:
		return err
	default:
		old := &realApp{}
		if err := json.Unmarshal(data, old); err != nil {
			return fmt.Errorf("%s: %v", realAppFile(a), err)
		}
		if old.Fixed == "" || old.Fixed == a.Fixed || old.Result == "not built" {
			return nil // today's rewrite, or a result from before the hash, or a reason that is not the rewrite's
		}
		why = "the rewrite changed since its last run (" + old.Result + ")"
	}
	a.Result, a.Why = "not built", why+"; e2e/realapps.sh "+a.Dir+" runs it"
	return saveRealApp(a)
}

// forgetApp drops the saved result of an app dfslim no longer rewrites.
func forgetApp(a *realApp) { os.Remove(realAppFile(a)) }

func loadRealApps() ([]*realApp, error) {
	files, _ := filepath.Glob("realapps/*.json")
	var out []*realApp
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		a := &realApp{}
		if err := json.Unmarshal(data, a); err != nil {
			return nil, fmt.Errorf("%s: %v", f, err)
		}
		runtimeTooOld(a)
		a.Why = urlHost.ReplaceAllString(a.Why, "…")
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Language != out[j].Language {
			return out[i].Language < out[j].Language
		}
		return out[i].key() < out[j].key()
	})
	return out, nil
}

func writeRealApps(apps []*realApp, path string) error {
	var b bytes.Buffer
	count := map[string]int{}
	for _, a := range apps {
		count[a.Result]++
	}
	fmt.Fprintf(&b, "# Real apps, built before and after dfslim\n\n")
	fmt.Fprintf(&b, "Written by `e2e/realapps.sh` (all apps) and by CI (`DFSLIM_REALAPPS=ci`: %d of them); see e2e/README.md.\n", len(ciRealApps))
	fmt.Fprintf(&b, "Every app of `shared/corpus/apps` whose runtime `dfslim fix --context` changes (another image, or a split into build\nand runtime stages) is listed: %d apps,\n", len(apps))
	fmt.Fprintf(&b, "**%d built and behave the same, %d behave differently, %d not built**. Each was built with buildah on the\n", count["same"], count["different"], count["not built"])
	fmt.Fprintf(&b, "e2e stand-ins, before and after the rewrite, by `dfslim verify` (same = same HTTP status of GET /, or same\n")
	fmt.Fprintf(&b, "exit code and stdout, or same exit code and first error line for a server that needs a database, or both stay up).\n\n")
	fmt.Fprintln(&b, "| app | lang | runtime before → after | size before → after | behaviour | shell | user |")
	fmt.Fprintln(&b, "|---|---|---|---|---|---|---|")
	for _, a := range apps {
		if a.Result == "not built" {
			continue
		}
		verdict := "same: " + a.Why
		if a.Result != "same" {
			verdict = "**DIFFERENT**: " + a.Why
		}
		if a.PreStep != "" {
			verdict += " (built after the pre-step `" + a.PreStep + "`)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s → %s | %s → %s | %s | %s | %s |\n", mdCell(a.key()), a.Language, mdCell(a.Before), mdCell(a.After),
			mbStr(a.SizeBefore), mbStr(a.SizeAfter), mdCell(verdict), mdCell(a.Shell), mdCell(a.User))
	}
	fmt.Fprintf(&b, "\n## Not built\n\n| app | lang | runtime before → after | why |\n|---|---|---|---|\n")
	for _, a := range apps {
		if a.Result == "not built" {
			fmt.Fprintf(&b, "| %s | %s | %s → %s | %s |\n", mdCell(a.key()), a.Language, mdCell(a.Before), mdCell(a.After), mdCell(a.Why))
		}
	}
	fmt.Fprintf(&b, "\n## Stand-ins\n\nThe apps name many tags (golang:1.19, node:18-alpine, public.ecr.aws/docker/library/node:20-slim, ...).\n")
	fmt.Fprintf(&b, "For each app the harness tags the stand-in of that image family under each name the original or the rewrite uses\n")
	fmt.Fprintf(&b, "and is missing from the store, so both builds resolve the same images, and removes the tags after the app:\n\n")
	fmt.Fprintln(&b, "| image family | stand-in (see e2e/README.md) |")
	fmt.Fprintln(&b, "|---|---|")
	keys := make([]string, 0, len(standIns))
	for k := range standIns {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "| `%s:*` | `%s` |\n", k, standIns[k])
	}
	fmt.Fprintf(&b, "\n`public.ecr.aws/docker/library/X` and `mirror.gcr.io/library/X` count as `X`; every `gcr.io/distroless/nodejsNN-debian12` is the nodejs20 stand-in;\n")
	fmt.Fprintf(&b, "node tags of a major distroless has no image for (4 to 23 but 18, 20, 22: node:16-slim, node:21.6.2-alpine) get `%s`,\n", eolNodeStandIn)
	fmt.Fprintf(&b, "laid out like upstream's node images (their rewrites copy its /usr/local/bin/node onto distroless cc).\n")
	fmt.Fprintf(&b, "Alpine tags get the Debian stand-in (so an `apk add` fails: listed under Not built). The builders trust this machine's\n")
	fmt.Fprintf(&b, "proxy CA and use its Go proxy and npm registry (added by setup.sh at setup time, never committed); crates.io,\n")
	fmt.Fprintf(&b, "PyPI and Maven Central are not reachable, so apps that need them are listed as not built.\n")
	fmt.Fprintf(&b, "`public.ecr.aws/awsguru/aws-lambda-adapter` (copied into `/opt/extensions`, which only Lambda runs) is a placeholder\n")
	fmt.Fprintf(&b, "program: those rows prove the app and its rewrite, not the adapter. An app whose Dockerfile copies files its\n")
	fmt.Fprintf(&b, "repository makes before `docker build` is built from a copy of its context after that pre-step: the command the\n")
	fmt.Fprintf(&b, "manifest records (`needs-pre-step:'...'`), or for a Node package without its compiled `lib/` (`needs-prebuilt-lib`),\n")
	fmt.Fprintf(&b, "`npm install` and its own publish script, with this machine's Node. A row is rebuilt only when its app is run again;\n")
	fmt.Fprintf(&b, "an app whose rewrite changed since its last run is listed as not built until it is.\n")
	return os.WriteFile(path, b.Bytes(), 0o644)
}

func mbStr(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func TestStandInFor(t *testing.T) {
	for ref, want := range map[string][2]string{
		"golang:1.19":             {"localhost/dfslim-e2e/proxy/golang:1.26", "docker.io/library/golang:1.19"},
		"docker.io/golang:1.24.2": {"localhost/dfslim-e2e/proxy/golang:1.26", "docker.io/library/golang:1.24.2"},
		"golang":                  {"localhost/dfslim-e2e/proxy/golang:1.26", "docker.io/library/golang:latest"},
		"public.ecr.aws/docker/library/node:18-slim":              {"localhost/dfslim-e2e/proxy/node:20", "public.ecr.aws/docker/library/node:18-slim"},
		"public.ecr.aws/docker/library/node:16.13.2-stretch-slim": {"localhost/dfslim-e2e/proxy/node:16", "public.ecr.aws/docker/library/node:16.13.2-stretch-slim"},
		"node:4-slim":        {"localhost/dfslim-e2e/proxy/node:16", "docker.io/library/node:4-slim"},
		"node:21.6.2-alpine": {"localhost/dfslim-e2e/proxy/node:16", "docker.io/library/node:21.6.2-alpine"},
		"node:lts-slim":      {"localhost/dfslim-e2e/proxy/node:20", "docker.io/library/node:lts-slim"},
		"node:26-alpine":     {"localhost/dfslim-e2e/proxy/node:20", "docker.io/library/node:26-alpine"},
		"gcr.io/distroless/nodejs18-debian12:nonroot": {"gcr.io/distroless/nodejs20-debian12:nonroot", "gcr.io/distroless/nodejs18-debian12:nonroot"},
		"alpine:3.20": {"", "docker.io/library/alpine:3.20"},
	} {
		standIn, full := standInFor(ref)
		if standIn != want[0] || full != want[1] {
			t.Errorf("standInFor(%q) = %q, %q; want %q, %q", ref, standIn, full, want[0], want[1])
		}
	}
}

func TestBases(t *testing.T) {
	src := "ARG GO=1.22\nFROM golang:${GO}-alpine AS build\nRUN x\nFROM build AS test\nFROM gcr.io/distroless/static-debian13:nonroot\nCOPY --from=build /a /a\nFROM scratch\n"
	want := []string{"golang:1.22-alpine", "gcr.io/distroless/static-debian13:nonroot"}
	if got := bases([]byte(src)); !slices.Equal(got, want) {
		t.Errorf("bases = %q, want %q", got, want)
	}
	if got := finalBase([]byte(src)); got != "scratch" {
		t.Errorf("finalBase = %q, want scratch", got)
	}
}

func TestParseRow(t *testing.T) {
	out := "FILE  SIZE BEFORE → AFTER  BEHAVIOUR  SHELL  USER\n" +
		"/x/Dockerfile  780.4 MB → 11.2 MB (-99%)  same: HTTP 404  /bin/sh → none  root → 65532:65532\n"
	r := parseRow(out)
	if r == nil || r.before != 780400000 || r.after != 11200000 || r.behaviour != "same: HTTP 404" || r.shell != "/bin/sh → none" || r.user != "root → 65532:65532" {
		t.Errorf("parseRow = %+v", r)
	}
	out = "FILE  SIZE BEFORE → AFTER  BEHAVIOUR  SHELL  USER\n/x/Dockerfile  -  error: the original does not build: buildah bud: exit status 1: no such image  -  -\n"
	if r := parseRow(out); r == nil || r.before != 0 || !strings.HasPrefix(r.behaviour, "error: the original does not build") {
		t.Errorf("parseRow(error row) = %+v", r)
	}
}

func TestGoDepError(t *testing.T) {
	out := "# github.com/bytedance/sonic/loader\n../pkg/mod/github.com/bytedance/sonic/loader@v0.1.1/funcdata.go:37:32: undefined: _func\n"
	m := goDepError.FindStringSubmatch(out)
	if m == nil || m[1] != "github.com/bytedance/sonic/loader" || m[2] != "undefined: _func" {
		t.Errorf("goDepError = %q", m)
	}
}

func TestRuntimeTooOld(t *testing.T) {
	a := &realApp{Result: "same", Why: "exit 1 (Unsupported NodeJS version (18.20.4); >=22.18.0 is required)"}
	if runtimeTooOld(a); a.Result != "not built" || !strings.Contains(a.Why, "older than it requires") {
		t.Errorf("runtimeTooOld: %+v", a)
	}
	a = &realApp{Result: "same", Why: "exit 1 (dial tcp: lookup tfb-database: no such host)"}
	if runtimeTooOld(a); a.Result != "same" {
		t.Errorf("runtimeTooOld(database error): %+v", a)
	}
}

func TestBuildCause(t *testing.T) {
	stderr := "dfslim verify: x/Dockerfile: [2m2s] done: error\n" +
		"x/Dockerfile: error: the original does not build: buildah bud: exit status 1: Error: building at STEP \"RUN pnpm install\": exit status 1\n" +
		"Progress: resolved 1, reused 0\n" +
		"Error: ERR_PNPM_IGNORED_BUILDS\n" +
		"Error: building at STEP \"RUN pnpm install\": exit status 1\n"
	if got, want := buildCause(stderr), "Error: ERR_PNPM_IGNORED_BUILDS"; got != want {
		t.Errorf("buildCause = %q, want %q", got, want)
	}
	for stderr, want := range map[string]string{
		"npm ERR! code EUSAGE\nnpm ERR! \nnpm ERR! The `npm ci` command can only install with an existing package-lock.json\nnpm ERR! \nnpm ERR! Options:\n": "npm ERR! The `npm ci` command can only install with an existing package-lock.json",
		"Reading package lists...\nE: Package 'python' has no installation candidate\nsubprocess exited with status 100\n":                                   "E: Package 'python' has no installation candidate",
		"npm ERR! \nnpm ERR! Options:\nnpm ERR! [-S|--save]\n":                                                                                               "",
		"go: downloading x v1\ngo: module github.com/instana/go-sensor: reading https://proxy/@v/list: 403 Forbidden\n":                                      "go: module github.com/instana/go-sensor: reading …/@v/list: 403 Forbidden",
	} {
		if got := buildCause(stderr); got != want {
			t.Errorf("buildCause(%q) = %q, want %q", stderr, got, want)
		}
	}
}
