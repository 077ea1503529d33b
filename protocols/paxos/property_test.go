package paxos_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"simulate/protocols/paxos"
	"simulate/search"
	"simulate/sim/simtest"
)

// failure is the last failing run a property saw; rapid replays the
// minimal case last, so after a search it holds rapid's shrunk one.
type failure struct {
	run        simtest.Run
	violations []paxos.Violation
}

type coverage struct{ runs, restarts, competing, drops, dups, termination, partitions int }

// swarmProperty runs s under t's draws — the fault mix first (loss and
// duplication rates, start times, crash-restarts scheduled with
// w.CrashAt/RestartAt in RunWorld's setup), then every message's fate —
// and fails on any broken property: agreement, validity, and termination
// after GST.
func swarmProperty(s paxos.Scenario, last *failure, cov *coverage) func(*rapid.T) {
	return func(t *rapid.T) {
		in := s.Instance(1, nil, nil)
		run := simtest.RunWorld(t, in.Config, in.Setup)
		o := in.Outcome(run.Result)
		if cov != nil {
			cov.runs++
			if run.Result.Restarts > 0 {
				cov.restarts++
			}
			if o.Competing() {
				cov.competing++
			}
			if run.Result.Dropped > 0 {
				cov.drops++
			}
			if run.Result.Duplicated > 0 {
				cov.dups++
			}
			if o.TerminationApplies() {
				cov.termination++
			}
			if len(in.Resolved().Partitions) > 0 {
				cov.partitions++
			}
		}
		if v := paxos.Check(o); len(v) > 0 {
			*last = failure{run: run, violations: v}
			simtest.Fail(t, run, "%s", v[0])
		}
	}
}

// TestSafetyAndTerminationUnderSearch: with no bug, rapid finds no schedule
// of loss, reordering, duplication, crash-restarts and competing proposers
// that breaks agreement, validity or termination after GST — and the runs
// it tried did contain those faults.
func TestSafetyAndTerminationUnderSearch(t *testing.T) {
	for _, np := range [][2]int{{3, 2}, {5, 3}} {
		cov := &coverage{}
		var last failure
		rapid.Check(t, swarmProperty(paxos.SwarmScenario(np[0], np[1], ""), &last, cov))
		require.Greater(t, cov.restarts, cov.runs/5, "%+v", *cov)
		require.Greater(t, cov.competing, cov.runs/3, "%+v", *cov)
		require.Greater(t, cov.drops, cov.runs/3, "%+v", *cov)
		require.Greater(t, cov.dups, cov.runs/5, "%+v", *cov)
		require.Greater(t, cov.termination, cov.runs/2, "%+v", *cov)
		require.Greater(t, cov.partitions, cov.runs/5, "%+v", *cov)
		t.Logf("%d nodes, %d proposers: %+v", np[0], np[1], *cov)
	}
}

// TestBugsAreFoundAndShrunk: each teaching bug breaks agreement; the search
// finds it and shrinking leaves a handful of environment decisions; the
// printed replay scenario reruns the very same run; the same schedule
// without the bug is safe.
func TestBugsAreFoundAndShrunk(t *testing.T) {
	bounds := map[paxos.Bug]int{
		paxos.NoAdopt:          3,
		paxos.VolatileAcceptor: 6, // a crash-restart alone is two or three draws
		paxos.SmallQuorum:      1,
		paxos.EagerLearner:     3,
	}
	for _, b := range paxos.Bugs {
		t.Run(string(b.Name), func(t *testing.T) {
			s := paxos.SwarmScenario(3, 2, b.Name)
			start := time.Now()
			res, ce := paxos.Search(s, 1, search.Config{Checks: 3000, Seed: 1, Keep: 5}, nil)
			require.True(t, res.Failed, "the search must catch %s", b.Name)
			require.True(t, ce.Violates("agreement"), "%v", ce.Violations)
			require.LessOrEqual(t, ce.NonZero(), bounds[b.Name], "shrunk schedule:\n%s", ce.Schedule())

			// The resolved scenario (what `simulate paxos --schedule` runs)
			// is the same run, event for event.
			again := paxos.Run(ce.Replay, 1, nil)
			require.Equal(t, ce.Outcome.Result.Hash, again.Result.Hash)
			require.NotEmpty(t, paxos.Check(again))

			// The same schedule without the bug is safe: the bug is the cause.
			fixed := ce.Replay
			fixed.Bug = ""
			require.Empty(t, paxos.Check(paxos.Run(fixed, 1, nil)), "the counterexample needs the bug")
			if b.Name == paxos.VolatileAcceptor {
				require.NotEmpty(t, ce.Replay.Crashes, "forgetting needs a crash-restart")
			}
			t.Logf("%s: %d failures within %d runs, shrunk in %v to %d draws, %d events\n%s",
				b.Name, res.Failures, res.Runs, time.Since(start).Round(time.Millisecond), ce.NonZero(), len(ce.Log.Events), ce.Schedule())
		})
	}
}

// TestRapidShrinksToo: rapid's own shrinking, through simtest.Fail,
// also reduces a failing run to a readable schedule.
func TestRapidShrinksToo(t *testing.T) {
	if testing.Short() {
		t.Skip("rapid's shrinking takes a second or two")
	}
	var last failure
	res := simtest.Search(1000, 1, swarmProperty(paxos.SwarmScenario(3, 2, paxos.EagerLearner), &last, nil))
	require.True(t, res.Failed)
	require.Contains(t, res.Report, "agreement")
	require.LessOrEqual(t, last.run.NonZero(), 8, "rapid's shrunk schedule:\n%s", last.run.Schedule())
	t.Logf("rapid shrank eager-learner to %d draws:\n%s", last.run.NonZero(), last.run.Schedule())
}
