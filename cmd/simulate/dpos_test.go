package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDPoSCensorJSON(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("dpos", "--traitors", "12", "--strategy", "censor", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var o struct {
		Stats struct {
			VictimTxs      int64 `json:"victim_txs"`
			VictimIncluded int64 `json:"victim_included"`
			Safety         bool  `json:"safety_holds"`
		} `json:"stats"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &o))
	require.Greater(t, o.Stats.VictimTxs, int64(10))
	require.Zero(t, o.Stats.VictimIncluded, "12 of 21 censors keep the victim out")
}

func TestDPoSTraceReplays(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "run.jsonl")
	_, errOut, code := cli("dpos", "--nodes", "6", "--delegates", "4", "--degree", "5", "--blocks", "12", "--traitors", "2", "--strategy", "equivocate",
		"--slot", "1s", "--jitter", "500ms", "--jitter-steps", "4", "--seed", "3", "--trace", path)
	require.Equal(t, 0, code, errOut)
	out, errOut, code := cli("replay", path)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "matches")
	_, errOut, code = cli("dpos", "--blocks", "30", "--traitors", "3", "--strategy", "offline", "--check-determinism")
	require.Equal(t, 0, code, errOut)
}

// check dpos: one traitor of four cannot revert finality; two can, and the
// printed replay command reproduces the reverted block.
func TestCheckDPoS(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("check", "dpos", "--checks", "60")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "check dpos: no property broke in 60 runs")
	require.Regexp(t, `an equivocation seen +│ [1-9]`, out)

	out, errOut, code = cli("check", "dpos", "--traitors", "2")
	require.Equal(t, 1, code, errOut)
	require.Contains(t, out, "a final block was reverted")
	m := regexp.MustCompile(`(?m)^replay: simulate (.*)$`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	out, errOut, code = cli(shellFields(m[1])...)
	require.Equal(t, 1, code, "a run whose property breaks exits 1: %s", errOut)
	require.Contains(t, out, "VIOLATED")
}

func TestDPoSBadInputExit2(t *testing.T) {
	t.Parallel()
	requireBadInput(t, [][]string{
		{"dpos", "--nodes", "0"},
		{"dpos", "--delegates", "40"},
		{"dpos", "--slot", "0s"},
		{"dpos", "--traitors", "3"},
		{"dpos", "--traitors", "3", "--strategy", "bribe"},
		{"dpos", "--traitors", "30", "--strategy", "offline"},
		{"dpos", "--stakes", "1,2,3"},
		{"dpos", "--bug", "nope"},
		{"dpos", "--blocks", "0"},
		{"dpos", "--offline-at", "-1s"},
		{"check", "dpos", "--checks", "0"},
		{"check", "dpos", "--delegates", "1"},
		{"check", "dpos", "--traitors", "9"},
	})
}
