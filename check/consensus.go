package check

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"simulate/sim"
)

// Observation kinds the protocols share. A property reads the kinds a
// protocol records; naming them once here turns a misspelt kind from a
// property that silently never fires into a compile error.
const (
	// KindDecide is a consensus decision: Slot is the instance (0 for
	// single-shot consensus), Value the decided value.
	KindDecide = "decide"
	// KindCommit is a replica committing Value at sequence number Slot
	// (PBFT, Multi-Paxos, Raft apply order).
	KindCommit = "commit"
	// KindRole marks a node's role for renderers ("traitor").
	KindRole = "role"
)

// Counted says which nodes a property judges: the honest, live ones. nil
// counts every node.
type Counted func(sim.NodeID) bool

func (c Counted) has(id sim.NodeID) bool { return c == nil || c(id) }

// firsts returns, per slot, each counted node's first observation of kind,
// in observation order.
func firsts(obs []sim.Observation, kind string, counted Counted) map[int][]sim.Observation {
	seen := map[[2]int]bool{}
	out := map[int][]sim.Observation{}
	for _, o := range obs {
		if o.Kind != kind || !counted.has(o.Node) {
			continue
		}
		k := [2]int{o.Slot, int(o.Node)}
		if seen[k] {
			continue
		}
		seen[k] = true
		out[o.Slot] = append(out[o.Slot], o)
	}
	return out
}

// Agreement checks that no two counted nodes observed different values of
// kind for one slot, and names the first two that did ("n2 decided 1 but
// n0 decided 0").
func Agreement(obs []sim.Observation, kind string, counted Counted) error {
	by := firsts(obs, kind, counted)
	// In slot order, so the error names the lowest slot whatever the
	// map's order.
	for _, slot := range slices.Sorted(maps.Keys(by)) {
		os := by[slot]
		for _, o := range os[1:] {
			if o.Value != os[0].Value {
				return fmt.Errorf("n%d %s %s but n%d %s %s%s", o.Node, past(kind), o.Value, os[0].Node, past(kind), os[0].Value, slotWords(slot))
			}
		}
	}
	return nil
}

// Integrity checks that no counted node observed kind twice for one slot
// with different values: a node decides at most once.
func Integrity(obs []sim.Observation, kind string, counted Counted) error {
	first := map[[2]int]string{}
	for _, o := range obs {
		if o.Kind != kind || !counted.has(o.Node) {
			continue
		}
		k := [2]int{o.Slot, int(o.Node)}
		if v, ok := first[k]; !ok {
			first[k] = o.Value
		} else if v != o.Value {
			return fmt.Errorf("n%d %s %s and then %s%s", o.Node, past(kind), v, o.Value, slotWords(o.Slot))
		}
	}
	return nil
}

// Validity checks that every value a counted node observed of kind is one
// valid accepts (a decision that was somebody's input, a command that
// some client sent).
func Validity(obs []sim.Observation, kind string, counted Counted, valid func(sim.Observation) bool) error {
	for _, o := range obs {
		if o.Kind == kind && counted.has(o.Node) && !valid(o) {
			return fmt.Errorf("n%d %s %s, which nobody proposed%s", o.Node, past(kind), o.Value, slotWords(o.Slot))
		}
	}
	return nil
}

// Termination checks that every node of must observed kind for every slot
// below slots, and names the nodes that did not.
func Termination(obs []sim.Observation, kind string, must []sim.NodeID, slots int) error {
	by := firsts(obs, kind, nil)
	for slot := range slots {
		done := map[sim.NodeID]bool{}
		for _, o := range by[slot] {
			done[o.Node] = true
		}
		var missing []string
		for _, id := range must {
			if !done[id] {
				missing = append(missing, fmt.Sprintf("n%d", id))
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("%s never %s%s", strings.Join(missing, ", "), past(kind), slotWords(slot))
		}
	}
	return nil
}

// past is the verb for a kind in messages: "decided", "committed".
func past(kind string) string {
	switch {
	case strings.HasSuffix(kind, "e"):
		return kind + "d"
	case strings.HasSuffix(kind, "t"):
		return kind + "ted"
	}
	return "observed " + kind
}

func slotWords(slot int) string {
	if slot == 0 {
		return ""
	}
	return fmt.Sprintf(" (slot %d)", slot)
}
