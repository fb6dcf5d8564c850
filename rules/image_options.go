package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/distribution/reference"
)

// ImageOptions change how rules write the image references and the runtime
// user that they add to a Dockerfile. The zero value writes references as the
// catalog has them and runs as 65532:65532.
type ImageOptions struct {
	// RegistryMirror is written, with a slash, before the full reference of
	// every image dfslim writes, registry included: with "mirror.corp/proxy",
	// gcr.io/distroless/static-debian13:nonroot is written as
	// mirror.corp/proxy/gcr.io/distroless/static-debian13:nonroot.
	RegistryMirror string
	// Digests pins the images dfslim writes: image reference (as dfslim
	// writes it, without the mirror; any normalized form) → digest
	// ("sha256:…"). An image without an entry is written unpinned.
	Digests map[string]string
	// UID and GID are the runtime user that dfslim writes in USER and
	// COPY --chown; 0 means 65532 (the nonroot user of distroless and
	// Chainguard images). GID 0 means the same as UID.
	UID, GID int
}

// DefaultUID is the nonroot user of distroless and Chainguard images.
const DefaultUID = 65532

// Validate checks the options: a mirror that is a registry host and path, and
// digests that parse.
func (o ImageOptions) Validate() error {
	if m := o.RegistryMirror; m != "" {
		if _, err := reference.ParseNamed(strings.TrimSuffix(m, "/") + "/x"); err != nil {
			return fmt.Errorf("registry mirror %q is not a registry host with an optional path, as mirror.example.com/proxy", m)
		}
	}
	for ref, d := range o.Digests {
		if _, err := reference.ParseNormalizedNamed(ref); err != nil {
			return fmt.Errorf("digests: %q is not an image reference: %v", ref, err)
		}
		if !reference.DigestRegexp.MatchString(d) || !strings.Contains(d, ":") {
			return fmt.Errorf("digests: %q for %s is not a digest (sha256:…)", d, ref)
		}
	}
	if o.UID < 0 || o.GID < 0 || o.UID > 1<<31-2 || o.GID > 1<<31-2 {
		return fmt.Errorf("uid and gid must be between 1 and %d", 1<<31-2)
	}
	return nil
}

// ImageRef returns how ref, a reference from the catalog, is written: pinned
// to its digest when Digests has one, behind RegistryMirror when set.
// "scratch" is never changed.
func (c *Config) ImageRef(ref string) string {
	if c == nil || strings.EqualFold(ref, "scratch") {
		return ref
	}
	o := c.Images
	if o.RegistryMirror == "" && len(o.Digests) == 0 {
		return ref
	}
	n, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	out := ref
	if d := o.digestOf(n); d != "" {
		out = reference.FamiliarString(n) + "@" + d
		if _, ok := n.(reference.Digested); ok {
			out = ref // already pinned
		}
	}
	if o.RegistryMirror != "" {
		full, err := reference.ParseNormalizedNamed(out)
		if err != nil {
			return out
		}
		out = strings.TrimSuffix(o.RegistryMirror, "/") + "/" + full.String()
	}
	return out
}

// digestOf returns the digest that Digests gives n, or "".
func (o ImageOptions) digestOf(n reference.Named) string {
	key := reference.TagNameOnly(n).String()
	for ref, d := range o.Digests {
		if m, err := reference.ParseNormalizedNamed(ref); err == nil && reference.TagNameOnly(m).String() == key {
			return d
		}
	}
	return ""
}

// RuntimeUser is the "uid:gid" that rules write in USER and --chown.
func (c *Config) RuntimeUser() string {
	uid, gid := DefaultUID, 0
	if c != nil && c.Images.UID > 0 {
		uid, gid = c.Images.UID, c.Images.GID
	}
	if gid <= 0 {
		gid = uid
	}
	return strconv.Itoa(uid) + ":" + strconv.Itoa(gid)
}
