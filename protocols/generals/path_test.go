package generals

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/sim"
)

// pathRank numbers the paths of each length densely from 0, and
// pathUnrank gives each path back: every path among up to 7 generals.
func TestPathRankRoundTrip(t *testing.T) {
	for n := 2; n <= 7; n++ {
		for l := 1; l <= n; l++ {
			seen := make([]bool, pathCount(n, l))
			var walk func(p []sim.NodeID, used []bool)
			walk = func(p []sim.NodeID, used []bool) {
				if len(p) == l {
					r := pathRank(n, p)
					require.False(t, seen[r], "n=%d path %v: rank %d twice", n, p, r)
					seen[r] = true
					var buf [MaxGenerals]sim.NodeID
					require.Equal(t, p, pathUnrank(n, l, r, &buf))
					o := NewOrder(n, p, Attack)
					require.Equal(t, p, o.Path())
					return
				}
				for j := 1; j < n; j++ {
					if !used[j] {
						used[j] = true
						walk(append(p, sim.NodeID(j)), used)
						used[j] = false
					}
				}
			}
			walk([]sim.NodeID{Commander}, make([]bool, n))
			for r, ok := range seen {
				require.True(t, ok, "n=%d l=%d: no path has rank %d", n, l, r)
			}
		}
	}
}

// A forged order whose length or rank is out of range decodes to no path,
// which the receiver rejects as malformed.
func TestPathUnrankRefusesForgeries(t *testing.T) {
	var buf [MaxGenerals]sim.NodeID
	require.Nil(t, pathUnrank(4, 0, 0, &buf))
	require.Nil(t, pathUnrank(4, 5, 0, &buf))
	require.Nil(t, pathUnrank(4, 3, pathCount(4, 3), &buf))
	require.Nil(t, pathUnrank(4, 2, -1, &buf))
	require.Equal(t, "Order{0>2: retreat}", NewOrder(4, []sim.NodeID{0, 2}, Retreat).String())
}
