package twophase_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/examples/twophase"
	"simulate/scenario"
	"simulate/search"
)

// Registered, 2PC is checked through the one search every protocol uses,
// and each planted failure is found and shrunk to its cause: with
// crash-restarts drawn the search finds the coordinator crash that blocks
// the participants, shrunk to that one crash; with an impatient
// participant it finds the split decision.
func TestCheckFindsFailure(t *testing.T) {
	for _, tc := range []struct {
		name     string
		set      func(*twophase.Scenario)
		property string
		contains string // in the counterexample's description, if set
		nonZero  int    // at most this many draws survive shrinking
	}{
		{"CoordinatorCrashBlocking", func(s *twophase.Scenario) { s.Crashes = true }, "termination", "crash n0", 5},
		{"ImpatientSplit", func(s *twophase.Scenario) { s.Impatient = true }, "atomicity", "", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := twophase.DefaultScenario()
			tc.set(&s)
			rep := scenario.Check(&s, 1, search.Config{Checks: 200, Seed: 1})
			require.True(t, rep.Failed)
			require.Equal(t, tc.property, rep.Property)
			if tc.contains != "" {
				ce := rep.Counterexample
				require.NotNil(t, ce)
				require.Contains(t, ce.Description, tc.contains, ce.Description)
				t.Logf("found at run %d, shrunk in %d replays: %s\n%s%s", rep.FirstAt, rep.ShrinkRuns, ce.Description, rep.Draws, rep.Log.Text())
			}
			require.LessOrEqual(t, rep.Draws.NonZero(), tc.nonZero, "shrunk schedule:\n%s", rep.Draws)
		})
	}
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
