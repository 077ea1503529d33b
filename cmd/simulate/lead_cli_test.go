package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSweepSameForWorkersAndShards: the nines sweep's JSON is byte-identical
// with 1 or 2 workers and when run as two shards merged afterwards.
func TestSweepSameForWorkersAndShards(t *testing.T) {
	t.Parallel()
	args := []string{"nines", "--runs", "6", "--horizon", "5d"}
	requireSameForWorkersAndShards(t, "json", args...)

	a := filepath.Join(t.TempDir(), "a.jsonl")
	requireRun(t, append(args, "--shard", "1/2", "--out", a)...)
	_, errOut, code := cli("merge", a, "--format", "json")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "3 of 6 runs missing")
}

// TestExperimentPlots: every curve experiment draws its figure with --plot,
// as SVG or PNG by the file name, says where on stderr, and rejects any
// other name before running.
func TestExperimentPlots(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		file string
		// inFigure is in the drawn figure, notInOut not in the tables
		// printed beside it.
		inFigure, notInOut string
	}{
		{[]string{"experiment", "double-spend", "--runs", "40", "--needed-runs", "10"}, "ds.svg", "", ""},
		{[]string{"experiment", "selfish-mining", "--runs", "2", "--blocks", "300"}, "sm.png", "", ""},
		{[]string{"nines", "--runs", "2", "--horizon", "20d"}, "nines.svg", "", ""},
		// --needed-runs 0 leaves the second table out.
		{append(doubleSpendSmall, "--q", "0.2,0.3,0.4", "--needed-runs", "0"), "ds-q.svg", "q=0.40", "Confirmations z"},
		{append(selfishSmall, "--delay", "30s"), "sm-delay.png", "", ""},
	} {
		figure, out := requirePlot(t, filepath.Join(dir, c.file), c.args...)
		require.Contains(t, figure, c.inFigure, "%v", c.args)
		if c.notInOut != "" {
			require.NotContains(t, out, c.notInOut, "%v", c.args)
		}
		_, errOut, code := cli(append(append([]string{}, c.args...), "--plot", filepath.Join(dir, "x.jpg"))...)
		require.Equal(t, 2, code, errOut)
	}
}

// TestCheckCounterexamplesReplayAndDraw: every check that finds a violation
// writes the counterexample's trace (which simulate replay reruns byte for
// byte) and its step-through viewer, and exits 1.
func TestCheckCounterexamplesReplayAndDraw(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, args := range [][]string{
		{"check", "byzantine", "--generals", "3", "--traitors", "1"},
		{"check", "paxos", "--bug", "no-adopt"},
		{"check", "pbft", "--replicas", "3", "--traitors", "1"},
		{"check", "nakamoto", "--bug", "ignore-forks"},
		{"check", "dpos", "--traitors", "2", "--delegates", "4"},
	} {
		tr, html := filepath.Join(dir, args[1]+".jsonl"), filepath.Join(dir, args[1]+".html")
		_, errOut, code := cli(append(args, "--trace", tr, "--diagram", html)...)
		require.Equal(t, 1, code, "%v: %s", args, errOut)
		out := requireReplayMatches(t, tr)
		b, err := os.ReadFile(html)
		require.NoError(t, err)
		require.Contains(t, string(b), "jump-violation")
		// The checker's verdict is in the trace's footer and the viewer
		// has somewhere to jump.
		tb, err := os.ReadFile(tr)
		require.NoError(t, err)
		require.Contains(t, string(tb), `"violation":{"property":`, "%v", args)
		require.NotContains(t, string(b), `"violation":-1`, "%v", args)
		require.Contains(t, string(b), "violated: ", "%v", args)
		require.Contains(t, out, "the recording is a counterexample: ", "%v", args)
	}
}

// TestMergeRejectsDamagedRecords: a results file whose record no longer
// decodes (a shard cut or edited by hand) is bad input for merge: exit 2,
// one line naming the run, for every experiment's aggregator.
func TestMergeRejectsDamagedRecords(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		what string
	}{
		{[]string{"nakamoto", "stale", "--runs", "2", "--blocks", "20"}, "malformed nakamoto-stale result"},
		{[]string{"nakamoto", "selfish", "--runs", "2", "--blocks", "300"}, "malformed nakamoto-selfish result"},
		{capSmall, "malformed cap result"},
	} {
		path := filepath.Join(dir, c.args[len(c.args)-1]+".jsonl")
		requireRun(t, append(append([]string{}, c.args...), "--out", path)...)
		run := replaceResult(t, path, path, 2, `"damaged"`)
		requireBadInput(t, [][]string{{"merge", path}})
		_, errOut, _ := cli("merge", path)
		require.Contains(t, errOut, fmt.Sprintf("run %d: %s", run, c.what))
	}
}
