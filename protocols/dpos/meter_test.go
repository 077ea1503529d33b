package dpos

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/protocols/chain"
	"simulate/sim"
)

// The meter judges finality safety and times finality from probes alone:
// two honest nodes taking sibling blocks as final is a violation, and the
// observer's finality time of a block is the first time it held it final.
func TestMeterFromProbes(t *testing.T) {
	r := DefaultScenario().Build(1)
	net := r.Net
	a := net.Add(&chain.Block{Parent: chain.Genesis, Height: 1, Miner: 1, Slot: 1})
	b := net.Add(&chain.Block{Parent: chain.Genesis, Height: 1, Miner: 2, Slot: 2})
	c := net.Add(&chain.Block{Parent: a.ID, Height: 2, Miner: 3, Slot: 3})
	m := newMeter(net)
	obs := net.Observer
	other := (obs + 1) % sim.NodeID(len(r.Nodes))
	final := func(at sim.Time, id sim.NodeID, old, b chain.BlockID) {
		m.Probe(sim.Probe{Time: at, Node: id, Kind: probeFinal, A: int64(old), B: int64(b)})
	}

	final(10, obs, chain.Genesis, c.ID) // a and c become final for the observer at 10
	final(20, other, chain.Genesis, a.ID)
	require.Zero(t, m.violations)
	require.Equal(t, sim.Time(10), m.finalAt(a.ID))
	require.Equal(t, sim.Time(10), m.finalAt(c.ID))
	require.Equal(t, sim.Never, m.finalAt(b.ID))

	final(30, other, a.ID, b.ID) // conflicts with c
	require.Equal(t, 1, m.violations)
	require.Contains(t, m.first, "took block #2")
	require.Equal(t, sim.Never, m.finalAt(b.ID), "only the observer's finality is timed")

	m.Probe(sim.Probe{Time: 40, Node: other, Kind: probeEquivocation, A: int64(b.ID)})
	require.Equal(t, 1, m.equivocations)
}
