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
	"strings"

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
	// -v is --verbose on fix and check, as in ruff; --version is -V.
	root.Flags().BoolP("version", "V", false, "print the version")
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(newFixCmd(), newCheckCmd(), newRulesCmd(), newExplainCmd(), newVerifyCmd())
	for _, c := range root.Commands() {
		completeFlags(c)
	}
	return root
}

// version is dfslim's version as a semantic version: the module version
// without its "v" for a release or a pseudo-version, and for a development
// build 0.0.0-dev, with the VCS revision as build metadata when the build
// recorded it (0.0.0-dev+1a2b3c4d5e6f.dirty).
func version() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(bi)
}

func versionOf(bi *debug.BuildInfo) string {
	if bi == nil {
		return "0.0.0-dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return strings.TrimPrefix(v, "v")
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if !validMetadata(rev) {
		return "0.0.0-dev"
	}
	v := "0.0.0-dev+" + rev[:min(12, len(rev))]
	if dirty {
		v += ".dirty"
	}
	return v
}

// validMetadata reports whether s can be a semver build metadata identifier.
func validMetadata(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-') {
			return false
		}
	}
	return true
}
