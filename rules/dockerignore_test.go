package rules_test

import (
	"bytes"
	"encoding/csv"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// TestDockerignoreKeepsCopySources runs the dockerignore rule on the context
// of every golden case of every rule, alone and after the case's own rules,
// and checks with patternmatcher that no path a COPY, ADD or bind mount
// of the final Dockerfile reads is excluded by the ignore file it wrote
// unless the original file already excluded it.
func TestDockerignoreKeepsCopySources(t *testing.T) {
	cases, err := filepath.Glob("../testdata/rules/*/*.txtar")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	checked := 0
	for _, file := range cases {
		name := strings.TrimSuffix(strings.TrimPrefix(file, "../testdata/rules/"), ".txtar")
		t.Run(name, func(t *testing.T) {
			c := loadGolden(t, file)
			withOwn := slices.DeleteFunc(slices.Clone(c.opts.Rules), func(r *rules.Rule) bool { return r.Name == rules.Dockerignore.Name })
			for _, rs := range [][]*rules.Rule{{rules.Dockerignore}, append(withOwn, rules.Dockerignore)} {
				opts := c.opts
				opts.Rules = rs
				f, err := rewrite.Parse(c.dockerfile, c.context[c.dockerfile].Data)
				if err != nil {
					t.Fatal(err)
				}
				res, err := rules.Run(f, c.context, opts)
				if err != nil {
					t.Fatal(err)
				}
				checked += assertSourcesKept(t, c, res)
			}
		})
	}
	if checked == 0 {
		t.Error("no ignore file was written for any case")
	}
}

// assertSourcesKept checks one result and reports whether it wrote an ignore file.
func assertSourcesKept(t *testing.T, c *goldenCase, res *rules.Result) int {
	t.Helper()
	ignorePath := ".dockerignore"
	if _, ok := c.context[c.dockerfile+".dockerignore"]; ok {
		ignorePath = c.dockerfile + ".dockerignore"
	}
	change, ok := res.Files[ignorePath]
	if !ok {
		return 0
	}
	before, err := ignorefile.ReadAll(bytes.NewReader(change.Old))
	if err != nil {
		t.Fatal(err)
	}
	after, err := ignorefile.ReadAll(bytes.NewReader(change.New))
	if err != nil {
		t.Fatal(err)
	}
	excluded := func(patterns []string, p string) bool {
		ok, err := patternmatcher.MatchesOrParentMatches(p, patterns)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return ok
	}
	for _, src := range readSources(t, res.File) {
		paths := []string{src}
		if strings.ContainsAny(src, "*?[") {
			paths = contextMatches(c.context, src)
		}
		for _, p := range paths {
			if excluded(after, p) && !excluded(before, p) {
				t.Errorf("%s excludes %s, which the Dockerfile reads (source %q)\n%s", ignorePath, p, src, change.New)
			}
		}
	}
	// Whatever the user's lines excluded stays excluded.
	for p := range c.context {
		if excluded(before, p) && !excluded(after, p) {
			t.Errorf("%s re-includes %s, which the user's lines excluded", ignorePath, p)
		}
	}
	return 1
}

// readSources lists the context paths the Dockerfile reads by name: COPY and
// ADD sources without --from (URLs aside) and bind-mount sources, cleaned.
// Sources with variables are left to the golden cases.
func readSources(t *testing.T, f *rewrite.File) []string {
	var out []string
	add := func(s string) {
		if strings.Contains(s, "$") || strings.Contains(s, "://") || strings.HasPrefix(s, "git@") {
			return
		}
		s = strings.Trim(s, `"'`)
		if p := strings.TrimPrefix(path.Clean("/"+s), "/"); p != "" {
			out = append(out, p)
		}
	}
	for _, st := range f.Stages {
		for _, cmd := range st.Commands {
			switch c := cmd.(type) {
			case *instructions.CopyCommand:
				if c.From == "" {
					for _, s := range c.SourcePaths {
						add(s)
					}
				}
			case *instructions.AddCommand:
				for _, s := range c.SourcePaths {
					add(s)
				}
			case *instructions.RunCommand:
				in := f.InstrOf(c)
				if in == nil {
					continue
				}
				for _, fl := range in.Node.Flags {
					val, ok := strings.CutPrefix(fl, "--mount=")
					if !ok {
						continue
					}
					fields, err := csv.NewReader(strings.NewReader(val)).Read()
					if err != nil {
						t.Fatalf("%s: %v", fl, err)
					}
					bind, from, src := true, false, "."
					for _, kv := range fields {
						k, v, _ := strings.Cut(kv, "=")
						switch k {
						case "type":
							bind = v == "bind"
						case "from":
							from = true
						case "source", "src":
							src = v
						}
					}
					if bind && !from {
						add(src)
					}
				}
			}
		}
	}
	return out
}

// contextMatches returns the paths of the context, files and directories,
// that a wildcard source matches.
func contextMatches(ctx fstest.MapFS, pattern string) []string {
	pm, err := patternmatcher.New([]string{pattern})
	if err != nil {
		return nil
	}
	var out []string
	fs.WalkDir(ctx, ".", func(p string, d fs.DirEntry, err error) error {
		if p != "." {
			if ok, _ := pm.MatchesOrParentMatches(p); ok {
				out = append(out, p)
			}
		}
		return nil
	})
	return out
}

// TestDockerignoreFinalNewline appends after a last line without a line
// ending, adding the line ending first.
func TestDockerignoreFinalNewline(t *testing.T) {
	for _, tc := range []struct{ old, want string }{
		{"node_modules", "node_modules\n\n# added by dfslim\n.git\n**/.env\nDockerfile\n.dockerignore\n"},
		{"node_modules\r\n*.log", "node_modules\r\n*.log\r\n\r\n# added by dfslim\r\n.git\r\n**/.env\r\nDockerfile\r\n.dockerignore\r\n"},
		{"node_modules\n\n", "node_modules\n\n# added by dfslim\n.git\n**/.env\nDockerfile\n.dockerignore\n"},
		{"", "# added by dfslim\n.git\n**/node_modules\n**/.env\nDockerfile\n.dockerignore\n"},
	} {
		ctx := fstest.MapFS{
			"Dockerfile":    {Data: []byte("FROM node:22\nCOPY . .\nRUN npm ci\n")},
			"package.json":  {},
			".git/HEAD":     {},
			".env":          {},
			".dockerignore": {Data: []byte(tc.old)},
		}
		f, err := rewrite.Parse("Dockerfile", ctx["Dockerfile"].Data)
		if err != nil {
			t.Fatal(err)
		}
		opts := rules.Options{Rules: []*rules.Rule{rules.Dockerignore}, DockerfilePath: "Dockerfile"}
		res, err := rules.Run(f, ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		ch := res.Files[".dockerignore"]
		if ch == nil {
			t.Fatalf("%q: no change", tc.old)
		}
		if diff := cmp.Diff(tc.want, string(ch.New)); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.old, diff)
		}
		ctx[".dockerignore"] = &fstest.MapFile{Data: ch.New}
		again, err := rules.Run(f, ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(again.Files) != 0 {
			t.Errorf("%q: a second run changed %v", tc.old, again.Files)
		}
	}
}

// TestDockerignoreNoContext checks that the rule does nothing without a
// context, or when the Dockerfile lies outside it.
func TestDockerignoreNoContext(t *testing.T) {
	src := []byte("FROM node:22\nCOPY . .\n")
	f, err := rewrite.Parse("Dockerfile", src)
	if err != nil {
		t.Fatal(err)
	}
	ctx := fstest.MapFS{".git/HEAD": {}, ".env": {}}
	for _, tc := range []struct {
		ctx fs.FS
		rel string
	}{{nil, "Dockerfile"}, {ctx, ""}} {
		fs, err := rules.Check(f, tc.ctx, rules.Options{Rules: []*rules.Rule{rules.Dockerignore}, DockerfilePath: tc.rel})
		if err != nil || len(fs) != 0 {
			t.Errorf("context %v, path %q: findings %v, error %v", tc.ctx != nil, tc.rel, fs, err)
		}
	}
}
