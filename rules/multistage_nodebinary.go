package rules

import (
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
)

// builderNode is where the official Debian-based node images (node:16,
// node:16-slim, node:4-slim, …) keep Node.js: the nodejs.org Linux build,
// unpacked into /usr/local. That binary bundles OpenSSL, ICU, zlib, libuv and
// V8, and links only glibc (libc, libm, libdl, libpthread, librt), libstdc++
// and libgcc_s, which distroless cc has: the distroless nodejsNN images are cc
// plus this very binary. nodejs.org builds it against an old glibc (2.17 for
// Node.js 16 and older, 2.28 since 18), and glibc and libstdc++ run programs
// built against older versions of themselves.
const builderNode = "/usr/local/bin/node"

// firstLibatomicNode is the first Node.js major whose nodejs.org Linux build
// also links libatomic.so.1, which distroless cc lacks (the official images
// install libatomic1 from 25 on, distroless nodejs26 adds it to cc).
const firstLibatomicNode = 25

// nodeManagers install another Node.js over or beside the image's own.
var nodeManagers = []string{"n", "nvm", "fnm", "volta", "nodenv", "asdf", "nodeenv"}

// nodeManagerRun returns the RUN that installs another Node.js with a
// version manager (n 14, nvm install 12), or nil. Which Node.js the command
// then runs depends on where that manager put it and on PATH, so neither a
// runtime image of the build image's version nor its node binary is proven
// to be the one.
func (sp *split) nodeManagerRun() (*facts.RunStep, string) {
	for _, step := range sp.a.Runs {
		for _, sc := range step.Cmds {
			if sc.Dynamic || len(sc.Call.Args) == 0 {
				continue
			}
			if name := path.Base(sc.Call.Args[0]); slices.Contains(nodeManagers, name) {
				return step, name
			}
		}
	}
	return nil, ""
}

// builderNodeRuntime returns the runtime image for a Node.js app whose
// version has no distroless image (an end-of-life major: 4 to 16, 19, 21,
// 23), built on an official node image, and where its node binary comes from
// ("" for the build stage itself, else an image reference): distroless cc,
// to which the runtime stage copies that binary (render).
//
// On a Debian-based image (node:16, node:16-slim, node:4-slim) the binary is
// the build image's own, so the app runs on the very Node.js it ran on before.
// On an Alpine image (node:21.6.2-alpine, node:12-alpine) node links musl; the
// binary comes from the official -slim image of the version the tag names
// (node:21.6.2-slim, node:12-slim), the glibc build of that release, when
// the node_modules the runtime gets are proven pure JavaScript and the app
// itself builds no addon (planNode's nativeAddons, which runs first): the
// same bar as an Alpine build on a distroless nodejs image of its major.
//
// It returns nil when that is not proven safe: another flavour (Chainguard's
// glibc-dynamic has no time zone data), the slim rung, an image other than
// the official one (its node may live elsewhere or link other libraries), a
// tag that names no version (it decides the version at build time, and from
// 25 on node needs libatomic), or a RUN that installs a distribution's nodejs.
func (sp *split) builderNodeRuntime() (*catalog.Image, string) {
	a := sp.a
	if sp.language != "node" || sp.slim || sp.p.Config.Flavor() != catalog.Distroless {
		return nil, ""
	}
	if !a.Image.Official || a.Image.Repo != "node" {
		return nil, ""
	}
	major, err := strconv.Atoi(catalog.TrimVersion(a.Image.Version, 1))
	if err != nil || major >= firstLibatomicNode {
		return nil, ""
	}
	if sp.installsPackage("nodejs") {
		return nil, "" // the distribution's node in /usr/bin may be the one the command finds
	}
	from := ""
	switch {
	case a.Image.Libc == catalog.LibcGlibc && a.Image.Distro != "alpine":
	case a.Image.Libc == catalog.LibcMusl && a.Image.Distro == "alpine":
		if from = glibcNodeImage(sp.stage.BaseName, a.Image.Tag); from == "" {
			return nil, ""
		}
	default:
		return nil, ""
	}
	img, err := catalog.RuntimeImageOn(catalog.Distroless, catalog.KindCC, "", a.Image.Distro, sp.p.Config.Debug)
	if err != nil {
		return nil, ""
	}
	return img, from
}

// nodeAlpineTag matches the tags of the official node image's Alpine variant
// that name a version: "21.6.2-alpine", "14.17.3-alpine3.14", "12-alpine".
var nodeAlpineTag = regexp.MustCompile(`^[0-9]+(?:\.[0-9]+){0,2}-alpine[0-9.]*$`)

// glibcNodeImage returns the official -slim image of the Node.js version that
// an Alpine node image names, written as the FROM line wrote it (raw, its
// build arguments unexpanded; tag is the expanded tag): node:21.6.2-alpine3.19
// gives node:21.6.2-slim, node:${NODE_VERSION}-alpine node:${NODE_VERSION}-slim.
// It returns "" when the tag names no version or the reference is pinned by
// digest.
func glibcNodeImage(raw, tag string) string {
	i := strings.LastIndex(raw, "-alpine")
	if !nodeAlpineTag.MatchString(tag) || i < 0 || strings.Trim(raw[i+len("-alpine"):], "0123456789.") != "" || strings.Contains(raw, "@") {
		return ""
	}
	return raw[:i] + "-slim"
}

// npmPrune returns the npm command that drops devDependencies on a node image
// of version: `npm prune --production` for Node.js 14 and older, whose npm 6
// has no --omit (it takes --omit=dev for a config setting and prunes
// nothing), `npm prune --omit=dev` otherwise.
func npmPrune(version string) string {
	if major, err := strconv.Atoi(catalog.TrimVersion(version, 1)); err == nil && major <= 14 {
		return "npm prune --production"
	}
	return "npm prune --omit=dev"
}

// nodeImageRef is cfg.ImageRef for the image the runtime's node comes from,
// also when its tag holds build arguments (node:${NODE_VERSION}-slim, which
// no reference parser reads): the repository goes behind the registry mirror
// and the tag stays as written.
func nodeImageRef(cfg *Config, ref string) string {
	slash := strings.LastIndex(ref, "/")
	i := strings.LastIndex(ref, ":")
	if !strings.Contains(ref, "$") || i <= slash || strings.Contains(ref[:i], "$") {
		return cfg.ImageRef(ref)
	}
	return cfg.ImageRef(ref[:i]) + ref[i:]
}
