package main

import (
	"fmt"
	"os"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/rules"
	"github.com/spf13/cobra"
)

// checkOne parses one Dockerfile and runs the rules without fixing.
func checkOne(path string, o *options) outcome {
	out := outcome{path: path}
	src, err := readRegular(path)
	if err != nil {
		out.err = pathError(path, err)
		return out
	}
	f, err := rewrite.Parse(path, src)
	if err != nil {
		out.err = err
		return out
	}
	dir, rel := contextFor(path, o.context)
	out.findings, out.err = rules.Check(f, os.DirFS(dir), o.driverOptions(rel))
	return out
}

func newCheckCmd() *cobra.Command {
	var o options
	cmd := &cobra.Command{
		Use:   "check [flags] [PATH ...]",
		Short: "Report findings as file:line:col: rule: message",
		Long: `Check runs the rules on each Dockerfile and prints what they find, one line
each. Nothing is written. Exit status: 0 no findings, 1 findings, 2 an error.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.prepare(); err != nil {
				return err
			}
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			paths, errs := expandPaths(args)
			status := 0
			for _, err := range errs {
				fmt.Fprintln(stderr, err)
				status = 2
			}
			processAll(paths, func(p string) outcome { return checkOne(p, &o) }, func(out outcome) {
				if out.err != nil {
					fmt.Fprintln(stderr, out.err)
					status = 2
					return
				}
				for _, fd := range out.findings {
					fmt.Fprintln(stdout, formatFinding(out.path, fd))
					status = max(status, 1)
				}
			})
			if status != 0 {
				return exitError(status)
			}
			return nil
		},
	}
	o.addFlags(cmd)
	return cmd
}
