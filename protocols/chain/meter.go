package chain

import "simulate/sim"

// The probes chain nodes report (sim.Context.Probe) for a run's Meter.
const (
	// ProbeReached: the node now has block A.
	ProbeReached sim.ProbeKind = iota + 1
	// ProbeAdopted: the node moved its tip from block A (NoBlock at
	// start) to block B.
	ProbeAdopted
)

// Meter measures a chain run from outside the world, from the probes its
// nodes report (sim.Config.Probe): how fast each block reached the nodes,
// the reorganisations, and the common-prefix property. It reads the
// tree's store and configuration and changes nothing the nodes see, so
// what it measures cannot change the run.
type Meter struct {
	t *Tree
	// Reorgs counts tip switches to a chain that drops the old tip;
	// MaxReorg is the deepest (blocks dropped).
	Reorgs   int
	MaxReorg int
	// CPFailures counts common-prefix violations; CPFirst is when the
	// first happened.
	CPFailures int
	CPFirst    string
	cpDeepest  BlockID
	// Per block: how many nodes have it; when it reached every node, the
	// observer, half and 90 % of the nodes (sim.Never: it did not). The
	// slices grow as blocks are reported (see at).
	reach                           []int32
	fullAt, obsAt, halfAt, ninetyAt []sim.Time
}

// NewMeter measures a run of the nodes sharing t.
func NewMeter(t *Tree) *Meter {
	return &Meter{t: t, cpDeepest: Genesis, reach: []int32{0},
		fullAt: []sim.Time{sim.Never}, obsAt: []sim.Time{0}, halfAt: []sim.Time{0}, ninetyAt: []sim.Time{0}}
}

// Probe implements sim.Config.Probe.
func (m *Meter) Probe(p sim.Probe) {
	switch p.Kind {
	case ProbeReached:
		m.reached(BlockID(p.A), p.Node, p.Time)
	case ProbeAdopted:
		m.adopted(p.Node, BlockID(p.A), BlockID(p.B), p.Time)
	}
}

func (m *Meter) reached(b BlockID, id sim.NodeID, now sim.Time) {
	for int(b) >= len(m.reach) {
		m.reach = append(m.reach, 0)
		m.fullAt = append(m.fullAt, sim.Never)
		m.obsAt = append(m.obsAt, sim.Never)
		m.halfAt = append(m.halfAt, sim.Never)
		m.ninetyAt = append(m.ninetyAt, sim.Never)
	}
	m.reach[b]++
	n, r := len(m.t.Honest), int(m.reach[b])
	if r == (n+1)/2 {
		m.halfAt[b] = now
	}
	if r == (9*n+9)/10 {
		m.ninetyAt[b] = now
	}
	if r == n {
		m.fullAt[b] = now
	}
	if id == m.t.Observer && m.obsAt[b] == sim.Never {
		m.obsAt[b] = now
	}
}

func (m *Meter) adopted(id sim.NodeID, old, tip BlockID, now sim.Time) {
	s := m.t.Store
	if old != NoBlock {
		if depth, ok := reorgDepth(s, old, tip); ok {
			m.Reorgs++
			m.MaxReorg = max(m.MaxReorg, depth)
		}
	}
	if !m.t.Honest[id] || m.t.K <= 0 {
		return
	}
	// Common prefix (Garay, Kiayias, Leonardos): every chain an honest node
	// ever held, with its last k blocks cut off, is a prefix of every chain
	// an honest node holds later. The cut-off tips seen so far lie on one
	// chain (checked inductively), so comparing with the deepest suffices.
	if !s.IsAncestor(m.cpDeepest, tip) {
		m.CPFailures++
		if m.CPFirst == "" {
			m.CPFirst = now.String()
		}
	}
	b := s.Get(tip)
	if b.Height-m.t.K > s.Get(m.cpDeepest).Height {
		m.cpDeepest = s.AtHeight(tip, b.Height-m.t.K)
	}
}

// at reads block b's entry of one of the per-block times: sim.Never for
// a block no node reported.
func at(times []sim.Time, b BlockID) sim.Time {
	if int(b) < len(times) {
		return times[b]
	}
	return sim.Never
}

// FullAt is when block b reached every node (sim.Never if it did not).
func (m *Meter) FullAt(b BlockID) sim.Time { return at(m.fullAt, b) }

// ObsAt is when block b reached the observer.
func (m *Meter) ObsAt(b BlockID) sim.Time { return at(m.obsAt, b) }

// HalfAt and NinetyAt are when block b reached half and 90 % of the
// nodes: the percentiles block-propagation studies report.
func (m *Meter) HalfAt(b BlockID) sim.Time   { return at(m.halfAt, b) }
func (m *Meter) NinetyAt(b BlockID) sim.Time { return at(m.ninetyAt, b) }

// CommonPrefix is the run's common-prefix verdict so far.
func (m *Meter) CommonPrefix() CommonPrefix {
	return CommonPrefix{K: m.t.K, Holds: m.CPFailures == 0, Violations: m.CPFailures, First: m.CPFirst}
}

// KDeep is the settledAt function of k confirmations: the block at height
// h is settled when the observer holds the block k-1 above it on chain.
func (m *Meter) KDeep(chain []BlockID, k int) func(h int) sim.Time {
	return func(h int) sim.Time {
		if h+k-1 >= len(chain) {
			return sim.Never
		}
		return m.ObsAt(chain[h+k-1])
	}
}

// Confirmations measures, for each depth 1..k, the mean confirmation time
// of the transactions on main (genesis first) as the observer saw it: the
// latency table every longest-chain protocol reports. period is the
// transaction stream's (Txs.Period).
func (m *Meter) Confirmations(main []BlockID, period sim.Time, k int) []Confirmation {
	var out []Confirmation
	for d := 1; d <= k; d++ {
		c := Confirmation{K: d}
		c.Mean, c.Samples = m.t.TxLatency(main, period, m.KDeep(main, d))
		out = append(out, c)
	}
	return out
}
