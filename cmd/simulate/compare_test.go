package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The golden comparison: the default command for seed 1, in Markdown.
func TestCompareGoldenMarkdown(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("consensus", "compare", "--format", "markdown", "--seed", "1")
	require.Equal(t, 0, code, errOut)
	matchGolden(t, "compare-seed1.md.golden", out)
}

func TestCompareJSONAndWorkers(t *testing.T) {
	t.Parallel()
	args := []string{"consensus", "compare", "--runs", "2", "--blocks", "20", "--races", "2", "--collusions", "2", "--format", "json"}
	a, errOut, code := cli(append(args, "--workers", "1")...)
	require.Equal(t, 0, code, errOut)
	b, _, _ := cli(append(args, "--workers", "2")...)
	require.Equal(t, a, b, "output does not depend on --workers")
	var o struct {
		Mechanisms []map[string]any `json:"mechanisms"`
	}
	require.NoError(t, json.Unmarshal([]byte(a), &o))
	require.Len(t, o.Mechanisms, 4)
	for _, m := range o.Mechanisms {
		for _, k := range []string{"mechanism", "tps", "fork_rate", "finality_seconds", "hashes", "gini", "producers"} {
			require.Contains(t, m, k)
		}
	}
	require.Equal(t, "PoW", o.Mechanisms[0]["mechanism"])
	require.Greater(t, o.Mechanisms[0]["hashes"].(float64), 0.0)
	require.Zero(t, o.Mechanisms[1]["hashes"].(float64))
}

// Shards merge into the table a single run prints.
func TestCompareShardsMerge(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	args := []string{"consensus", "compare", "--runs", "2", "--blocks", "20", "--races", "1", "--collusions", "1", "--format", "csv"}
	whole, errOut, code := cli(args...)
	require.Equal(t, 0, code, errOut)
	var files []string
	for _, k := range []string{"1/2", "2/2"} {
		f := filepath.Join(dir, strings.Replace(k, "/", "of", 1)+".jsonl")
		_, errOut, code := cli(append(args, "--shard", k, "--out", f)...)
		require.Equal(t, 0, code, errOut)
		files = append(files, f)
	}
	merged, errOut, code := cli(append([]string{"merge", "--format", "csv"}, files...)...)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, whole, merged)
}
