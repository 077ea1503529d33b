package pbft_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"simulate/protocols/pbft"
	"simulate/sim"
	"simulate/sim/simtest"
)

// crashBase: no traitors, a client with six requests, checkpoints every 4,
// and crash-restarts drawn over the first 30ms, when the requests run.
func crashBase(bug string) pbft.Scenario {
	s := safetyBase(1)
	s.Traitors, s.Strategy = 0, ""
	s.Requests, s.Checkpoint = 6, 4
	s.Bug = bug
	return s
}

// crashProperty draws the network (Draw) and up to four crash-restarts
// (DrawCrashes, never more than f down at once), runs the scenario with
// its crashes, and checks agreement and validity and, without a teaching
// bug, that every honest replica catches up (CheckCatchUp).
func crashProperty(base pbft.Scenario, last *searchRun, cov map[string]int) func(*rapid.T) {
	return func(t *rapid.T) {
		c := simtest.Choices(t)
		r := runScenario(t, pbft.DrawCrashes(c, pbft.Draw(c, base), 4, 30*sim.Millisecond))
		if cov != nil {
			cov["runs"]++
			if r.run.Result.Restarts > 0 {
				cov["restart"]++
			}
			if r.run.Result.Restarts > r.out.F {
				cov["more than f restarts"]++
			}
			if r.out.ViewChanges > 0 {
				cov["view change"]++
			}
			if r.run.Result.Restarts > 0 && r.out.ViewChanges > 0 {
				cov["restart and view change"]++
			}
		}
		r.requireSafe(t, last)
		if base.Bug == "" {
			// A replica that restarted must take part again, not just
			// stay safe: every committed request reaches it.
			r.requireCaughtUp(t, last)
		}
	}
}

// TestDurableStateSurvivesRestarts: replicas crash and restart, more than
// f of them over a run (at most f at once), on a lossy, jittery,
// partitioned network; with their promises in durable Storage no two
// replicas ever commit different requests at one sequence number, and no
// replica commits two.
func TestDurableStateSurvivesRestarts(t *testing.T) {
	cov := map[string]int{}
	var last searchRun
	checks := 300
	if testing.Short() {
		checks = 60
	}
	res := simtest.Search(checks, 7, crashProperty(crashBase(""), &last, cov))
	require.False(t, res.Failed, res.Report)
	t.Logf("coverage over %d runs: %v", cov["runs"], cov)
	require.GreaterOrEqual(t, cov["restart"], cov["runs"]/2, "restarts must happen in most runs")
	require.GreaterOrEqual(t, cov["more than f restarts"], cov["runs"]/10, "more than f replicas must restart in a fair share of runs")
	require.Greater(t, cov["restart and view change"], 0, "a restart must meet a view change")
}

// TestDurableStateWithTraitors: the same with a Byzantine replica of any
// strategy, placed anywhere: the restarts of honest replicas (and of the
// traitor) do not add to what the traitor can break.
func TestDurableStateWithTraitors(t *testing.T) {
	base := crashBase("")
	base.Traitors = 1
	var last searchRun
	checks := 150
	if testing.Short() {
		checks = 30
	}
	res := simtest.Search(checks, 8, crashProperty(base, &last, nil))
	require.False(t, res.Failed, res.Report)
}

// TestAmnesiaSearchFindsFork: with the amnesia bug a restarted replica
// comes back empty, and the search finds the fork and shrinks it to a few
// crash-restarts on a calm network: more than f replicas that forgot what
// they prepared re-prepare a sequence number for another request.
func TestAmnesiaSearchFindsFork(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the bug benchmark (cmd/simulate TestBugBenchmarkVerdicts) finds and shrinks the amnesia fork too")
	}
	var last searchRun
	start := time.Now()
	// The search stops at its first fork, so the budget only bounds a
	// search that finds nothing; it is large enough that -short's fifth of
	// it (rapid divides checks by 5) still reaches one.
	res := simtest.Search(1000, 1, crashProperty(crashBase(pbft.BugAmnesia), &last, nil))
	require.True(t, res.Failed, "search must find a fork")
	require.False(t, last.out.Agreement, last.out.Violation)
	require.Zero(t, last.scenario.Loss, "shrinking removes loss")
	require.Nil(t, last.scenario.Partition, "shrinking removes the partition")
	require.LessOrEqual(t, last.run.NonZero(), 2, "shrunk network schedule:\n%s", last.run.Schedule())
	require.Greater(t, len(last.scenario.Crashes), last.out.F, "a fork needs more than f amnesiac restarts")
	require.LessOrEqual(t, len(last.scenario.Crashes), 3, "shrinking keeps only the crashes the fork needs: %v", last.scenario.Crashes)
	require.LessOrEqual(t, len(last.run.Log.Events), 150, "shrunk trace:\n%s", last.run.Log.Text())
	t.Logf("found and shrank in %v: %s; crashes %v; %d non-boring draws, %d events\n%s",
		time.Since(start), last.out.Violation, last.scenario.Crashes, last.run.NonZero(), len(last.run.Log.Events), last.run.Schedule())
}

// forkSchedule is three replicas, the primary among them, each crashing
// for a millisecond in turn while the client's requests run.
func forkSchedule(bug string) pbft.Scenario {
	s := crashBase(bug)
	s.Checkpoint = 10
	s.StopOnViolation = false
	s.Crashes = []pbft.CrashRestart{
		{Node: 0, At: 2 * sim.Millisecond, RestartAt: 3 * sim.Millisecond},
		{Node: 1, At: 4 * sim.Millisecond, RestartAt: 5 * sim.Millisecond},
		{Node: 2, At: 6 * sim.Millisecond, RestartAt: 7 * sim.Millisecond},
	}
	return s
}

// TestAmnesiaForksDurableDoesNot is the counterexample spelled out: the
// primary n0 and backups n1 and n2 each crash and restart in turn after
// request c4/1 committed at #1. With amnesia they come back with empty
// logs, the primary assigns #1 again, to c4/2, and the three of them —
// a quorum — prepare and commit it: n2 commits c4/1 and then c4/2 at #1,
// while n3 keeps c4/1. With durable state the primary remembers it used
// #1 and the backups that they prepared c4/1 there: no fork, and every
// request completes.
func TestAmnesiaForksDurableDoesNot(t *testing.T) {
	o, err := pbft.Run(forkSchedule(pbft.BugAmnesia), 1, nil)
	require.NoError(t, err)
	require.False(t, o.Agreement)
	require.Equal(t, "agreement: n2 committed c4/1 and, after a restart, c4/2 at #1", o.Violation)
	require.Equal(t, 3, o.Sim.Restarts)

	o, err = pbft.Run(forkSchedule(""), 1, nil)
	require.NoError(t, err)
	require.True(t, o.Agreement, o.Violation)
	require.True(t, o.Validity)
	require.Equal(t, 3, o.Sim.Restarts)
	require.Equal(t, o.Requests, o.Completed)
	for _, r := range o.PerReplica {
		require.Equal(t, o.Requests, r.Executed, "n%d catches up after its restart", r.ID)
	}
}

// TestNoCrashesNoChange: durable state costs nothing observable in a run
// without crashes: the default scenario's pinned hash is unchanged (see
// TestDefaultHashPinned), and with crashes listed but none happening
// before the end the run is the same as without.
func TestNoCrashesNoChange(t *testing.T) {
	s := pbft.Default()
	a, err := pbft.Run(s, 1, nil)
	require.NoError(t, err)
	s.Crashes = []pbft.CrashRestart{{Node: 1, At: time50s, RestartAt: time50s + sim.Second}}
	b, err := pbft.Run(s, 1, nil)
	require.NoError(t, err)
	require.Equal(t, a.Hash, b.Hash)
}

const time50s = 50 * sim.Second
