// Command dfslim rewrites Dockerfiles for slim images and prints the change as a patch.
//
//	dfslim fix [-w | -l] [--select R,...] [--ignore R,...] [PATH ...]
//	dfslim check [PATH ...]
//	dfslim rules
//	dfslim explain RULE
//
// Exit status: 0 when there is nothing to change, 1 when fix printed a patch
// (or -l a list, or check a finding), 2 on any error.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

// exitError carries an exit status without a message of its own.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// run executes the command line args and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	var code exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &code):
		return int(code)
	default:
		fmt.Fprintf(stderr, "dfslim: %v\n", err)
		return 2
	}
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "dfslim",
		Short:         "Rewrite Dockerfiles for slim images",
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newFixCmd(), newCheckCmd(), newRulesCmd(), newExplainCmd())
	return root
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
