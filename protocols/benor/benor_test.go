package benor

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/scenario"
	"simulate/search"
	"simulate/sim"
)

func split(n int) []int {
	in := make([]int, n)
	for i := range in {
		in[i] = i % 2
	}
	return in
}

// TestTerminatesWithProbabilityOne: over many seeds, with a crash and
// random asynchronous delays, every live process decides, and they agree.
func TestTerminatesEverySeedWithACrash(t *testing.T) {
	s := Scenario{N: 5, F: 2, Inputs: split(5), Crash: []int{4}, Delay: 10 * sim.Millisecond, Limit: 10 * sim.Minute}
	require.NoError(t, s.Validate())
	seeds := 300
	if testing.Short() {
		seeds = 60
	}
	maxRounds := 0
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		o := Run(s, seed, sim.NewPCGChoices(seed), nil)
		require.Equal(t, o.Live, o.Decided, "seed %d", seed)
		require.True(t, o.Agreement, "seed %d", seed)
		require.True(t, o.Validity, "seed %d", seed)
		maxRounds = max(maxRounds, o.Rounds)
	}
	require.Greater(t, maxRounds, 1, "split inputs must sometimes need the coin")
}

func TestUnanimousDecidesInRoundOne(t *testing.T) {
	s := Scenario{N: 4, F: 1, Inputs: []int{1, 1, 1, 1}, Delay: sim.Millisecond, Limit: sim.Minute}
	o := Run(s, 1, sim.NewPCGChoices(1), nil)
	require.Equal(t, 4, o.Decided)
	require.Equal(t, 1, o.Rounds)
}

func TestDeterministic(t *testing.T) {
	s := Scenario{N: 5, F: 2, Inputs: split(5), Crash: []int{1}, Delay: 10 * sim.Millisecond, Limit: sim.Minute}
	require.Equal(t, Run(s, 9, sim.NewPCGChoices(9), nil), Run(s, 9, sim.NewPCGChoices(9), nil))
	// Several crashes are scheduled in the scenario's order, never in map
	// order: twenty runs give one hash.
	s = Scenario{N: 7, F: 3, Inputs: split(7), Crash: []int{6, 2, 4}, Delay: 10 * sim.Millisecond, Limit: sim.Minute}
	want := Run(s, 3, sim.NewPCGChoices(3), nil).Hash
	for i := 0; i < 20; i++ {
		require.Equal(t, want, Run(s, 3, sim.NewPCGChoices(3), nil).Hash)
	}
}

func TestValidate(t *testing.T) {
	for _, s := range []Scenario{
		{N: 1, Inputs: []int{0}},
		{N: 4, F: 2, Inputs: split(4)},
		{N: 3, F: 1, Inputs: []int{0, 1}},
		{N: 3, F: 1, Inputs: []int{0, 1, 2}},
		{N: 3, F: 1, Inputs: split(3), Crash: []int{0, 1}},
	} {
		require.Error(t, s.Validate(), "%+v", s)
	}
}

func checkScenario(n, f int, bug bool) *Scenario {
	return &Scenario{N: n, F: f, Inputs: split(n), Delay: 10 * sim.Millisecond, Limit: sim.Minute, Bug: bug, Swarm: true}
}

// TestAgreementHolds: over drawn delays no two processes decide
// differently, every live process decides, and the search saw decisions
// that needed the coin.
func TestAgreementHolds(t *testing.T) {
	rep := scenario.Check(checkScenario(5, 2, false), 1, search.Config{Checks: 100, Seed: 1})
	require.False(t, rep.Failed, "%s: %s", rep.Property, rep.Message)
	require.Equal(t, 100, rep.Runs)
	for _, c := range rep.Coverage {
		require.GreaterOrEqual(t, c.Runs, 10, "%+v", rep.Coverage)
	}
}

// TestEagerDecideBugIsFoundAndShrunk: with the teaching bug the search
// finds a disagreement among three processes and shrinks the schedule to
// a few non-boring delays.
func TestEagerDecideBugIsFoundAndShrunk(t *testing.T) {
	rep := scenario.CheckOnly(checkScenario(3, 1, true), 1, search.Config{Checks: 500, Seed: 3}, []string{"agreement"})
	require.True(t, rep.Failed, "the eager-decide bug must be found")
	require.Equal(t, "agreement", rep.Property)
	require.LessOrEqual(t, rep.Draws.NonZero(), 4, "shrunk schedule:\n%s", rep.Draws)
	t.Logf("found at run %d, shrunk in %d replays to %d non-boring draws:\n%s", rep.FirstAt, rep.ShrinkRuns, rep.Draws.NonZero(), rep.Draws)
}

// TestSwarmFindsCountDuplicates: a process that counts messages rather
// than senders lets a duplicated vote count twice. Calm networks never
// duplicate, so only the swarm's drawn duplication rate finds it — the
// bug the swarm first found in this package's correct code — and the
// shrunk run is the duplication rate, one duplicate and one delay.
func TestSwarmFindsCountDuplicates(t *testing.T) {
	s := checkScenario(5, 1, false)
	s.CountDuplicates = true
	cfg := search.Config{Checks: 200, Seed: 1}
	rep := scenario.CheckOnly(s, 1, cfg, []string{"agreement"})
	require.True(t, rep.Failed, "the count-duplicates bug must be found")
	require.LessOrEqual(t, rep.Draws.NonZero(), 6, "shrunk schedule:\n%s", rep.Draws)
	require.Contains(t, rep.Draws.String(), "swarm dup level")

	s.Swarm = false
	rep = scenario.CheckOnly(s, 1, cfg, []string{"agreement"})
	require.False(t, rep.Failed, "without duplicates there is nothing to count twice: %s", rep.Message)
}
