package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/spf13/pflag"
)

// stdinOptions say how standard input ("-") is read and named; they are
// part of [ecosystem].
type stdinOptions struct {
	stdin     io.Reader
	stdinName string // --stdin-filename
}

func (o *options) addStdinFlag(f *pflag.FlagSet) {
	f.StringVar(&o.stdinName, "stdin-filename", "",
		`with "-": the path of the Dockerfile read from standard input, for findings, errors, the configuration file and the build context`)
}

// stdinArgs checks the use of "-" in args: alone, and --stdin-filename only
// with it. It reports whether standard input is the one input.
func (o *options) stdinArgs(args []string) (bool, error) {
	if !slices.Contains(args, "-") {
		if o.stdinName != "" {
			return false, fmt.Errorf(`--stdin-filename names standard input: give "-" as the path`)
		}
		return false, nil
	}
	if len(args) != 1 {
		return false, fmt.Errorf("- (standard input) cannot be mixed with other paths")
	}
	return true, nil
}

// inputName is the name of path in findings and errors: standard input is
// its --stdin-filename, or "<stdin>".
func (o *options) inputName(path string) string {
	if path != "-" {
		return path
	}
	if o.stdinName != "" {
		return o.stdinName
	}
	return "<stdin>"
}

// configPath is the path whose directory and overrides configure path:
// standard input is configured as its --stdin-filename when it has one.
func (o *options) configPath(path string) string {
	if path == "-" && o.stdinName != "" {
		return o.stdinName
	}
	return path
}

// readInput reads the Dockerfile at path, "-" being standard input.
func (o *options) readInput(path string) ([]byte, error) {
	if path == "-" {
		if o.stdin == nil {
			return nil, fmt.Errorf("no standard input")
		}
		return io.ReadAll(o.stdin)
	}
	return readRegular(path)
}

// stdinContext is the build context of standard input: --context, else the
// directory of its --stdin-filename, else none ("").
func (o *options) stdinContext() (dir, rel string) {
	if o.stdinName != "" {
		return contextFor(o.stdinName, o.context)
	}
	return o.context, ""
}
