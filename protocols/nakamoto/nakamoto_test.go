package nakamoto_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"simulate/protocols/chain/chaintest"
	"simulate/protocols/nakamoto"
	"simulate/sim"
	"simulate/sim/simtest"
)

// run validates, builds and runs a scenario with a seed.
var run = chaintest.Runner[nakamoto.Scenario](func(r *nakamoto.Run) *sim.World { return sim.New(r.Config) })

// quick is the default scenario with fewer blocks and no per-block
// observations.
func quick(blocks int) nakamoto.Scenario {
	s := nakamoto.DefaultScenario()
	s.Blocks = blocks
	s.Quiet = true
	return s
}

// Forks come from propagation: with delays comparable to the block
// interval two miners often find blocks on the same parent and the network
// reorganises; with instant propagation nobody ever mines on a stale tip.
func TestForksNeedPropagationDelay(t *testing.T) {
	forks, reorgs := 0, 0
	for seed := uint64(1); seed <= 5; seed++ {
		s := quick(100)
		s.Delay = 300 * sim.Second
		st, _, _ := run(t, s, seed)
		forks += st.Forks
		reorgs += st.Reorgs
		require.True(t, st.Agree, "after the last block arrives every node is on one chain")
	}
	require.Greater(t, forks, 20, "delay = interval/2 must fork often")
	require.Greater(t, reorgs, 20)

	for seed := uint64(1); seed <= 5; seed++ {
		s := quick(100)
		s.Delay, s.Bandwidth = 0, 0
		st, _, _ := run(t, s, seed)
		require.Zero(t, st.Forks, "seed %d: instant propagation cannot fork", seed)
		require.Zero(t, st.Reorgs)
		require.Zero(t, st.Stale)
	}
}

func TestStaleRateGrowsWithDelay(t *testing.T) {
	var rates []float64
	for _, d := range []sim.Time{0, 20 * sim.Second, 120 * sim.Second, 600 * sim.Second} {
		stale, mined := 0, 0
		for seed := uint64(1); seed <= 4; seed++ {
			s := quick(150)
			s.Delay = d
			st, _, _ := run(t, s, seed)
			stale += st.Stale
			mined += st.Mined
		}
		rates = append(rates, float64(stale)/float64(mined))
	}
	t.Logf("stale rate at delay 0, 20s, 2m, 10m: %.3f", rates)
	for i := 1; i < len(rates); i++ {
		require.Greater(t, rates[i], rates[i-1], "stale rate must grow with delay: %v", rates)
	}
	require.Less(t, rates[0], 0.01)
	require.Greater(t, rates[3], 0.3)
}

// The common-prefix property (blocks 6 deep never change) holds in honest
// runs with realistic delays, and even with 1-minute links.
func TestCommonPrefixHoldsInHonestRuns(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		for _, d := range []sim.Time{100 * sim.Millisecond, 60 * sim.Second} {
			s := quick(60)
			s.Delay = d
			st, res, r := run(t, s, seed)
			require.True(t, st.CommonPrefix.Holds, "seed %d delay %v: %+v", seed, d, st.CommonPrefix)
			require.NoError(t, r.Check(res))
		}
	}
}

func TestConfirmationLatencyGrowsWithDepth(t *testing.T) {
	s := quick(100)
	s.TxRate = 2
	st, _, _ := run(t, s, 3)
	require.Len(t, st.Confirmations, 6)
	for k := 1; k < 6; k++ {
		require.Greater(t, st.Confirmations[k].Mean, st.Confirmations[k-1].Mean)
	}
	// Each extra confirmation costs about one block interval.
	per := (st.Confirmations[5].Mean - st.Confirmations[0].Mean) / 5
	require.InDelta(t, 600, per.Seconds(), 200)
	require.InDelta(t, 2, st.Throughput, 0.1, "blocks are not full: throughput is the offered load")
}

// Full blocks cap throughput at block size / interval.
func TestBlockSizeCapsThroughput(t *testing.T) {
	s := quick(100)
	s.TxRate = 20
	s.BlockSize = 250*1000 + nakamoto.HeaderSize // 1000 transactions a block
	st, _, _ := run(t, s, 1)
	require.InDelta(t, 1000.0/600, st.Throughput, 0.3)
}

func TestRealProofOfWorkHasLeadingZeros(t *testing.T) {
	s := quick(12)
	s.RealPoW = true
	s.PoWBits = 12
	s.Quiet = false
	st, res, r := run(t, s, 7)
	require.Greater(t, st.Hashes, uint64(12*1000), "about 2^12 hashes a block")
	for id := nakamoto.BlockID(1); int(id) < r.Net.Store.Len(); id++ {
		b := r.Net.Store.Get(id)
		require.GreaterOrEqual(t, nakamoto.LeadingZeroBits(b.Hash), 12, "block %d hash %s", id, b.HashHex())
		require.Equal(t, b.Hash, nakamoto.DoubleSHA256(b.Header(r.Net.Store.Get(b.Parent).Hash, 12)))
	}
	for _, o := range res.Observations {
		require.NotEqual(t, "invalid", o.Kind)
	}
}

func TestDifficultyAdjustmentRestoresInterval(t *testing.T) {
	s := quick(300)
	s.HashScale = 2 // twice the hash power the difficulty was set for
	s.Delay, s.Bandwidth = 0, 0
	st, _, _ := run(t, s, 1)
	require.InDelta(t, 300, st.MeanInterval.Seconds(), 60, "without retargeting blocks come twice as fast")
	require.Equal(t, 1.0, st.Difficulty)

	s.Retarget = 30
	st, _, r := run(t, s, 1)
	require.InDelta(t, 2, st.Difficulty, 0.6, "difficulty follows the hash power")
	// The last 150 blocks come at the target interval again.
	chain := r.Net.Store.Chain(r.MainTip())
	span := r.Net.Store.Get(chain[300]).Time - r.Net.Store.Get(chain[150]).Time
	require.InDelta(t, 600, (span / 150).Seconds(), 120)
}

// A thousand miners: blocks are shared by id, so a run stays cheap.
func TestScalesToThousandsOfMiners(t *testing.T) {
	s := quick(10)
	s.Miners = 2000
	s.Degree = 8
	start := time.Now()
	st, _, _ := run(t, s, 1)
	require.Equal(t, 10, st.Height)
	require.True(t, st.Agree)
	require.Less(t, time.Since(start), 10*time.Second)
}

func TestSameSeedSameRun(t *testing.T) {
	s := quick(30)
	s.Delay = 60 * sim.Second
	chaintest.SameSeed(t, run, s)
}

func TestRandomGraphConnectedWithDegree(t *testing.T) {
	for _, n := range []int{2, 3, 10, 200} {
		g := nakamoto.RandomGraph(n, 4, 1)
		require.Equal(t, n, chaintest.Reachable(g))
		for i := range g {
			require.GreaterOrEqual(t, len(g[i]), min(4, n-1))
		}
		require.Equal(t, g, nakamoto.RandomGraph(n, 4, 1))
	}
}

// TestGoldenHash pins one run's trace hash: a change means the protocol's
// behaviour (or the kernel's) changed, and recorded traces no longer replay.
func TestGoldenHash(t *testing.T) {
	s := nakamoto.DefaultScenario()
	s.Blocks = 20
	s.Delay = 30 * sim.Second
	st, res, _ := run(t, s, 1)
	chaintest.GoldenRun(t, "nakamoto-seed1.golden", res, fmt.Sprintf("height=%d mined=%d forks=%d", st.Height, st.Mined, st.Forks), st.TipHash)
}

// property searches network schedules for a run that breaks common prefix
// or eventual agreement, remembering the last failing run.
func property(bug string, last *simtest.Run, forked *int) func(*rapid.T) {
	return func(t *rapid.T) {
		r := nakamoto.PropertyScenario(bug).Build(1)
		run := simtest.RunWorld(t, r.Config, nil)
		if r.Stats(run.Result).Forks > 0 {
			*forked++
		}
		if err := r.Check(run.Result); err != nil {
			*last = run
			simtest.Fail(t, run, "%v", err)
		}
	}
}

func TestPropertyHoldsForHonestProtocol(t *testing.T) {
	checks := 100
	if testing.Short() {
		checks = 30
	}
	var last simtest.Run
	forked, runs := 0, 0
	prop := property("", &last, &forked)
	res := simtest.Search(checks, 1, func(t *rapid.T) { runs++; prop(t) })
	require.False(t, res.Failed, res.Report)
	// The search must have looked: many runs forked and healed. (Rapid
	// runs fewer checks under -short, so judge by the runs made.)
	require.Greater(t, runs, 0)
	require.GreaterOrEqual(t, forked, runs/5, "runs with a fork")
}

// With the teaching bug (nodes never leave their branch) the search finds a
// schedule where one delayed block splits the network for good, and
// shrinks it to a handful of non-boring delays.
func TestSearchFindsIgnoreForksBug(t *testing.T) {
	var last simtest.Run
	start := time.Now()
	forked := 0
	res := simtest.Search(200, 1, property("ignore-forks", &last, &forked))
	require.True(t, res.Failed, "the search must find a fork that never heals")
	require.LessOrEqual(t, last.NonZero(), 3, "shrunk schedule:\n%s", last.Schedule())
	require.Contains(t, res.Report, "left the main chain")
	t.Logf("found and shrank in %v to %d non-boring draws:\n%s", time.Since(start), last.NonZero(), last.Schedule())
}

func TestMajorityAttackerAlwaysWins(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		o := nakamoto.Race{Q: 0.6, Z: 6, Honest: 3}.Run(seed)
		require.True(t, o.Success, "seed %d: with 60%% of the hash power the attacker reverses 6 confirmations", seed)
		require.Equal(t, 1.0, o.Weight)
	}
}

// A minority attacker that may not wait forever loses most races at z = 6.
func TestDoubleSpendRaceIsUsuallyLostByMinority(t *testing.T) {
	wins := 0
	for seed := uint64(1); seed <= 200; seed++ {
		o := nakamoto.Race{Q: 0.1, Z: 6, Honest: 2, GiveUp: 10}.Run(seed)
		require.True(t, o.Success || o.GaveUp)
		if o.Success {
			wins++
		}
	}
	require.LessOrEqual(t, wins, 3)
}

// The merchant who accepts 0 confirmations always loses: the premined block
// is already ahead.
func TestZeroConfirmationsAlwaysReversed(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		require.True(t, nakamoto.Race{Q: 0.1, Z: 0, Honest: 2, GiveUp: 5}.Run(seed).Success)
	}
}

func TestValidateRejectsNonsense(t *testing.T) {
	bad := []func(*nakamoto.Scenario){
		func(s *nakamoto.Scenario) { s.Miners = 0 },
		func(s *nakamoto.Scenario) { s.Degree = s.Miners },
		func(s *nakamoto.Scenario) { s.Interval = 0 },
		func(s *nakamoto.Scenario) { s.BlockSize = 10 },
		func(s *nakamoto.Scenario) { s.Duration = sim.Hour },
		func(s *nakamoto.Scenario) { s.Blocks = 0 },
		func(s *nakamoto.Scenario) { s.RealPoW, s.PoWBits = true, 40 },
		func(s *nakamoto.Scenario) { s.Retarget = 1 },
		func(s *nakamoto.Scenario) { s.Shares = []float64{1} },
		func(s *nakamoto.Scenario) { s.Bug = "nope" },
	}
	chaintest.RejectsEach(t, nakamoto.DefaultScenario, bad)
}

func ExampleScenario() {
	s := nakamoto.DefaultScenario()
	s.Blocks = 10
	r := s.Build(1)
	st := r.Stats(sim.New(r.Config).Run())
	fmt.Println("height", st.Height, "stale", st.Stale, "common prefix holds:", st.CommonPrefix.Holds)
	// Output: height 10 stale 0 common prefix holds: true
}
