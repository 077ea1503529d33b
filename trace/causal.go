package trace

import (
	"regexp"
	"slices"
	"strconv"
)

// CausalSlice returns the positions, ascending, of the events a person
// needs to see why the target events happened: every event in the causal
// past of a target (Lamport's happened-before, from vector clocks), the
// targets themselves, and every fault — crash, restart and environment
// action (partition, heal, loss window, cut) — up to the last target.
// Faults are kept although nothing "sent" them: they are the schedule.
//
// A run of thousands of events usually slices to a few dozen: the
// messages that reached the violating nodes, not the traffic around them.
func CausalSlice(evs []Event, targets []int) []int {
	if len(targets) == 0 {
		return nil
	}
	clocks := VectorClocks(File{Events: evs})
	last := 0
	isTarget := make(map[int]bool, len(targets))
	for _, t := range targets {
		if t >= 0 && t < len(evs) {
			isTarget[t] = true
			last = max(last, t)
		}
	}
	var out []int
	for i := 0; i <= last && i < len(evs); i++ {
		e := evs[i]
		switch {
		case isTarget[i]:
		case e.Kind == "crash" || e.Kind == "restart" || (e.From < 0 && e.To < 0):
		case clocks[i] != nil && inPastOfAny(clocks, i, e, targets):
		default:
			continue
		}
		out = append(out, i)
	}
	return out
}

// inPastOfAny reports whether event i (at node owner(e)) happened before
// one of the targets: its own clock entry is covered by the target's.
func inPastOfAny(clocks []VClock, i int, e Event, targets []int) bool {
	node := e.To
	if e.Kind == "send" {
		node = e.From
	}
	own := clocks[i].Get(node)
	for _, t := range targets {
		if t > i && t < len(clocks) && clocks[t] != nil && clocks[t].Get(node) >= own {
			return true
		}
	}
	return false
}

var nodeName = regexp.MustCompile(`\bn(\d+)\b`)

// Suspects returns the events a violation message points at: the last
// observation of each node it names ("n2 decided v1 but n0 decided v0");
// for a named node that observed nothing, its last event; when the
// message names no node, the last observation of the run (or its last
// event). Properties are judged on observations, so these are where the
// broken property became visible.
func Suspects(evs []Event, message string) []int {
	named := map[int]bool{}
	for _, m := range nodeName.FindAllStringSubmatch(message, -1) {
		if n, err := strconv.Atoi(m[1]); err == nil {
			named[n] = true
		}
	}
	lastObs, lastEvent := map[int]int{}, map[int]int{}
	lastAny := -1
	for i, e := range evs {
		node := e.To
		if e.Kind == "send" {
			node = e.From
		}
		if e.Kind == "drop" || e.Kind == "duplicate" || node < 0 {
			continue
		}
		lastEvent[node] = i
		if e.Kind == "observe" {
			lastObs[node] = i
			lastAny = i
		}
	}
	var out []int
	for n := range named {
		if i, ok := lastObs[n]; ok {
			out = append(out, i)
		} else if i, ok := lastEvent[n]; ok {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		if lastAny < 0 {
			lastAny = len(evs) - 1
		}
		if lastAny >= 0 {
			out = []int{lastAny}
		}
	}
	slices.Sort(out)
	return out
}
