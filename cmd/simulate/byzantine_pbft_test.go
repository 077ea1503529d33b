package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestByzantineOnPBFT: the same traitor scenario on PBFT holds with
// n = 3f+1 and breaks with n = 3f, and the JSON has the generals' keys.
func TestByzantineOnPBFT(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("byzantine", "--protocol", "pbft", "--traitors", "1", "--seed", "42", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var r map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	for _, k := range []string{"generals", "traitors", "algorithm", "agreement", "validity", "messages", "decisions"} {
		require.Contains(t, r, k)
	}
	require.Equal(t, true, r["agreement"])
	require.Equal(t, "pbft", r["algorithm"])

	out, errOut, code = cli("byzantine", "--protocol", "pbft", "--generals", "3", "--traitors", "1", "--strategy", "split", "--seed", "1")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "): BROKEN")
	require.Contains(t, out, "n = 3 < 3f+1 = 4")

	_, errOut, code = cli("byzantine", "--protocol", "raft")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "--protocol")
	_, _, code = cli("byzantine", "--protocol", "pbft", "--strategy", "sneaky")
	require.Equal(t, 2, code)
}

// TestByzantinePBFTTraceReplays: the trace of `byzantine --protocol pbft`
// names the run as `simulate pbft` would, so replay reruns it (it used to
// fail to read its own header).
func TestByzantinePBFTTraceReplays(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bp.jsonl")
	_, errOut, code := cli("byzantine", "--protocol", "pbft", "--traitors", "1", "--strategy", "collude", "--seed", "42", "--trace", path)
	require.Equal(t, 0, code, errOut)
	out, errOut, code := cli("replay", path)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "matches")
}
