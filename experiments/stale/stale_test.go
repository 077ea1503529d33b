package stale

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/experiments/experiment/experimenttest"
	"simulate/protocols/nakamoto"
	"simulate/sim"
)

// sweepRow runs one row over seeds 1..runs on both cores and aggregates it.
func sweepRow(t *testing.T, c Config, runs, blocks int) Row {
	t.Helper()
	return experimenttest.SweepSeeds(t, Params{Rows: []Config{c}, Blocks: blocks}, runs, RunSeed, Summarize)[0]
}

// TestModelHoldsOnItsOwnNetwork: on the network the model describes — a
// complete graph, every block one constant delay from every miner — at
// d/T = 0.02 the simulated stale rate is within 3 standard errors of
// 1 - e^(-d/T). The model is only a first-order approximation of the stale
// fraction (the exact one there is (d/T)/(1+d/T), see Renewal); at this
// ratio the two differ by 0.0002, a fifth of the standard error, so the
// test can hold them to 3 s.e. without that approximation showing.
func TestModelHoldsOnItsOwnNetwork(t *testing.T) {
	c := ideal(0.02)
	r := sweepRow(t, c, 20, 2000)
	t.Logf("d/T=%.4f simulated %.4f ± %.4f, model %.4f, renewal %.4f, %d blocks", r.DelayS/r.IntervalS, r.Simulated, r.StdErr, r.Model, r.Renewal, r.Mined)
	require.Less(t, math.Abs(r.Model-r.Renewal), r.StdErr/3, "the approximation must be below the test's resolution")
	require.Less(t, r.StdErr, 0.1*r.Model, "enough blocks to say something")
	require.InDelta(t, r.Model, r.Simulated, 3*r.StdErr)
	require.InDelta(t, r.Renewal, r.Simulated, 3*r.StdErr)
}

// TestModelOverstatesLongDelays: at d/T = 0.3 the simulated stale rate
// matches the exact (d/T)/(1+d/T) within 3 s.e. and lies far below
// 1 - e^(-d/T): the model is the chance that a block meets at least one
// competitor, while a main-chain block is followed on average by d/T stale
// ones (about 0.225 against 0.255).
func TestModelOverstatesLongDelays(t *testing.T) {
	r := sweepRow(t, ideal(0.3), 20, 2000)
	t.Logf("simulated %.4f ± %.4f, model %.4f, renewal %.4f", r.Simulated, r.StdErr, r.Model, r.Renewal)
	require.InDelta(t, r.Renewal, r.Simulated, 3*r.StdErr)
	require.Greater(t, r.Model-r.Simulated, 10*r.StdErr)
}

// TestModelHoldsOnARandomGraph: with the mean time a block takes to reach
// a miner as its delay, the model also predicts a Bitcoin-like random
// graph whose blocks take seconds per hop, within 3 s.e. — the reason to
// give it that mean rather than the time to reach every node (the last
// column of the CLI table), which would predict half as many again.
func TestModelHoldsOnARandomGraph(t *testing.T) {
	if testing.Short() {
		t.Skip("20k blocks on a 50-node random graph")
	}
	c := bitcoin("test", 1_333_333)
	c.Interval = 300 * sim.Second // a higher rate, so fewer blocks give a sharp test
	r := sweepRow(t, c, 16, 1000)
	t.Logf("d=%.2fs to all %.2fs: simulated %.4f ± %.4f, model %.4f, model with time to all %.4f", r.DelayS, r.PropagationS,
		r.Simulated, r.StdErr, r.Model, -math.Expm1(-r.PropagationS/r.IntervalS))
	require.InDelta(t, r.Model, r.Simulated, 3*r.StdErr)
	require.Greater(t, -math.Expm1(-r.PropagationS/r.IntervalS)-r.Simulated, 3*r.StdErr)
}

func TestEffectiveDelay(t *testing.T) {
	hop := sim.Second
	// A path 0-1-2: distances 1,2 | 1,1 | 2,1 over 9 ordered pairs.
	path := [][]sim.NodeID{{1}, {0, 2}, {1}}
	require.Equal(t, sim.Time(888_888_889), EffectiveDelay(path, hop), "8/9 s, rounded")
	// A complete graph of n: (n-1)/n of a hop.
	require.Equal(t, 49*hop/50, EffectiveDelay(nakamoto.CompleteGraph(50), hop))
	require.Equal(t, sim.Time(0), EffectiveDelay(nil, hop))
}

func TestRatio(t *testing.T) {
	r, se := Ratio([]float64{1, 2, 3}, []float64{10, 20, 30})
	require.InDelta(t, 0.1, r, 1e-12)
	require.InDelta(t, 0, se, 1e-12, "every run has the same ratio")
	r, se = Ratio([]float64{1, 3}, []float64{10, 10})
	require.InDelta(t, 0.2, r, 1e-12)
	require.InDelta(t, 0.1, se, 1e-12, "two runs of 0.1 and 0.3")
	_, se = Ratio([]float64{1}, []float64{10})
	require.Zero(t, se)
}

// TestSameSeedSameOutcome: a run is a function of its row and seed.
func TestSameSeedSameOutcome(t *testing.T) {
	p := DefaultParams()
	p.Blocks = 20
	require.Equal(t, RunSeed(p, 7), RunSeed(p, 7))
	require.NotEqual(t, RunSeed(p, 7), RunSeed(p, 8))
}

func TestDefaultsAreValid(t *testing.T) {
	for _, c := range DefaultParams().Rows {
		require.LessOrEqual(t, c.FullSize(), c.BlockSize, c.Name)
	}
	experimenttest.RequireInvalid(t, DefaultParams,
		func(p *Params) { p.Blocks = 5 },
		func(p *Params) { p.Rows[0].Miners = 1 },
		func(p *Params) { p.Rows[0].BlockSize = 100 },
		func(p *Params) { p.Rows = nil },
	)
}

func TestSummarizeRejectsMalformedRuns(t *testing.T) {
	p := Params{Rows: []Config{ideal(0.01)}, Blocks: 10}
	_, err := Summarize(p, [][]Outcome{{}})
	require.Error(t, err)
	_, err = Summarize(p, [][]Outcome{{{Mined: 3, Stale: 3}}})
	require.Error(t, err)
}

func ExampleModel() {
	for _, x := range []float64{0.01, 0.1, 0.3} {
		d := sim.Time(x * float64(600*sim.Second))
		fmt.Printf("d/T = %.2f: model %.4f, exact on a complete graph %.4f\n", x, Model(d, 600*sim.Second), Renewal(d, 600*sim.Second))
	}
	// Output:
	// d/T = 0.01: model 0.0100, exact on a complete graph 0.0099
	// d/T = 0.10: model 0.0952, exact on a complete graph 0.0909
	// d/T = 0.30: model 0.2592, exact on a complete graph 0.2308
}
