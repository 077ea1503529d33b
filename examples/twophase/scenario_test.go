package twophase_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/examples/twophase"
	"simulate/scenario"
	"simulate/search"
)

// Registered, 2PC is checked through the one search every protocol uses:
// with crash-restarts drawn the search finds the coordinator crash that
// blocks the participants, and shrinks it to that one crash.
func TestCheckFindsCoordinatorCrashBlocking(t *testing.T) {
	s := twophase.DefaultScenario()
	s.Crashes = true
	rep := scenario.Check(&s, 1, search.Config{Checks: 200, Seed: 1})
	require.True(t, rep.Failed)
	require.Equal(t, "termination", rep.Property)
	ce := rep.Counterexample
	require.NotNil(t, ce)
	require.Contains(t, ce.Description, "crash n0", ce.Description)
	require.LessOrEqual(t, rep.Draws.NonZero(), 5, "shrunk schedule:\n%s", rep.Draws)
	t.Logf("found at run %d, shrunk in %d replays: %s\n%s%s", rep.FirstAt, rep.ShrinkRuns, ce.Description, rep.Draws, rep.Log.Text())
}

func TestCheckFindsImpatientSplit(t *testing.T) {
	s := twophase.DefaultScenario()
	s.Impatient = true
	rep := scenario.Check(&s, 1, search.Config{Checks: 200, Seed: 1})
	require.True(t, rep.Failed)
	require.Equal(t, "atomicity", rep.Property)
	require.LessOrEqual(t, rep.Draws.NonZero(), 2, "shrunk schedule:\n%s", rep.Draws)
}

// Without crashes and without the bug nothing breaks, and the search saw
// commits, aborts and lost messages.
func TestCheckPassesWithCoverage(t *testing.T) {
	s := twophase.DefaultScenario()
	s.Loss = 0.1
	rep := scenario.Check(&s, 1, search.Config{Checks: 200, Seed: 1})
	require.False(t, rep.Failed, "%s: %s", rep.Property, rep.Message)
	for _, c := range rep.Coverage[:3] {
		require.GreaterOrEqual(t, c.Runs, 20, "%+v", rep.Coverage)
	}
}
