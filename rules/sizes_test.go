package rules_test

import (
	"testing"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
)

func TestRuntimeBaseChange(t *testing.T) {
	parse := func(src string) *rewrite.File {
		f, err := rewrite.Parse("Dockerfile", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	before := parse("ARG B=rust:1.84\nFROM ${B} AS build\nRUN cargo build --release\nFROM build AS final\nCMD [\"/x\"]\n")
	after := parse("FROM rust:1.84 AS build\nRUN cargo build --release\nFROM cgr.dev/chainguard/static:latest\nCMD [\"/x\"]\n")
	if got := rules.RuntimeBaseRef(before); got != "rust:1.84" {
		t.Errorf("RuntimeBaseRef = %q, want rust:1.84 (through the stage and the ARG default)", got)
	}
	c := rules.RuntimeBaseChange(before, after)
	if c == nil {
		t.Fatal("no change found")
	}
	if got, want := c.String(), "rust:1.84 (≈1.7 GB) → cgr.dev/chainguard/static:latest (≈1.3 MB) + the artifact"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if saved, ok := c.SavedMB(); !ok || saved < 1658 || saved > 1659 {
		t.Errorf("SavedMB = %v, %v", saved, ok)
	}
	if rules.RuntimeBaseChange(after, after) != nil {
		t.Error("a file compared with itself changes its base")
	}
	var total catalog.SizeTotal
	total.Add(c)
	total.Add(&catalog.BaseChange{From: catalog.SizeOf("debian:bookworm"), To: catalog.SizeOf("gcr.io/distroless/static-debian13:nonroot")})
	total.Add(nil)
	if got, want := total.String(), "2 Dockerfiles: runtime bases ≈1.7 GB + 1 of unknown size → ≈3.3 MB"; got != want {
		t.Errorf("total = %q, want %q", got, want)
	}
}
