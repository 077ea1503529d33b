package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/sim/simtest"
)

// cli runs the simulate CLI in-process and returns its output and exit status.
func cli(args ...string) (stdout, stderr string, code int) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return o.String(), e.String(), code
}

// matchGolden compares got with testdata/name; UPDATE_GOLDEN=1 rewrites it.
func matchGolden(t *testing.T, name, got string) {
	t.Helper()
	simtest.Golden(t, name, got)
}

func TestBadInputIsOneLineAndExit2(t *testing.T) {
	t.Parallel()
	requireBadInput(t, [][]string{
		{"--format", "xml", "version"},
		{"no-such-command"},
		{"version", "--no-such-flag"},
		{"nines", "--mttr", "0"},
		{"nines", "--runs", "0"},
		{"nines", "--shard", "3/2", "--out", "x.jsonl"},
		{"nines", "--resume"},
		{"nines", "--mtbf", "soon"},
		{"nines", "--scale", "0"},
		{"nines", "--deadline", "1s"},
		{"replay", "does-not-exist.jsonl"},
		{"render", "--as", "png", "x"},
		{"merge", "does-not-exist.jsonl"},
	})
}

// TestSweepSameForWorkersAndShards: the nines sweep's JSON is byte-identical
// with 1 or 2 workers and when run as two shards merged afterwards.
func TestSweepSameForWorkersAndShards(t *testing.T) {
	t.Parallel()
	args := []string{"nines", "--runs", "6", "--horizon", "5d", "--format", "json"}
	one, _, code := cli(append(args, "--workers", "1")...)
	require.Equal(t, 0, code)
	two, _, code := cli(append(args, "--workers", "2")...)
	require.Equal(t, 0, code)
	require.Equal(t, one, two)

	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	out, errOut, code := cli(append(args, "--shard", "1/2", "--out", a)...)
	require.Equal(t, 0, code, errOut)
	require.Empty(t, out, "a shard prints no table")
	_, errOut, code = cli(append(args, "--shard", "2/2", "--out", b, "--workers", "1")...)
	require.Equal(t, 0, code, errOut)
	merged, errOut, code := cli("merge", a, b, "--format", "json")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, one, merged)

	_, errOut, code = cli("merge", a, "--format", "json")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "3 of 6 runs missing")
}

// TestExperimentPlots: every curve experiment draws its figure with --plot,
// as SVG or PNG by the file name, and rejects any other name before running.
func TestExperimentPlots(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		file string
	}{
		{[]string{"experiment", "double-spend", "--runs", "40", "--needed-runs", "10"}, "ds.svg"},
		{[]string{"experiment", "selfish-mining", "--runs", "2", "--blocks", "300"}, "sm.png"},
		{[]string{"nines", "--runs", "2", "--horizon", "20d"}, "nines.svg"},
	} {
		path := filepath.Join(dir, c.file)
		_, errOut, code := cli(append(c.args, "--plot", path)...)
		require.Equal(t, 0, code, "%v: %s", c.args, errOut)
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		if strings.HasSuffix(c.file, ".png") {
			require.Equal(t, "\x89PNG", string(b[:4]))
		} else {
			require.Contains(t, string(b), "<svg")
		}
		_, errOut, code = cli(append(c.args, "--plot", filepath.Join(dir, "x.jpg"))...)
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
		out, errOut, code := cli("replay", tr)
		require.Equal(t, 0, code, "%v: %s", args, errOut)
		require.Contains(t, out, "matches")
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

// requireBadInput runs each command line and requires what bad input must
// get: exit status 2, nothing on stdout, one line on stderr naming simulate.
func requireBadInput(t *testing.T, cases [][]string) {
	t.Helper()
	for _, args := range cases {
		out, errOut, code := cli(args...)
		require.Equal(t, 2, code, "%v: %s", args, errOut)
		require.Empty(t, out, "%v", args)
		require.Equal(t, 1, strings.Count(errOut, "\n"), "%v: one line, got %q", args, errOut)
		require.True(t, strings.HasPrefix(errOut, "simulate: "), "%v: %q", args, errOut)
	}
}

// requireSameForWorkersAndShards runs an experiment with --workers 1 and 2
// and as two shards merged afterwards, in format, and requires the same
// bytes every way; it returns them.
func requireSameForWorkersAndShards(t *testing.T, format string, args ...string) string {
	t.Helper()
	args = append(append([]string{}, args...), "--format", format)
	one, errOut, code := cli(append(args, "--workers", "1")...)
	require.Equal(t, 0, code, errOut)
	two, errOut, code := cli(append(args, "--workers", "2")...)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, one, two, "--workers 1 and --workers 2 differ")

	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	_, errOut, code = cli(append(args, "--shard", "1/2", "--out", a)...)
	require.Equal(t, 0, code, errOut)
	_, errOut, code = cli(append(args, "--shard", "2/2", "--out", b)...)
	require.Equal(t, 0, code, errOut)
	merged, errOut, code := cli("merge", a, b, "--format", format)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, one, merged, "two merged shards differ from one run")
	return one
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
		_, errOut, code := cli(append(append([]string{}, c.args...), "--out", path)...)
		require.Equal(t, 0, code, errOut)
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		lines := strings.SplitAfter(string(b), "\n")
		i := strings.Index(lines[2], `"result":`)
		require.Positive(t, i, lines[2])
		var rec struct {
			Run int `json:"run"`
		}
		require.NoError(t, json.Unmarshal([]byte(lines[2]), &rec))
		lines[2] = lines[2][:i] + `"result":"damaged"}` + "\n"
		require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644))
		requireBadInput(t, [][]string{{"merge", path}})
		_, errOut, _ = cli("merge", path)
		require.Contains(t, errOut, fmt.Sprintf("run %d: %s", rec.Run, c.what))
	}
}
