package compare_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/experiments/compare"
	"simulate/experiments/experiment/experimenttest"
)

// One sweep of 4 seeds serves every test below.
var result = func() compare.Result { return compare.Run(compare.DefaultOptions(), 1, 4, 0) }()

// The notes' throughput line, measured through the nakamoto protocol with
// full blocks: Bitcoin-like parameters give about 7 tx/s, Ethereum-like
// (13 s blocks of 200 transactions) about 15. With 4 runs the measured
// rate scatters by a few tenths (block times are random), so it is held
// to the capacity within 4 of its standard errors (plus 0.15 for the
// stale blocks, which carry nothing), and the capacity to the notes.
func TestThroughputLine(t *testing.T) {
	btc, eth := result.Throughput[0], result.Throughput[1]
	require.InDelta(t, 7, btc.Capacity, 0.5)
	require.InDelta(t, 15, eth.Capacity, 0.5)
	require.InDelta(t, btc.Capacity, btc.TPS, 4*btc.SE+0.15, "Bitcoin-like: %.2f ± %.2f", btc.TPS, btc.SE)
	require.InDelta(t, eth.Capacity, eth.TPS, 4*eth.SE+0.15, "Ethereum-like: %.2f ± %.2f", eth.TPS, eth.SE)
	// Measured throughput stays below the closed-form capacity (stale blocks
	// carry nothing), within a few standard errors.
	require.Less(t, btc.TPS, btc.Capacity+3*btc.SE)
	require.Less(t, eth.TPS, eth.Capacity+3*eth.SE)
}

func TestMechanismsTable(t *testing.T) {
	require.Len(t, result.Mechanisms, 4)
	pow, ps, dp, pt := result.Mechanisms[0], result.Mechanisms[1], result.Mechanisms[2], result.Mechanisms[3]
	require.Equal(t, "PoW", pow.Mechanism)
	require.Greater(t, pow.HashesPerBlock, 3000.0, "about 2^12 hashes a block at the 12-bit target")
	for _, r := range []compare.Row{ps, dp, pt} {
		require.Zero(t, r.Hashes, "%s computes no hashes", r.Mechanism)
	}
	capacity := float64((64_000-80)/250) / 15
	for _, r := range result.Mechanisms {
		// Random block times scatter the measured rate around the capacity.
		require.InDelta(t, capacity*(1-r.ForkRate), r.TPS, 3*r.TPSSE+0.2, "%s: full blocks carry the capacity less forks", r.Mechanism)
		require.Less(t, r.FairnessZ, compare.FairMaxZ(32)+0.5, "%s: producers get their share of power", r.Mechanism)
	}
	require.Equal(t, capacity, dp.TPS, "DPoS loses no block to forks: exactly the capacity")
	require.Zero(t, dp.ForkRate, "delegates take turns: no forks")
	require.Greater(t, dp.Finality, pow.Finality, "15 of 21 delegates take longer than 6 blocks")
	require.Equal(t, 21.0, dp.Producers)
	require.Greater(t, pt.Producers, dp.Producers, "one enclave, one vote spreads blocks widest")
}

// Fairness over many seeds: every producer's share of blocks is within 3
// standard errors of its power, for each of the four mechanisms (8 nodes
// with Zipf stakes, 40 runs of 100 blocks).
func TestFairnessOverManySeeds(t *testing.T) {
	o := compare.DefaultOptions()
	o.Nodes, o.Delegates, o.PoWBits = 8, 5, 1
	o.Blocks = 100
	var samples []compare.Sample
	for seed := uint64(1); seed <= 40; seed++ {
		samples = append(samples, compare.Sample{Mechanisms: compare.Measure4(o, seed)})
	}
	for _, r := range compare.Aggregate(o, samples).Mechanisms {
		require.Less(t, r.FairnessZ, 3.0, "%s", r.Mechanism)
		t.Logf("%s: largest |z| %.2f over 8 producers", r.Mechanism, r.FairnessZ)
	}
}

// Nothing at stake: when signing on both forks is free, forks live on;
// under proof of work's cost they die young.
func TestNothingAtStake(t *testing.T) {
	stake, work, honest := result.NothingAtStake[0], result.NothingAtStake[1], result.NothingAtStake[2]
	require.Greater(t, stake.MeanDepth, 1.5*work.MeanDepth)
	require.Greater(t, stake.MaxDepth, 3*work.MaxDepth)
	require.Greater(t, stake.MeanLife, work.MeanLife)
	require.Greater(t, stake.StaleRate, work.StaleRate)
	require.Less(t, honest.MeanDepth, work.MeanDepth)
}

func TestAttacks(t *testing.T) {
	a := result.Attacks
	require.Equal(t, a[0].Runs, a[0].Succeeded, "a stake majority always wins")
	require.Less(t, a[1].Succeeded, a[1].Runs/10)
	require.Zero(t, a[2].Succeeded, "fewer than 1/3 colluding delegates never revert finality")
	require.Greater(t, a[3].Succeeded, 0, "more than 1/3 do")
}

func TestWorkersDoNotChangeTheResult(t *testing.T) {
	o := compare.DefaultOptions()
	o.Blocks = 20
	o.Races, o.Collusions = 2, 2
	require.Equal(t, compare.Run(o, 7, 2, 1), compare.Run(o, 7, 2, 2))
}

func TestValidate(t *testing.T) {
	experimenttest.RequireInvalid(t, compare.DefaultOptions,
		func(o *compare.Options) { o.Nodes = 2 },
		func(o *compare.Options) { o.Delegates = 40 },
		func(o *compare.Options) { o.Interval = 0 },
		func(o *compare.Options) { o.F = 2 },
		func(o *compare.Options) { o.Degree = 40 },
		func(o *compare.Options) { o.BlockSize = 10 },
	)
}
