package main

import (
	"github.com/spf13/cobra"
	"runtime"
)

// checkCommands lists the constructors of `simulate check PROTOCOL`
// subcommands; each protocol's command file appends its own in init.
// A check subcommand searches schedules and faults with package search
// (seeded runs, a generic shrinker over recorded draws), prints the shrunk counterexample with a replay command
// and returns findingError (exit 1) when it finds a violation, or prints
// what it covered and returns nil (exit 0) when it finds none.
var checkCommands []func(g *globals) *cobra.Command

func init() {
	commands = append(commands, func(g *globals) *cobra.Command {
		cmd := &cobra.Command{
			Use:   "check PROTOCOL",
			Short: "Search schedules and faults for a property violation and shrink it",
			Long: `check runs property-based search over network schedules, faults
and traitor choices for one protocol. When a property breaks it shrinks
the failing run to the smallest schedule it can, prints it in words with
a command that replays it, and exits 1. When the search finds nothing in
its budget it says what it covered and exits 0.`,
		}
		var all bool
		var seeds, checks, workers int
		cmd.Flags().BoolVar(&all, "all", false, "run the bug benchmark: every case of every registered protocol")
		cmd.Flags().IntVar(&seeds, "seeds", 5, "with --all: search seeds per case")
		cmd.Flags().IntVar(&checks, "checks", 200, "with --all: runs per search")
		cmd.Flags().IntVar(&workers, "workers", runtime.GOMAXPROCS(0), "with --all: cases searched at once (the table is the same for any number)")
		cmd.Args = cobra.ArbitraryArgs
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			if !all || len(args) > 0 {
				return subcommandError(cmd, args)
			}
			if workers < 1 || workers > 1024 {
				return badInput("check --all: --workers %d: want 1 to 1024", workers)
			}
			if seeds < 1 || seeds > 1000 || checks < 1 || checks > 1_000_000 {
				return badInput("check --all: --seeds %d, --checks %d: want 1 to 1000 seeds and 1 to 1000000 checks", seeds, checks)
			}
			return checkAll(cmd.OutOrStdout(), g, seeds, checks, workers)
		}
		for _, c := range checkCommands {
			cmd.AddCommand(c(g))
		}
		return cmd
	})
}
