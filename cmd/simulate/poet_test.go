package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPoETTraceReplays(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "run.jsonl")
	_, errOut, code := cli("poet", "--blocks", "8", "--validators", "5", "--degree", "2", "--delay", "3s", "--jitter", "1s", "--jitter-steps", "3", "--seed", "2", "--trace", path)
	require.Equal(t, 0, code, errOut)
	out, errOut, code := cli("replay", path)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "matches")
	_, errOut, code = cli("poet", "--blocks", "8", "--seed", "2", "--check-determinism")
	require.Equal(t, 0, code, errOut)
}

func TestPoETBadInputExit2(t *testing.T) {
	t.Parallel()
	requireBadInput(t, [][]string{
		{"poet", "--validators", "0"},
		{"poet", "--interval", "0s"},
		{"poet", "--cheaters", "20"},
		{"poet", "--cheat-factor", "0.5"},
		{"poet", "--degree", "0"},
		{"poet", "--tx-size", "0"},
	})
}
