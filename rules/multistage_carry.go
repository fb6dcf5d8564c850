package rules

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/moby/patternmatcher/ignorefile"
)

// This file decides what a split carries of the app tree that a COPY brings
// into a compiled program's build tree. dfslim does not guess which files the
// program reads: every file of the copied tree goes to the runtime stage,
// except those that are provably build input (sources of the compiled
// language, manifests, lock files, vendor/, test data, the Dockerfile,
// version-control and CI metadata).

// maxCarryEntries bounds the context entries read for one split.
const maxCarryEntries = 20000

// buildInputNames are file and directory names that only builds and tools
// read, whatever the language.
var buildInputNames = []string{
	".git", ".hg", ".svn", ".gitignore", ".gitattributes", ".gitmodules", ".github", ".gitlab", ".gitlab-ci.yml",
	".circleci", ".travis.yml", ".buildkite", ".idea", ".vscode", ".vs", ".devcontainer", ".DS_Store",
	".editorconfig", ".dockerignore", "Dockerfile", "Containerfile", "Makefile", "GNUmakefile", "makefile",
	".pre-commit-config.yaml", ".dfslim.yaml",
}

// buildInputGlobs are name patterns that only builds and tools read.
var buildInputGlobs = []string{"Dockerfile.*", "*.Dockerfile", "*.dockerfile", "*.dockerignore", "*.swp",
	"docker-compose*.yml", "docker-compose*.yaml", "compose.yml", "compose.yaml", "compose.*.yml", "compose.*.yaml",
	".golangci*", ".goreleaser*"}

// langBuildInput are, per compiled language, the names (file or directory)
// and name patterns of its build input.
var langBuildInput = map[string][]string{
	"go": {"*.go", "go.mod", "go.sum", "go.work", "go.work.sum", "vendor/", "testdata/"},
	"rust": {"*.rs", "Cargo.toml", "Cargo.lock", "target/", "benches/", "tests/", ".cargo/", "rust-toolchain",
		"rust-toolchain.toml", "rustfmt.toml", ".rustfmt.toml", "clippy.toml", "deny.toml"},
	"c": {"*.c", "*.h", "*.cc", "*.cpp", "*.cxx", "*.hpp", "*.hh", "*.o", "*.a", "CMakeLists.txt", "*.cmake",
		"configure", "configure.ac", "Makefile.am", "Makefile.in"},
	"java": {"*.java", "*.kt", "*.kts", "*.groovy", "*.scala", "pom.xml", "build.gradle", "settings.gradle",
		"gradle.properties", "gradle/", "gradlew", "gradlew.bat", "mvnw", "mvnw.cmd", ".mvn/", "target/", "build/",
		".gradle/"},
}

// carryItem is one path of the build stage that the runtime stage copies.
type carryItem struct {
	dest string // absolute
	ctx  string // the context path it comes from
	dir  bool
	// all is set when it comes from a copy of the whole context, which
	// names none of its files (the dockerignore rule keeps secrets only
	// under a source the Dockerfile names).
	all bool
}

// carrier walks the context for one split.
type carrier struct {
	sp      *split
	lang    string
	ignore  []string // the user's ignore-file lines
	entries int
	reason  string // why the split cannot be planned, or ""
}

// newCarrier reads the ignore file that applies to the Dockerfile.
func (sp *split) newCarrier(lang string) *carrier {
	c := &carrier{sp: sp, lang: lang}
	ctx := sp.p.Context
	name, _ := ignoreFileFor(ctx, sp.p.DockerfilePath)
	if data, ok := sp.p.Facts().ReadContext(name); ok {
		lines, err := ignorefile.ReadAll(bytes.NewReader(data))
		if err != nil {
			c.reason = fmt.Sprintf("%s does not parse (%v), so the files the build stage holds are unknown", name, err)
		}
		c.ignore = lines
	}
	return c
}

// ignored reports whether the ignore file keeps the context path out of the build.
func (c *carrier) ignored(p string) bool { return len(c.ignore) > 0 && excludes(c.ignore, p) }

// buildInput reports whether a context entry only serves the build.
func (c *carrier) buildInput(name string, dir bool, parent string) bool {
	if slices.Contains(buildInputNames, name) {
		return true
	}
	match := func(pattern string) bool {
		pat, isDir := strings.CutSuffix(pattern, "/")
		if isDir && !dir {
			return false
		}
		ok, _ := path.Match(pat, name)
		return ok
	}
	if slices.ContainsFunc(buildInputGlobs, match) || slices.ContainsFunc(langBuildInput[c.lang], match) {
		return true
	}
	// Maven and Gradle package src/ (sources and resources) into the jar.
	if c.lang == "java" && dir && name == "src" {
		for _, m := range []string{"pom.xml", "build.gradle", "build.gradle.kts"} {
			if _, ok := c.sp.p.Facts().ReadContext(path.Join(parent, m)); ok {
				return true
			}
		}
	}
	return false
}

// secretLike reports whether a context path looks like a credential, which
// the dockerignore rule may leave out of the build context.
func secretLike(p string) bool {
	for _, e := range ignoreEntries {
		if e.kind == kindSecret && excludes([]string{e.pattern}, p) {
			return true
		}
	}
	return false
}

// walk lists what to carry of the context directory ctxDir, copied to
// destDir. whole is set when nothing in it was left out, so that the
// directory can be copied as one.
func (c *carrier) walk(ctxDir, destDir string) (items []carryItem, whole bool) {
	des, err := fs.ReadDir(c.sp.p.Context, facts.ContextPath(ctxDir))
	if err != nil {
		c.reason = fmt.Sprintf("cannot read %s in the build context, so the files the program may read are unknown", facts.ContextPath(ctxDir))
		return nil, false
	}
	whole = true
	for _, de := range des {
		if c.entries++; c.entries > maxCarryEntries {
			c.reason = fmt.Sprintf("the copied tree has more than %d files; dfslim cannot tell which of them the program reads", maxCarryEntries)
			return nil, false
		}
		name := de.Name()
		cp := path.Join(ctxDir, name)
		if ctxDir == "" || ctxDir == "." {
			cp = name
		}
		if c.ignored(cp) {
			continue // not in the build stage either
		}
		dest := path.Join(destDir, name)
		isDir := de.IsDir()
		if de.Type()&fs.ModeSymlink != 0 {
			if info, err := fs.Stat(c.sp.p.Context, cp); err == nil {
				isDir = info.IsDir()
			}
		}
		if c.buildInput(name, isDir, ctxDir) {
			whole = false
			continue
		}
		if !isDir {
			items = append(items, carryItem{dest: dest, ctx: cp})
			continue
		}
		sub, subWhole := c.walk(cp, dest)
		if c.reason != "" {
			return nil, false
		}
		if subWhole {
			items = append(items, carryItem{dest: dest, ctx: cp, dir: true})
		} else {
			whole = false
			items = append(items, sub...)
		}
	}
	return items, whole
}

// carryCopy returns what the runtime stage copies of one COPY or ADD of
// context files into the build tree of a compiled program, or a reason why
// it cannot be told.
func (sp *split) carryCopy(c *carrier, cp facts.ContextCopy) ([]carryItem, string) {
	if cp.Remote {
		return nil, fmt.Sprintf("%s downloads into the build tree, and dfslim cannot tell whether the program reads what it fetched", strings.ToUpper(cp.In.Cmd))
	}
	var items []carryItem
	for _, src := range cp.Sources {
		s := facts.CleanSource(src)
		var matches []string
		if strings.ContainsAny(s, "*?[") {
			dir := path.Dir(s)
			if strings.ContainsAny(dir, "*?[") {
				return nil, fmt.Sprintf("the source %s has a wildcard in a directory, so the files it copies are unknown", src)
			}
			des, err := fs.ReadDir(sp.p.Context, facts.ContextPath(strings.TrimPrefix(dir, ".")))
			if err != nil {
				continue
			}
			for _, de := range des {
				if ok, _ := path.Match(path.Base(s), de.Name()); ok {
					matches = append(matches, path.Join(dir, de.Name()))
				}
			}
		} else {
			matches = []string{s}
		}
		for _, m := range matches {
			m = strings.TrimPrefix(facts.CleanSource(m), "./")
			if m != "" && c.ignored(m) {
				continue
			}
			info, err := fs.Stat(sp.p.Context, facts.ContextPath(m))
			if err != nil {
				continue // the build itself fails on a missing source
			}
			destDir := strings.TrimSuffix(cp.Dest, "/")
			if destDir == "" && strings.HasPrefix(cp.Dest, "/") {
				destDir = "/" // the root: its entries keep absolute paths
			}
			if info.IsDir() {
				if m != "" && m != "." && c.buildInput(path.Base(m), true, path.Dir(m)) {
					continue // a directory copied on its own (COPY src src) that only serves the build
				}
				sub, whole := c.walk(m, destDir)
				if c.reason != "" {
					return nil, c.reason
				}
				for i := range sub {
					sub[i].all = m == "" || m == "."
				}
				if whole && !sp.isBuildTree(destDir) {
					items = append(items, carryItem{dest: destDir, ctx: m, dir: true})
				} else {
					items = append(items, sub...)
				}
				continue
			}
			name := path.Base(m)
			if cp.In.Cmd == "add" && isArchiveName(name) {
				return nil, fmt.Sprintf("ADD extracts %s into the build tree, and dfslim cannot tell which of its files the program reads", m)
			}
			if c.buildInput(name, false, path.Dir(m)) {
				continue
			}
			dest := cp.Dest
			if strings.HasSuffix(dest, "/") {
				dest += name
			}
			items = append(items, carryItem{dest: dest, ctx: m})
		}
	}
	return items, ""
}

// isBuildTree reports whether dir is, or holds, the working directory of a
// build step: copying it whole would carry the build's outputs.
func (sp *split) isBuildTree(dir string) bool {
	for _, art := range sp.a.Artifacts {
		if art.Workdir != "" && facts.Within(strings.TrimSuffix(art.Workdir, "/"), dir) {
			return true
		}
	}
	return false
}

func isArchiveName(name string) bool {
	for _, ext := range []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst"} {
		if strings.HasSuffix(strings.ToLower(name), ext) {
			return true
		}
	}
	return false
}

// treeLang is the compiled language whose build tree holds dir.
func (sp *split) treeLang(dir string) string {
	lang := ""
	for _, art := range sp.a.Artifacts {
		w := strings.TrimSuffix(art.Workdir, "/") // "" for the root, within which is everything
		if art.Workdir == "" || !(facts.Within(dir, w) || facts.Within(w, dir)) {
			continue
		}
		switch art.Kind {
		case facts.KindGoBinary:
			lang = "go"
		case facts.KindRustBinary:
			lang = "rust"
		case facts.KindCBinary:
			lang = "c"
		case facts.KindJavaJar:
			lang = "java"
		}
	}
	return lang
}

// addCarried records the carried paths: directories as copies of their own,
// files grouped by directory. A file that looks like a secret is not copied
// by name (the dockerignore rule may leave it out of the context, and the
// copy would then fail): the split is refused instead.
func (sp *split) addCarried(items []carryItem, origin []*rewrite.Instr) {
	var dirs []string
	for _, it := range items {
		if it.dir {
			dirs = append(dirs, it.dest)
		}
	}
	covered := func(p string, self bool) bool {
		if slices.ContainsFunc(sp.copies, func(k string) bool { return facts.Within(p, k) }) {
			return true
		}
		return slices.ContainsFunc(dirs, func(d string) bool { return facts.Within(p, d) && (p != d || !self) })
	}
	seen := map[string]bool{}
	for i, it := range items {
		if seen[it.dest] || covered(it.dest, it.dir) {
			continue
		}
		seen[it.dest] = true
		if it.dir {
			sp.copies = append(sp.copies, it.dest)
			continue
		}
		if _, fixture := isTestFixture(it.ctx); it.all && secretLike(it.ctx) && !fixture {
			sp.block(origin[i], "%s copies %s into the build tree; the program may read it, but it looks like a secret, which a .dockerignore may leave out, so the runtime stage cannot copy it by name: move it into a directory or pass it at run time", strings.ToUpper(origin[i].Cmd), it.ctx)
			continue
		}
		sp.carriedFiles = append(sp.carriedFiles, it.dest)
	}
}

// groupByDir groups paths by their directory, in the order each directory
// first appears.
func groupByDir(paths []string) [][]string {
	var out [][]string
	at := map[string]int{}
	for _, p := range paths {
		d := path.Dir(p)
		i, ok := at[d]
		if !ok {
			i = len(out)
			at[d] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], p)
	}
	return out
}
