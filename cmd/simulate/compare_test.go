package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// The golden comparison: the default command for seed 1, in Markdown.
func TestCompareGoldenMarkdown(t *testing.T) {
	t.Parallel()
	matchGolden(t, "compare-seed1.md.golden", requireRun(t, "consensus", "compare", "--format", "markdown", "--seed", "1"))
}

func TestCompareJSONAndWorkers(t *testing.T) {
	t.Parallel()
	a := requireSameForWorkersAndShards(t, "json", "consensus", "compare", "--runs", "2", "--blocks", "20", "--races", "2", "--collusions", "2")
	var o struct {
		Mechanisms []map[string]any `json:"mechanisms"`
	}
	require.NoError(t, json.Unmarshal([]byte(a), &o))
	requireRows(t, o.Mechanisms, 4, "mechanism", "tps", "fork_rate", "finality_seconds", "hashes", "gini", "producers")
	require.Equal(t, "PoW", o.Mechanisms[0]["mechanism"])
	require.Greater(t, o.Mechanisms[0]["hashes"].(float64), 0.0)
	require.Zero(t, o.Mechanisms[1]["hashes"].(float64))
}

// Shards merge into the table a single run prints, in CSV, whatever the
// workers.
func TestCompareShardsMerge(t *testing.T) {
	t.Parallel()
	requireSameForWorkersAndShards(t, "csv", "consensus", "compare", "--runs", "2", "--blocks", "20", "--races", "1", "--collusions", "1")
}
