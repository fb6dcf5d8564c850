package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestBinaryLinksSHA256 checks that the dfslim binary links crypto/sha256.
// go-digest only accepts sha256 digests when that package is linked; without
// it every digest-pinned FROM ("img:tag@sha256:…") fails to parse and is
// classified as an unknown image. Test binaries link it anyway, so the
// testscript cases cannot see the difference.
func TestBinaryLinksSHA256(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	if !slices.Contains(strings.Fields(string(out)), "crypto/sha256") {
		t.Error("cmd/dfslim does not link crypto/sha256: digest-pinned image references would not parse")
	}
}
