package dpos

import (
	"fmt"

	"simulate/protocols/chain"
	"simulate/sim"
)

// DPoS's probes (sim.Context.Probe), after the chain ones.
const (
	// probeFinal: an honest node took block B as final; it held A final
	// before.
	probeFinal = chain.ProbeAdopted + 1 + iota
	// probeEquivocation: an honest node saw block A signed by a delegate
	// who had already signed another for the same slot.
	probeEquivocation
)

// meter measures a DPoS run from its honest nodes' probes, outside the
// world: finality safety (no two honest nodes ever take conflicting blocks
// as final), when the observer held each block as final, and the
// equivocations seen. Nodes never read it, so measuring cannot change a
// run.
type meter struct {
	net *Net
	// finalHead is the highest block any honest node has seen become
	// final; a newly final block that conflicts with it breaks safety.
	finalHead  chain.BlockID
	violations int
	first      string
	// finalObs[b] is when the observer first held b as final (sim.Never:
	// it did not; see finalAt).
	finalObs      []sim.Time
	equivocations int
}

func newMeter(net *Net) *meter {
	return &meter{net: net, finalHead: chain.Genesis, finalObs: []sim.Time{0}}
}

// Probe implements sim.Config.Probe.
func (m *meter) Probe(p sim.Probe) {
	switch p.Kind {
	case probeFinal:
		m.finalized(p.Time, p.Node, chain.BlockID(p.A), chain.BlockID(p.B))
	case probeEquivocation:
		m.equivocations++
	}
}

// finalized: honest node id took final as final at now (it held old).
func (m *meter) finalized(now sim.Time, id sim.NodeID, old, final chain.BlockID) {
	s := m.net.Store
	if s.Conflict(m.finalHead, final) {
		m.violations++
		if m.first == "" {
			h, f := s.Get(m.finalHead), s.Get(final)
			m.first = fmt.Sprintf("at %v n%d took block #%d (height %d, by n%d) as final, conflicting with final block #%d (height %d, by n%d)",
				now, id, f.ID, f.Height, f.Miner, h.ID, h.Height, h.Miner)
		}
	} else if s.Get(final).Height > s.Get(m.finalHead).Height {
		m.finalHead = final
	}
	if id != m.net.Observer {
		return
	}
	for b := final; b != old && b != chain.NoBlock; b = s.Get(b).Parent {
		for int(b) >= len(m.finalObs) {
			m.finalObs = append(m.finalObs, sim.Never)
		}
		if m.finalObs[b] == sim.Never {
			m.finalObs[b] = now
		}
	}
}

// finalAt is when the observer first held b as final (sim.Never: never).
func (m *meter) finalAt(b chain.BlockID) sim.Time {
	if int(b) < len(m.finalObs) {
		return m.finalObs[b]
	}
	return sim.Never
}
