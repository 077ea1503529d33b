package pos_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"simulate/protocols/chain"
	"simulate/protocols/chain/chaintest"
	"simulate/protocols/pos"
	"simulate/sim"
	"simulate/sim/simtest"
)

// run validates, builds and runs a scenario with a seed.
var run = chaintest.Runner[pos.Scenario](func(r *pos.Run) *sim.World { return sim.New(r.Config) })

func quick(blocks int) pos.Scenario {
	s := pos.DefaultScenario()
	s.Blocks = blocks
	s.Quiet = true
	return s
}

// The course notes' example: 100 coins held 30 days are 3,000 coin-days,
// which at 5 % a year earn 3000 × 5 % / 365 = 0.41 coins.
func TestCoinAgeNotesExample(t *testing.T) {
	days := pos.CoinAge(100, 30*pos.Day)
	require.Equal(t, 3000.0, days)
	require.InDelta(t, 0.41, pos.Interest(days, 0.05), 0.005)
	require.InDelta(t, 0.05, pos.Interest(365, 0.05), 1e-12, "365 coin-days earn the yearly rate")
}

// Praos's leader probability: a validator with all the stake wins with
// probability f, and splitting stake does not help: the chance that one of
// two halves wins is the chance of the whole.
func TestPhiIsIndependentOfSplitting(t *testing.T) {
	f := 0.05
	require.InDelta(t, f, pos.Phi(f, 1), 1e-15)
	require.Zero(t, pos.Phi(f, 0))
	for _, s := range []float64{0.1, 0.3, 0.5} {
		a, b := pos.Phi(f, s), pos.Phi(f, 1-s)
		require.InDelta(t, pos.Phi(f, 1), 1-(1-a)*(1-b), 1e-15)
		// φ is concave: above the chord s·f, below the tangent s·(-ln(1-f)).
		require.Greater(t, pos.Phi(f, s), s*f)
		require.Less(t, pos.Phi(f, s), -s*math.Log1p(-f))
	}
}

// Slots: a fraction 1-f has no leader (Π(1-φ(s_i)) = 1-f), and slots with
// several leaders come at the rate the product formula gives.
func TestEmptyAndMultiLeaderSlots(t *testing.T) {
	s := quick(1000)
	s.Stakes = chain.Zipf(16)
	st, _, _ := run(t, s, 1)
	n := float64(st.Slots)
	empty := float64(st.Empty) / n
	se := math.Sqrt(0.95 * 0.05 / n)
	require.InDelta(t, 1-s.F, empty, 3*se, "empty slots: %d of %d", st.Empty, st.Slots)
	// P(at least two leaders) = 1 - P(0) - P(1).
	shares := chain.Shares(s.Stakes, 16)
	p0, p1 := 1.0, 0.0
	for _, x := range shares {
		p0 *= 1 - pos.Phi(s.F, x)
	}
	for i, x := range shares {
		q := pos.Phi(s.F, x)
		for j, y := range shares {
			if j != i {
				q *= 1 - pos.Phi(s.F, y)
			}
		}
		p1 += q
	}
	multi := 1 - p0 - p1
	got := float64(st.Multi) / n
	require.InDelta(t, multi, got, 3*math.Sqrt(multi*(1-multi)/n)+1e-4, "multi-leader slots %d of %d", st.Multi, st.Slots)
	require.Greater(t, st.Multi, int64(0))
	require.InDelta(t, 20, st.MeanInterval.Seconds(), 2, "a block every slot/f = 20 s")
}

// Fairness: over many seeds each validator's share of the main chain is
// within 3 standard errors of its stake share.
func TestBlockSharesFollowStake(t *testing.T) {
	s := quick(200)
	s.Validators = 8
	s.Stakes = chain.Zipf(8)
	counts := make([]int, 8)
	for seed := uint64(1); seed <= 20; seed++ {
		st, _, _ := run(t, s, seed)
		for i, c := range st.Blocks {
			counts[i] += c
		}
	}
	shares := chain.Shares(s.Stakes, 8)
	for i, z := range chain.FairnessZ(counts, shares) {
		require.Less(t, math.Abs(z), 3.0, "validator %d: %d blocks for stake share %.3f (z = %.2f)", i, counts[i], shares[i], z)
	}
}

// Nothing at stake: validators that sign on both forks keep them alive,
// because a second signature costs nothing; the same validators under
// proof of work must split their power and the forks die young.
func TestNothingAtStakeForksPersist(t *testing.T) {
	var stake, work, honest chain.Branches
	for seed := uint64(1); seed <= 4; seed++ {
		s := quick(150)
		s.Delay = 2 * sim.Second
		s.NothingAtStake = s.Validators
		st, _, _ := run(t, s, seed)
		stake.MeanDepth += st.Branches.MeanDepth / 4
		stake.MaxDepth = max(stake.MaxDepth, st.Branches.MaxDepth)
		s.Lottery = pos.LotteryWork
		st, _, _ = run(t, s, seed)
		work.MeanDepth += st.Branches.MeanDepth / 4
		work.MaxDepth = max(work.MaxDepth, st.Branches.MaxDepth)
		s.NothingAtStake, s.Lottery = 0, ""
		st, _, _ = run(t, s, seed)
		honest.MeanDepth += st.Branches.MeanDepth / 4
		honest.MaxDepth = max(honest.MaxDepth, st.Branches.MaxDepth)
	}
	t.Logf("abandoned branch depth: stake %.2f (max %d), work %.2f (max %d), honest %.2f (max %d)",
		stake.MeanDepth, stake.MaxDepth, work.MeanDepth, work.MaxDepth, honest.MeanDepth, honest.MaxDepth)
	require.Greater(t, stake.MeanDepth, 2*work.MeanDepth)
	require.Greater(t, stake.MaxDepth, 5*work.MaxDepth)
	require.Greater(t, work.MeanDepth, honest.MeanDepth-0.01)
}

// Coin age: minting consumes a validator's coin age and pays interest on
// it, so the chain pays out exactly the interest on the coin-days consumed.
func TestCoinAgeVariantPaysInterest(t *testing.T) {
	s := quick(60)
	s.Validators = 4
	s.Degree = 3
	s.Slot = sim.Hour
	s.F = 0.1
	s.CoinAge = true
	st, _, _ := run(t, s, 1)
	total, days := 0.0, 0.0
	for i := range st.Interest {
		total += st.Interest[i]
		days += st.CoinDays[i]
		require.InDelta(t, pos.Interest(st.CoinDays[i], 0.05), st.Interest[i], 1e-9)
	}
	require.Greater(t, days, 0.0)
	require.InDelta(t, pos.Interest(days, 0.05), total, 1e-9)
}

// The stake-majority attacker reverses any number of confirmations; with
// a minority it rarely does.
func TestStakeMajorityAttacker(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		o := pos.Race{Q: 0.6, Z: 6, Honest: 3}.Run(seed)
		require.True(t, o.Success, "seed %d: 60%% of the stake reverses 6 confirmations", seed)
	}
	wins := 0
	for seed := uint64(1); seed <= 40; seed++ {
		o := pos.Race{Q: 0.1, Z: 6, Honest: 3, GiveUp: 8}.Run(seed)
		require.True(t, o.Success || o.GaveUp)
		if o.Success {
			wins++
		}
	}
	require.LessOrEqual(t, wins, 2)
}

func TestSameSeedSameRun(t *testing.T) {
	s := quick(30)
	s.Delay = 2 * sim.Second
	chaintest.SameSeed(t, run, s)
}

// TestGoldenHash pins one run's trace hash.
func TestGoldenHash(t *testing.T) {
	s := pos.DefaultScenario()
	s.Blocks = 20
	s.Delay = 2 * sim.Second
	st, res, _ := run(t, s, 1)
	chaintest.GoldenRun(t, "pos-seed1.golden", res, fmt.Sprintf("height=%d made=%d forks=%d", st.Height, st.Made, st.Forks), st.TipHash)
}

// property searches delays (bounded by 2 slots) and the lottery seed for a
// run that breaks common prefix at k = 4 or leaves the honest validators
// split, remembering the last failing run.
func property(bug string, last *simtest.Run, forked, reorged *int) func(*rapid.T) {
	return func(t *rapid.T) {
		seed := 1 + rapid.Uint64Range(0, pos.PropertySeeds-1).Draw(t, "lottery seed")
		r := pos.PropertyScenario(bug).Build(seed)
		run := simtest.RunWorld(t, r.Config, nil)
		st := r.Stats(run.Result)
		if st.Forks > 0 {
			*forked++
		}
		if st.Reorgs > 0 {
			*reorged++
		}
		if err := r.Check(run.Result); err != nil {
			*last = run
			t.Fatalf("%v", err)
		}
	}
}

func TestCommonPrefixHoldsWithHonestMajority(t *testing.T) {
	checks := 200
	if testing.Short() {
		checks = 60
	}
	var last simtest.Run
	forked, reorged := 0, 0
	res := simtest.Search(checks, 1, property("", &last, &forked, &reorged))
	require.False(t, res.Failed, res.Report)
	require.GreaterOrEqual(t, forked, checks/2, "runs with a fork")
	require.GreaterOrEqual(t, reorged, checks/2, "runs with a reorganisation")
}

// With the teaching bug a validator never leaves its branch: a fork from
// a slot with two leaders splits the network for good, with (almost) no
// help from the network.
func TestSearchFindsIgnoreForksBug(t *testing.T) {
	var last simtest.Run
	forked, reorged := 0, 0
	res := simtest.Search(100, 1, property("ignore-forks", &last, &forked, &reorged))
	require.True(t, res.Failed)
	require.Contains(t, res.Report, "left the main chain")
	require.LessOrEqual(t, last.NonZero(), 2, "shrunk schedule:\n%s", last.Schedule())
	require.LessOrEqual(t, len(last.Log.Events), 1000)
}

func TestValidateRejectsNonsense(t *testing.T) {
	bad := []func(*pos.Scenario){
		func(s *pos.Scenario) { s.Validators = 0 },
		func(s *pos.Scenario) { s.F = 0 },
		func(s *pos.Scenario) { s.F = 1.5 },
		func(s *pos.Scenario) { s.Slot = 0 },
		func(s *pos.Scenario) { s.Stakes = []float64{1, 2} },
		func(s *pos.Scenario) { s.Duration = sim.Hour },
		func(s *pos.Scenario) { s.Lottery = "luck" },
		func(s *pos.Scenario) { s.NothingAtStake = 17 },
		func(s *pos.Scenario) { s.Bug = "nope" },
	}
	chaintest.RejectsEach(t, pos.DefaultScenario, bad)
}

func ExamplePhi() {
	// The notes' "the more coins, the better the odds" — but not linearly:
	fmt.Printf("f=0.05: 10%% of the stake wins a slot with p=%.5f, 50%% with p=%.5f\n", pos.Phi(0.05, 0.1), pos.Phi(0.05, 0.5))
	// Output: f=0.05: 10% of the stake wins a slot with p=0.00512, 50% with p=0.02532
}
