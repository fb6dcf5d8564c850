package rules

import "testing"

// TestGlibcNodeImage checks which Alpine node references name the -slim
// image of their version, and which name none.
func TestGlibcNodeImage(t *testing.T) {
	for _, c := range []struct{ raw, tag, want string }{
		{"node:21.6.2-alpine", "21.6.2-alpine", "node:21.6.2-slim"},
		{"node:14.17.3-alpine3.14", "14.17.3-alpine3.14", "node:14.17.3-slim"},
		{"amd64/node:12-alpine", "12-alpine", "amd64/node:12-slim"},
		{"public.ecr.aws/docker/library/node:16.20-alpine3.18", "16.20-alpine3.18", "public.ecr.aws/docker/library/node:16.20-slim"},
		{"node:${NODE_VERSION}-alpine", "21.6.2-alpine", "node:${NODE_VERSION}-slim"},
		{"node:${NODE_VERSION}-alpine${ALPINE}", "21.6.2-alpine3.19", ""}, // the Alpine part is a variable
		{"node:lts-alpine", "lts-alpine", ""},                             // no version
		{"node:alpine", "alpine", ""},
		{"node:current-alpine3.19", "current-alpine3.19", ""},
		{"node:12-alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000", "12-alpine", ""}, // pinned: the -slim digest is unknown
	} {
		if got := glibcNodeImage(c.raw, c.tag); got != c.want {
			t.Errorf("glibcNodeImage(%q, %q) = %q, want %q", c.raw, c.tag, got, c.want)
		}
	}
}

// TestNodeImageRef checks that a templated tag keeps its build argument while
// the repository goes behind the mirror.
func TestNodeImageRef(t *testing.T) {
	cfg := &Config{Images: ImageOptions{RegistryMirror: "mirror.corp/proxy"}}
	for ref, want := range map[string]string{
		"node:${NODE_VERSION}-slim": "mirror.corp/proxy/docker.io/library/node:${NODE_VERSION}-slim",
		"node:14.17.3-slim":         "mirror.corp/proxy/docker.io/library/node:14.17.3-slim",
		"${REGISTRY}/node:16-slim":  "${REGISTRY}/node:16-slim",
		"amd64/node:${V}-slim":      "mirror.corp/proxy/docker.io/amd64/node:${V}-slim",
	} {
		if got := nodeImageRef(cfg, ref); got != want {
			t.Errorf("nodeImageRef(%q) = %q, want %q", ref, got, want)
		}
	}
}
