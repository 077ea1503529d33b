package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Small sweeps: every default row, 3 runs of 30 blocks.
var (
	staleSmall      = []string{"nakamoto", "stale", "--runs", "3", "--blocks", "30"}
	throughputSmall = []string{"nakamoto", "throughput", "--runs", "3", "--blocks", "30"}
)

// TestNakamotoStaleJSON: one row per default network with the documented
// keys; the model is the formula of the row's own delay.
func TestNakamotoStaleJSON(t *testing.T) {
	t.Parallel()
	var doc sweepRows
	requireJSON(t, &doc, staleSmall...)
	require.Equal(t, 3, doc.Runs)
	requireRows(t, doc.Rows, 12, "name", "group", "interval_s", "delay_s", "hop_s", "propagation_s", "simulated", "stderr", "model",
		"model_renewal", "published", "runs", "blocks_mined", "stale_blocks", "block_size", "miners", "degree", "complete_graph")
	for _, r := range doc.Rows {
		x := r["delay_s"].(float64) / r["interval_s"].(float64)
		require.InDelta(t, 1-math.Exp(-x), r["model"].(float64), 1e-6, r["name"])
	}
	require.Equal(t, 600.0, doc.Rows[4]["interval_s"])
	pub := doc.Rows[7]["published"].([]any)[0].(map[string]any)
	require.Equal(t, 0.0169, pub["rate"])
}

func TestNakamotoThroughputJSON(t *testing.T) {
	t.Parallel()
	var doc sweepRows
	requireJSON(t, &doc, throughputSmall...)
	requireRows(t, doc.Rows, 6, "name", "interval_s", "block_size", "tx_size", "txs_per_block", "tps_simulated", "stderr",
		"tps_formula", "published", "stale_rate", "stale_stderr", "runs")
	require.InDelta(t, 3999.0/600, doc.Rows[0]["tps_formula"], 1e-9)
	require.Equal(t, 7.0, doc.Rows[0]["published"].(map[string]any)["tps"])
	require.Nil(t, doc.Rows[3]["published"])
}

// TestNakamotoRatesWorkersAndShardsDoNotMatter: the same JSON with 1 or 2
// workers, and from two shards merged, for both experiments.
func TestNakamotoRatesWorkersAndShardsDoNotMatter(t *testing.T) {
	t.Parallel()
	requireSameForWorkersAndShards(t, "json", staleSmall...)
	requireSameForWorkersAndShards(t, "json", throughputSmall...)
}

// TestNakamotoStaleCustomRows: --interval × --delay replaces the rows; the
// same ratio d/T gives the same runs whatever the time unit (the kernel's
// exponential draws scale with the interval).
func TestNakamotoStaleCustomRows(t *testing.T) {
	t.Parallel()
	var doc sweepRows
	requireJSON(t, &doc, "nakamoto", "stale", "--interval", "600s,60s", "--delay", "60s,6s", "--runs", "2", "--blocks", "40")
	require.Len(t, doc.Rows, 4) // 600s/60s, 600s/6s, 60s/60s, 60s/6s
	require.Equal(t, true, doc.Rows[0]["complete_graph"])
	require.Equal(t, doc.Rows[3]["simulated"], doc.Rows[0]["simulated"], "d/T = 0.1 both")
	require.NotEqual(t, doc.Rows[1]["simulated"], doc.Rows[0]["simulated"])

	out := requireRun(t, "nakamoto", "throughput", "--interval", "60s", "--block-size", "1000000,2000000", "--runs", "2", "--blocks", "20", "--format", "csv")
	require.Contains(t, out, "2 MB every 60.00 s")
}

func TestNakamotoStalePlot(t *testing.T) {
	t.Parallel()
	svg, _ := requirePlot(t, filepath.Join(t.TempDir(), "stale.svg"), "nakamoto", "stale", "--runs", "2", "--blocks", "20")
	require.Contains(t, svg, "published")
}

// TestNakamotoRatesCustomRowsPublishNothing: a custom row is no real
// chain, so it prints no published rate, after a run and after a merge
// alike. Parameters decoded over the default rows (as json reuses a
// slice's elements) would keep the published figure of the default row
// each custom row lands on.
func TestNakamotoRatesCustomRowsPublishNothing(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"nakamoto", "stale", "--interval", "60s,600s,10s", "--delay", "1s,6s,2s", "--runs", "2", "--blocks", "10"},
		{"nakamoto", "throughput", "--interval", "60s,600s", "--block-size", "8000,1000000", "--runs", "2", "--blocks", "10"},
	} {
		out := requireSameForWorkersAndShards(t, "json", args...)
		var doc sweepRows
		require.NoError(t, json.Unmarshal([]byte(out), &doc))
		require.Len(t, doc.Rows, map[string]int{"stale": 9, "throughput": 4}[args[1]])
		for _, r := range doc.Rows {
			require.Empty(t, r["published"], r["name"])
		}
	}
}

// TestNakamotoRatesTitleNamesTheSweepSeed: the tables' titles name the
// sweep's --seed, after a run and after a merge of its shards (whose
// table is the sweep's, not merge's default --seed).
func TestNakamotoRatesTitleNamesTheSweepSeed(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"stale", "throughput"} {
		out := requireSameForWorkersAndShards(t, "table", "nakamoto", name, "--runs", "2", "--blocks", "10", "--seed", "5")
		require.Contains(t, strings.SplitN(out, "\n", 2)[0], "seed 5")
	}
}

// TestNakamotoSweepsHelp: --plot says what each figure draws, and the
// sweep without a figure has no --plot.
func TestNakamotoSweepsHelp(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, plot string }{
		{"stale", "also draw the stale rate against delay/interval, beside the formulas, to this .svg or .png file"},
		{"partition", "also draw orphaned blocks against partition length, simulated beside the model, to this .svg or .png file"},
		{"throughput", ""},
	} {
		out := requireRun(t, "nakamoto", c.name, "--help")
		if c.plot == "" {
			require.NotContains(t, out, "--plot")
			continue
		}
		require.Regexp(t, `--plot string +`+regexp.QuoteMeta(c.plot)+"\n", out)
	}
}
