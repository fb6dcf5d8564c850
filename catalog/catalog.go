package catalog

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/distribution/reference"
)

// Kind is what a runtime image can run: a static binary, a dynamically
// linked one, or an interpreted language's program.
type Kind string

// Runtime image kinds.
const (
	KindStatic Kind = "static" // a static binary: no libc
	KindGlibc  Kind = "glibc"  // a binary linked against glibc (distroless base)
	KindCC     Kind = "cc"     // a glibc binary that also needs libgcc/libstdc++
	KindPython Kind = "python" // a Python program: the interpreter's image
	KindNode   Kind = "node"   // a Node.js program
	KindJava   Kind = "java"   // a Java program: a JRE
	// KindMusl is the slim rung's kind for a binary dynamically linked
	// against musl: it runs on Alpine, never on the glibc or static images.
	KindMusl Kind = "musl"
)

// Family is what kind of image a FROM reference names, as [ClassifyBase]
// tells: an OS, a language's official image, a Lambda base, a runtime image.
type Family string

// Image families. The values are those of catalog.json's families.
const (
	FamilyDebian         Family = "debian"
	FamilyUbuntu         Family = "ubuntu"
	FamilyAlpine         Family = "alpine"
	FamilyAmazonLinux    Family = "amazonlinux"
	FamilyRHEL           Family = "rhel"            // Red Hat UBI, CentOS, Rocky, Fedora …
	FamilyGolang         Family = "golang"          // the official golang image
	FamilyRust           Family = "rust"            // the official rust image
	FamilyNode           Family = "node"            // the official node image
	FamilyPython         Family = "python"          // the official python image
	FamilyJava           Family = "java"            // JDK/JRE images and Maven, Gradle
	FamilyLambdaProvided Family = "lambda-provided" // public.ecr.aws/lambda/provided: the OS-only Lambda base
	FamilyLambdaLanguage Family = "lambda-language" // public.ecr.aws/lambda/python, nodejs, java …
	FamilyDistroless     Family = "distroless"      // gcr.io/distroless/*
	FamilyChainguard     Family = "chainguard"      // cgr.dev/*
	FamilyScratch        Family = "scratch"         // the empty image
	// Unknown is the Family of a reference dfslim cannot classify, including
	// one that uses build arguments.
	Unknown Family = "unknown"
)

// Libc is the C library an image provides or a binary links against.
type Libc string

// Libc values.
const (
	LibcUnknown Libc = ""      // not known
	LibcNone    Libc = "none"  // no libc: static binaries only
	LibcGlibc   Libc = "glibc" // GNU libc
	LibcMusl    Libc = "musl"  // musl (Alpine)
)

// Flavor is a family of runtime images: a value of --base, or the slim rung.
type Flavor string

// Runtime image flavors: the catalog's two families of runtime images, the
// empty image, Alpine, and the fallback rung of official slim images.
const (
	Distroless Flavor = "distroless" // gcr.io/distroless/*: the default
	Chainguard Flavor = "chainguard" // cgr.dev/chainguard/*
	Scratch    Flavor = "scratch"    // the empty image: static binaries only
	Alpine     Flavor = "alpine"     // alpine:3.22: static binaries only, with a shell and apk
	// SlimRung is the Flavor of the images of the fallback rung: the official
	// slim image of the build's own language and version (python:3.12-slim,
	// node:16-slim, eclipse-temurin:8-jre), debian:<release>-slim for a glibc
	// binary, or the build's own Alpine image for a musl build (see [SlimImage]).
	SlimRung Flavor = "slim"
)

// BaseFlavors returns the flavors --base accepts, in the order the CLI lists
// them: distroless, chainguard, scratch, alpine.
func BaseFlavors() []Flavor { return []Flavor{Distroless, Chainguard, Scratch, Alpine} }

// IsBaseFlavor reports whether s is a value of --base.
func IsBaseFlavor(s string) bool { return slices.Contains(BaseFlavors(), Flavor(s)) }

// Image is a runtime image from the catalog.
type Image struct {
	Ref      string // reference with an explicit tag: "gcr.io/distroless/static-debian12:nonroot"
	Flavor   Flavor
	Kind     Kind
	Libc     Libc
	Language string // "python", "node", "java", or "" for static/glibc/cc
	Version  string // the language version: "3.11", "20", "17"; "" without a language
	User     string // the default user, numeric: "65532"
	DebugRef string // the variant with a shell: ":debug-nonroot", ":latest-dev"
	Distro   string // "debian12", "debian13" or "wolfi"
	Workdir  string // the image's working directory: "/home/nonroot" for distroless nonroot
	Shell    bool   // the image has a shell (only debug variants do)
	// Entrypoint is the image's ENTRYPOINT; empty for static, glibc and cc.
	// The debug variants of distroless static/base/cc have ["/busybox/sh"].
	Entrypoint []string
	// Provides lists system packages the image already has, by the names
	// "ca-certificates", "tzdata" and "libssl".
	Provides []string
	SizeMB   int // approximate uncompressed size, for estimates only; 0 when unknown
	// PackageManager is "apt" or "apk" for an image that has one (the slim
	// rung), "" otherwise.
	PackageManager string
	// NonrootUser is a non-root user the image defines besides its default
	// one ("node" in the node images), or "".
	NonrootUser string
}

// BaseInfo says what kind of image a FROM reference names.
type BaseInfo struct {
	Family   Family // what the image is: FamilyDebian, FamilyGolang, … or Unknown
	Language string // "go", "rust", "node", "python", "java", …; "" for OS images
	Version  string // language version as far as the tag tells ("1.22", "20", "3.11", "17"); Lambda: "al2", "al2023"
	Libc     Libc   // LibcGlibc, LibcMusl, LibcNone, or LibcUnknown
	Distro   string // "debian12", "debian13", "alpine", "ubuntu", "al2023", "wolfi", …; "" when unknown
	Runtime  bool   // already a slim runtime image (distroless, Chainguard runtime, scratch)
	Windows  bool   // a Windows image, as [IsWindows] tells (whatever the Family)
	Name     string // the repository without tag, normalized: "docker.io/library/golang"
	Tag      string // the tag, "" when none
}

//go:embed catalog.json
var catalogJSON []byte

type catalogImage struct {
	Ref             string   `json:"ref"`
	DebugRef        string   `json:"debugRef"`
	Flavor          Flavor   `json:"flavor"`
	Distro          string   `json:"distro"`
	Kind            Kind     `json:"kind"`
	Libc            Libc     `json:"libc"`
	Language        string   `json:"language"`
	Version         string   `json:"version"`
	User            string   `json:"user"`
	Workdir         string   `json:"workdir"`
	Entrypoint      []string `json:"entrypoint"`
	DebugEntrypoint []string `json:"debugEntrypoint"`
	Provides        []string `json:"provides"`
	SizeMB          int      `json:"sizeMB"`
}

type catalogFamily struct {
	Family       Family   `json:"family"`
	Repos        []string `json:"repos"`
	Language     string   `json:"language"`
	VersionParts int      `json:"versionParts"`
	Libc         Libc     `json:"libc"`
	Distro       string   `json:"distro"`
}

type catalogData struct {
	Images      []catalogImage `json:"images"`
	KindAliases []struct {
		Flavor   Flavor
		Kind, As Kind
	} `json:"kindAliases"`
	Families       []catalogFamily   `json:"families"`
	DistroTags     map[string]string `json:"distroTags"`
	NodeCodenames  map[string]string `json:"nodeCodenames"`
	SlimImages     []slimSpec        `json:"slimImages"`
	DebianReleases map[string]string `json:"debianReleases"`
	// DistroPrograms lists, per distribution of the slim rung, programs its
	// images have or lack besides slimBasePrograms (Alpine: busybox applets).
	DistroPrograms map[string]distroPrograms `json:"distroPrograms"`

	// byRef maps the normalized form of every Ref and DebugRef to its image.
	byRef map[string]refEntry
}

// distroPrograms are the programs a distribution's images have and lack.
type distroPrograms struct {
	Has   []string `json:"has"`
	Lacks []string `json:"lacks"`
}

// DistroHas reports whether the slim images of distro have the program name:
// the catalog's list for that distribution, else the programs every slim
// image has ([SlimBaseHas]).
func DistroHas(distro, name string) bool {
	if d, ok := catalog().DistroPrograms[distro]; ok {
		if slices.Contains(d.Lacks, name) {
			return false
		}
		if slices.Contains(d.Has, name) {
			return true
		}
	}
	return slices.Contains(slimBasePrograms, name)
}

type refEntry struct {
	image *catalogImage
	debug bool
}

// catalog is loaded once per process.
var catalog = sync.OnceValue(func() *catalogData {
	var c catalogData
	if err := json.Unmarshal(catalogJSON, &c); err != nil {
		panic("catalog: bad catalog.json: " + err.Error())
	}
	c.byRef = map[string]refEntry{}
	for i := range c.Images {
		ci := &c.Images[i]
		for _, e := range []refEntry{{ci, false}, {ci, true}} {
			r := ci.Ref
			if e.debug {
				r = ci.DebugRef
			}
			n, err := reference.ParseNormalizedNamed(r)
			if err != nil {
				panic("catalog: bad catalog ref " + r + ": " + err.Error())
			}
			c.byRef[n.String()] = e
		}
	}
	return &c
})

func (ci *catalogImage) image(debug bool) *Image {
	img := &Image{
		Ref: ci.Ref, Flavor: ci.Flavor, Kind: ci.Kind, Libc: ci.Libc, Language: ci.Language,
		Version: ci.Version, User: ci.User, DebugRef: ci.DebugRef, Distro: ci.Distro, Workdir: ci.Workdir,
		Entrypoint: slices.Clone(ci.Entrypoint), Provides: slices.Clone(ci.Provides), SizeMB: ci.SizeMB,
	}
	if debug {
		img.Ref, img.Shell, img.Entrypoint = ci.DebugRef, true, slices.Clone(ci.DebugEntrypoint)
	}
	return img
}

// Images returns every runtime image of the catalog (the non-debug variants), in catalog order.
func Images() []*Image {
	c := catalog()
	out := make([]*Image, len(c.Images))
	for i := range c.Images {
		out[i] = c.Images[i].image(false)
	}
	return out
}

// Lookup returns the catalog image that ref names, either variant (the debug
// one has Shell set), or nil. Tags must match the catalog's, digests are
// ignored; the registry may be written in any normalized form or behind a
// mirror ([Unmirror]).
func Lookup(ref string) *Image {
	looked.Lock()
	key, ok := looked.m[ref]
	looked.Unlock()
	if !ok {
		key = ""
		if n, err := reference.ParseNormalizedNamed(Unmirror(ref)); err == nil {
			key = trimDigest(reference.TagNameOnly(n)).String()
		}
		looked.Lock()
		if looked.m == nil || len(looked.m) >= 4096 {
			looked.m = map[string]string{}
		}
		looked.m[ref] = key
		looked.Unlock()
	}
	if e, ok := catalog().byRef[key]; ok && key != "" {
		return e.image.image(e.debug)
	}
	return nil
}

// looked caches the catalog key that Lookup normalizes a reference to ("" when
// it does not parse), since parsing is most of its work.
var looked struct {
	sync.Mutex
	m map[string]string
}

// RuntimeImage returns the catalog image of flavor ("" means distroless) that
// runs kind, or an error that says why there is none.
//
// For KindPython, KindNode and KindJava, version is the language version of
// the build ("3.11", "20", "17"; longer versions are cut to what matters) and
// must match the image exactly. For KindStatic, KindGlibc and KindCC, version
// may name the builder's Debian generation ("debian13", "trixie", "13") to
// choose the image's; any other value means debian13 (see catalog.json).
// With debug the result is the variant with a shell: Ref is the debug
// reference and Entrypoint the debug image's.
func RuntimeImage(flavor Flavor, kind Kind, version string, debug bool) (*Image, error) {
	switch kind {
	case KindStatic, KindGlibc, KindCC:
		return RuntimeImageOn(flavor, kind, "", version, debug)
	}
	return RuntimeImageOn(flavor, kind, version, "", debug)
}

// RuntimeImageOn is [RuntimeImage] with the builder's distro given apart from
// the language version: "debian12", "debian13" (or bookworm, trixie), or "".
// A language image of the builder's Debian generation is preferred when it
// has the version; otherwise debian13, then debian12.
func RuntimeImageOn(flavor Flavor, kind Kind, version, distro string, debug bool) (*Image, error) {
	if flavor == "" {
		flavor = Distroless
	}
	if flavor == Scratch {
		return scratchImage(kind, debug)
	}
	if flavor == Alpine {
		return alpineImage(kind)
	}
	c := catalog()
	if flavor != Distroless && flavor != Chainguard {
		return nil, fmt.Errorf("unknown runtime image family %q (want %s or %s)", flavor, Distroless, Chainguard)
	}
	for _, a := range c.KindAliases {
		if a.Flavor == flavor && a.Kind == kind {
			kind = a.As
		}
	}
	var cands []*catalogImage
	for i := range c.Images {
		if ci := &c.Images[i]; ci.Flavor == flavor && ci.Kind == kind {
			cands = append(cands, ci)
		}
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("%s has no %s runtime image", flavor, kind)
	}
	distro = DebianGeneration(distro)
	if cands[0].Language == "" {
		want := "debian13"
		if distro == "debian12" {
			want = distro
		}
		for _, ci := range cands {
			if ci.Distro == want || flavor == Chainguard {
				return ci.image(debug), nil
			}
		}
		return cands[0].image(debug), nil
	}
	lang := cands[0].Language
	if version == "" {
		return nil, fmt.Errorf("the %s version of the build is unknown, so no %s %s image can be matched to it", LanguageName(lang), flavor, LanguageName(lang))
	}
	v := TrimVersion(version, versionParts(lang))
	if strings.Count(v, ".")+1 < versionParts(lang) {
		return nil, fmt.Errorf("%s version %s is not precise enough to match a %s image (need major.minor)", LanguageName(lang), version, flavor)
	}
	var have []string
	var match []*catalogImage
	for _, ci := range cands {
		if !slices.Contains(have, ci.Version) {
			have = append(have, ci.Version)
		}
		if ci.Version == v {
			match = append(match, ci)
		}
	}
	if len(match) == 0 {
		return nil, fmt.Errorf("%s has no %s %s image (it has %s)", flavor, LanguageName(lang), v, strings.Join(have, ", "))
	}
	for _, pref := range []string{distro, "debian13", "debian12"} {
		for _, ci := range match {
			if pref != "" && ci.Distro == pref {
				return ci.image(debug), nil
			}
		}
	}
	return match[0].image(debug), nil
}

// DebianGeneration normalizes "13", "trixie", "debian13" to "debian13", and
// so on; other distributions' names ("ubuntu", "al2023") and "" are returned
// lower-cased.
func DebianGeneration(s string) string {
	s = strings.ToLower(s)
	if g, ok := catalog().DistroTags[s]; ok {
		return g
	}
	if strings.HasPrefix(s, "debian") {
		return s
	}
	if s != "" && strings.Trim(s, "0123456789") == "" {
		return "debian" + s
	}
	return s
}

// LanguageName is a language's name for messages: "Node.js" for "node",
// "Python" for "python"; other languages as they are written.
func LanguageName(lang string) string {
	switch lang {
	case "node":
		return "Node.js"
	case "python":
		return "Python"
	case "java":
		return "Java"
	case "go":
		return "Go"
	case "rust":
		return "Rust"
	}
	return lang
}

// versionParts is how many dot-separated parts of a version select a runtime.
func versionParts(lang string) int {
	if lang == "python" {
		return 2
	}
	return 1
}

// TrimVersion keeps the first n dot-separated numeric parts of v: "3.11.4"
// with n 2 is "3.11", "20-alpine" with n 1 is "20".
func TrimVersion(v string, n int) string {
	parts := strings.Split(v, ".")
	var out []string
	for _, p := range parts {
		if len(out) == n {
			break
		}
		d := leadingDigits(p)
		if d == "" {
			break
		}
		out = append(out, d)
		if d != p {
			break
		}
	}
	return strings.Join(out, ".")
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// LanguageKind returns the runtime kind for an interpreted language ("python",
// "node", "java"), or "" for compiled languages, whose kind depends on how the
// binary was linked.
func LanguageKind(language string) Kind {
	switch language {
	case "python":
		return KindPython
	case "node":
		return KindNode
	case "java":
		return KindJava
	}
	return ""
}

// ClassifyBase says what a FROM reference is. A reference that uses build
// arguments, or that does not parse, is [Unknown].
func ClassifyBase(ref string) BaseInfo {
	classified.Lock()
	b, ok := classified.m[ref]
	classified.Unlock()
	if ok {
		return b
	}
	b = classifyBase(ref)
	classified.Lock()
	if classified.m == nil || len(classified.m) >= 4096 {
		classified.m = map[string]BaseInfo{}
	}
	classified.m[ref] = b
	classified.Unlock()
	return b
}

// classified caches ClassifyBase by reference: a monorepo's Dockerfiles
// name few images, and every rule asks about each final stage's base.
var classified struct {
	sync.Mutex
	m map[string]BaseInfo
}

// classifyBase is ClassifyBase without the cache.
func classifyBase(ref string) BaseInfo {
	windows := IsWindows(ref)
	ref = Unmirror(ref)
	if strings.EqualFold(ref, "scratch") {
		return BaseInfo{Family: FamilyScratch, Libc: LibcNone, Runtime: true, Name: "scratch"}
	}
	if strings.Contains(ref, "$") {
		return BaseInfo{Family: Unknown, Windows: windows}
	}
	n, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return BaseInfo{Family: Unknown, Windows: windows}
	}
	b := BaseInfo{Family: Unknown, Name: n.Name(), Windows: windows}
	if t, ok := n.(reference.Tagged); ok {
		b.Tag = t.Tag()
	}
	domain, path := reference.Domain(n), reference.Path(n)
	if org, repo, ok := strings.Cut(path, "/"); ok && domain == "docker.io" && IsArchOrg(org) {
		path = "library/" + repo // amd64/node is the amd64 build of the official node image
	}
	switch {
	case domain == "gcr.io" && strings.HasPrefix(path, "distroless/"):
		classifyDistroless(&b, strings.TrimPrefix(path, "distroless/"))
		return b
	case domain == "cgr.dev":
		classifyChainguard(&b, path[strings.LastIndex(path, "/")+1:])
		return b
	}
	c := catalog()
	for _, fam := range c.Families {
		if !slices.ContainsFunc(fam.Repos, func(r string) bool { return repoMatches(r, domain, path) }) {
			continue
		}
		b.Family, b.Language, b.Libc, b.Distro = fam.Family, fam.Language, fam.Libc, fam.Distro
		tokens := strings.Split(strings.ToLower(b.Tag), "-")
		for _, t := range tokens {
			if strings.HasPrefix(t, "alpine") {
				b.Libc, b.Distro = LibcMusl, "alpine"
			} else if d, ok := c.DistroTags[t]; ok {
				b.Distro = d
				if d == "windows" {
					b.Libc = LibcUnknown
				}
			}
		}
		switch fam.Family {
		case "debian":
			if g := DebianGeneration(TrimVersion(b.Tag, 1)); g != "" && b.Distro == "" {
				b.Distro = g
			}
		case FamilyJava:
			b.Version = javaVersion(path, tokens)
		case FamilyNode:
			b.Version = TrimVersion(tokens[0], fam.VersionParts)
			if v, ok := c.NodeCodenames[tokens[0]]; ok {
				b.Version = v
			}
		case FamilyLambdaProvided:
			if al, _, _ := strings.Cut(tokens[0], "."); al == "al2" || al == "al2023" {
				b.Version, b.Distro = al, al
			}
		case FamilyLambdaLanguage:
			b.Language = strings.TrimPrefix(path[strings.LastIndex(path, "/")+1:], "aws-lambda-")
			if b.Language == "nodejs" {
				b.Language = "node"
			}
			b.Version = TrimVersion(tokens[0], versionParts(b.Language))
		default:
			if fam.VersionParts > 0 {
				b.Version = TrimVersion(tokens[0], fam.VersionParts)
			}
		}
		return b
	}
	return b
}

// archOrgs are the Docker Hub organisations that hold the single-architecture
// builds of the official images.
var archOrgs = []string{"amd64", "arm64v8", "arm32v7", "arm32v6", "arm32v5", "i386", "ppc64le", "s390x", "riscv64", "mips64le"}

// IsArchOrg reports whether org is a Docker Hub organisation that holds the
// single-architecture builds of the official images ("amd64", "arm64v8").
func IsArchOrg(org string) bool { return slices.Contains(archOrgs, org) }

// repoMatches reports whether a catalog repo ("library/golang",
// "public.ecr.aws/lambda/provided") names domain/path. Docker Hub repos also
// match their mirrors ("public.ecr.aws/docker/library/golang").
func repoMatches(repo, domain, path string) bool {
	if strings.Count(repo, "/") >= 2 || strings.Contains(strings.SplitN(repo, "/", 2)[0], ".") {
		return domain+"/"+path == repo
	}
	return path == repo || strings.HasSuffix(path, "/"+repo)
}

// javaVersion finds the JDK major version in a Java image tag. Build-tool
// images (maven, gradle) put their own version first and the JDK's after a
// vendor word: "3.9-eclipse-temurin-17", "8.5-jdk17", "3-openjdk-17-slim".
func javaVersion(path string, tokens []string) string {
	tool := strings.HasSuffix(path, "/maven") || strings.HasSuffix(path, "/gradle")
	vendors := []string{"temurin", "openjdk", "jdk", "jre", "corretto", "amazoncorretto", "sapmachine", "semeru", "zulu", "graalvm", "ibmjava", "liberica"}
	for i, t := range tokens {
		for _, v := range []string{"jdk", "jre", "openjdk"} {
			if rest := strings.TrimPrefix(t, v); rest != t && rest != "" && leadingDigits(rest) == rest {
				return rest
			}
		}
		if slices.Contains(vendors, t) && i+1 < len(tokens) && leadingDigits(tokens[i+1]) != "" {
			return TrimVersion(tokens[i+1], 1)
		}
	}
	if tool || len(tokens) == 0 {
		return ""
	}
	v := TrimVersion(strings.SplitN(tokens[0], "_", 2)[0], 1)
	if v == "1" && len(tokens[0]) > 2 { // "1.8.0_402": Java 8
		return TrimVersion(strings.TrimPrefix(tokens[0], "1."), 1)
	}
	return v
}

func classifyDistroless(b *BaseInfo, name string) {
	b.Family, b.Runtime, b.Libc = FamilyDistroless, true, LibcGlibc
	if i := strings.LastIndex(name, "-debian"); i >= 0 {
		b.Distro = name[i+1:]
		name = name[:i]
	}
	switch {
	case name == "static":
		b.Libc = LibcNone
	case name == "python3":
		b.Language = "python"
		for _, ci := range catalog().Images {
			if ci.Flavor == Distroless && ci.Language == "python" && ci.Distro == b.Distro {
				b.Version = ci.Version
			}
		}
	case strings.HasPrefix(name, "nodejs"):
		b.Language, b.Version = "node", strings.TrimPrefix(name, "nodejs")
	case strings.HasPrefix(name, "java"):
		b.Language, b.Version = "java", leadingDigits(strings.TrimPrefix(name, "java"))
	}
}

func classifyChainguard(b *BaseInfo, name string) {
	b.Family, b.Libc, b.Distro = FamilyChainguard, LibcGlibc, "wolfi"
	dev := strings.HasSuffix(b.Tag, "-dev") || b.Tag == "dev"
	switch name {
	case "static":
		b.Libc = LibcNone
	case "go":
		b.Language = "go"
	case "rust":
		b.Language = "rust"
	case "jdk", "jre", "maven", "gradle":
		b.Language = "java"
	case "node", "python":
		b.Language = name
	}
	for _, ci := range catalog().Images {
		if ci.Flavor == Chainguard && strings.HasSuffix(reference.Path(mustName(ci.Ref)), "/"+name) {
			b.Runtime = !dev
			b.Version = ci.Version
		}
	}
}
