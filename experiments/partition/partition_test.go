package partition_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/check"
	"simulate/experiments/experiment/experimenttest"
	"simulate/experiments/partition"
	"simulate/sim"
)

func sweep(t *testing.T, p partition.Params, runs int) []partition.Row {
	t.Helper()
	var seeds [][]partition.Outcome
	for seed := uint64(1); seed <= uint64(runs); seed++ {
		seeds = append(seeds, partition.RunSeed(p, seed))
	}
	rows, err := partition.Summarize(p, seeds)
	require.NoError(t, err)
	return rows
}

// The blocks a partition orphans follow the Poisson race: E[min(X, Y)]
// for the two sides' block counts, a little above it for the forks that
// propagation delay adds. The heal always converges, and the deepest
// reorganisation is the losing branch.
func TestOrphanedFollowsThePoissonRace(t *testing.T) {
	p := partition.DefaultParams()
	p.Lengths = []sim.Time{30 * sim.Minute, sim.Hour, 2 * sim.Hour}
	runs := 150
	if testing.Short() {
		runs = 60
	}
	rows := sweep(t, p, runs)
	for i, r := range rows {
		t.Logf("%5.0fs share %.1f: orphaned %.2f ± %.2f, model %.2f; deepest %.2f; k-deep reversed in %.0f%% of runs",
			r.Length, r.Share, r.Orphaned, r.OrphanedSE, r.Model, r.Deepest, 100*r.KReversed)
		require.Equal(t, runs, r.Runs)
		require.Zero(t, r.Diverged, "the honest heal always converges")
		require.InDelta(t, r.Model, r.Orphaned, 4*r.OrphanedSE+0.25, "row %d", i)
		require.GreaterOrEqual(t, r.Orphaned+0.1+2*r.OrphanedSE, r.Model, "the model leaves out natural forks, so it is a floor (within Monte-Carlo error)")
		require.InDelta(t, r.Orphaned, r.Deepest, 0.1, "the losing branch is the deepest reorganisation")
		if i >= 2 {
			require.Greater(t, r.Orphaned, rows[i-2].Orphaned, "longer partitions orphan more")
		}
	}
	// An even split costs more than a lopsided one.
	require.Greater(t, rows[4].Orphaned, rows[5].Orphaned)
	// Per hour of partition, an even split orphans about two blocks.
	require.InDelta(t, 2.0, rows[2].Orphaned, 0.5)
}

// Six confirmations are not final while a partition lasts: after two
// hours split evenly each side has about six blocks, and a transaction
// one side held six deep is often on the branch that loses. Short
// partitions never get there.
func TestKDeepConfirmationsReversedOnlyByLongPartitions(t *testing.T) {
	p := partition.DefaultParams()
	p.Lengths = []sim.Time{30 * sim.Minute, 2 * sim.Hour}
	p.Shares = []float64{0.5}
	rows := sweep(t, p, 80)
	require.Zero(t, rows[0].KReversed)
	require.Greater(t, rows[1].KReversed, 0.1)
}

func TestValidate(t *testing.T) {
	experimenttest.RequireInvalid(t, partition.DefaultParams,
		func(p *partition.Params) { p.Lengths = nil },
		func(p *partition.Params) { p.Lengths = []sim.Time{0} },
		func(p *partition.Params) { p.Lengths = []sim.Time{sim.Hour, sim.Hour} },
		func(p *partition.Params) { p.Shares = []float64{1} },
		func(p *partition.Params) { p.Shares = nil },
		func(p *partition.Params) { p.Miners = 1 },
		func(p *partition.Params) { p.Degree = 40 },
		func(p *partition.Params) { p.TailBlocks = 0 },
		func(p *partition.Params) { p.Start = -1 },
		func(p *partition.Params) { p.K = 0 },
	)
	_, err := partition.Summarize(partition.DefaultParams(), [][]partition.Outcome{{}})
	require.Error(t, err)
}

func TestMeanSE(t *testing.T) {
	m, se := check.MeanSE([]float64{1, 2, 3, 4})
	require.Equal(t, 2.5, m)
	require.InDelta(t, 0.6455, se, 1e-4)
	m, se = check.MeanSE(nil)
	require.Zero(t, m)
	require.Zero(t, se)
}

func ExampleSummarize() {
	p := partition.DefaultParams()
	p.Lengths = []sim.Time{sim.Hour}
	p.Shares = []float64{0.5}
	var seeds [][]partition.Outcome
	for seed := uint64(1); seed <= 40; seed++ {
		seeds = append(seeds, partition.RunSeed(p, seed))
	}
	rows, _ := partition.Summarize(p, seeds)
	r := rows[0]
	fmt.Printf("1h split 50/50: %.1f ± %.1f blocks orphaned (model %.2f), %d of %d runs diverged\n", r.Orphaned, r.OrphanedSE, r.Model, r.Diverged, r.Runs)
	// Output: 1h split 50/50: 2.1 ± 0.2 blocks orphaned (model 2.04), 0 of 40 runs diverged
}
