package pbft_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/faults"
	"simulate/network"
	"simulate/protocols/pbft"
	"simulate/sim"
)

// TestFaultPlanReachesPBFT: a fault plan's crash, partition and
// duplication window act on a PBFT run through its network.Net, and with
// one replica down for good (f = 1) and the partition healed, every
// request still completes and honest replicas agree.
func TestFaultPlanReachesPBFT(t *testing.T) {
	s := pbft.Default()
	s.Traitors, s.Strategy = 0, ""
	s.Faults = faults.Plan{
		faults.Crash(5*sim.Millisecond, 3),
		faults.Duplicate(0, 1),
		faults.Partition(0, []sim.NodeID{2}),
		faults.Heal(100 * sim.Millisecond),
	}
	require.NoError(t, s.Validate())
	fx := &faults.Effects{}
	o, err := pbft.Run(s, 1, fx)
	require.NoError(t, err)
	require.Equal(t, 1, fx.Crashes)
	require.Positive(t, fx.Drops[network.ReasonPartition], "the partition dropped messages")
	require.Positive(t, fx.Duplicates, "the duplication window")
	require.Zero(t, fx.Drops[network.ReasonLoss])
	require.True(t, o.Agreement, o.Violation)
	require.Equal(t, o.Requests, o.Completed)

	s.Faults = faults.Plan{faults.Crash(0, 7)}
	require.ErrorContains(t, s.Validate(), "out of range")
}
