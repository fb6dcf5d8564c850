// Package facts works out what a Dockerfile and its build context say about
// the program they build: the stages and their parent chains ([Stages]), what
// a build stage produces and how ([AnalyzeBuild], [BuildOutputs]: Go, Rust,
// C, Node.js, Python and Java builds, and prebuilt ELF binaries), which files
// each stage reads from the build context ([ReadsOf]), what a stage copies
// where ([FilesOf]), and what a stage needs a shell for ([ShellNeeds]).
//
// Facts read a [Source] — a [rewrite.File] and its build context as an
// [io/fs.FS] — and return spans and facts, never edits: the rules of package
// [github.com/dfslim/dfslim/rules] decide what to change. [Of] gives a
// Source's [Facts]: the analyses that need nothing but the source are worked
// out once per file and cached on the File, so every rule that reads the
// same version of a Dockerfile shares them; what they return is read-only.
package facts
