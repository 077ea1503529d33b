package benor_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/faults"
	"simulate/network"
	"simulate/protocols/benor"
	"simulate/sim"
)

// TestFaultPlanReachesBenOr: a --faults plan's crash, partition and
// duplication window act on a Ben-Or run through its network.Net; with
// one process of five crashed by the plan (f = 2) and cut off by the
// partition, the live processes still all decide, and agree. (Ben-Or
// assumes reliable channels: a partition that drops messages between live
// processes can leave them waiting for good.)
func TestFaultPlanReachesBenOr(t *testing.T) {
	s := benor.Scenario{N: 5, F: 2, Inputs: []int{0, 1, 1, 0, 1}, Delay: sim.Millisecond, Limit: 60 * sim.Second}
	s.Faults = faults.Plan{
		faults.Duplicate(0, 1),
		faults.Crash(2*sim.Millisecond, 4),
		faults.Partition(sim.Millisecond, []sim.NodeID{4}),
		faults.Heal(50 * sim.Millisecond),
	}
	require.NoError(t, s.Validate())
	fx := &faults.Effects{}
	o := benor.Run(s, 1, nil, fx)
	require.Equal(t, 1, fx.Crashes)
	require.Positive(t, fx.Drops[network.ReasonPartition], "the partition dropped messages")
	require.Positive(t, fx.Duplicates, "the duplication window")
	require.Equal(t, 4, o.Live)
	require.Equal(t, o.Live, o.Decided)
	require.True(t, o.Agreement)
	require.True(t, o.Validity)

	bad := s
	bad.Faults = faults.Plan{faults.Crash(0, 7)}
	require.ErrorContains(t, bad.Validate(), "out of range")
	bad.Faults = faults.Plan{faults.Crash(0, 1), faults.Restart(sim.Millisecond, 1)}
	require.ErrorContains(t, bad.Validate(), "crash for good")
	bad.Faults = faults.Plan{faults.Crash(0, 1), faults.Crash(0, 2), faults.Crash(0, 3)}
	require.ErrorContains(t, bad.Validate(), "more than f=2")
}
