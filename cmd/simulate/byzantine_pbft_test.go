package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestByzantineOnPBFT: the same traitor scenario on PBFT holds with
// n = 3f+1 and breaks with n = 3f, and the JSON has the generals' keys.
func TestByzantineOnPBFT(t *testing.T) {
	t.Parallel()
	var r map[string]any
	requireJSON(t, &r, "byzantine", "--protocol", "pbft", "--traitors", "1", "--seed", "42")
	requireKeys(t, r, "generals", "traitors", "algorithm", "agreement", "validity", "messages", "decisions")
	require.Equal(t, true, r["agreement"])
	require.Equal(t, "pbft", r["algorithm"])

	out := requireRun(t, "byzantine", "--protocol", "pbft", "--generals", "3", "--traitors", "1", "--strategy", "split", "--seed", "1")
	require.Contains(t, out, "): BROKEN")
	require.Contains(t, out, "n = 3 < 3f+1 = 4")

	_, errOut, code := cli("byzantine", "--protocol", "raft")
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
	requireRun(t, "byzantine", "--protocol", "pbft", "--traitors", "1", "--strategy", "collude", "--seed", "42", "--trace", path)
	requireReplayMatches(t, path)
}
