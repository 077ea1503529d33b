package throughput

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/experiments/experiment/experimenttest"
)

// sweepRow runs one row over seeds 1..runs on every core and aggregates it.
func sweepRow(t *testing.T, c Config, runs, blocks int) Row {
	t.Helper()
	return experimenttest.SweepSeeds(t, Params{Rows: []Config{c}, Blocks: blocks}, runs, RunSeed, Summarize)[0]
}

// TestBitcoinMatchesTheFormula: 1 MB blocks of 250-byte transactions every
// 600 s, full, on a network where almost no block goes stale, confirm
// 3999/600 = 6.665 tx/s within 3 standard errors (about 1 %, the Poisson
// noise of 8,000 block times).
func TestBitcoinMatchesTheFormula(t *testing.T) {
	r := sweepRow(t, DefaultParams().Rows[0], 16, 500)
	t.Logf("simulated %.3f ± %.3f tx/s, formula %.3f, stale %.4f", r.TPSSimulated, r.StdErr, r.TPSFormula, r.StaleRate)
	require.InDelta(t, 6.665, r.TPSFormula, 0.001)
	require.Less(t, r.StdErr, 0.02*r.TPSFormula)
	require.InDelta(t, r.TPSFormula, r.TPSSimulated, 3*r.StdErr)
	require.Less(t, r.StaleRate, 0.005)
}

// TestStaleBlocksCostThroughput: 32 MB blocks on 5 Mbit/s links take 51 s
// a hop, so many go stale; the main chain then confirms the formula's
// rate times (1 - stale rate), within 3 s.e., well below the formula.
func TestStaleBlocksCostThroughput(t *testing.T) {
	c := DefaultParams().Rows[3]
	c.Bandwidth = 5_000_000
	r := sweepRow(t, c, 16, 300)
	want := r.TPSFormula * (1 - r.StaleRate)
	t.Logf("simulated %.1f ± %.1f tx/s, formula %.1f, stale %.3f, formula×(1-stale) %.1f", r.TPSSimulated, r.StdErr, r.TPSFormula, r.StaleRate, want)
	require.Greater(t, r.StaleRate, 0.1)
	require.InDelta(t, want, r.TPSSimulated, 3*r.StdErr+r.TPSFormula*3*r.StaleStdErr)
	require.Greater(t, r.TPSFormula-r.TPSSimulated, 3*r.StdErr)
}

func TestDefaultsAreValid(t *testing.T) {
	experimenttest.RequireInvalid(t, DefaultParams,
		func(p *Params) { p.Blocks = 0 },
		func(p *Params) { p.Rows[0].TxSize = 0 },
		func(p *Params) { p.Rows[0].BlockSize, p.Rows[0].Interval = 1_000_000_000, 1e9 }, // 4 M tx/s: beyond the transaction stream
		func(p *Params) { p.Rows = nil },
	)
}

func TestSameSeedSameOutcome(t *testing.T) {
	p := DefaultParams()
	p.Blocks = 20
	require.Equal(t, RunSeed(p, 3), RunSeed(p, 3))
}

func ExampleConfig_Formula() {
	for _, c := range DefaultParams().Rows {
		fmt.Printf("%-22s %6d txs a block, %7.2f tx/s\n", c.Name, c.Capacity(), c.Formula())
	}
	// Output:
	// Bitcoin                  3999 txs a block,    6.67 tx/s
	// Bitcoin, 500-byte txs    1999 txs a block,    3.33 tx/s
	// 4 MB blocks             15999 txs a block,   26.66 tx/s
	// Bitcoin Cash, 32 MB    127999 txs a block,  213.33 tx/s
	// Litecoin                 3999 txs a block,   26.66 tx/s
	// Ethereum-like             224 txs a block,   14.93 tx/s
}
