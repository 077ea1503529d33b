package chain_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/protocols/chain"
	"simulate/protocols/chain/chaintest"
	"simulate/sim"
)

func TestSimBlockRegionsAreSimBlocksTables(t *testing.T) {
	r := chain.SimBlockRegions()
	require.NoError(t, r.Validate())
	require.Equal(t, []string{"North America", "Europe", "South America", "Asia Pacific", "Japan", "Australia"}, r.Names)
	for i := range r.Latency {
		for j := range r.Latency {
			require.Equal(t, r.Latency[i][j], r.Latency[j][i], "SimBlock's 2019 table is symmetric")
		}
	}
	require.Equal(t, 11*sim.Millisecond, r.Latency[1][1], "within Europe")
	require.Equal(t, 322*sim.Millisecond, r.Latency[2][5], "South America to Australia")
	sum := 0.0
	for _, x := range r.Distribution {
		sum += x
	}
	require.InDelta(t, 1, sum, 0.001)
}

// The discretised Pareto: fastest quantile first (draw 0 is boring), the
// mean close to the table's mean, and a tail.
func TestParetoQuantiles(t *testing.T) {
	q := chain.ParetoQuantiles(124*sim.Millisecond, 8)
	require.Len(t, q, 8)
	sum := sim.Time(0)
	for i := range q {
		if i > 0 {
			require.Greater(t, q[i], q[i-1])
		}
		sum += q[i]
	}
	require.Greater(t, q[0], 119*sim.Millisecond, "no faster than the scale, mean - 5 ms")
	require.InDelta(t, 124, (sum/8).Seconds()*1000, 5)
	require.Equal(t, []sim.Time{3 * sim.Millisecond, 3 * sim.Millisecond}, chain.ParetoQuantiles(3*sim.Millisecond, 2), "too small for the Pareto: the mean")
}

func TestRegionNetRoutes(t *testing.T) {
	r := chain.SimBlockRegions()
	r.ParetoSteps = 0
	m := chain.Links{}.Net(50, &r, 1)
	var a, b sim.NodeID = -1, -1
	for i, x := range m.RegionOf() {
		if x == 1 && a < 0 {
			a = sim.NodeID(i) // Europe
		}
		if x == 0 && b < 0 {
			b = sim.NodeID(i) // North America
		}
	}
	require.True(t, a >= 0 && b >= 0)
	msg := chain.BlockMsg{Size: 1_000_000}
	f := m.Route(sim.Link{From: a, To: b, Msg: msg, Choices: sim.Boring{}})
	// 124 ms plus 8 Mbit at min(20.7 Mbit/s up in Europe, 52 down in NA).
	require.Equal(t, 124*sim.Millisecond+chain.Transmission(1_000_000, 20_700_000), f.Delay)
	require.Equal(t, int64(20_700_000), m.LinkBandwidth(a, b))
	// The same link is busy with the first block.
	g := m.Route(sim.Link{From: a, To: b, Msg: msg, Choices: sim.Boring{}})
	require.Equal(t, f.Delay+chain.Transmission(1_000_000, 20_700_000), g.Delay)
	require.Equal(t, m.RegionOf(), chain.Links{}.Net(50, &r, 1).RegionOf(), "the seed fixes the geography")
}

func TestOutboundGraph(t *testing.T) {
	for _, n := range []int{2, 9, 300} {
		g := chain.OutboundGraph(n, 8, 5)
		require.Equal(t, n, chaintest.Reachable(g), "connected")
		edges := 0
		for i := range g {
			require.GreaterOrEqual(t, len(g[i]), min(8, n-1))
			for _, j := range g[i] {
				require.Contains(t, g[j], sim.NodeID(i), "links go both ways")
			}
			edges += len(g[i])
		}
		if n == 300 {
			require.InDelta(t, 16, float64(edges)/float64(n), 0.5, "8 outbound and about 8 inbound")
		}
		require.Equal(t, g, chain.OutboundGraph(n, 8, 5))
	}
}

func TestLocator(t *testing.T) {
	tr := chain.NewTree(2, chain.CompleteGraph(2), true)
	s := tr.Store
	tip := chain.Genesis
	for h := 1; h <= 40; h++ {
		p := s.Get(tip)
		b := &chain.Block{Parent: tip, Height: h, Work: chain.BaseWork, CumWork: p.CumWork + chain.BaseWork}
		b.Hash = chain.QuickHash(p.Hash, b)
		tip = tr.Add(b).ID
	}
	var heights []int
	for _, id := range chain.Locator(s, tip) {
		heights = append(heights, s.Get(id).Height)
	}
	require.Equal(t, []int{40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 29, 25, 17, 1, 0}, heights)
	require.Equal(t, []chain.BlockID{chain.Genesis}, chain.Locator(s, chain.Genesis))
	m := chain.GetBlocksMsg{TipHeight: 40, Locator: chain.Locator(s, tip)}
	require.Equal(t, 8+32*15, m.WireSize())
	require.Contains(t, m.String(), "h40, 15 locator ids")
}
