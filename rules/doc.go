// Package rules holds dfslim's slimming rules: the rules that inspect
// a Dockerfile and its build context and propose fixes, and the driver that
// applies fixes until nothing changes. What they know of images comes from
// package [github.com/dfslim/dfslim/catalog]; what they know of the build
// (stages, build outputs, context reads, shell needs) from package
// [github.com/dfslim/dfslim/facts], which [Pass] embeds as its [facts.Source].
//
// A [Rule] is a name, documentation and a Run function. Run reads a [Pass] —
// the parsed [rewrite.File], the build context as an [io/fs.FS] and the
// [Config] — and reports [Finding] values, each with an optional [Fix]: edits
// to the Dockerfile and possibly to other files of the context, and a [Safety]
// that says whether the fix may be applied without asking.
//
// Rules never know about each other. [Run] runs them in registry order and
// re-parses the file after every rule that changed it, so each rule sees the
// previous rule's result as ordinary input.
package rules
