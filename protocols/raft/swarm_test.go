package raft

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/sim"
)

// Under the swarm a loss or duplication rate the user set is kept, and
// only a rate left at 0 is drawn; the draws happen either way, so setting
// one does not shift the draws after it.
func TestSwarmKeepsRatesTheUserSet(t *testing.T) {
	s := SwarmScenario(3, "")
	drawn, n := s.resolve(&sim.ReplayChoices{Values: []int{2, 1}})
	require.Equal(t, swarmLoss[2], drawn.Loss)
	require.Positive(t, drawn.Dup)

	s.Loss, s.Dup = 0.2, 0.4
	set, m := s.resolve(&sim.ReplayChoices{Values: []int{2, 1}})
	require.Equal(t, 0.2, set.Loss)
	require.Equal(t, 0.4, set.Dup)
	require.Equal(t, n, m, "the same draws")
	require.Equal(t, drawn.Crashes, set.Crashes)
}
