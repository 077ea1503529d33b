package nakamoto

import (
	"simulate/protocols/chain"
	"simulate/sim"
)

// probeMined is Nakamoto's own probe, beside the chain ones: a miner
// found block A at height B.
const probeMined = chain.ProbeAdopted + 1

// meter measures, from the nodes' probes, what only Nakamoto runs report
// beside the chain Meter's propagation, reorganisations and common prefix:
// the blocks honest nodes held K deep (double confirmations), the
// reorganisations a healed partition caused, and how far behind an
// eclipse victim was. Like the chain Meter it lives outside the world:
// nodes never read it, so measuring cannot change a run.
type meter struct {
	*chain.Meter
	net *Net

	// confirmed marks every block an honest node ever held K deep or
	// deeper (K confirmations), for the double-confirmation count.
	confirmed chain.Bitset

	// After a partition's heal: the reorganisations that abandoned blocks
	// mined while it lasted, the deepest, and when the last happened.
	partReorgs  int
	partDeepest int
	partLast    sim.Time

	// An eclipse attack: the victim's tip, when it got each block, the
	// deepest reorganisation it went through, and how far its tip was
	// behind the highest block mined each time a block was found.
	victimTip     BlockID
	victimSaw     []sim.Time
	victimDeepest int
	bestHeight    int
	lagSum, lagN  int
	lagMax        int
}

// newMeter measures a run of the nodes sharing net, beside m.
func newMeter(m *chain.Meter, net *Net) *meter {
	x := &meter{Meter: m, net: net, victimTip: Genesis}
	x.confirmed.Set(Genesis)
	return x
}

// Probe implements sim.Config.Probe: the chain Meter's measures first,
// then Nakamoto's.
func (m *meter) Probe(p sim.Probe) {
	m.Meter.Probe(p)
	switch p.Kind {
	case chain.ProbeAdopted:
		m.switched(p.Time, p.Node, BlockID(p.A), BlockID(p.B))
	case chain.ProbeReached:
		if p.Node == m.net.victim {
			m.victimGot(BlockID(p.A), p.Time)
		}
	case probeMined:
		m.mined(int(p.B))
	}
}

// switched notes that node id moved its tip from old to tip: the blocks
// now K deep, and what partitions and eclipses measure.
func (m *meter) switched(now sim.Time, id sim.NodeID, old, tip BlockID) {
	net := m.net
	s := net.Store
	if net.K > 0 && net.Honest[id] {
		m.confirm(tip)
	}
	if id == net.victim {
		m.victimTip = tip
	}
	if old == NoBlock || s.IsAncestor(old, tip) {
		return
	}
	fork := s.Fork(old, tip)
	depth := s.Get(old).Height - s.Get(fork).Height
	if id == net.victim {
		m.victimDeepest = max(m.victimDeepest, depth)
	}
	if p := net.split; p != nil && now >= p.To {
		for b := old; b != fork; b = s.Get(b).Parent {
			if t := s.Get(b).Time; t >= p.From && t < p.To {
				m.partReorgs++
				m.partDeepest = max(m.partDeepest, depth)
				m.partLast = now
				break
			}
		}
	}
}

// confirm marks the blocks of tip's chain with at least K confirmations.
func (m *meter) confirm(tip BlockID) {
	s := m.net.Store
	h := s.Get(tip).Height - m.net.K + 1
	if h < 1 {
		return
	}
	for c := s.AtHeight(tip, h); c != NoBlock && !m.confirmed.Has(c); c = s.Get(c).Parent {
		m.confirmed.Set(c)
	}
}

// victimGot notes that the eclipse victim connected block id now.
func (m *meter) victimGot(id BlockID, now sim.Time) {
	for int(id) >= len(m.victimSaw) {
		m.victimSaw = append(m.victimSaw, sim.Never)
	}
	if m.victimSaw[id] == sim.Never {
		m.victimSaw[id] = now
	}
}

// mined notes a block found at height: how far behind the eclipse victim
// was as it was found.
func (m *meter) mined(height int) {
	if m.net.victim >= 0 {
		lag := max(0, m.bestHeight-m.net.Store.Get(m.victimTip).Height)
		m.lagSum += lag
		m.lagN++
		m.lagMax = max(m.lagMax, lag)
	}
	m.bestHeight = max(m.bestHeight, height)
}

// DoubleConfirmed measures the blocks honest nodes held with at least K
// confirmations: forks counts the blocks from which two such branches
// leave, and txs the transactions counted confirmed on two conflicting
// branches (a transaction sits at the same stream position on each, so
// it is on two branches when both hold its position).
func (m *meter) DoubleConfirmed() (forks int, txs int64) {
	s := m.net.Store
	n := s.Len()
	// sub[b]: the furthest transaction position held by b's confirmed
	// subtree; top1/top2: the two largest sub among b's confirmed children.
	sub := make([]int64, n)
	top1 := make([]int64, n)
	top2 := make([]int64, n)
	kids := make([]int32, n)
	for i := n - 1; i >= 1; i-- {
		id := BlockID(i)
		if !m.confirmed.Has(id) {
			continue
		}
		b := s.Get(id)
		sub[i] = max(b.TxEnd, top1[i])
		p := b.Parent
		kids[p]++
		switch {
		case sub[i] > top1[p]:
			top1[p], top2[p] = sub[i], top1[p]
		case sub[i] > top2[p]:
			top2[p] = sub[i]
		}
	}
	for i := 0; i < n; i++ {
		if kids[i] < 2 {
			continue
		}
		forks += int(kids[i]) - 1
		if second := top2[i] - s.Get(BlockID(i)).TxEnd; second > 0 {
			txs += second
		}
	}
	return forks, txs
}
