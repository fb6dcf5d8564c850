package catalog

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/distribution/reference"
)

//go:embed catalog_sizes.json
var catalogSizesJSON []byte

// sizeEntry is one entry of catalog_sizes.json: the size of the images of
// some repositories and tags.
type sizeEntry struct {
	Repos        []string `json:"repos"`
	Tags         []string `json:"tags"`
	MB           *float64 `json:"mb"`
	CompressedMB *float64 `json:"compressedMB"`
	Measured     string   `json:"measured"`
	Date         string   `json:"date"`
	Source       string   `json:"source"`
}

var sizeTable = sync.OnceValue(func() []sizeEntry {
	var d struct {
		Sizes []sizeEntry `json:"sizes"`
	}
	if err := json.Unmarshal(catalogSizesJSON, &d); err != nil {
		panic("catalog: bad catalog_sizes.json: " + err.Error())
	}
	return d.Sizes
})

// ImageSize is what the catalog knows of an image's size. MB is nil when
// the size is unknown; dfslim never guesses one.
type ImageSize struct {
	Image string `json:"image"` // the reference as written
	// MB is the approximate uncompressed size of the amd64 image in
	// megabytes (what `docker images` shows), or nil when unknown.
	MB *float64 `json:"mb"`
	// CompressedMB is the compressed registry (pull) size, or nil when unknown.
	CompressedMB *float64 `json:"compressed_mb"`
	Measured     string   `json:"measured,omitempty"` // the image and tag the figure was measured on
	Date         string   `json:"date,omitempty"`     // when it was measured or published
	Source       string   `json:"source,omitempty"`   // where the figure comes from
}

// Known reports whether the uncompressed size is known.
func (s ImageSize) Known() bool { return s.MB != nil }

// String is the image with its size: "cgr.dev/chainguard/static:latest (≈1.3 MB)".
func (s ImageSize) String() string {
	if !s.Known() {
		if s.CompressedMB != nil && *s.CompressedMB > 0 {
			// Only the pull size is published: say it, as that.
			return s.Image + " (" + FormatMB(*s.CompressedMB) + " compressed, uncompressed size unknown)"
		}
		return s.Image + " (size unknown)"
	}
	return s.Image + " (" + FormatMB(*s.MB) + ")"
}

// FormatMB writes an approximate size: "≈313 MB", "≈1.3 MB", "≈2.1 GB".
func FormatMB(mb float64) string {
	switch {
	case mb == 0:
		return "0 MB"
	case mb >= 1000:
		return fmt.Sprintf("≈%.1f GB", mb/1000)
	case mb < 10:
		return fmt.Sprintf("≈%.1f MB", mb)
	}
	return fmt.Sprintf("≈%.0f MB", mb)
}

// SizeOf returns the catalog's size of the image ref names. A reference the
// catalog has no figure for (or that uses build arguments) has an unknown size.
func SizeOf(ref string) ImageSize {
	s := ImageSize{Image: ref}
	name, tag := "scratch", ""
	if !strings.EqualFold(ref, "scratch") {
		if strings.Contains(ref, "$") {
			return s
		}
		n, err := reference.ParseNormalizedNamed(Unmirror(ref)) // a mirror serves the same image
		if err != nil {
			return s
		}
		name = n.Name()
		if t, ok := n.(reference.Tagged); ok {
			tag = t.Tag()
		}
	}
	for _, e := range sizeTable() {
		if !slices.Contains(e.Repos, name) {
			continue
		}
		for _, pat := range e.Tags {
			if ok, _ := path.Match(pat, tag); ok || pat == tag {
				s.MB, s.CompressedMB, s.Measured, s.Date, s.Source = e.MB, e.CompressedMB, e.Measured, e.Date, e.Source
				return s
			}
		}
	}
	return s
}

// BaseChange is what a rewrite does to the runtime base of a Dockerfile: the
// image its final stage starts from, before and after. The artifact the
// stage copies in comes on top of both.
type BaseChange struct {
	From ImageSize `json:"from"`
	To   ImageSize `json:"to"`
}

// String is the one-line report of the change:
// "public.ecr.aws/lambda/provided:al2 (≈310 MB) → cgr.dev/chainguard/static:latest (≈1.3 MB) + the artifact".
func (c *BaseChange) String() string {
	return c.From.String() + " → " + c.To.String() + " + the artifact"
}

// SavedMB returns how many megabytes the change saves, when both sizes are known.
func (c *BaseChange) SavedMB() (float64, bool) {
	if !c.From.Known() || !c.To.Known() {
		return 0, false
	}
	return *c.From.MB - *c.To.MB, true
}

// SizeTotal adds up the runtime base changes of several Dockerfiles.
type SizeTotal struct {
	Files                  int     // Dockerfiles whose runtime base changed
	FromMB, ToMB           float64 // the sum of the known sizes
	UnknownFrom, UnknownTo int     // how many sizes were unknown on each side
}

// Add counts one Dockerfile's change.
func (t *SizeTotal) Add(c *BaseChange) {
	if c == nil {
		return
	}
	t.Files++
	if c.From.Known() {
		t.FromMB += *c.From.MB
	} else {
		t.UnknownFrom++
	}
	if c.To.Known() {
		t.ToMB += *c.To.MB
	} else {
		t.UnknownTo++
	}
}

// String is the one-line total: "3 Dockerfiles: runtime bases ≈2.1 GB → ≈160 MB".
func (t *SizeTotal) String() string {
	side := func(mb float64, unknown int) string {
		switch {
		case unknown == 0:
			return FormatMB(mb)
		case unknown == t.Files:
			return "size unknown"
		}
		return fmt.Sprintf("%s + %d of unknown size", FormatMB(mb), unknown)
	}
	files, bases := "Dockerfiles", "bases"
	if t.Files == 1 {
		files, bases = "Dockerfile", "base"
	}
	return fmt.Sprintf("%d %s: runtime %s %s → %s", t.Files, files, bases, side(t.FromMB, t.UnknownFrom), side(t.ToMB, t.UnknownTo))
}
