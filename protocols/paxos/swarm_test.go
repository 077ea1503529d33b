package paxos_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/protocols/paxos"
	"simulate/sim"
)

// Under the swarm a loss or duplication rate, or start times, that the
// user set are kept, and the swarm draws only what was left unset; it
// draws either way, so the crash plan drawn after them is the same.
func TestSwarmKeepsWhatTheUserSet(t *testing.T) {
	schedule := []int{2, 1, 5, 1, 3, 4}
	resolve := func(s paxos.Scenario) paxos.Scenario {
		in := s.Instance(1, &sim.ReplayChoices{Values: schedule}, nil)
		in.Run()
		return in.Resolved()
	}
	drawn := resolve(paxos.SwarmScenario(3, 2, ""))
	require.Positive(t, drawn.Loss)
	require.Positive(t, drawn.Dup)
	require.NotEmpty(t, drawn.Starts)

	s := paxos.SwarmScenario(3, 2, "")
	s.Loss, s.Dup, s.Starts = 0.05, 0.02, []sim.Time{0, 7 * sim.Millisecond}
	set := resolve(s)
	require.Equal(t, 0.05, set.Loss)
	require.Equal(t, 0.02, set.Dup)
	require.Equal(t, s.Starts, set.Starts)
	require.Equal(t, drawn.Crashes, set.Crashes, "the same crash draws")
}

// --crashes bounds what the swarm draws: without the swarm it is refused
// rather than ignored.
func TestCrashSlotsNeedTheSwarm(t *testing.T) {
	s := paxos.Default()
	s.CrashSlots = 3
	require.ErrorContains(t, s.Validate(), "give --swarm too")
	s.Swarm = true
	require.NoError(t, s.Validate())
}
