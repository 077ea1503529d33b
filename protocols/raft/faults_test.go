package raft_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/faults"
	"simulate/network"
	"simulate/protocols/raft"
	"simulate/sim"
)

// TestFaultPlanReachesRaft: a --faults plan's crash, partition and
// duplication window act on a Raft run through its network.Net; with one
// replica of three down for good and the partition healed before GST,
// every property holds, liveness included (the plan is calm by GST).
func TestFaultPlanReachesRaft(t *testing.T) {
	s := raft.SwarmScenario(3, "")
	s.Swarm = false
	s.Faults = faults.Plan{
		faults.Duplicate(0, 1),
		faults.Crash(5*sim.Millisecond, 2),
		faults.Partition(10*sim.Millisecond, []sim.NodeID{1}),
		faults.Heal(100 * sim.Millisecond),
	}
	require.NoError(t, s.Validate())
	fx := &faults.Effects{}
	o := raft.Run(s, 1, fx)
	require.Equal(t, 1, fx.Crashes)
	require.Positive(t, fx.Drops[network.ReasonPartition], "the partition dropped messages")
	require.Positive(t, fx.Duplicates, "the duplication window")
	require.True(t, o.LivenessApplies(), "a plan healed before GST leaves liveness owed")
	require.Empty(t, raft.Check(o))

	// A partition never healed: liveness is not owed.
	s.Faults = faults.Plan{faults.Partition(10*sim.Millisecond, []sim.NodeID{1})}
	require.False(t, raft.Run(s, 1, nil).LivenessApplies())

	s.Faults = faults.Plan{faults.Crash(0, 7)}
	require.ErrorContains(t, s.Validate(), "out of range")
}
