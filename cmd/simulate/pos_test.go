package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPoSNothingAtStakeAndCoinAgeJSON(t *testing.T) {
	t.Parallel()
	type stats struct {
		Branches struct {
			MaxDepth int `json:"max_depth"`
		} `json:"abandoned_branches"`
		Interest []float64 `json:"interest"`
	}
	depth := map[string]int{}
	for _, lot := range []string{"stake", "work"} {
		depth[lot] = requireStats[stats](t, "pos", "--blocks", "80", "--delay", "2s", "--nothing-at-stake", "16", "--lottery", lot).Branches.MaxDepth
	}
	require.Greater(t, depth["stake"], 3*depth["work"], "forks live on when signing both is free: %v", depth)

	s := requireStats[stats](t, "pos", "--blocks", "20", "--validators", "4", "--degree", "3", "--slot", "1h", "--f", "0.1", "--coin-age")
	require.Len(t, s.Interest, 4)
}

// The check holds for honest proof of stake, finds the teaching bug, and
// prints a replay command that reproduces the split.
func TestCheckPoS(t *testing.T) {
	t.Parallel()
	out := requireCheckPasses(t, "check", "pos", "--checks", "30")
	require.Regexp(t, `a fork +│ [1-9]`, out)

	c := requireCounterexampleReplays(t, "check", "pos", "--checks", "50", "--bug", "ignore-forks")
	require.Contains(t, c.replayOut, "VIOLATED")
	require.Contains(t, c.replayErrOut, "branch that left the main chain", "the replay shows the same violation")
}
