package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/moby/patternmatcher"
)

// TestIgnoreEntries checks the entry table: every pattern compiles, appears
// once, and a produced entry's stand-in path (the pattern without **/)
// matches it; outputs say what rebuilds them.
func TestIgnoreEntries(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range ignoreEntries {
		if seen[e.pattern] {
			t.Errorf("%s: listed twice", e.pattern)
		}
		seen[e.pattern] = true
		if _, err := patternmatcher.New([]string{e.pattern}); err != nil {
			t.Errorf("%s: %v", e.pattern, err)
		}
		if e.produced && !excludes([]string{e.pattern}, strings.TrimPrefix(e.pattern, "**/")) {
			t.Errorf("%s: produced, but its stand-in path does not match it", e.pattern)
		}
		if (e.kind == kindOutput) != (e.rebuiltBy != nil) {
			t.Errorf("%s: rebuiltBy must be set exactly for outputs", e.pattern)
		}
	}
}

// TestRebuildCommands checks which RUN commands count as rebuilding an output.
func TestRebuildCommands(t *testing.T) {
	for _, tc := range []struct {
		run  string
		want []string // patterns of the outputs the command rebuilds
	}{
		{"npm ci --omit=dev", []string{"**/node_modules"}},
		{"npm install -g pnpm", nil},
		{"npm --prefix web ci", []string{"**/node_modules"}},
		{"yarn --frozen-lockfile && yarn build", []string{"**/node_modules", "dist", ".next"}},
		{"pnpm install --frozen-lockfile", []string{"**/node_modules"}},
		{"corepack enable && pnpm run build:prod", []string{"dist", ".next"}},
		{"npx tsc -p .", []string{"dist", ".next"}},
		{"cargo build --release --locked", []string{"target"}},
		{"cargo chef cook --release --recipe-path recipe.json", []string{"target"}},
		{"cargo fetch", nil},
		{"./mvnw -B package -DskipTests", []string{"target"}},
		{"mvn dependency:go-offline", nil},
		{"./gradlew --no-daemon bootJar", []string{"build"}},
		{"gradle dependencies", nil},
		{"pip install --no-cache-dir -r requirements.txt", []string{".venv", "venv"}},
		{"python3 -m pip install .", []string{"dist", "build", ".venv", "venv", "*.egg-info"}},
		{"uv sync --frozen", []string{".venv", "venv"}},
		{"python -m build --wheel", []string{"dist", "build", "*.egg-info"}},
		{"python setup.py bdist_wheel", []string{"dist", "build", "*.egg-info"}},
		{"sudo -E npm ci", []string{"**/node_modules"}},
		{"echo npm ci", nil},
		{"<<EOF\nset -e\nnpm ci\nEOF", []string{"**/node_modules"}},
		{`["npm", "ci"]`, []string{"**/node_modules"}},
		{`["/bin/sh", "-c", "cargo build --release"]`, []string{"target"}},
	} {
		f, err := rewrite.Parse("Dockerfile", []byte("FROM x\nRUN "+tc.run+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		st := facts.ReadsOf(f).Stages[0]
		var got []string
		for _, e := range ignoreEntries {
			if e.rebuiltBy != nil && st.Ran(e.rebuiltBy) {
				got = append(got, e.pattern)
			}
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tc.want))
		if !slices.Equal(got, want) {
			t.Errorf("RUN %s: rebuilds %q, want %q", tc.run, got, want)
		}
	}
}

// TestContextReads checks the paths the reads of a Dockerfile name.
func TestContextReads(t *testing.T) {
	src := `ARG BASE=dist
FROM node:22 AS build
ARG BASE
ENV OUT=/out
COPY ["package.json", "./"]
COPY --parents ./src/./lib/*.js /app/
COPY $BASE/app.js ${OUT}/
ADD https://example.com/x.tgz git@github.com:a/b.git local.tgz /
COPY <<EOF /etc/conf
x
EOF
RUN --mount=type=bind,source=go.sum,target=go.sum --mount=type=cache,target=/c --mount=type=bind,from=build,source=/x,target=/y true
FROM build
COPY --from=build /out /out
COPY . .
RUN --mount=type=bind,target=. true
`
	f, err := rewrite.Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	dr := facts.ReadsOf(f)
	var got []string
	for _, st := range dr.Stages {
		var paths []string
		for _, r := range st.Reads {
			paths = append(paths, r.Path)
		}
		got = append(got, strings.Join(paths, " "))
	}
	want := []string{
		"package.json src/lib/*.js dist/app.js */app.js app.js local.tgz go.sum",
		". .",
	}
	if !slices.Equal(got, want) {
		t.Errorf("reads:\n got %q\nwant %q", got, want)
	}
	if dr.Stages[1].Parent != dr.Stages[0] {
		t.Error("the second stage should build on the first")
	}
}

// TestEscapePattern checks that an escaped path matches itself and nothing
// else its wildcards would have matched.
func TestEscapePattern(t *testing.T) {
	p := "conf[1]/my*.key"
	esc := escapePattern(p)
	if !excludes([]string{esc}, p) || excludes([]string{esc}, "conf1/my-x.key") {
		t.Errorf("escapePattern(%q) = %q: does not match exactly", p, esc)
	}
}
