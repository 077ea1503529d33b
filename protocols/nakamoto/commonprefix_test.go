package nakamoto_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/sim"
)

// TestCommonPrefixFailsExponentiallyRarelyInK measures how often common
// prefix at depth k fails when propagation is slow next to the interval
// (delay 0.6 of it: forks in about half the blocks). Garay, Kiayias and
// Leonardos prove that for honest majorities it fails with probability
// falling exponentially in k; here 400 runs of 30 blocks give about 66%,
// 6.5%, 0.75% and 0 for k = 1..4 — a factor of about ten per block of
// depth — and never at k = 6. A protocol that keeps mining on its own
// branch (the ignore-forks bug) breaks the property outright, which
// TestSearchFindsIgnoreForksBug shows.
func TestCommonPrefixFailsExponentiallyRarelyInK(t *testing.T) {
	runs := 400
	if testing.Short() {
		runs = 150
	}
	failures := func(delayOverInterval float64) []int {
		counts := make([]int, 7)
		for seed := uint64(1); seed <= uint64(runs); seed++ {
			for k := 1; k < len(counts); k++ {
				s := quick(30)
				s.Miners, s.Degree, s.Bandwidth, s.TxRate = 20, 19, 0, 0
				s.K = k
				s.Delay = sim.Time(delayOverInterval * float64(s.Interval))
				st, _, _ := run(t, s, seed)
				if !st.CommonPrefix.Holds {
					counts[k]++
				}
			}
		}
		return counts
	}
	slow := failures(0.6)
	t.Logf("runs failing common prefix at k = 1..6, delay 0.6 T: %v of %d", slow[1:], runs)
	// Sometimes: the interesting case must happen, or the test proves nothing.
	require.Greater(t, slow[1], runs/4, "common prefix at k=1 should fail often when delay is 0.6 of the interval")
	for k := 1; k+1 < len(slow); k++ {
		if slow[k] >= 20 {
			require.LessOrEqual(t, slow[k+1]*4, slow[k], "k=%d→%d: failures should fall by at least 4x per block of depth", k, k+1)
		}
	}
	require.Zero(t, slow[6], "no run should lose a block 6 deep")
	fast := failures(0.1)
	require.Less(t, fast[1]*3, slow[1], "shorter delays fork less")
}
