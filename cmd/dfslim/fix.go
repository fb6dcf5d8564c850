package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
	"github.com/spf13/cobra"
)

// options are the flags shared by fix and check.
type options struct {
	selectRules []string
	ignoreRules []string
	base        string
	debug       bool
	fallback    bool
	unsafe      bool
	static      bool
	context     string
	verbose     bool
	ecosystem   // --config, --no-config, --color: config.go, format.go

	rules []*rules.Rule
}

func (o *options) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringSliceVar(&o.selectRules, "select", nil, "run only these rules (comma-separated)")
	f.StringSliceVar(&o.ignoreRules, "ignore", nil, "do not run these rules (comma-separated)")
	f.StringVar(&o.base, "base", "distroless", "runtime image family: distroless, chainguard, scratch or alpine (the last two: static binaries only)")
	f.BoolVar(&o.debug, "debug", false, "use runtime image variants with a shell (:debug, -dev)")
	f.BoolVar(&o.fallback, "fallback", true, "when no distroless or Chainguard image can run the app, fall back to the official slim image (false: refuse)")
	f.BoolVar(&o.unsafe, "unsafe", false, "apply fixes marked unsafe too")
	f.BoolVar(&o.static, "static", false, "build Rust (musl) and Go (CGO_ENABLED=0) binaries statically and run them on a static image")
	f.StringVar(&o.context, "context", "", "build context directory (default: each Dockerfile's directory)")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "report more about each change on stderr")
	o.addConfigFlags(f)
	o.addColorFlag(f)
	o.addExitFlags(f)
	o.addStdinFlag(f)
	o.addImageFlags(f)
}

func (o *options) prepare() error {
	if !catalog.IsBaseFlavor(o.base) {
		return fmt.Errorf("--base must be distroless, chainguard, scratch or alpine, not %q", o.base)
	}
	o.selectRules, o.ignoreRules = trimNames(o.selectRules), trimNames(o.ignoreRules)
	var err error
	if o.rules, err = rules.Select(o.selectRules, o.ignoreRules); err != nil {
		return err
	}
	if err := o.prepareColor(); err != nil {
		return err
	}
	if err := o.prepareExit(); err != nil {
		return err
	}
	if err := o.prepareImages(); err != nil {
		return err
	}
	if err := checkContextDir(o.context); err != nil {
		return err
	}
	return o.prepareConfig()
}

// outcome is the result of fixing one Dockerfile.
type outcome struct {
	path     string
	src      []byte   // the Dockerfile as read
	changes  []change // files whose content changes, Dockerfile first
	findings []rules.Finding
	err      error
	file     *rewrite.File       // the parsed Dockerfile that findings refer to (check)
	dir      string              // its build context directory (check)
	base     *catalog.BaseChange // the runtime base before and after fixing (fix)
}

// change is one file's new content.
type change struct {
	path     string // on disk
	old, new []byte
	created  bool
	fixes    int
}

func (c change) patch() []byte {
	return rewrite.Unified(patchPath(c.path), c.old, c.new, c.created)
}

// fixOne reads, parses and fixes one Dockerfile ("-" is standard input).
func fixOne(path string, stdin io.Reader, o *options) outcome {
	name := o.inputName(path)
	out := outcome{path: name}
	if stdin != nil {
		o.stdin = stdin
	}
	src, err := o.readInput(path)
	if err != nil {
		out.err = pathError(name, err)
		return out
	}
	out.src = src
	f, err := rewrite.Parse(name, src)
	if err != nil {
		out.err = err
		return out
	}
	dir, rel := contextFor(path, o.context)
	if path == "-" {
		dir, rel = o.stdinContext()
	}
	opts, err := o.driverOptions(o.configPath(path), rel)
	if err != nil {
		out.err = err
		return out
	}
	ctx, closeCtx, err := openContext(dir)
	if err != nil {
		out.err = err
		return out
	}
	defer closeCtx()
	res, err := rules.Run(f, ctx, opts)
	if err != nil {
		out.err = err
		return out
	}
	out.findings = res.Findings
	out.base = res.RuntimeBase
	if !bytes.Equal(res.File.Src, src) {
		out.changes = append(out.changes, change{path: path, old: src, new: res.File.Src, fixes: total(res.Applied)})
	}
	paths := make([]string, 0, len(res.Files))
	for p := range res.Files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		c := res.Files[p]
		out.changes = append(out.changes, change{path: filepath.Join(dir, filepath.FromSlash(p)), old: c.Old, new: c.New, created: c.Created})
	}
	if err := linkedTarget(out.changes); err != nil {
		// The same in every mode: no patch, no listing, no write.
		out.changes, out.err = nil, err
	}
	return out
}

// linkedTarget refuses changes to a file that is a symbolic link: dfslim
// does not write through links (-w), so it neither prints nor lists a change
// it would not write.
func linkedTarget(changes []change) error {
	for _, c := range changes {
		if c.path == "-" {
			continue
		}
		if fi, err := os.Lstat(c.path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			return fmt.Errorf("%s: a symbolic link; dfslim does not write through links (run it on the target)", displayPath(c.path))
		}
	}
	return nil
}

// writeAll writes the changes of one Dockerfile, after checking that every
// target can be written: a refusal of one writes none of them.
func writeAll(stderr io.Writer, changes []change) (written []change, ok bool) {
	ok = true
	for _, c := range changes {
		if err := rewrite.CheckWritable(c.path); err != nil {
			fmt.Fprintln(stderr, pathError(c.path, unwrapPath(err)))
			ok = false
		}
	}
	if !ok {
		if len(changes) > 1 {
			fmt.Fprintf(stderr, "%s: not written, nor the other files of its fix\n", displayPath(changes[0].path))
		}
		return nil, false
	}
	for _, c := range changes {
		if err := rewrite.WriteFile(c.path, c.new); err != nil {
			fmt.Fprintln(stderr, pathError(c.path, unwrapPath(err)))
			ok = false
			continue
		}
		written = append(written, c)
	}
	return written, ok
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// readRegular reads a regular file of at most rewrite.MaxSize bytes;
// anything else is refused (rewrite.ReadRegular).
func readRegular(path string) ([]byte, error) {
	return rewrite.ReadRegular(path)
}

// processAll runs fn on every path with one worker per CPU and hands the
// outcomes to emit in argument order, as soon as each is ready.
func processAll(paths []string, fn func(string) outcome, emit func(outcome)) {
	results := make([]chan outcome, len(paths))
	for i := range results {
		results[i] = make(chan outcome, 1)
	}
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		go func() {
			for i := range next {
				results[i] <- fn(paths[i])
			}
		}()
	}
	go func() {
		for i := range paths {
			next <- i
		}
		close(next)
	}()
	for _, ch := range results {
		emit(<-ch)
	}
}

func newFixCmd() *cobra.Command {
	var o options
	var write, list bool
	cmd := &cobra.Command{
		Use:   "fix [flags] [PATH ...]",
		Short: "Rewrite Dockerfiles; print a unified diff, or write with -w",
		Long: `Fix rewrites each Dockerfile with the selected rules. A PATH is a Dockerfile or a
directory, walked for Dockerfile, *.Dockerfile, Dockerfile.* and Containerfile.
No PATH means ./Dockerfile; "-" reads standard input and prints the result.

By default the changes are printed as a unified diff that git apply and
patch -p1 accept. Exit status: 0 nothing to change, 1 a diff or list was
printed, 2 an error.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if write && list {
				return fmt.Errorf("-w and -l cannot be used together")
			}
			if err := o.prepare(); err != nil {
				return err
			}
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			stdin, err := o.stdinArgs(args)
			if err != nil {
				return err
			}
			if stdin {
				if write || list {
					return fmt.Errorf("-w and -l need files: standard input (-) is fixed to standard output")
				}
				out := fixOne("-", cmd.InOrStdin(), &o)
				if out.err != nil {
					fmt.Fprintln(stderr, escapeText(out.err.Error()))
					return exitError(2)
				}
				reportFindings(stderr, out, o.colorFor(stderr))
				result, status := out.src, 0 // unchanged: echo the input, as gofmt does
				if len(out.changes) > 0 && out.changes[0].path == "-" {
					result, status = out.changes[0].new, 1
				}
				if o.failing(out.findings) {
					status = 1
				}
				if _, err := stdout.Write(result); err != nil {
					return err
				}
				return o.status(status)
			}
			if write {
				// SIGINT and SIGTERM remove the temporary files of the writes.
				defer rewrite.HandleSignals(os.Exit)()
			}
			paths, errs := expandPaths(args)
			noteEmptyWalks(stderr, args, paths)
			status := 0
			for _, err := range errs {
				fmt.Fprintln(stderr, escapeText(err.Error()))
				status = 2
			}
			claimed := map[string]string{} // context file -> the Dockerfile whose fix changed it
			var sizes catalog.SizeTotal
			processAll(paths, func(p string) outcome { return fixOne(p, nil, &o) }, func(out outcome) {
				if out.err != nil {
					fmt.Fprintln(stderr, escapeText(out.err.Error()))
					status = 2
					return
				}
				reportFindings(stderr, out, o.colorFor(stderr))
				if o.failing(out.findings) {
					status = max(status, 1)
				}
				out.changes = dropClaimed(stderr, out, claimed)
				if o.verbose {
					reportContextSavings(stderr, out, o.context)
					if out.base != nil {
						fmt.Fprintf(stderr, "%s: runtime base %s\n", displayPath(out.path), out.base)
					}
				}
				sizes.Add(out.base)
				switch {
				case write:
					written, ok := writeAll(stderr, out.changes)
					if !ok {
						status = 2
					}
					for _, c := range written {
						fmt.Fprintln(stderr, summary(c))
						if o.nonZeroOnFix {
							status = max(status, 1)
						}
					}
				case list:
					for _, c := range out.changes {
						fmt.Fprintln(stdout, displayPath(c.path))
						status = max(status, 1)
					}
				default:
					for _, c := range out.changes {
						writePatch(stdout, c.patch(), o.colorFor(stdout))
						status = max(status, 1)
					}
				}
			})
			if sizes.Files > 0 && !list {
				fmt.Fprintln(stderr, sizes.String())
			}
			return o.status(status)
		},
	}
	o.addFlags(cmd)
	o.addFixExitFlags(cmd.Flags())
	cmd.Flags().BoolVarP(&write, "write", "w", false, "write the changes to the files")
	cmd.Flags().BoolVarP(&list, "list", "l", false, "list the files that would change")
	return cmd
}

// dropClaimed removes the changes to context files that an earlier Dockerfile
// of this run already changed (two Dockerfiles sharing one .dockerignore, say):
// both were computed from the same original, so only the first is kept, and
// the next run of dfslim merges the other.
func dropClaimed(stderr io.Writer, out outcome, claimed map[string]string) []change {
	kept := out.changes[:0]
	for _, c := range out.changes {
		if c.path == out.path {
			kept = append(kept, c)
			continue
		}
		if first, ok := claimed[c.path]; ok {
			fmt.Fprintf(stderr, "%s: change to %s left for the next run (%s changed it first)\n",
				displayPath(out.path), displayPath(c.path), displayPath(first))
			continue
		}
		claimed[c.path] = out.path
		kept = append(kept, c)
	}
	return kept
}

func summary(c change) string {
	verb := "fixed"
	if c.created {
		verb = "created"
	}
	if c.fixes > 0 {
		return fmt.Sprintf("%s %s (%d %s)", verb, displayPath(c.path), c.fixes, plural(c.fixes, "fix", "fixes"))
	}
	return fmt.Sprintf("%s %s", verb, displayPath(c.path))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// reportFindings prints, on stderr, the findings that fix left for a person.
func reportFindings(stderr io.Writer, out outcome, color bool) {
	for _, fd := range out.findings {
		fmt.Fprintln(stderr, findingLine(out.path, fd, color))
	}
}
