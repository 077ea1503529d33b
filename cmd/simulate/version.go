package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

func init() {
	commands = append(commands, func(g *globals) *cobra.Command {
		return &cobra.Command{
			Use:   "version",
			Short: "Print the simulator's version",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				fmt.Fprintf(cmd.OutOrStdout(), "simulate %s (%s)\n", version, runtime.Version())
				return nil
			},
		}
	})
}
