package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNakamotoGolden(t *testing.T) {
	out, errOut, code := cli("nakamoto", "--seed", "1", "--blocks", "20")
	require.Equal(t, 0, code, errOut)
	matchGolden(t, "nakamoto-seed1-blocks20.golden", out)
	again, _, _ := cli("nakamoto", "--seed", "1", "--blocks", "20")
	require.Equal(t, out, again, "same seed, same output")
}

func TestNakamotoRealPoWShowsLeadingZeros(t *testing.T) {
	out, errOut, code := cli("nakamoto", "--blocks", "3", "--miners", "4", "--degree", "2", "--real-pow", "--pow-bits", "12", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var o struct {
		Blocks []struct {
			Zeros int    `json:"leading_zero_bits"`
			Hash  string `json:"hash"`
		} `json:"blocks"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &o))
	require.Len(t, o.Blocks, 3)
	for _, b := range o.Blocks {
		require.GreaterOrEqual(t, b.Zeros, 12)
		require.True(t, strings.HasPrefix(b.Hash, "000"), b.Hash)
	}
}

func TestNakamotoBadInputExit2(t *testing.T) {
	for _, args := range [][]string{
		{"nakamoto", "--miners", "0"},
		{"nakamoto", "--degree", "16"},
		{"nakamoto", "--interval", "0s"},
		{"nakamoto", "--interval", "soon"},
		{"nakamoto", "--block-size", "10"},
		{"nakamoto", "--delay", "-1s"},
		{"nakamoto", "--blocks", "5", "--duration", "1h"},
		{"nakamoto", "--real-pow", "--pow-bits", "60"},
		{"nakamoto", "--retarget", "1"},
		{"nakamoto", "--bug", "nope"},
		{"nakamoto", "--schedule", "x=y"},
		{"nakamoto", "--tx-rate", "-1"},
		{"check", "nakamoto", "--checks", "0"},
		{"experiment", "double-spend", "--runs", "1"},
		{"experiment", "double-spend", "--threshold", "2"},
		{"experiment", "selfish-mining", "--blocks", "0"},
		{"experiment", "selfish-mining", "--honest", "0"},
	} {
		out, errOut, code := cli(args...)
		require.Equal(t, 2, code, "%v: %s", args, errOut)
		require.Empty(t, out, "%v", args)
		require.Equal(t, 1, strings.Count(errOut, "\n"), "%v: one line, got %q", args, errOut)
		require.True(t, strings.HasPrefix(errOut, "simulate: "), errOut)
	}
}

func TestNakamotoDurationAndJSON(t *testing.T) {
	out, errOut, code := cli("nakamoto", "--duration", "3h", "--miners", "8", "--delay", "30s", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var o struct {
		Stats struct {
			Elapsed int64 `json:"elapsed_ns"`
			Height  int   `json:"height"`
		} `json:"stats"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &o))
	require.Equal(t, int64(3*3600e9), o.Stats.Elapsed)
	require.Greater(t, o.Stats.Height, 5)
}

func TestNakamotoTraceReplays(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.jsonl")
	_, errOut, code := cli("nakamoto", "--blocks", "8", "--miners", "6", "--degree", "2", "--delay", "90s", "--jitter", "10s", "--jitter-steps", "3", "--seed", "4", "--trace", path)
	require.Equal(t, 0, code, errOut)
	out, errOut, code := cli("replay", path)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "matches")
	_, errOut, code = cli("nakamoto", "--blocks", "8", "--seed", "4", "--check-determinism")
	require.Equal(t, 0, code, errOut)
}

// The check finds the teaching bug, prints a replay command, and that
// command reproduces the violation.
func TestCheckNakamoto(t *testing.T) {
	out, errOut, code := cli("check", "nakamoto", "--checks", "30")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "held in 30 runs")

	out, errOut, code = cli("check", "nakamoto", "--checks", "200", "--bug", "ignore-forks")
	require.Equal(t, 1, code, errOut)
	m := regexp.MustCompile(`(?m)^replay: simulate (.*)$`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	args := strings.Fields(m[1])
	out, errOut, code = cli(args...)
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, `VIOLATED|all nodes on one tip\s*│\s*no`, out)
}

func TestExperimentsSmall(t *testing.T) {
	a, errOut, code := cli("experiment", "double-spend", "--runs", "40", "--needed-runs", "10", "--workers", "1", "--format", "csv")
	require.Equal(t, 0, code, errOut)
	b, _, _ := cli("experiment", "double-spend", "--runs", "40", "--needed-runs", "10", "--workers", "2", "--format", "csv")
	require.Equal(t, a, b, "output does not depend on --workers")
	require.Contains(t, a, "q,z,simulated")

	a, errOut, code = cli("experiment", "selfish-mining", "--runs", "2", "--blocks", "200", "--workers", "1")
	require.Equal(t, 0, code, errOut)
	b, _, _ = cli("experiment", "selfish-mining", "--runs", "2", "--blocks", "200", "--workers", "2")
	require.Equal(t, a, b)
	require.Contains(t, a, "(1-γ)/(3-2γ)")
}
