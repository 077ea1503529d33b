package generals_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/faults"
	"simulate/network"
	"simulate/protocols/generals"
	"simulate/sim"
)

// TestFaultPlanReachesGenerals: a fault plan's crash, partition and
// duplication window act on the generals' network.Net, and what they do
// shows in the judgement: OM(1) among four loyal generals keeps IC1 and
// IC2, but not with a lieutenant cut off from the commander's order.
func TestFaultPlanReachesGenerals(t *testing.T) {
	s := generals.Scenario{Generals: 4, Algorithm: generals.OM, Rounds: 1, Order: generals.Attack}
	require.True(t, generals.RunSeed(s, 1, nil).Held(), "no faults: OM(1) holds")

	s.Faults = faults.Plan{
		faults.Duplicate(0, 1),
		faults.Partition(0, []sim.NodeID{3}),
		faults.Crash(0, 2),
	}
	require.NoError(t, s.Validate())
	fx := &faults.Effects{}
	o := generals.RunSeed(s, 1, fx)
	require.Equal(t, 1, fx.Crashes)
	require.Positive(t, fx.Drops[network.ReasonPartition])
	require.Positive(t, fx.Duplicates)
	require.False(t, o.Held(), "a silent lieutenant and a cut-off one break the round")

	s.Faults = faults.Plan{faults.Crash(0, 9)}
	require.ErrorContains(t, s.Validate(), "out of range")
}
