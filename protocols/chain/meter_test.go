package chain_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/protocols/chain"
	"simulate/sim"
)

// TestMeterMeasuresFromProbes: the Meter measures a run from the probes
// alone — when a block reached half and all of the nodes and the
// observer, a reorganisation and its depth, and a common-prefix violation
// at depth 1 — and a block no node reported reads as never reached.
func TestMeterMeasuresFromProbes(t *testing.T) {
	tree := chain.NewTree(4, nil, true)
	tree.K, tree.Observer = 1, 2
	a := tree.Add(&chain.Block{Parent: chain.Genesis, Height: 1})
	b := tree.Add(&chain.Block{Parent: a.ID, Height: 2})
	c := tree.Add(&chain.Block{Parent: chain.Genesis, Height: 1}) // a rival of a
	m := chain.NewMeter(&tree)
	probe := func(ms int, node sim.NodeID, kind sim.ProbeKind, x, y chain.BlockID) {
		m.Probe(sim.Probe{Time: sim.Time(ms) * sim.Millisecond, Node: node, Kind: kind, A: int64(x), B: int64(y)})
	}
	for i := range sim.NodeID(4) {
		probe(int(i)+1, i, chain.ProbeReached, a.ID, 0)
		probe(int(i)+1, i, chain.ProbeAdopted, chain.NoBlock, a.ID)
	}
	require.Equal(t, 2*sim.Millisecond, m.HalfAt(a.ID))
	require.Equal(t, 4*sim.Millisecond, m.FullAt(a.ID))
	require.Equal(t, 3*sim.Millisecond, m.ObsAt(a.ID), "n2 observes")
	require.Equal(t, sim.Never, m.FullAt(b.ID), "nobody reported b")
	require.True(t, m.CommonPrefix().Holds)

	// n0 goes to b (extends a), then n1 to the rival c: dropping a, one
	// block, is a reorganisation and, with b's parent a settled at depth
	// 1, a common-prefix violation.
	probe(5, 0, chain.ProbeAdopted, a.ID, b.ID)
	probe(6, 1, chain.ProbeAdopted, a.ID, c.ID)
	require.Equal(t, 1, m.Reorgs)
	require.Equal(t, 1, m.MaxReorg)
	cp := m.CommonPrefix()
	require.False(t, cp.Holds)
	require.Equal(t, "6ms", cp.First)
}
