package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"simulate/sim"
	"simulate/trace"
)

// maxShownEvents is how much of a counterexample's trace a check prints by
// default: with the violation, the schedule and the replay command it
// fits a screen. --full-trace prints every event; --trace FILE writes them.
const maxShownEvents = 20

func fullTraceFlag(cmd *cobra.Command, full *bool) {
	cmd.Flags().BoolVar(full, "full-trace", false, "print the counterexample's whole trace, not only the causal past of the violation")
}

// printCounterexampleTrace prints the events that explain violation: the
// causal past of the observations it names (trace.CausalSlice), faults
// included. When even that is longer than a screen it shows the first two
// thirds and the last third of it, and it always says how many events it
// left out.
func printCounterexampleTrace(w io.Writer, log *sim.Log, violation string, full bool) {
	events := log.Events
	if full || len(events) <= maxShownEvents {
		fmt.Fprintf(w, "trace (%d events):\n", len(events))
		for _, e := range events {
			fmt.Fprintln(w, e.Line())
		}
		return
	}
	evs := trace.Events(events)
	keep := trace.CausalSlice(evs, trace.Suspects(evs, violation))
	head, tail := len(keep), 0
	if len(keep) > maxShownEvents {
		head, tail = 2*maxShownEvents/3, maxShownEvents/3
	}
	fmt.Fprintf(w, "trace: %d of %d events, the causal past of the violation (--full-trace prints all, --trace FILE writes all):\n", head+tail, len(events))
	prev := -1
	show := func(i int) {
		if i > prev+1 {
			fmt.Fprintf(w, "  ... %d events ...\n", i-prev-1)
		}
		fmt.Fprintln(w, events[i].Line())
		prev = i
	}
	for _, i := range keep[:head] {
		show(i)
	}
	if tail > 0 {
		fmt.Fprintf(w, "  ... %d more events of the causal past ...\n", len(keep)-head-tail)
		prev = keep[len(keep)-tail-1]
		for _, i := range keep[len(keep)-tail:] {
			show(i)
		}
	}
	if prev < len(events)-1 {
		fmt.Fprintf(w, "  ... %d events after ...\n", len(events)-1-prev)
	}
}

// keepFailures is how many failing runs a check collects before it
// shrinks each and reports the simplest: greedy shrinking stops in local
// minima, and five starts cost a few hundred replays more than one.
const keepFailures = 5
