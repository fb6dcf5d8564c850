package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/distribution/reference"
)

// slimSpec is one entry of catalog.json's slimImages: how the fallback-rung
// image of a runtime kind is named from the builder's reference, and its facts.
type slimSpec struct {
	Kind           Kind           `json:"kind"`
	Repo           string         `json:"repo"`
	Tag            string         `json:"tag"`
	Versions       []string       `json:"versions"`
	Releases       []string       `json:"releases"`
	DefaultRelease string         `json:"defaultRelease"`
	Libc           Libc           `json:"libc"`
	User           string         `json:"user"`
	NonrootUser    string         `json:"nonrootUser"`
	Workdir        string         `json:"workdir"`
	Entrypoint     []string       `json:"entrypoint"`
	PackageManager string         `json:"packageManager"`
	SizeMB         int            `json:"sizeMB"`
	SizeByVersion  map[string]int `json:"sizeByVersion"`
}

// debianCodenames are the Debian releases that official image tags name.
var debianCodenames = []string{"jessie", "stretch", "buster", "bullseye", "bookworm", "trixie"}

// SlimImage returns the fallback-rung image that runs kind (KindPython,
// KindNode, KindJava, KindGlibc, KindCC or KindMusl) for a build on the image builder
// (a FROM reference with build arguments expanded), or an error that says
// why there is none. A Python or Node.js build keeps its version and Debian
// release as its tag writes them (python:3.11-buster gives
// python:3.11-slim-buster) and an Alpine build keeps its image; a Java build
// gets the Temurin JRE of its major; a glibc binary gets the slim image of
// the builder's Debian release, or of the newest one when that is unknown
// (glibc runs binaries built against older versions of itself); a musl
// binary gets the Alpine release of its Alpine-based builder.
func SlimImage(kind Kind, builder string) (*Image, error) {
	if kind == KindMusl {
		return slimAlpineImage(builder)
	}
	c := catalog()
	var spec *slimSpec
	for i := range c.SlimImages {
		if c.SlimImages[i].Kind == kind {
			spec = &c.SlimImages[i]
		}
	}
	if spec == nil {
		return nil, fmt.Errorf("dfslim knows no slim image for %s programs", kind)
	}
	b := ClassifyBase(builder)
	n, err := reference.ParseNormalizedNamed(builder)
	if err != nil || b.Family == Unknown {
		return nil, fmt.Errorf("dfslim does not know the build image %s, so not its slim variant", builder)
	}
	img := &Image{Flavor: SlimRung, Kind: kind, Libc: spec.Libc, User: spec.User, Workdir: spec.Workdir,
		Entrypoint: slices.Clone(spec.Entrypoint), Shell: true, PackageManager: spec.PackageManager,
		NonrootUser: spec.NonrootUser, SizeMB: spec.SizeMB, Distro: b.Distro}
	tokens := strings.Split(strings.ToLower(b.Tag), "-")
	switch kind {
	case KindPython, KindNode:
		if string(b.Family) != string(kind) {
			return nil, fmt.Errorf("the build image %s is not an official %s image, so its slim variant is unknown", builder, LanguageName(string(kind)))
		}
		img.Language, img.Version = string(kind), b.Version
		if b.Libc == LibcMusl {
			// The same Alpine image: the build stage keeps what it added.
			img.Ref, img.Libc, img.PackageManager, img.NonrootUser = builder, LibcMusl, "apk", spec.NonrootUser
			img.SizeMB = 0
			return img, nil
		}
		tag, err := slimLanguageTag(kind, b.Tag)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", builder, err)
		}
		img.Ref = sameRegistry(n, spec.Repo) + ":" + tag
	case KindJava:
		if b.Family != FamilyJava || b.Version == "" {
			return nil, fmt.Errorf("the Java version of the build image %s is unknown, so no JRE image can be matched to it", builder)
		}
		if !slices.Contains(spec.Versions, b.Version) {
			return nil, fmt.Errorf("dfslim knows no %s JRE image for Java %s (it knows %s)", spec.Repo, b.Version, strings.Join(spec.Versions, ", "))
		}
		img.Language, img.Version = "java", b.Version
		release := ""
		for _, t := range tokens {
			if slices.Contains(spec.Releases, t) {
				release = t
			}
		}
		if b.Libc == LibcMusl {
			release, img.Libc, img.PackageManager = "alpine", LibcMusl, "apk"
		}
		tag := strings.ReplaceAll(spec.Tag, "{version}", b.Version)
		tag = strings.ReplaceAll(tag, "{-release}", dashed(release))
		img.Ref = sameRegistry(n, spec.Repo) + ":" + tag
		img.Distro = "ubuntu"
		if release == "alpine" {
			img.Distro = "alpine"
		}
		img.SizeMB = spec.SizeByVersion[b.Version]
	case KindStatic, KindGlibc, KindCC:
		if kind != KindStatic && b.Libc != LibcGlibc {
			return nil, fmt.Errorf("the build image %s is not known to link against glibc", builder)
		}
		release := c.DebianReleases[DebianGeneration(b.Distro)]
		if release == "" {
			release = spec.DefaultRelease
		}
		img.Ref = spec.Repo + ":" + strings.ReplaceAll(spec.Tag, "{release}", release)
		img.Distro = DebianGeneration(release)
	default:
		return nil, fmt.Errorf("dfslim knows no slim image for %s programs", kind)
	}
	return img, nil
}

// slimAlpineImage returns the Alpine image that runs a musl binary built on
// the Alpine-based image builder (golang:1.22-alpine3.19 gives alpine:3.19):
// the Alpine release its tag names, or alpine:3.22 when it names none. musl
// keeps its ABI backward compatible, so a binary built against an older
// release runs on a newer one. The image has no tzdata, which Go and most
// programs read, so the runtime stage installs it (rules' split.chooseImage).
func slimAlpineImage(builder string) (*Image, error) {
	b := ClassifyBase(builder)
	if b.Libc != LibcMusl || b.Distro != "alpine" {
		return nil, fmt.Errorf("the build image %s is not known to be Alpine-based, so which musl the binary links is unknown", builder)
	}
	ref := AlpineRef
	for _, t := range strings.Split(strings.ToLower(b.Tag), "-") {
		if v, ok := strings.CutPrefix(t, "alpine"); ok && v != "" && strings.Trim(v, "0123456789.") == "" && strings.Count(v, ".") >= 1 {
			ref = "alpine:" + v
		}
	}
	return &Image{Ref: ref, Flavor: SlimRung, Kind: KindMusl, Libc: LibcMusl, Distro: "alpine", User: "0", Workdir: "/",
		Shell: true, PackageManager: "apk"}, nil
}

// slimLanguageTag returns the tag of the -slim variant of an official python
// or node image tag: the same version and Debian release, written the way
// each repository writes its slim tags ("3.11-slim-buster", "14-buster-slim").
func slimLanguageTag(kind Kind, tag string) (string, error) {
	var version, release string
	for i, t := range strings.Split(strings.ToLower(tag), "-") {
		switch {
		case t == "" || t == "latest" && i == 0:
		case i == 0 && (leadingDigits(t) != "" || kind == KindNode && (t == "lts" || t == "current" || catalog().NodeCodenames[t] != "")):
			version = t
		case t == "slim":
		case slices.Contains(debianCodenames, t):
			release = t
		default:
			return "", fmt.Errorf("dfslim does not know the slim variant of tag %s", tag)
		}
	}
	order := []string{version, release, "slim"} // node: 14-buster-slim
	if kind == KindPython {
		order = []string{version, "slim", release} // python: 3.11-slim-buster
	}
	var parts []string
	for _, p := range order {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "-"), nil
}

// sameRegistry names repo in the registry of the official image n when n
// comes from a mirror of Docker Hub's library ("public.ecr.aws/docker/library/node"
// gives "public.ecr.aws/docker/library/<repo>", "amd64/node" "amd64/<repo>");
// otherwise it names Docker Hub's official repo.
func sameRegistry(n reference.Named, repo string) string {
	name := n.Name()
	dir := name[:strings.LastIndex(name, "/")]
	arch := []string{"docker.io/amd64", "docker.io/arm64v8", "docker.io/arm32v7", "docker.io/arm32v6", "docker.io/i386", "docker.io/ppc64le", "docker.io/s390x", "docker.io/riscv64"}
	mirror := strings.HasSuffix(dir, "/library") || slices.Contains(arch, dir)
	if !mirror {
		return repo
	}
	out, err := reference.ParseNormalizedNamed(dir + "/" + repo)
	if err != nil {
		return repo
	}
	return reference.FamiliarName(out)
}

func dashed(s string) string {
	if s == "" {
		return ""
	}
	return "-" + s
}

// slimBasePrograms are the programs every slim rung image has: the shell and
// the Debian essential tools (Alpine's busybox has the same names).
var slimBasePrograms = []string{"sh", "bash", "dash", "exec", "echo", "printf", "true", "false", "test", "[", "sleep",
	"env", "cat", "cp", "mv", "rm", "mkdir", "rmdir", "chmod", "chown", "chgrp", "ln", "touch", "ls", "sed", "grep",
	"find", "xargs", "tar", "gzip", "gunzip", "zcat", "id", "whoami", "useradd", "groupadd", "usermod", "userdel",
	"groupdel", "su", "sort", "uniq", "head", "tail", "wc", "tr", "cut", "date", "hostname", "dirname", "basename",
	"readlink", "realpath", "mktemp", "nproc", "expr", "seq", "tee", "uname", "ldconfig", "dpkg", "kill", "pwd",
	"timeout", "nohup", "stat", "du", "df", "md5sum", "sha256sum", "yes", "diff", "cmp"}

// slimLanguagePrograms are the programs the slim rung image of each language has.
var slimLanguagePrograms = map[Kind][]string{
	KindPython: {"python", "python3", "pip", "pip3"},
	KindNode:   {"node", "nodejs", "npm", "npx", "corepack", "docker-entrypoint.sh"},
	KindJava:   {"java", "keytool"},
}

// slimImagePrograms are programs a slim rung image has besides its
// language's, by kind and distribution: Temurin's Ubuntu images install curl
// and wget ("curl required for historical reasons", adoptium/containers issue
// 255); its Alpine images do not.
var slimImagePrograms = map[Kind]map[string][]string{KindJava: {"ubuntu": {"curl", "wget"}}}

// SlimImageHas reports whether the slim rung image img has the program name
// as its language's image (not counting the distribution's own programs, see
// [DistroHas]).
func SlimImageHas(img *Image, name string) bool {
	return SlimLanguageHas(img.Kind, name) || slices.Contains(slimImagePrograms[img.Kind][img.Distro], name)
}

// SlimBaseHas reports whether every image of the slim rung has the program
// name: the shell and the Debian essential tools (Alpine's busybox has the
// same names).
func SlimBaseHas(name string) bool { return slices.Contains(slimBasePrograms, name) }

// SlimLanguageHas reports whether the slim rung image of kind (KindPython,
// KindNode, KindJava) has the program name: the interpreter and its tools.
func SlimLanguageHas(kind Kind, name string) bool {
	return slices.Contains(slimLanguagePrograms[kind], name)
}

// fullImageTools are the programs that the full (not -slim, not Alpine)
// official images of these families have, from buildpack-deps, which they
// are built on (its curl variant installs curl and wget).
var fullImageTools = map[Family][]string{
	FamilyPython: {"curl", "wget"},
	FamilyNode:   {"curl", "wget"},
	FamilyRust:   {"curl", "wget"},
	FamilyGolang: {"curl", "wget"},
}

// FullImageHas reports whether the build image ref, an official full Debian
// image built on buildpack-deps (a tag without a release names Debian), has
// the program name; false for -slim, Alpine and Windows tags.
func FullImageHas(ref, name string) bool {
	b := ClassifyBase(ref)
	if b.Libc != LibcGlibc || b.Windows || b.Distro != "" && !strings.HasPrefix(b.Distro, "debian") || !slices.Contains(fullImageTools[b.Family], name) {
		return false
	}
	for _, t := range strings.Split(strings.ToLower(b.Tag), "-") {
		if t == "slim" || strings.HasPrefix(t, "alpine") {
			return false
		}
	}
	return true
}
