package faults

import "simulate/sim"

// Effects is a sim.Tracer that tallies what faults did to a run: crashes,
// restarts, duplicated messages and dropped ones by reason (network's
// ReasonPartition, ReasonCut, ReasonLoss, ...). A protocol's tests use it
// to show that a plan reached its world. Next, if set, receives every
// event too.
type Effects struct {
	Crashes, Restarts, Duplicates int
	// Drops counts dropped messages by reason; it is only looked up, never
	// iterated into output.
	Drops map[string]int
	Next  sim.Tracer
}

// Record implements sim.Tracer.
func (e *Effects) Record(ev sim.TraceEvent) {
	switch ev.Kind {
	case sim.TraceCrash:
		e.Crashes++
	case sim.TraceRestart:
		e.Restarts++
	case sim.TraceDuplicate:
		e.Duplicates++
	case sim.TraceDrop:
		if e.Drops == nil {
			e.Drops = map[string]int{}
		}
		e.Drops[ev.Detail]++
	}
	if e.Next != nil {
		e.Next.Record(ev)
	}
}
