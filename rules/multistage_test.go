package rules

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
)

// fakeELF returns a minimal 64-bit little-endian ELF executable with one
// program header: PT_INTERP naming interp, or PT_LOAD when interp is "".
func fakeELF(interp string) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	ident := [16]byte{0x7f, 'E', 'L', 'F', 2, 1, 1}
	b.Write(ident[:])
	for _, v := range []any{uint16(2), uint16(62), uint32(1), uint64(0x400000), uint64(64), uint64(0),
		uint32(0), uint16(64), uint16(56), uint16(1), uint16(64), uint16(0), uint16(0)} {
		_ = binary.Write(&b, le, v)
	}
	typ := uint32(1) // PT_LOAD
	if interp != "" {
		typ = 3 // PT_INTERP
	}
	data := []byte(interp + "\x00")
	for _, v := range []any{typ, uint32(4), uint64(120), uint64(0), uint64(0), uint64(len(data)), uint64(len(data)), uint64(1)} {
		_ = binary.Write(&b, le, v)
	}
	b.Write(data)
	return b.Bytes()
}

func TestELFLibc(t *testing.T) {
	for _, tt := range []struct {
		data []byte
		want catalog.Libc
	}{
		{fakeELF("/lib64/ld-linux-x86-64.so.2"), catalog.LibcGlibc},
		{fakeELF("/lib/ld-musl-x86_64.so.1"), catalog.LibcMusl},
		{fakeELF(""), catalog.LibcNone},
	} {
		got, err := facts.ELFLibc(tt.data)
		if err != nil || got != tt.want {
			t.Errorf("elfLibc = %q, %v; want %q", got, err, tt.want)
		}
	}
	if _, err := facts.ELFLibc([]byte("#!/bin/sh\n")); err == nil {
		t.Error("elfLibc accepted a script")
	}
}

// TestMultiStagePrebuiltELF splits a prebuilt binary whose ELF header shows it
// is static, and refuses a glibc-linked one for nothing: it goes to base.
func TestMultiStagePrebuiltELF(t *testing.T) {
	src := "FROM debian:bookworm-slim\nCOPY bin/app /usr/local/bin/app\nCMD [\"app\"]\n"
	for interp, want := range map[string]string{"": "gcr.io/distroless/static-debian12:nonroot", "/lib64/ld-linux-x86-64.so.2": "gcr.io/distroless/cc-debian12:nonroot"} {
		out := runRuleOn(t, MultiStage, src, map[string][]byte{"bin/app": fakeELF(interp)})
		if !bytes.Contains(out, []byte("FROM "+want+"\n")) || !bytes.Contains(out, []byte("COPY --from=build /usr/local/bin/app /usr/local/bin/app\n")) {
			t.Errorf("interp %q: got\n%s", interp, out)
		}
	}
}

// runRuleOn runs rule r with fixes on src and the context files, and returns the result.
func runRuleOn(t *testing.T, r *Rule, src string, ctx map[string][]byte) []byte {
	t.Helper()
	f, err := rewrite.Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{"Dockerfile": {Data: []byte(src)}}
	for k, v := range ctx {
		fsys[k] = &fstest.MapFile{Data: v}
	}
	res, err := Run(f, fsys, Options{Rules: []*Rule{r}, DockerfilePath: "Dockerfile"})
	if err != nil {
		t.Fatal(err)
	}
	return res.File.Src
}

// TestMultiStagePrebuiltInDirectory finds a prebuilt binary that a directory
// COPY brings in (COPY dist /app/bin, COPY . /app) by reading the context, and
// copies the directory once, the binary with it.
func TestMultiStagePrebuiltInDirectory(t *testing.T) {
	for _, copyLine := range []string{"COPY dist /app/bin", "COPY dist/ /app/bin/", "COPY . /app/"} {
		binPath := "dist/server"
		if copyLine == "COPY . /app/" {
			binPath = "bin/server"
		}
		src := "FROM debian:bookworm-slim\n" + copyLine + "\nCMD [\"/app/bin/server\"]\n"
		out := runRuleOn(t, MultiStage, src, map[string][]byte{binPath: fakeELF("")})
		if !bytes.Contains(out, []byte("FROM gcr.io/distroless/static-debian12:nonroot\n")) ||
			bytes.Count(out, []byte("COPY --from=build")) != 1 {
			t.Errorf("%s: want the static image and one COPY of the directory, got\n%s", copyLine, out)
		}
	}
}

// TestMultiStagePrebuiltRebuilt refuses a binary from the build context that
// a later RUN may rebuild or replace: the file in the context (a stale local
// build, say) need not be the one that runs, nor linked the same way.
func TestMultiStagePrebuiltRebuilt(t *testing.T) {
	for _, src := range []string{
		"FROM debian:bookworm-slim\nWORKDIR /app\nCOPY . /app\nRUN make\nCMD [\"/app/server\"]\n",
		"FROM debian:bookworm-slim\nCOPY server /usr/local/bin/server\nRUN curl -fsSLo /usr/local/bin/server https://example.com/server\nCMD [\"server\"]\n",
	} {
		f, err := rewrite.Parse("Dockerfile", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		fsys := fstest.MapFS{"Dockerfile": {Data: []byte(src)}, "server": {Data: fakeELF("")}}
		res, err := Run(f, fsys, Options{Rules: []*Rule{MultiStage}, DockerfilePath: "Dockerfile"})
		if err != nil {
			t.Fatal(err)
		}
		runLine := strings.Count(src[:strings.Index(src, "RUN")], "\n") + 1
		if res.Changed() || len(res.Findings) != 1 || res.Findings[0].Line != runLine ||
			!strings.Contains(res.Findings[0].Message, "this RUN may replace it") {
			t.Errorf("%s: got\n%s\nfindings %+v", src, res.File.Src, res.Findings)
		}
	}
}
