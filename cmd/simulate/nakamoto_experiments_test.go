package main

import (
	"encoding/json"
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

// TestNakamotoExperimentsJSON: the documented keys of every row of both
// experiments' tables, the runs they record, and no row keeping a key
// that was renamed (p, closed_form).
func TestNakamotoExperimentsJSON(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		runs int
		// table is the key of the main table, with n rows each holding
		// keys and none holding gone; second is the other table's key,
		// with n2 rows. more checks what is particular to the experiment.
		table  string
		n      int
		keys   []string
		gone   string
		second string
		n2     int
		more   func(t *testing.T, rows, second []map[string]any)
	}{
		{doubleSpendSmall, 30, "probabilities", 22, []string{"q", "z", "simulated", "stderr", "whitepaper", "exact", "runs"}, "p", "needed", 8,
			func(t *testing.T, rows, needed []map[string]any) {
				for _, r := range rows {
					require.EqualValues(t, 30, r["runs"])
				}
				require.EqualValues(t, 10, needed[0]["at_z_exact"].(map[string]any)["runs"])
			}},
		{selfishSmall, 4, "revenue", 12, []string{"alpha", "gamma", "simulated", "stderr", "analytic", "runs"}, "closed_form", "thresholds", 3,
			func(t *testing.T, _, thresholds []map[string]any) {
				require.Contains(t, thresholds[0], "analytic")
			}},
	} {
		var doc map[string]json.RawMessage
		requireJSON(t, &doc, c.args...)
		var runs int
		var rows, second []map[string]any
		require.NoError(t, json.Unmarshal(doc["runs"], &runs), "%v", c.args)
		require.NoError(t, json.Unmarshal(doc[c.table], &rows), "%v", c.args)
		require.NoError(t, json.Unmarshal(doc[c.second], &second), "%v", c.args)
		require.Equal(t, c.runs, runs)
		requireRows(t, rows, c.n, c.keys...)
		require.Len(t, second, c.n2)
		for _, r := range rows {
			require.NotContains(t, r, c.gone)
		}
		c.more(t, rows, second)
	}
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
