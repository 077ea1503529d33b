package main

import (
	"encoding/json"
	"os"
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
	out, errOut, code := cli(append(partitionSmall, "--format", "json")...)
	require.Equal(t, 0, code, errOut)
	var doc struct {
		Runs int              `json:"runs"`
		Rows []map[string]any `json:"rows"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Equal(t, 30, doc.Runs)
	require.Len(t, doc.Rows, 4)
	for _, r := range doc.Rows {
		for _, k := range []string{"length_s", "share", "orphaned", "orphaned_se", "model", "deepest_reorg", "txs_reversed", "txs_returned", "converge_s", "k_deep_reversed", "diverged"} {
			require.Contains(t, r, k)
		}
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
	path := filepath.Join(t.TempDir(), "partition.svg")
	_, errOut, code := cli("nakamoto", "partition", "--lengths", "10m,1h", "--runs", "5", "--plot", path)
	require.Equal(t, 0, code, errOut)
	svg, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(svg), "<svg")
	require.Contains(t, string(svg), "model")
}
