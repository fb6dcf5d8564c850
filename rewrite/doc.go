// Package rewrite keeps a Dockerfile's exact bytes next to BuildKit's parse of it,
// so that programs can change a few instructions and leave every other byte alone.
//
// A [File] is the original source, BuildKit's AST, the typed stages from
// BuildKit's instructions package, and the byte span of every instruction.
// Changes are [Edit] values: non-overlapping byte-range replacements, checked by
// [Validate] and applied by [Apply]. [Unified] prints the difference between two
// versions as a git-style unified diff, and [WriteFile] replaces a file atomically.
//
// The package knows nothing about what a good Dockerfile is; package rules does.
package rewrite
