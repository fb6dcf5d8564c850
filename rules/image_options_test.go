package rules

import (
	"testing"

	"github.com/dfslim/dfslim/catalog"
)

const testDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestImageRef(t *testing.T) {
	c := &Config{Images: ImageOptions{
		RegistryMirror: "mirror.corp/proxy/",
		Digests:        map[string]string{"python:3.12-slim": testDigest},
	}}
	for ref, want := range map[string]string{
		"gcr.io/distroless/static-debian13:nonroot": "mirror.corp/proxy/gcr.io/distroless/static-debian13:nonroot",
		"python:3.12-slim":                          "mirror.corp/proxy/docker.io/library/python:3.12-slim@" + testDigest,
		"docker.io/library/python:3.12-slim":        "mirror.corp/proxy/docker.io/library/python:3.12-slim@" + testDigest,
		"scratch":                                   "scratch",
	} {
		got := c.ImageRef(ref)
		if got != want {
			t.Errorf("ImageRef(%q) = %q, want %q", ref, got, want)
		}
		if ref != "scratch" && catalog.Unmirror(got) == got {
			t.Errorf("catalog.Unmirror(%q) does not see through the mirror", got)
		}
	}
	if got := (&Config{}).ImageRef("python:3.12-slim"); got != "python:3.12-slim" {
		t.Errorf("no options: %q", got)
	}
	if got := (&Config{Images: ImageOptions{Digests: map[string]string{"gcr.io/distroless/cc-debian13:nonroot": testDigest}}}).ImageRef("gcr.io/distroless/cc-debian13:nonroot"); got != "gcr.io/distroless/cc-debian13:nonroot@"+testDigest {
		t.Errorf("digest only: %q", got)
	}
}

func TestImageOptionsValidate(t *testing.T) {
	for _, o := range []ImageOptions{
		{RegistryMirror: "mirror.corp/proxy"},
		{RegistryMirror: "localhost:5000"},
		{Digests: map[string]string{"python:3.12-slim": testDigest}},
		{UID: 10001, GID: 10001},
	} {
		if err := o.Validate(); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
	for _, o := range []ImageOptions{
		{RegistryMirror: "proxy"},
		{RegistryMirror: "Mirror.corp/UPPER"},
		{Digests: map[string]string{"python:3.12-slim": "latest"}},
		{Digests: map[string]string{"Not A Ref": testDigest}},
		{UID: -1},
	} {
		if err := o.Validate(); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	if got := (&Config{Images: ImageOptions{UID: 10001}}).RuntimeUser(); got != "10001:10001" {
		t.Errorf("RuntimeUser = %q", got)
	}
	if got := (*Config)(nil).RuntimeUser(); got != "65532:65532" {
		t.Errorf("RuntimeUser of nil = %q", got)
	}
}
