package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/report"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
	"github.com/spf13/cobra"
)

// checkOne parses one Dockerfile and runs the rules without fixing.
func checkOne(path string, o *options) outcome {
	name := o.inputName(path)
	out := outcome{path: name}
	src, err := o.readInput(path)
	if err != nil {
		out.err = pathError(name, err)
		return out
	}
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
	out.file, out.dir = f, dir
	ctx, closeCtx, err := openContext(dir)
	if err != nil {
		out.err = err
		return out
	}
	defer closeCtx()
	out.findings, out.err = rules.Check(f, ctx, opts)
	return out
}

func newCheckCmd() *cobra.Command {
	var o options
	var format string
	cmd := &cobra.Command{
		Use:   "check [flags] [PATH ...]",
		Short: "Report findings as file:line:col: rule: message",
		Long: `Check runs the rules on each Dockerfile and prints what they find, one line
each. Nothing is written. Exit status: 0 no findings, 1 findings, 2 an error.

--format selects the output: text (the default), json, sarif (SARIF 2.1.0, for
code scanning), github (GitHub Actions annotations) or gitlab (GitLab Code
Quality). Errors also go to
stderr in every format.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(formats, format) {
				return fmt.Errorf("--format must be one of %s, not %q", strings.Join(formats, ", "), format)
			}
			if err := o.prepare(); err != nil {
				return err
			}
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			rep, err := report.New(format, stdout, report.Options{Color: o.colorFor(stdout), ToolVersion: version()})
			if err != nil {
				return err
			}
			stdin, err := o.stdinArgs(args)
			if err != nil {
				return err
			}
			o.stdin = cmd.InOrStdin()
			paths, errs := []string{"-"}, []error(nil)
			if !stdin {
				paths, errs = expandPaths(args)
				noteEmptyWalks(stderr, args, paths)
			}
			status := 0
			for _, err := range errs {
				fmt.Fprintln(stderr, escapeText(err.Error()))
				rep.Add(report.File{Err: err})
				status = 2
			}
			processAll(paths, func(p string) outcome { return checkOne(p, &o) }, func(out outcome) {
				if out.err != nil {
					fmt.Fprintln(stderr, escapeText(out.err.Error()))
					status = 2
				} else if o.failing(out.findings) {
					status = max(status, 1)
				}
				rep.Add(out.reportFile())
			})
			if err := rep.Finish(); err != nil {
				return err
			}
			return o.status(status)
		},
	}
	o.addFlags(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", report.Text, "output format: "+strings.Join(formats, ", "))
	return cmd
}
