package rules

import (
	_ "crypto/sha256" // digest.Algorithm.Available: references pinned by digest parse only with it linked in
	_ "crypto/sha512"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/dfslim/dfslim/catalog"
)

// builderImage is what the build analysis knows about a build stage's base
// image: the settings its Dockerfile makes that change where tools put their
// output, and the libc that binaries built on it link against.
type builderImage struct {
	repo     string            // last path element of the repository: "golang"
	tag      string            // "" when absent
	libc     catalog.Libc      // catalog.LibcGlibc, catalog.LibcMusl or LibcUnknown
	language string            // the toolchain it ships, or ""
	version  string            // its version as the tag tells ("3.11", "22", "17"), or ""
	workdir  string            // the image's WORKDIR, or "" when unknown
	env      map[string]string // ENV set by the image that tools read
	distro   string            // "debian12", "alpine", … or ""
	family   catalog.Family    // ClassifyBase's Family
	official bool              // a Docker official image, or a mirror of one
	// pythonSite is the interpreter's own site-packages directory, where
	// pip installs without a venv, --target or --user ("" when unknown).
	pythonSite string
	// basedOn is the official image this one adds tools to, for naming its
	// slim variant: python:3.12-slim-bookworm for astral-sh/uv's
	// python3.12-bookworm-slim. "" for the official images themselves.
	basedOn string
	cmd     string // the image's default CMD, as words, when known: "python3"
}

// slimBase is the reference to name the slim variant of the build image from.
func (im builderImage) slimBase(ref string) string {
	if im.basedOn != "" {
		return im.basedOn
	}
	return ref
}

// officialMirrors are registries' paths that mirror Docker official images:
// public.ecr.aws/docker/library/python is python.
var officialMirrors = []string{"docker/library/"}

// splitImageRef splits an image reference into its repository path (without
// registry) and tag. Digests are dropped.
func splitImageRef(ref string) (repoPath, tag string) {
	ref, _, _ = strings.Cut(ref, "@")
	slash := strings.LastIndex(ref, "/")
	if i := strings.LastIndex(ref, ":"); i > slash {
		ref, tag = ref[:i], ref[i+1:]
	}
	parts := strings.Split(ref, "/")
	if len(parts) > 1 && (strings.ContainsAny(parts[0], ".:") || parts[0] == "localhost") {
		parts = parts[1:]
	} else if len(parts) == 2 && catalog.IsArchOrg(parts[0]) {
		parts = parts[1:] // amd64/node: the amd64 build of the official node image
	}
	if len(parts) > 1 && parts[0] == "library" {
		parts = parts[1:]
	}
	repo := strings.Join(parts, "/")
	for _, m := range officialMirrors {
		if r, ok := strings.CutPrefix(repo, m); ok && !strings.Contains(r, "/") {
			repo = r
		}
	}
	return repo, tag
}

// classifyBuilder returns what is known about a build image reference: the
// catalog's classification (libc, language, version, distro) plus the
// settings of the official images that move tool output (GOPATH, CARGO_HOME)
// and their working directory.
func classifyBuilder(ref string) builderImage {
	repoPath, tag := splitImageRef(ref)
	b := catalog.ClassifyBase(ref)
	im := builderImage{repo: path.Base(repoPath), tag: tag, env: map[string]string{},
		libc: b.Libc, language: b.Language, version: b.Version, distro: b.Distro, family: b.Family}
	official := !strings.Contains(repoPath, "/")
	im.official = official
	if official && b.Family != catalog.Unknown {
		im.workdir = "/"
	}
	if repoPath == "astral-sh/uv" {
		classifyUV(&im, tag)
	}
	switch b.Family {
	case catalog.FamilyGolang:
		im.workdir = "/go"
		im.env["GOPATH"] = "/go"
		im.env["PATH"] = "/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	case catalog.FamilyRust:
		im.env["CARGO_HOME"] = "/usr/local/cargo"
		im.env["RUSTUP_HOME"] = "/usr/local/rustup"
		im.env["PATH"] = "/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	case catalog.FamilyJava:
		if im.repo == "maven" || im.repo == "gradle" {
			im.workdir = "" // maven and gradle images vary by variant
		}
	case catalog.FamilyPython:
		if im.repo != "python" {
			im.version = ""
		}
		if official {
			im.cmd = "python3"
		}
		if official && strings.Contains(im.version, ".") {
			im.pythonSite = "/usr/local/lib/python" + im.version + "/site-packages"
		}
	}
	if b.Family == catalog.FamilyJava && im.repo == "eclipse-temurin" {
		im.workdir = "/"
	}
	if im.language == "" && (b.Family == catalog.FamilyDebian || b.Family == catalog.FamilyUbuntu) {
		im.workdir = "/"
	}
	return im
}

// uvTag matches the tags of astral-sh/uv's images that are built on an
// official python image: "python3.12-bookworm-slim", "0.9.2-python3.13-alpine".
var uvTag = regexp.MustCompile(`^(?:[0-9][0-9.]*-)?python(3\.[0-9]+)-(bookworm|trixie|alpine)(?:[0-9.]*)(-slim)?$`)

// classifyUV fills in what ghcr.io/astral-sh/uv:pythonX.Y-… is: the official
// python:X.Y-… image (interpreter in /usr/local, working directory /) with
// uv and uvx in /usr/local/bin. Its other tags (latest, debian, alpine) have
// no Python from the official image and stay unknown.
func classifyUV(im *builderImage, tag string) {
	m := uvTag.FindStringSubmatch(tag)
	if m == nil {
		return
	}
	im.language, im.version, im.workdir, im.official = "python", m[1], "/", true
	im.family, im.libc, im.distro = catalog.FamilyPython, catalog.LibcGlibc, catalog.DebianGeneration(m[2])
	if m[2] == "alpine" {
		im.libc, im.distro = catalog.LibcMusl, "alpine"
	}
	im.pythonSite = "/usr/local/lib/python" + m[1] + "/site-packages"
	im.basedOn = "python:" + m[1] + m[3] + "-" + m[2]
	if m[2] == "alpine" {
		im.basedOn = "python:" + m[1] + "-alpine"
	}
}

// readContext reads a file of the build context by slash path. It returns
// false when there is no context or no such file.
func readContext(p *Pass, name string) ([]byte, bool) {
	if p.Context == nil {
		return nil, false
	}
	name = strings.TrimPrefix(path.Clean("/"+name), "/")
	if name == "" {
		name = "."
	}
	data, err := fs.ReadFile(p.Context, name)
	if err != nil {
		return nil, false
	}
	return data, true
}
