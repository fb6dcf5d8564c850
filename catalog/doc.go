// Package catalog is dfslim's knowledge of container images, as data: the
// runtime images it moves final stages to (distroless, Chainguard, scratch,
// Alpine, and the official slim images of the fallback rung), what a FROM
// reference names ([ClassifyBase]: family, language, version, libc, distro),
// and the images' sizes. The facts live in catalog.json and
// catalog_sizes.json, each figure with its source; the Go code reads them.
//
// Its vocabulary is typed: a [Kind] is what a runtime image runs (a static
// binary, a glibc one, Python …), a [Family] what kind of image a reference
// names, a [Libc] the C library of an image or a binary. [IsWindows] is the
// one test for a Windows image.
//
// catalog imports nothing of dfslim: rules and the analyses consume it.
package catalog
