package twophase_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/examples/twophase"
	"simulate/faults"
	"simulate/network"
	"simulate/scenario"
	"simulate/sim"
)

// TestFaultPlanReachesTwoPhase: a --faults plan's crash-restart, partition
// and duplication window act on a 2PC run through its network.Net, and a
// participant back from a crash still learns the decision: every property
// holds.
func TestFaultPlanReachesTwoPhase(t *testing.T) {
	s := twophase.DefaultScenario()
	s.Faults = faults.Plan{
		faults.Duplicate(0, 1),
		faults.Partition(0, []sim.NodeID{2}),
		faults.Heal(40 * sim.Millisecond),
		faults.Crash(sim.Millisecond, 3),
		faults.Restart(100*sim.Millisecond, 3),
	}
	require.NoError(t, s.Validate())
	fx := &faults.Effects{}
	o := scenario.Execute(&s, 1, nil, fx)
	require.Equal(t, 1, fx.Crashes)
	require.Equal(t, 1, fx.Restarts)
	require.Positive(t, fx.Drops[network.ReasonPartition], "the partition dropped messages")
	require.Positive(t, fx.Duplicates, "the duplication window")
	require.Nil(t, o.Violation)

	s.Faults = faults.Plan{faults.Crash(0, 9)}
	require.ErrorContains(t, s.Validate(), "out of range")
}
