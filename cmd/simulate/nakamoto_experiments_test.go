package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Small sweeps of the two proof-of-work experiments: a few runs, short
// second table, short runs.
var (
	doubleSpendSmall = []string{"nakamoto", "doublespend", "--runs", "30", "--needed-runs", "10", "--threshold", "0.01"}
	selfishSmall     = []string{"nakamoto", "selfish", "--runs", "4", "--blocks", "300", "--alpha", "0.1,0.25,0.35,0.45"}
)

// TestNakamotoExperimentsJSON: the documented keys of every row.
func TestNakamotoExperimentsJSON(t *testing.T) {
	t.Parallel()
	var ds struct {
		Runs          int              `json:"runs"`
		Probabilities []map[string]any `json:"probabilities"`
		Needed        []map[string]any `json:"needed"`
	}
	requireJSON(t, &ds, doubleSpendSmall...)
	require.Equal(t, 30, ds.Runs)
	requireRows(t, ds.Probabilities, 22, "q", "z", "simulated", "stderr", "whitepaper", "exact", "runs")
	require.Len(t, ds.Needed, 8)
	for _, r := range ds.Probabilities {
		require.NotContains(t, r, "p")
		require.EqualValues(t, 30, r["runs"])
	}
	require.EqualValues(t, 10, ds.Needed[0]["at_z_exact"].(map[string]any)["runs"])

	var sm struct {
		Runs       int              `json:"runs"`
		Revenue    []map[string]any `json:"revenue"`
		Thresholds []map[string]any `json:"thresholds"`
	}
	requireJSON(t, &sm, selfishSmall...)
	require.Equal(t, 4, sm.Runs)
	requireRows(t, sm.Revenue, 12, "alpha", "gamma", "simulated", "stderr", "analytic", "runs")
	require.Len(t, sm.Thresholds, 3)
	for _, r := range sm.Revenue {
		require.NotContains(t, r, "closed_form")
	}
	require.Contains(t, sm.Thresholds[0], "analytic")
}

// TestNakamotoExperimentsWorkersAndShards: the same JSON with 1 or 2
// workers, and from two shards merged, for both experiments.
func TestNakamotoExperimentsWorkersAndShards(t *testing.T) {
	t.Parallel()
	for _, base := range [][]string{doubleSpendSmall, selfishSmall} {
		// The table too: merge prints what the sweep prints.
		for _, format := range []string{"json", "table"} {
			requireSameForWorkersAndShards(t, format, base...)
		}
	}
}

// TestNakamotoExperimentsResume: a results file cut short (the sweep was
// killed mid-line) is finished by --resume, which prints what an
// uninterrupted sweep prints and leaves every run in the file.
func TestNakamotoExperimentsResume(t *testing.T) {
	t.Parallel()
	for _, base := range [][]string{doubleSpendSmall, selfishSmall} {
		dir := t.TempDir()
		path := filepath.Join(dir, "sweep.jsonl")
		full := requireRun(t, append(base, "--out", path)...)
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		lines := strings.SplitAfter(string(data), "\n")
		runs := len(lines) - 2 // a header, and "" after the last newline
		require.Greater(t, runs, 3)
		// The header, the first runs, and half of the next line.
		cut := strings.Join(lines[:3], "") + lines[3][:len(lines[3])/2]
		require.NoError(t, os.WriteFile(path, []byte(cut), 0o644))

		resumed := requireRun(t, append(base, "--out", path, "--resume")...)
		require.Equal(t, full, resumed, "%v", base)
		data, err = os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, runs+1, strings.Count(string(data), "\n"), "every run is in the file again")
		require.Equal(t, full, requireRun(t, "merge", path))

		// A different sweep does not resume this file.
		_, errOut, code := cli(append(base, "--out", path, "--resume", "--seed", "2")...)
		require.Equal(t, 2, code)
		require.Contains(t, errOut, "different sweep")
	}
}

// TestNakamotoExperimentAliases: the names the docs cite still run, print
// the same thing and write the same results files.
func TestNakamotoExperimentAliases(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ alias, name []string }{
		{[]string{"experiment", "double-spend"}, []string{"nakamoto", "doublespend"}},
		{[]string{"experiment", "selfish-mining"}, []string{"nakamoto", "selfish"}},
	} {
		var rest []string
		for _, base := range [][]string{doubleSpendSmall, selfishSmall} {
			if base[1] == c.name[1] {
				rest = base[2:]
			}
		}
		want := requireRun(t, append(c.name, rest...)...)
		require.Equal(t, want, requireRun(t, append(c.alias, rest...)...), "%v", c.alias)

		dir := t.TempDir()
		a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
		requireRun(t, append(append(c.alias, rest...), "--shard", "1/2", "--out", a)...)
		requireRun(t, append(append(c.name, rest...), "--shard", "2/2", "--out", b)...)
		require.Equal(t, want, requireRun(t, "merge", a, b), "an alias's shard merges with the new name's")
	}
	help := requireRun(t, "experiment", "--help")
	require.Contains(t, help, "Alias of `simulate nakamoto doublespend`")
	require.Contains(t, help, "Alias of `simulate nakamoto selfish`")
	help = requireRun(t, "nakamoto", "--help")
	require.Contains(t, help, "doublespend")
	require.Contains(t, help, "selfish")
}
