package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"simulate/sim"
	"simulate/trace"
)

func init() {
	commands = append(commands, func(g *globals) *cobra.Command {
		var show bool
		cmd := &cobra.Command{
			Use:   "replay TRACE",
			Short: "Rerun a recorded trace and check it replays byte for byte",
			Long: `replay reads a trace written with --trace, reruns its scenario with its
seed, and compares the new run with the recorded one event by event. It
exits 0 when they match and 1 when they differ, naming the first event
where the two runs diverge. --show prints the trace in words.`,
			Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				f, err := trace.ReadFile(args[0])
				if err != nil {
					return badInput("%v", err)
				}
				rp, ok := replayers[f.Header.Protocol]
				if !ok {
					return badInput("%s: unknown protocol %q (known: %s)", args[0], f.Header.Protocol, strings.Join(replayerNames(), ", "))
				}
				log := &sim.Log{}
				res, err := rp(f.Header.Scenario, f.Header.Seed, log)
				if err != nil {
					return badInput("%s: scenario: %v", args[0], err)
				}
				out := cmd.OutOrStdout()
				if show {
					fmt.Fprint(out, trace.Text(f.Events))
				}
				again := trace.Events(log.Events)
				if d := trace.Diff(f.Events, again); d != nil || res.HashString() != f.Footer.Hash {
					return findingError{msg: divergenceText("replay differs from the recording", d, f.Footer.Hash, res.HashString())}
				}
				fmt.Fprintf(out, "replayed %d events of %s (seed %d): hash %s matches\n", len(again), f.Header.Protocol, f.Header.Seed, res.HashString())
				if v := f.Footer.Violation; v != nil {
					fmt.Fprintf(out, "the recording is a counterexample: %s (broken by event %d)\n", v.Property, v.Event)
				}
				return nil
			},
		}
		cmd.Flags().BoolVar(&show, "show", false, "print the recorded trace in words, one line per event")
		return cmd
	})
}

func replayerNames() []string {
	var names []string
	for k := range replayers {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
