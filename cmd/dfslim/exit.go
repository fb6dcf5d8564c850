package main

import (
	"fmt"

	"github.com/dfslim/dfslim/rules"
	"github.com/spf13/pflag"
)

// exitPolicy turns what a run found and changed into its exit status, as
// ruff does: --fail-on sets the least severity that fails, --exit-zero
// fails only on errors, and --exit-non-zero-on-fix (fix) fails when a file
// was written or created. It is part of [ecosystem].
type exitPolicy struct {
	failOnName   string
	failOn       rules.Severity
	exitZero     bool
	nonZeroOnFix bool
}

func (e *exitPolicy) addExitFlags(f *pflag.FlagSet) {
	f.StringVar(&e.failOnName, "fail-on", "warning", "exit 1 on findings of this severity or above: error, warning or info")
	f.BoolVar(&e.exitZero, "exit-zero", false, "exit 0 even when there are findings or changes (2 still means an error)")
}

// addFixExitFlags adds the flags that only fix has.
func (e *exitPolicy) addFixExitFlags(f *pflag.FlagSet) {
	f.BoolVar(&e.nonZeroOnFix, "exit-non-zero-on-fix", false, "with -w: exit 1 when a file was changed or created (fix - always exits 1 when it changed its input)")
}

func (e *exitPolicy) prepareExit() error {
	var err error
	if e.failOn, err = rules.ParseSeverity(e.failOnName); err != nil {
		return fmt.Errorf("--fail-on: %v", err)
	}
	return nil
}

// failing reports whether findings hold one at or above the threshold.
func (e *exitPolicy) failing(findings []rules.Finding) bool {
	for _, fd := range findings {
		if severity(fd) >= e.failOn {
			return true
		}
	}
	return false
}

// status is the exit status of a run that reached status (0, 1 or 2):
// --exit-zero turns 1 into 0.
func (e *exitPolicy) status(status int) error {
	if status == 1 && e.exitZero {
		status = 0
	}
	if status != 0 {
		return exitError(status)
	}
	return nil
}
