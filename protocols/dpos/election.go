package dpos

import (
	"math"
	"sort"

	"simulate/sim"
)

// Elect tallies stake-weighted approval votes and ranks the candidates.
// Every stakeholder approves delegates candidates, sampled without
// replacement with weights stake+mean (voters favour large holders, but
// small ones are elected too), and adds its stake to each of them. The
// ranking is by votes, then by id; its first delegates entries are the
// elected delegates in slot order, the rest the standbys in the order they
// replace delegates who are voted out. The same stakes, delegates and seed
// give the same election.
func Elect(shares []float64, delegates int, seed uint64) (ranking []sim.NodeID, votes []float64) {
	n := len(shares)
	r := sim.SetupStream(seed, "dpos election")
	mean := 1 / float64(n)
	votes = make([]float64, n)
	type keyed struct {
		key float64
		id  int
	}
	ks := make([]keyed, n)
	for v := 0; v < n; v++ {
		// Efraimidis–Spirakis: the largest u^(1/w) are a weighted sample
		// without replacement.
		for c := 0; c < n; c++ {
			w := shares[c] + mean
			ks[c] = keyed{key: math.Log(1-r.Float64()) / w, id: c}
		}
		sort.Slice(ks, func(i, j int) bool {
			if ks[i].key != ks[j].key {
				return ks[i].key > ks[j].key
			}
			return ks[i].id < ks[j].id
		})
		for _, k := range ks[:min(delegates, n)] {
			votes[k.id] += shares[v]
		}
	}
	ranking = make([]sim.NodeID, n)
	for i := range ranking {
		ranking[i] = sim.NodeID(i)
	}
	sort.SliceStable(ranking, func(i, j int) bool {
		a, b := ranking[i], ranking[j]
		if votes[a] != votes[b] {
			return votes[a] > votes[b]
		}
		return a < b
	})
	return ranking, votes
}

// schedule is the delegates in force for a round: order[p] makes the block
// of position p. out marks candidates voted out on this chain (they are
// never elected again on it). Schedules are shared between blocks and
// never modified once built.
type schedule struct {
	order []sim.NodeID
	out   []bool
}

// with returns the schedule after the delegates at the missed positions
// are voted out, each replaced by the best-ranked candidate who is neither
// a delegate nor voted out (if any is left), and how many were replaced.
func (s *schedule) with(missed []int, ranking []sim.NodeID) (*schedule, int) {
	t := &schedule{order: append([]sim.NodeID(nil), s.order...), out: append([]bool(nil), s.out...)}
	in := make([]bool, len(t.out))
	for _, d := range t.order {
		in[d] = true
	}
	replaced := 0
	for _, p := range missed {
		for _, c := range ranking {
			if !in[c] && !t.out[c] {
				t.out[t.order[p]] = true
				in[t.order[p]] = false
				t.order[p] = c
				in[c] = true
				replaced++
				break
			}
		}
	}
	return t, replaced
}
