package rules_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
)

// aptLines is a Dockerfile of n RUN lines that each update and install.
func aptLines(n int) []byte {
	var b strings.Builder
	b.WriteString("FROM debian:12\n")
	for i := range n {
		fmt.Fprintf(&b, "RUN apt-get update && apt-get install -y p%d\n", i)
	}
	return []byte(b.String())
}

// echoLines is a Dockerfile of n RUN echo lines.
func echoLines(n int) []byte {
	var b strings.Builder
	b.WriteString("FROM debian:12\n")
	for i := range n {
		fmt.Fprintf(&b, "RUN echo %d\n", i)
	}
	return []byte(b.String())
}

// secretTree is a build context whose certs/ directory, copied by name,
// holds n keys.
func secretTree(n int) fstest.MapFS {
	ctx := fstest.MapFS{
		"Dockerfile":   {Data: []byte("FROM node:22-slim\nWORKDIR /app\nCOPY certs/ /etc/certs/\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n")},
		"package.json": {Data: []byte("{}")},
		".env":         {Data: []byte("X=1")},
	}
	for i := range n {
		ctx[fmt.Sprintf("certs/k%d.key", i)] = &fstest.MapFile{Data: []byte("k")}
	}
	return ctx
}

// runRule runs one rule on src with the build context ctx.
func runRule(tb testing.TB, rule string, src []byte, ctx fstest.MapFS) *rules.Result {
	tb.Helper()
	f, err := rewrite.Parse("Dockerfile", src)
	if err != nil {
		tb.Fatal(err)
	}
	sel, err := rules.Select([]string{rule}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	opts := rules.Options{Rules: sel, DockerfilePath: "Dockerfile"}
	res, err := rules.Run(f, ctx, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// growth returns how many times more allocations, allocated bytes and
// context paths matched against a pattern a run on input size 2n makes than
// one on size n. A linear rule stays near 2; a quadratic one approaches 4.
func growth(t *testing.T, rule string, n int, input func(int) ([]byte, fstest.MapFS)) (allocs, bytes, tests float64) {
	t.Helper()
	count := func(n int) (allocs, bytes, tests float64) {
		src, ctx := input(n)
		runRule(t, rule, src, ctx) // warm up: catalogs, sync.Once
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		t0 := rules.PathTests()
		runRule(t, rule, src, ctx)
		t1 := rules.PathTests()
		runtime.ReadMemStats(&after)
		return float64(after.Mallocs - before.Mallocs), float64(after.TotalAlloc - before.TotalAlloc), float64(t1-t0) + 1
	}
	sa, sb, st := count(n)
	la, lb, lt := count(2 * n)
	return la / sa, lb / sb, lt / st
}

// TestLinear bounds the growth of the work of the rules that were once
// quadratic: doubling the input may at most about double the allocations.
func TestLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("slow in -short")
	}
	for _, c := range []struct {
		name, rule string
		n          int
		input      func(int) ([]byte, fstest.MapFS)
	}{
		{"apt-update-install", "apt-hygiene", 400, func(n int) ([]byte, fstest.MapFS) { return aptLines(n), nil }},
		{"run-echo", "apt-hygiene", 2000, func(n int) ([]byte, fstest.MapFS) { return echoLines(n), nil }},
		{"secret-exceptions", "dockerignore", 1000, func(n int) ([]byte, fstest.MapFS) {
			ctx := secretTree(n)
			return ctx["Dockerfile"].Data, ctx
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, b, m := growth(t, c.rule, c.n, c.input)
			t.Logf("n=%d: allocations ×%.2f, bytes ×%.2f, paths matched ×%.2f", c.n, a, b, m)
			if a > 2.6 || b > 2.6 || m > 2.6 {
				t.Errorf("doubling the input multiplies allocations by %.2f, allocated bytes by %.2f and paths matched by %.2f; want at most 2.6 each (linear)", a, b, m)
			}
		})
	}
}

func BenchmarkAptHygiene(b *testing.B) {
	for _, n := range []int{1000, 2000, 4000} {
		src := aptLines(n)
		b.Run(fmt.Sprintf("update-install-%d", n), func(b *testing.B) {
			for b.Loop() {
				runRule(b, "apt-hygiene", src, nil)
			}
		})
	}
	src := echoLines(100000)
	b.Run("echo-100k", func(b *testing.B) {
		for b.Loop() {
			runRule(b, "apt-hygiene", src, nil)
		}
	})
}

func BenchmarkSecretExceptions(b *testing.B) {
	for _, n := range []int{1000, 2000, 4000, 8000} {
		ctx := secretTree(n)
		b.Run(fmt.Sprintf("keys-%d", n), func(b *testing.B) {
			for b.Loop() {
				runRule(b, "dockerignore", ctx["Dockerfile"].Data, ctx)
			}
		})
	}
}
