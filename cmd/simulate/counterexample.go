package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"simulate/report"
	"simulate/sim"
	"simulate/trace"
)

// maxShownEvents is how many lines of a counterexample's trace a check
// prints by default, events and the gaps between them: with the
// violation, the schedule and the replay command it fits a screen (40
// lines). --full-trace prints every event; --trace FILE writes them.
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
	suspects := trace.Suspects(evs, violation)
	keep := trace.CausalSlice(evs, suspects)
	// The budget is lines, not events: each gap between shown events
	// costs a "... N events ..." line too.
	var shown []int
	for m := maxShownEvents; m > 0; m-- {
		shown = pickShown(keep, suspects, m)
		if shownLines(shown, len(events)) <= maxShownEvents {
			break
		}
	}
	prose(w, fmt.Sprintf("trace: %d of %d events, the causal past of the violation (--full-trace: all):", len(shown), len(events)))
	prev := -1
	for _, i := range shown {
		if i > prev+1 {
			fmt.Fprintf(w, "  ... %d events ...\n", i-prev-1)
		}
		fmt.Fprintln(w, events[i].Line())
		prev = i
	}
	if prev < len(events)-1 {
		fmt.Fprintf(w, "  ... %d events after ...\n", len(events)-1-prev)
	}
}

// shownLines is how many lines printing the events shown of n takes:
// one an event, one a gap.
func shownLines(shown []int, n int) int {
	lines, prev := len(shown), -1
	for _, i := range shown {
		if i > prev+1 {
			lines++
		}
		prev = i
	}
	if prev < n-1 {
		lines++
	}
	return lines
}

// prose prints s as lines of at most report.ProseWidth columns,
// continuation lines indented: a counterexample's sentences (a property's
// message, the drawn faults) read in a terminal without reflowing. Trace
// lines and the replay command are not prose and are printed whole.
func prose(w io.Writer, s string) {
	fmt.Fprintln(w, strings.ReplaceAll(report.Wrap(s, report.ProseWidth-2), "\n", "\n  "))
}

// pickShown chooses at most max of the slice's events: all of them when
// they fit; else the first half of the budget (how the run began) and,
// for the rest, the violating observations and the events just before
// each, taken in turn, so every suspect is on screen with what led to it.
func pickShown(keep, suspects []int, max int) []int {
	if len(keep) <= max {
		return keep
	}
	chosen := map[int]bool{}
	for _, i := range keep[:max/2] {
		chosen[i] = true
	}
	// pos[k] walks back through keep from suspect k.
	pos := make([]int, len(suspects))
	for k, s := range suspects {
		pos[k] = sort.SearchInts(keep, s)
	}
	for len(chosen) < max {
		progress := false
		for k := range pos {
			if len(chosen) >= max {
				break
			}
			for pos[k] >= 0 && pos[k] < len(keep) && chosen[keep[pos[k]]] {
				pos[k]--
			}
			if pos[k] >= 0 && pos[k] < len(keep) {
				chosen[keep[pos[k]]] = true
				pos[k]--
				progress = true
			}
		}
		if !progress {
			break
		}
	}
	out := make([]int, 0, len(chosen))
	for i := range chosen {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// keepFailures is how many failing runs a check collects before it
// shrinks each and reports the simplest: greedy shrinking stops in local
// minima, and five starts cost a few hundred replays more than one.
const keepFailures = 5
