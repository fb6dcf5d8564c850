package facts

import (
	_ "crypto/sha256" // digest.Algorithm.Available: references pinned by digest parse only with it linked in
	_ "crypto/sha512"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/dfslim/dfslim/catalog"
)

// BuildImage is what the build analysis knows about a build stage's base
// image: the settings its Dockerfile makes that change where tools put their
// output, and the libc that binaries built on it link against.
type BuildImage struct {
	Repo     string            // last path element of the repository: "golang"
	Tag      string            // "" when absent
	Libc     catalog.Libc      // catalog.LibcGlibc, catalog.LibcMusl or LibcUnknown
	Language string            // the toolchain it ships, or ""
	Version  string            // its version as the tag tells ("3.11", "22", "17"), or ""
	workdir  string            // the image's WORKDIR, or "" when unknown
	Env      map[string]string // ENV set by the image that tools read
	Distro   string            // "debian12", "alpine", … or ""
	family   catalog.Family    // ClassifyBase's Family
	Official bool              // a Docker official image, or a mirror of one
	// PythonSite is the interpreter's own site-packages directory, where
	// pip installs without a venv, --target or --user ("" when unknown).
	PythonSite string
	// basedOn is the official image this one adds tools to, for naming its
	// slim variant: python:3.12-slim-bookworm for astral-sh/uv's
	// python3.12-bookworm-slim. "" for the official images themselves.
	basedOn string
	Cmd     string // the image's default CMD, as words, when known: "python3"
}

// SlimBase is the reference to name the slim variant of the build image from.
func (im BuildImage) SlimBase(ref string) string {
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
func classifyBuilder(ref string) BuildImage {
	repoPath, tag := splitImageRef(ref)
	b := catalog.ClassifyBase(ref)
	im := BuildImage{Repo: path.Base(repoPath), Tag: tag, Env: map[string]string{},
		Libc: b.Libc, Language: b.Language, Version: b.Version, Distro: b.Distro, family: b.Family}
	official := !strings.Contains(repoPath, "/")
	im.Official = official
	if official && b.Family != catalog.Unknown {
		im.workdir = "/"
	}
	if repoPath == "astral-sh/uv" {
		classifyUV(&im, tag)
	}
	switch b.Family {
	case catalog.FamilyGolang:
		im.workdir = "/go"
		im.Env["GOPATH"] = "/go"
		im.Env["PATH"] = "/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	case catalog.FamilyRust:
		im.Env["CARGO_HOME"] = "/usr/local/cargo"
		im.Env["RUSTUP_HOME"] = "/usr/local/rustup"
		im.Env["PATH"] = "/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	case catalog.FamilyJava:
		if im.Repo == "maven" || im.Repo == "gradle" {
			im.workdir = "" // maven and gradle images vary by variant
		}
	case catalog.FamilyPython:
		if im.Repo != "python" {
			im.Version = ""
		}
		if official {
			im.Cmd = "python3"
		}
		if official && strings.Contains(im.Version, ".") {
			im.PythonSite = venvSite("/usr/local", im.Version)
		}
	}
	if b.Family == catalog.FamilyJava && im.Repo == "eclipse-temurin" {
		im.workdir = "/"
	}
	if im.Language == "" && (b.Family == catalog.FamilyDebian || b.Family == catalog.FamilyUbuntu) {
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
func classifyUV(im *BuildImage, tag string) {
	m := uvTag.FindStringSubmatch(tag)
	if m == nil {
		return
	}
	im.Language, im.Version, im.workdir, im.Official = "python", m[1], "/", true
	im.family, im.Libc, im.Distro = catalog.FamilyPython, catalog.LibcGlibc, catalog.DebianGeneration(m[2])
	if m[2] == "alpine" {
		im.Libc, im.Distro = catalog.LibcMusl, "alpine"
	}
	im.PythonSite = venvSite("/usr/local", m[1])
	im.basedOn = "python:" + m[1] + m[3] + "-" + m[2]
	if m[2] == "alpine" {
		im.basedOn = "python:" + m[1] + "-alpine"
	}
}

// ReadContext reads a file of the build context by slash path. It returns
// false when there is no context or no such file.
func ReadContext(src *Source, name string) ([]byte, bool) {
	if src.Context == nil {
		return nil, false
	}
	name = strings.TrimPrefix(path.Clean("/"+name), "/")
	if name == "" {
		name = "."
	}
	data, err := fs.ReadFile(src.Context, name)
	if err != nil {
		return nil, false
	}
	return data, true
}
