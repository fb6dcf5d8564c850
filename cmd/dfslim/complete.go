package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/internal/suggest"
	"github.com/dfslim/dfslim/rules"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// trimNames drops the blanks around comma-separated names, and empty names,
// so that --select "exec-form, apt-hygiene" reads as the config file does.
func trimNames(names []string) []string {
	out := names[:0:0]
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	if names != nil && out == nil {
		out = []string{}
	}
	return out
}

var (
	unknownFlag      = regexp.MustCompile(`^unknown flag: --(\S+)`)
	unknownShorthand = regexp.MustCompile(`^unknown shorthand flag: '(.)'`)
)

// flagError adds a "did you mean" to an unknown flag.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if m := unknownShorthand.FindStringSubmatch(msg); m != nil {
		if m[1] == "v" {
			return fmt.Errorf("%s; -v is --verbose (fix, check) and -V is --version", msg)
		}
		if f := cmd.Flags().Lookup(strings.ToLower(m[1])); f == nil {
			if f := cmd.Flags().ShorthandLookup(strings.ToLower(m[1])); f != nil {
				return fmt.Errorf("%s; did you mean -%s (--%s)?", msg, f.Shorthand, f.Name)
			}
		}
		return err
	}
	m := unknownFlag.FindStringSubmatch(msg)
	if m == nil {
		return err
	}
	name, _, _ := strings.Cut(m[1], "=")
	var names []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	if hint := suggest.Hint(name, names); hint != "" {
		return errors.New(msg + strings.Replace(hint, "mean ", "mean --", 1))
	}
	return err
}

// completeNames completes a comma-separated list of rule names: the part
// after the last comma, keeping what comes before it.
func completeNames(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	done, last := "", toComplete
	if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
		done, last = toComplete[:i+1], toComplete[i+1:]
	}
	var out []string
	for _, r := range rules.All() {
		if strings.HasPrefix(r.Name, strings.TrimSpace(last)) && !strings.Contains(","+done, ","+r.Name+",") {
			out = append(out, done+r.Name+"\t"+r.Summary)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// completeRule completes one rule name argument (explain).
func completeRule(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, r := range rules.All() {
		if strings.HasPrefix(r.Name, toComplete) {
			out = append(out, r.Name+"\t"+r.Summary)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// baseFamilies are the values of --base (TestCompleteBase keeps them in step
// with what --base accepts).
var baseFamilies = func() []string {
	var names []string
	for _, f := range catalog.BaseFlavors() {
		names = append(names, string(f))
	}
	return names
}()

// completeFlags registers the completions of the flags of fix and check
// that cmd has.
func completeFlags(cmd *cobra.Command) {
	fixed := map[string][]string{
		"format":  formats,
		"base":    baseFamilies,
		"color":   {"auto", "always", "never"},
		"fail-on": {"error", "warning", "info"},
	}
	for name, values := range fixed {
		if cmd.Flags().Lookup(name) != nil {
			cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
		}
	}
	for _, name := range []string{"select", "ignore"} {
		if cmd.Flags().Lookup(name) != nil {
			cmd.RegisterFlagCompletionFunc(name, completeNames)
		}
	}
}
