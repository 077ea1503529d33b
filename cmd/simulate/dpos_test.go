package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDPoSCensorJSON(t *testing.T) {
	t.Parallel()
	s := requireStats[struct {
		VictimTxs      int64 `json:"victim_txs"`
		VictimIncluded int64 `json:"victim_included"`
		Safety         bool  `json:"safety_holds"`
	}](t, "dpos", "--traitors", "12", "--strategy", "censor")
	require.Greater(t, s.VictimTxs, int64(10))
	require.Zero(t, s.VictimIncluded, "12 of 21 censors keep the victim out")
}

// check dpos: one traitor of four cannot revert finality; two can, and the
// printed replay command reproduces the reverted block.
func TestCheckDPoS(t *testing.T) {
	t.Parallel()
	out := requireCheckPasses(t, "check", "dpos", "--checks", "60")
	require.Regexp(t, `an equivocation seen +│ [1-9]`, out)

	c := requireCounterexampleReplays(t, "check", "dpos", "--traitors", "2")
	require.Contains(t, c.out, "a final block was reverted")
	require.Contains(t, c.replayOut, "VIOLATED")
}
