package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// partitionSmall is a small partition sweep: two lengths, the default
// 50/50 and 70/30 splits, 30 seeds.
var partitionSmall = []string{"nakamoto", "partition", "--lengths", "30m,2h", "--runs", "30"}

// The JSON has one row per length and share with the documented keys,
// and the numbers tell the story: longer partitions orphan more, beside
// the model, and only long ones reverse 6-deep confirmations.
func TestNakamotoPartitionExperimentJSON(t *testing.T) {
	t.Parallel()
	var doc sweepRows
	requireJSON(t, &doc, partitionSmall...)
	require.Equal(t, 30, doc.Runs)
	requireRows(t, doc.Rows, 4, "length_s", "share", "orphaned", "orphaned_se", "model", "deepest_reorg", "txs_reversed", "txs_returned", "converge_s", "k_deep_reversed", "diverged")
	for _, r := range doc.Rows {
		require.EqualValues(t, 0, r["diverged"])
		require.InDelta(t, r["model"].(float64), r["orphaned"].(float64), 4*r["orphaned_se"].(float64)+0.3)
	}
	require.Equal(t, 7200.0, doc.Rows[2]["length_s"])
	require.Greater(t, doc.Rows[2]["orphaned"].(float64), doc.Rows[0]["orphaned"].(float64))
	require.Zero(t, doc.Rows[0]["k_deep_reversed"])
	require.Greater(t, doc.Rows[2]["k_deep_reversed"].(float64), 0.0)
}

// The same table with 1 or 2 workers, and from two shards merged.
func TestNakamotoPartitionWorkersAndShardsDoNotMatter(t *testing.T) {
	t.Parallel()
	requireSameForWorkersAndShards(t, "csv", partitionSmall...)
}

func TestNakamotoPartitionPlot(t *testing.T) {
	t.Parallel()
	svg, _ := requirePlot(t, filepath.Join(t.TempDir(), "partition.svg"), "nakamoto", "partition", "--lengths", "10m,1h", "--runs", "5")
	require.Contains(t, svg, "model")
}
