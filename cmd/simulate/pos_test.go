package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPoSNothingAtStakeAndCoinAgeJSON(t *testing.T) {
	t.Parallel()
	var o struct {
		Stats struct {
			Branches struct {
				MaxDepth int `json:"max_depth"`
			} `json:"abandoned_branches"`
			Interest []float64 `json:"interest"`
		} `json:"stats"`
	}
	depth := map[string]int{}
	for _, lot := range []string{"stake", "work"} {
		out, errOut, code := cli("pos", "--blocks", "80", "--delay", "2s", "--nothing-at-stake", "16", "--lottery", lot, "--format", "json")
		require.Equal(t, 0, code, errOut)
		require.NoError(t, json.Unmarshal([]byte(out), &o))
		depth[lot] = o.Stats.Branches.MaxDepth
	}
	require.Greater(t, depth["stake"], 3*depth["work"], "forks live on when signing both is free: %v", depth)

	out, errOut, code := cli("pos", "--blocks", "20", "--validators", "4", "--degree", "3", "--slot", "1h", "--f", "0.1", "--coin-age", "--format", "json")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, json.Unmarshal([]byte(out), &o))
	require.Len(t, o.Stats.Interest, 4)
}

func TestPoSTraceReplays(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "run.jsonl")
	_, errOut, code := cli("pos", "--blocks", "8", "--validators", "5", "--degree", "2", "--delay", "2s", "--jitter", "1s", "--jitter-steps", "3", "--seed", "4", "--trace", path)
	require.Equal(t, 0, code, errOut)
	out, errOut, code := cli("replay", path)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "matches")
	_, errOut, code = cli("pos", "--blocks", "8", "--seed", "4", "--check-determinism")
	require.Equal(t, 0, code, errOut)
}

// The check holds for honest proof of stake, finds the teaching bug, and
// prints a replay command that reproduces the split.
func TestCheckPoS(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("check", "pos", "--checks", "30")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "check pos: no property broke in 30 runs")
	require.Regexp(t, `a fork +│ [1-9]`, out)

	out, errOut, code = cli("check", "pos", "--checks", "50", "--bug", "ignore-forks")
	require.Equal(t, 1, code, errOut)
	m := regexp.MustCompile(`(?m)^replay: simulate (.*)$`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	out, errOut, code = cli(shellFields(m[1])...)
	require.Equal(t, 1, code, "a run whose property breaks exits 1: %s", errOut)
	require.Contains(t, out, "VIOLATED")
	require.Contains(t, errOut, "branch that left the main chain", "the replay shows the same violation")
}

func TestPoSBadInputExit2(t *testing.T) {
	t.Parallel()
	requireBadInput(t, [][]string{
		{"pos", "--validators", "0"},
		{"pos", "--f", "0"},
		{"pos", "--f", "2"},
		{"pos", "--slot", "0s"},
		{"pos", "--stakes", "1,2"},
		{"pos", "--stakes", "lots"},
		{"pos", "--lottery", "luck"},
		{"pos", "--nothing-at-stake", "99"},
		{"pos", "--blocks", "5", "--duration", "1h"},
		{"pos", "--bug", "nope"},
		{"pos", "--schedule", "x"},
		{"pos", "--degree", "16"},
		{"check", "pos", "--checks", "0"},
		{"check", "pos", "--bug", "nope"},
	})
}
