package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/dfslim/dfslim/rules"
	"github.com/spf13/cobra"
)

func newRulesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rules",
		Short: "List the rules with the safety of their fixes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "RULE\tFIX\tSUMMARY")
			for _, r := range rules.All() {
				fmt.Fprintf(w, "%s\t%s\t%s\n", r.Name, r.Safety, r.Summary)
			}
			return w.Flush()
		},
	}
}

func newExplainCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "explain RULE",
		Short:             "Explain what a rule does, why, and how safe its fix is",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeRule,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := rules.Select(args, nil); err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), rules.Lookup(args[0]).Explain())
			return nil
		},
	}
}
