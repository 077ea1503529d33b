package dpos_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"simulate/protocols/chain/chaintest"
	"simulate/protocols/dpos"
	"simulate/sim"
	"simulate/sim/simtest"
)

// run validates, builds and runs a scenario with a seed.
var run = chaintest.Runner[dpos.Scenario]((*dpos.Run).World)

// Honest delegates take turns: no forks, every slot filled, each delegate
// exactly its share, blocks final about 2/3 of a round later.
func TestHonestRoundRobin(t *testing.T) {
	s := dpos.DefaultScenario()
	s.Blocks = 105 // five rounds of 21
	s.Quiet = true
	st, _, r := run(t, s, 1)
	require.Equal(t, 105, st.Height)
	require.Zero(t, st.Stale)
	require.Zero(t, st.Missed)
	require.Equal(t, 21, st.Producers)
	for _, d := range st.Delegates {
		require.Equal(t, 5, st.Blocks[d], "delegate n%d makes one block a round", d)
	}
	require.True(t, st.SafetyHolds)
	require.True(t, st.Agree)
	require.Equal(t, 15, st.Quorum)
	// The observer's LIB trails the tip by the 14 blocks after it that
	// complete its quorum of 15.
	require.Equal(t, 105-14, st.FinalHeight)
	require.InDelta(t, 14*3, st.Finality.Seconds(), 4, "final after 14 more slots of 3 s")
	require.NoError(t, r.CheckLive(sim.Result{End: st.Elapsed}))
}

// The election is stake-weighted: the largest holders collect the most
// votes and the ranking is a pure function of stakes and seed.
func TestElectionFavoursStake(t *testing.T) {
	shares := make([]float64, 32)
	sum := 0.0
	for i := range shares {
		shares[i] = 1 / float64(i+1)
		sum += shares[i]
	}
	for i := range shares {
		shares[i] /= sum
	}
	rank, votes := dpos.Elect(shares, 21, 1)
	again, _ := dpos.Elect(shares, 21, 1)
	require.Equal(t, rank, again)
	top := map[int]bool{}
	for _, d := range rank[:21] {
		top[int(d)] = true
	}
	for i := 0; i < 5; i++ {
		require.True(t, top[i], "the 5 largest holders are elected: %v", rank[:21])
	}
	require.Greater(t, votes[0], votes[31])
}

// With up to a third of the delegates offline the chain stays live: the
// round after they miss their slots they are voted out and standbys take
// over, and finality resumes. Without the vote-out (the teaching bug) a
// third offline leaves 14 producers, one short of the quorum of 15, and
// finality stops for good.
func TestLiveWithAThirdOffline(t *testing.T) {
	for k := 0; k <= 7; k++ {
		st, res, r := run(t, dpos.LivenessScenario(k, 0, ""), 1)
		require.NoError(t, r.CheckLive(res), "%d offline", k)
		require.Equal(t, k, st.VotedOut, "%d offline are voted out", k)
		require.True(t, st.SafetyHolds)
	}
	_, res, r := run(t, dpos.LivenessScenario(7, 0, "no-vote-out"), 1)
	require.ErrorContains(t, r.CheckLive(res), "finality stalled")
	_, res, r = run(t, dpos.LivenessScenario(6, 0, "no-vote-out"), 1)
	require.NoError(t, r.CheckLive(res), "15 online delegates still make the quorum")
}

// liveness is the property: with at most a third of the delegates going
// offline at a drawn time, finality keeps up with the chain.
func liveness(bug string, downs *int) func(*rapid.T) {
	return func(t *rapid.T) {
		k := rapid.IntRange(0, 7).Draw(t, "offline delegates")
		at := sim.Time(rapid.IntRange(0, 42).Draw(t, "offline at slot")) * 3 * sim.Second
		r := dpos.LivenessScenario(k, at, bug).Build(1)
		// No environment draws happen inside this world (the network has no
		// jitter), so it runs without rapid's recorder and trace log.
		w := r.World()
		res := w.Run()
		if k > 0 {
			*downs++
		}
		if err := r.CheckLive(res); err != nil {
			t.Fatalf("%d offline from %v: %v", k, at, err)
		}
	}
}

func TestLivenessProperty(t *testing.T) {
	downs := 0
	res := simtest.Search(30, 1, liveness("", &downs))
	require.False(t, res.Failed, res.Report)
	require.GreaterOrEqual(t, downs, 20, "most runs had delegates offline")

	res = simtest.Search(100, 1, liveness("no-vote-out", &downs))
	require.True(t, res.Failed, "without the vote-out a third offline stalls finality")
	require.Contains(t, res.Report, "7 offline from 0s", "shrunk to all seven down from the start")
}

// safety is the property that finality is never reverted: no two honest
// nodes ever take conflicting blocks as final.
func safety(delegates, traitors int, bug string, last *simtest.Run, forked *int) func(*rapid.T) {
	return func(t *rapid.T) {
		r := dpos.PropertyScenario(delegates, traitors, bug).Build(1)
		run := simtest.RunWorld(t, r.Config, r.Attach)
		if st := r.Stats(run.Result); st.Equivocations > 0 {
			*forked++
		}
		if err := r.CheckSafety(); err != nil {
			*last = run // rapid replays the shrunk run last
			t.Fatalf("%v", err)
		}
	}
}

// Fewer than a third of the delegates colluding cannot revert a final
// block, whatever the delays and equivocations: 1 of 4 and 2 of 7.
func TestFinalityHoldsWithFewerThanAThirdTraitors(t *testing.T) {
	checks := 300
	if testing.Short() {
		checks = 100
	}
	for _, c := range [][2]int{{4, 1}, {7, 2}} {
		var last simtest.Run
		equivocated := 0
		res := simtest.Search(checks, 1, safety(c[0], c[1], "", &last, &equivocated))
		require.False(t, res.Failed, "%d of %d: %s", c[1], c[0], res.Report)
		require.GreaterOrEqual(t, equivocated, checks/4, "the search must have seen equivocations")
	}
}

// More than a third (2 of 4) can: the search finds two honest nodes with
// conflicting final blocks and shrinks the schedule to a few draws.
func TestSearchRevertsFinalityWithMoreThanAThird(t *testing.T) {
	var last simtest.Run
	n := 0
	start := time.Now()
	res := simtest.Search(300, 1, safety(4, 2, "", &last, &n))
	require.True(t, res.Failed, "2 traitors of 4 revert a final block")
	require.Contains(t, res.Report, "a final block was reverted")
	require.LessOrEqual(t, last.NonZero(), 6, "shrunk schedule:\n%s", last.Schedule())
	require.LessOrEqual(t, len(last.Log.Events), 400, "a short trace")
	t.Logf("found and shrank in %v to %d non-boring draws, %d events:\n%s", time.Since(start), last.NonZero(), len(last.Log.Events), last.Schedule())
}

// The teaching bug: finality after half the delegates (not 2/3+1) lets a
// single traitor of 4 revert a final block, and the search shrinks the
// schedule to a few draws.
func TestSearchFindsHalfQuorumBug(t *testing.T) {
	var last simtest.Run
	n := 0
	res := simtest.Search(300, 1, safety(4, 1, "half-quorum", &last, &n))
	require.True(t, res.Failed, "one traitor reverts a final block")
	require.LessOrEqual(t, last.NonZero(), 10, "shrunk schedule:\n%s", last.Schedule())
	t.Logf("%d non-boring draws:\n%s", last.NonZero(), last.Schedule())
}

// The other teaching bug, without the lock: an honest delegate that builds
// on a chain dropping its own block counts toward both sides, and one
// traitor of 4 reverts a final block in seeded runs where the honest
// protocol never does.
func TestNoLockBugRevertsFinality(t *testing.T) {
	honest, buggy := 0, 0
	for seed := uint64(1); seed <= 300; seed++ {
		for _, bug := range []string{"", "no-lock"} {
			r := dpos.PropertyScenario(4, 1, bug).Build(seed)
			r.World().Run()
			if r.CheckSafety() != nil {
				if bug == "" {
					honest++
				} else {
					buggy++
				}
			}
		}
	}
	require.Zero(t, honest)
	require.Greater(t, buggy, 0)
	t.Logf("no-lock reverted a final block in %d of 300 seeded runs", buggy)
}

// Censors leave the victim's transactions out. A minority only delays
// them (their blocks go stale and they are voted out); a majority keeps
// them out of the chain.
func TestCensorship(t *testing.T) {
	s := dpos.DefaultScenario()
	s.Quiet = true
	s.Strategy = dpos.Censor
	s.Traitors = 5
	st, _, _ := run(t, s, 1)
	require.Equal(t, st.VictimTxs, st.VictimIncluded, "a censoring minority cannot keep them out")
	require.GreaterOrEqual(t, st.VotedOut, 5)
	s.Traitors = 12
	st, _, _ = run(t, s, 1)
	require.Zero(t, st.VictimIncluded, "a censoring majority keeps the victim out")
}

func TestSameSeedSameRun(t *testing.T) {
	s := dpos.PropertyScenario(4, 2, "")
	chaintest.SameSeed(t, run, s)
}

// TestGoldenHash pins one run's trace hash.
func TestGoldenHash(t *testing.T) {
	s := dpos.DefaultScenario()
	s.Blocks = 30
	s.Traitors, s.Strategy = 3, dpos.Offline
	st, res, _ := run(t, s, 1)
	chaintest.GoldenRun(t, "dpos-seed1.golden", res, fmt.Sprintf("height=%d final=%d voted_out=%d", st.Height, st.FinalHeight, st.VotedOut), st.TipHash)
}

func TestValidateRejectsNonsense(t *testing.T) {
	bad := []func(*dpos.Scenario){
		func(s *dpos.Scenario) { s.Nodes = 0 },
		func(s *dpos.Scenario) { s.Delegates = 40 },
		func(s *dpos.Scenario) { s.Slot = 0 },
		func(s *dpos.Scenario) { s.Traitors = 3 },
		func(s *dpos.Scenario) { s.Traitors, s.Strategy = 22, dpos.Offline },
		func(s *dpos.Scenario) { s.Stakes = []float64{1} },
		func(s *dpos.Scenario) { s.Bug = "nope" },
		func(s *dpos.Scenario) { s.Blocks = 0 },
	}
	chaintest.RejectsEach(t, dpos.DefaultScenario, bad)
}

func ExampleScenario() {
	s := dpos.DefaultScenario()
	s.Blocks = 42
	r := s.Build(1)
	st := r.Stats(r.World().Run())
	fmt.Println("height", st.Height, "final", st.FinalHeight, "producers", st.Producers, "quorum", st.Quorum)
	// Output: height 42 final 28 producers 21 quorum 15
}
