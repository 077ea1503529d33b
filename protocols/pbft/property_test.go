package pbft_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"simulate/protocols/pbft"
	"simulate/sim"
	"simulate/sim/simtest"
)

// searchRun is one run of a property search: the drawn scenario, the
// recorded network draws and the outcome.
type searchRun struct {
	scenario pbft.Scenario
	run      simtest.Run
	out      pbft.Outcome
}

// runDrawn draws a scenario around base (traitors, strategies, loss,
// jitter) and runs it with every network draw coming from t.
func runDrawn(t *rapid.T, base pbft.Scenario) searchRun {
	return runScenario(t, pbft.Draw(simtest.Choices(t), base))
}

// runScenario runs s, with its faults, taking every network draw from t:
// the run of every property search here, whatever it drew s from.
func runScenario(t *rapid.T, s pbft.Scenario) searchRun {
	st, err := pbft.NewSetup(s, 1)
	if err != nil {
		t.Fatalf("setup: %v", err)
	}
	var w *sim.World
	run := simtest.RunWorld(t, st.Config(), func(x *sim.World) { w = x; st.ScheduleFaults(x) })
	return searchRun{scenario: s, run: run, out: st.Outcome(w, run.Result)}
}

// requireSafe fails t when an honest replica committed a different request
// than another at one sequence number, or one no client issued; last (if
// not nil) keeps the failing run for the test to read once rapid shrank it.
func (r searchRun) requireSafe(t *rapid.T, last *searchRun) {
	if !r.out.Agreement || !r.out.Validity {
		r.fail(t, last, r.out.Violation)
	}
}

// requireCaughtUp fails t, as requireSafe does, when an honest replica did
// not execute every committed request within CatchUpBound.
func (r searchRun) requireCaughtUp(t *rapid.T, last *searchRun) {
	if v := pbft.CheckCatchUp(r.scenario, r.out, pbft.CatchUpBound); v != "" {
		r.fail(t, last, v)
	}
}

func (r searchRun) fail(t *rapid.T, last *searchRun, violation string) {
	if last != nil {
		*last = r
	}
	simtest.Fail(t, r.run, "%s\nscenario: %+v", violation, r.scenario)
}

// coverage counts how often the interesting cases happened, so a passing
// search shows it looked.
func safetyProperty(base pbft.Scenario, last *searchRun, cov map[string]int) func(*rapid.T) {
	return func(t *rapid.T) {
		r := runDrawn(t, base)
		if cov != nil {
			cov["runs"]++
			if r.out.ViewChanges > 0 {
				cov["view change"]++
			}
			if r.run.Result.Dropped > 0 {
				cov["messages lost"]++
			}
			if r.scenario.Partition != nil {
				cov["partition"]++
			}
			for i, id := range r.out.TraitorIDs {
				if id == 0 && r.out.Strategies[i] != pbft.Honest {
					cov["faulty primary"]++
				}
				cov["strategy "+r.out.Strategies[i]]++
			}
		}
		r.requireSafe(t, last)
	}
}

func safetyBase(f int) pbft.Scenario {
	s := pbft.Default()
	s.Replicas, s.Traitors, s.Strategy = 3*f+1, f, ""
	s.Requests, s.Checkpoint = 4, 2
	s.Limit = 5 * sim.Second
	s.StopOnViolation = true
	return s
}

// TestSafetyAnyFTraitors: with any f traitors among 3f+1, whatever their
// strategies, wherever they sit (the first primary included) and however
// the network loses and reorders messages, no two honest replicas commit
// different requests at one sequence number, and nobody commits a request
// no client issued.
func TestSafetyAnyFTraitors(t *testing.T) {
	for _, f := range []int{1, 2} {
		t.Run(fmt.Sprintf("f=%d", f), func(t *testing.T) {
			cov := map[string]int{}
			var last searchRun
			checks := 400
			if f == 2 {
				checks = 150
			}
			res := simtest.Search(checks, uint64(f), safetyProperty(safetyBase(f), &last, cov))
			require.False(t, res.Failed, res.Report)
			t.Logf("coverage over %d runs: %v", cov["runs"], cov)
			require.GreaterOrEqual(t, cov["view change"], cov["runs"]/10, "view changes must happen in a fair share of runs")
			require.GreaterOrEqual(t, cov["faulty primary"], cov["runs"]/10)
			require.GreaterOrEqual(t, cov["messages lost"], cov["runs"]/3)
			require.GreaterOrEqual(t, cov["partition"], cov["runs"]/5, "partitions must happen in a fair share of runs")
			require.Greater(t, cov["strategy "+pbft.Equivocate], 0)
			require.Greater(t, cov["strategy "+pbft.Collude], 0)
			require.Greater(t, cov["strategy "+pbft.Twins], 0)
		})
	}
}

// TestLivenessAfterGST: with at most f traitors, once the network stops
// losing messages every request completes, however bad things were before,
// and every honest replica executes every committed request within
// CatchUpBound (CheckCatchUp), not only a quorum of them.
func TestLivenessAfterGST(t *testing.T) {
	for _, f := range []int{1, 2} {
		t.Run(fmt.Sprintf("f=%d", f), func(t *testing.T) {
			base := safetyBase(f)
			base.GST = 300 * sim.Millisecond
			base.Limit = 30 * sim.Second
			checks := 200
			if f == 2 {
				checks = 80
			}
			vc := 0
			res := simtest.Search(checks, uint64(10+f), func(t *rapid.T) {
				r := runDrawn(t, base)
				if r.out.ViewChanges > 0 {
					vc++
				}
				if r.out.Completed != r.out.Requests {
					simtest.Fail(t, r.run, "only %d of %d requests completed by %v (GST %v)\nscenario: %+v", r.out.Completed, r.out.Requests, base.Limit, base.GST, r.scenario)
				}
				r.requireCaughtUp(t, nil)
			})
			require.False(t, res.Failed, res.Report)
			require.Greater(t, vc, 0, "liveness must be shown through view changes too")
		})
	}
}

// TestBoundSearchFindsViolation is the 3f+1 bound and the two teaching
// bugs, found by search and shrunk: with n = 3f, with f+1 traitors among
// 3f+1 (an equivocating primary and a colluding backup), with quorums of f+1, or
// with new-views accepted unchecked, some traitor strategy breaks
// agreement — and the shrunk counterexample is a calm network with one
// lying replica.
func TestBoundSearchFindsViolation(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the bug benchmark (cmd/simulate TestBugBenchmarkVerdicts) has a row for each of these")
	}
	cases := []struct {
		name      string
		base      func() pbft.Scenario
		maxEvents int // 0: 100
		checks    int // 0: 200
	}{
		{"n=3f", func() pbft.Scenario { s := safetyBase(1); s.Replicas = 3; return s }, 0, 0},
		{"f+1 traitors of 3f+1", func() pbft.Scenario {
			s := safetyBase(1)
			s.Traitors, s.Strategy = 2, pbft.Equivocate+","+pbft.Collude
			return s
		}, 250, 500}, // traitors pass on honest Executed claims, which heal many splits before they show: seed 1 needs 422 runs
		{pbft.BugSmallQuorum, func() pbft.Scenario { s := safetyBase(1); s.Bug = pbft.BugSmallQuorum; return s }, 0, 0},
		{pbft.BugUncheckedNewView, func() pbft.Scenario { s := safetyBase(1); s.Bug = pbft.BugUncheckedNewView; return s }, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var last searchRun
			start := time.Now()
			checks := c.checks
			if checks == 0 {
				checks = 200
			}
			res := simtest.Search(checks, 1, safetyProperty(c.base(), &last, nil))
			require.True(t, res.Failed, "search must find a violation")
			require.False(t, last.out.Agreement, last.out.Violation)
			require.LessOrEqual(t, last.run.NonZero(), 2, "shrunk schedule:\n%s", last.run.Schedule())
			require.Zero(t, last.scenario.Loss, "shrinking removes loss")
			maxEvents := c.maxEvents
			if maxEvents == 0 {
				maxEvents = 100
			}
			require.LessOrEqual(t, len(last.run.Log.Events), maxEvents, "shrunk trace:\n%s", last.run.Log.Text())
			t.Logf("found and shrank in %v: %s; strategy %s at %v; %d non-boring draws, %d events\n%s",
				time.Since(start), last.out.Violation, last.scenario.Strategy, last.scenario.TraitorIDs, last.run.NonZero(), len(last.run.Log.Events), last.run.Schedule())
		})
	}
}
