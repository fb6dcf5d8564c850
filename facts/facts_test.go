package facts

import (
	"io/fs"
	"os"
	"testing"
	"testing/fstest"

	"github.com/dfslim/dfslim/rewrite"
)

const twoStages = `FROM golang:1.22 AS build
RUN go build -o /app .

FROM debian:12-slim
COPY --from=build /app /app
RUN apt-get update
CMD /app
`

// TestFactsShared checks that the facts of one File and context are worked
// out once and shared, that an uncomparable context is not cached on, and
// that what callers append to does not reach the cache.
func TestFactsShared(t *testing.T) {
	f, err := rewrite.Parse("Dockerfile", []byte(twoStages))
	if err != nil {
		t.Fatal(err)
	}
	ctx := os.DirFS(t.TempDir()) // comparable: a string type
	x, y := Of(Source{File: f, Context: ctx}), Of(Source{File: f, Context: ctx})
	if s1, s2 := x.Stages(), y.Stages(); len(s1) != 2 || &s1[0] != &s2[0] {
		t.Errorf("Stages: got %d stages, shared %v; want 2, shared", len(s1), &s1[0] == &s2[0])
	}
	if s := x.Stages(); s[1].Parent != nil {
		t.Errorf("the final stage starts from an image, but has parent %v", s[1].Parent)
	}
	final := &f.Stages[1]
	needs := x.ShellNeeds(final)
	if len(needs) == 0 {
		t.Fatal("ShellNeeds: a shell-form CMD and a RUN need a shell, got none")
	}
	_ = append(needs, Blocker{Reason: "appended by a caller"})
	if again := y.ShellNeeds(final); len(again) != len(needs) || &again[0] != &needs[0] {
		t.Errorf("ShellNeeds: second call got %d blockers (shared %v), want the %d cached ones", len(again), &again[0] == &needs[0], len(needs))
	}
	other := Of(Source{File: f, Context: fstest.MapFS{}}) // a map: not a cache key
	if o := other.ShellNeeds(final); len(o) != len(needs) || &o[0] == &needs[0] {
		t.Errorf("ShellNeeds with a MapFS context: got %d blockers (shared %v), want %d computed afresh", len(o), &o[0] == &needs[0], len(needs))
	}
	arts, _ := x.Outputs(&f.Stages[0])
	if len(arts) != 1 || arts[0].Kind != KindGoBinary || arts[0].Path != "/app" {
		t.Errorf("Outputs of the build stage: got %+v, want one go-binary at /app", arts)
	}
	b := x.Build(&f.Stages[0])
	runs := len(b.Runs)
	b.Runs = append(b.Runs, &RunStep{})
	b.Vars["ADDED"] = "by the caller"
	b.Artifacts[0].Path = "/changed"
	if again := y.Build(&f.Stages[0]); len(again.Runs) != runs || again.Vars["ADDED"] != "" || again.Artifacts[0].Path != "/app" {
		t.Errorf("Build: a caller's changes reached the shared analysis: %d runs (want %d), Vars[ADDED]=%q, artifact at %s",
			len(again.Runs), runs, again.Vars["ADDED"], again.Artifacts[0].Path)
	}
}

// structFS is a build context of struct type that holds another context in
// an interface: comparable to the compiler, but not hashable at run time when
// that context is a map.
type structFS struct{ fs.FS }

// TestFactsStructContext checks that a context of struct type that holds a
// map in an interface is not used as a cache key, which would panic.
func TestFactsStructContext(t *testing.T) {
	f, err := rewrite.Parse("Dockerfile", []byte(twoStages))
	if err != nil {
		t.Fatal(err)
	}
	x := Of(Source{File: f, Context: structFS{fstest.MapFS{}}})
	if got := len(x.ShellNeeds(&f.Stages[1])); got == 0 {
		t.Error("ShellNeeds: got no blockers for a shell-form CMD")
	}
}
