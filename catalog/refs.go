package catalog

import (
	"slices"
	"strings"

	"github.com/distribution/reference"
)

// knownRegistries are the registries of the images dfslim knows, which
// [Unmirror] finds inside a mirror's path.
var knownRegistries = []string{"docker.io", "index.docker.io", "gcr.io", "cgr.dev", "public.ecr.aws",
	"mcr.microsoft.com", "registry.access.redhat.com", "registry.k8s.io", "quay.io", "ghcr.io", "container-registry.oracle.com"}

// Unmirror reads a reference that a registry mirror serves, as dfslim writes
// it behind --registry-mirror (mirror.corp/proxy/gcr.io/distroless/…), as
// the image it mirrors (gcr.io/distroless/…), so that rules recognise the
// images they wrote. Any other reference is returned as it is.
func Unmirror(ref string) string {
	host, rest, ok := strings.Cut(ref, "/")
	if !ok || !(strings.ContainsAny(host, ".:") || host == "localhost") {
		return ref
	}
	parts := strings.Split(rest, "/")
	for i := len(parts) - 2; i >= 0; i-- {
		if slices.Contains(knownRegistries, parts[i]) {
			return strings.Join(parts[i:], "/")
		}
	}
	return ref
}

// SameImage reports whether ref names the image want (same repository and
// tag), whether dfslim wrote it behind a registry mirror or pinned to a
// digest or not.
func SameImage(ref, want string) bool {
	a, err1 := reference.ParseNormalizedNamed(Unmirror(ref))
	b, err2 := reference.ParseNormalizedNamed(Unmirror(want))
	if err1 != nil || err2 != nil {
		return ref == want
	}
	return trimDigest(reference.TagNameOnly(a)).String() == trimDigest(reference.TagNameOnly(b)).String()
}

// trimDigest drops a digest so that "img:tag@sha256:…" matches "img:tag".
func trimDigest(n reference.Named) reference.Named {
	if _, ok := n.(reference.Digested); !ok {
		return n
	}
	if t, ok := n.(reference.Tagged); ok {
		if r, err := reference.WithTag(reference.TrimNamed(n), t.Tag()); err == nil {
			return r
		}
	}
	return n
}

// windowsWords are the words of an image reference that name Windows:
// windows (mcr.microsoft.com/windows/…, windowsservercore tags), nanoserver,
// servercore and the LTSC releases' tags (ltsc2019, ltsc2022, ltsc2025).
var windowsWords = []string{"windows", "nanoserver", "servercore", "ltsc20"}

// IsWindows reports whether an image reference names a Windows image: its
// repository or tag says windows, nanoserver, servercore or ltsc20xx, in any
// case. Build arguments are not expanded: pass the reference with them filled
// in where that is known.
func IsWindows(ref string) bool {
	ref = strings.ToLower(ref)
	for _, w := range windowsWords {
		if strings.Contains(ref, w) {
			return true
		}
	}
	return false
}

// DefaultUser returns the default user of a distroless or Chainguard runtime
// image ("65532" or "0"), and false for any other image.
func DefaultUser(ref string) (string, bool) {
	if img := Lookup(ref); img != nil {
		return img.User, true
	}
	b := ClassifyBase(ref)
	switch {
	case b.Family == FamilyDistroless:
		if strings.Contains(b.Tag, "nonroot") {
			return "65532", true
		}
		return "0", true
	case b.Family == FamilyChainguard && b.Runtime:
		return "65532", true
	}
	return "", false
}

func mustName(ref string) reference.Named {
	n, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		panic(err)
	}
	return n
}
