package main

import "github.com/spf13/cobra"

func init() { commands = append(commands, newConsensusCommand) }

// newConsensusCommand is the `consensus` group; its compare subcommand
// (experiments/compare, registered with package experiment) puts proof
// of work, proof of stake, DPoS and PoET in one table.
func newConsensusCommand(*globals) *cobra.Command {
	return &cobra.Command{
		Use:   "consensus",
		Short: "Compare consensus mechanisms side by side",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
}
