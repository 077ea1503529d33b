package chain_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/network"
	"simulate/protocols/chain"
	"simulate/sim"
)

// The graphs are drawn without a map per node now; every recorded trace
// depends on them, so they must be exactly the graphs the map-based
// construction (kept below as the reference) drew.
func TestGraphsMatchMapReference(t *testing.T) {
	cases := 0
	for _, n := range []int{1, 2, 3, 5, 10, 40, 300, 2000} {
		degrees := []int{0, 1, 2, 4, 8, 13, n - 2, n - 1, n + 3}
		if n > 40 { // dense graphs of many nodes take the reference long
			degrees = []int{1, 4, 8, 13, 130}
		}
		for _, d := range degrees {
			for seed := uint64(1); seed <= 3; seed++ {
				name := fmt.Sprintf("n=%d d=%d seed=%d", n, d, seed)
				require.Equal(t, refRandomGraph(n, d, seed), chain.RandomGraph(n, d, seed), "RandomGraph %s", name)
				require.Equal(t, refOutboundGraph(n, d, seed), chain.OutboundGraph(n, d, seed), "OutboundGraph %s", name)
				cases++
			}
		}
	}
	t.Logf("%d graphs identical", cases)
}

// The chain protocols' network (network.Net from Links, with or without
// regions) keeps its link queues in per-sender slices. Fed the same random
// stream of sends (neighbours and strangers, blocks and small messages,
// with and without the graph reserved), it must give every message the
// delay the map-based queue gave.
func TestLinkQueuesMatchMapReference(t *testing.T) {
	const n = 60
	peers := chain.RandomGraph(n, 6, 7)
	for _, reserve := range []bool{false, true} {
		for _, region := range []bool{false, true} {
			var m *network.Net
			var lat func(a, b sim.NodeID) sim.Time
			if region {
				r := chain.SimBlockRegions()
				r.ParetoSteps = 0
				m = chain.Links{}.Net(n, &r, 3)
				of := m.RegionOf()
				lat = func(a, b sim.NodeID) sim.Time { return r.Latency[of[a]][of[b]] }
			} else {
				m = chain.Links{Delay: 50 * sim.Millisecond, Bandwidth: 8_000_000}.Net(n, nil, 0)
				lat = func(a, b sim.NodeID) sim.Time { return 50 * sim.Millisecond }
			}
			if reserve {
				m.Reserve(peers)
			}
			bw := m.LinkBandwidth
			busy := map[[2]sim.NodeID]sim.Time{}
			rng := rand.New(rand.NewPCG(uint64(n), 5))
			now := sim.Time(0)
			for step := 0; step < 20_000; step++ {
				now += sim.Time(rng.IntN(int(200 * sim.Millisecond)))
				from := sim.NodeID(rng.IntN(n))
				var tos []sim.NodeID
				if rng.IntN(4) == 0 { // a stranger, or itself
					tos = []sim.NodeID{sim.NodeID(rng.IntN(n))}
				} else { // a relay: every neighbour in order
					tos = peers[from]
				}
				var msg sim.Message = chain.BlockMsg{ID: chain.BlockID(step), Size: rng.IntN(1_000_000)}
				if rng.IntN(3) == 0 {
					msg = chain.GetBlocksMsg{Locator: make([]chain.BlockID, rng.IntN(20))}
				}
				for _, to := range tos {
					got := m.Route(sim.Link{From: from, To: to, Now: now, Msg: msg, Choices: sim.Boring{}})
					want := sim.Fate{}
					if from != to {
						tx := chain.Transmission(msg.(chain.Sizer).WireSize(), bw(from, to))
						start := now
						if tx > 0 {
							key := [2]sim.NodeID{from, to}
							if b := busy[key]; b > start {
								start = b
							}
							busy[key] = start + tx
						}
						want.Delay = start - now + tx + lat(from, to)
					}
					require.Equal(t, want, got, "reserve=%v region=%v step %d: %d->%d", reserve, region, step, from, to)
				}
			}
		}
	}
}

// refRandomGraph is RandomGraph as it was built with a map per node.
func refRandomGraph(n, degree int, seed uint64) [][]sim.NodeID {
	adj := make([]map[int]bool, n)
	for i := range adj {
		adj[i] = map[int]bool{}
	}
	link := func(a, b int) {
		adj[a][b] = true
		adj[b][a] = true
	}
	if degree > n-1 {
		degree = n - 1
	}
	if n >= 2 {
		for i := 0; i < n; i++ {
			if j := (i + 1) % n; j != i {
				link(i, j)
			}
		}
	}
	r := sim.SetupStream(seed, "chain random graph")
	for i := 0; i < n; i++ {
		tries := 0
		for len(adj[i]) < degree && tries < 50*n {
			tries++
			j := r.IntN(n)
			if j == i || adj[i][j] {
				continue
			}
			if len(adj[j]) >= degree && tries < 10*n {
				continue
			}
			link(i, j)
		}
	}
	return refLists(adj)
}

// refOutboundGraph is OutboundGraph as it was built with a map per node.
func refOutboundGraph(n, outbound int, seed uint64) [][]sim.NodeID {
	adj := make([]map[int]bool, n)
	for i := range adj {
		adj[i] = map[int]bool{}
	}
	inbound := make([]int, n)
	outbound = min(outbound, n-1)
	r := sim.SetupStream(seed, "chain outbound graph")
	for i := 0; i < n; i++ {
		opened := 0
		for tries := 0; opened < outbound && tries < 50*n; tries++ {
			j := r.IntN(n)
			if j == i || adj[i][j] || inbound[j] >= chain.MaxInbound {
				continue
			}
			adj[i][j], adj[j][i] = true, true
			inbound[j]++
			opened++
		}
	}
	comp := make([]int, n)
	for i := range comp {
		comp[i] = -1
	}
	for start := 0; start < n; start++ {
		if comp[start] >= 0 {
			continue
		}
		comp[start] = start
		stack := []int{start}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for y := range adj[x] {
				if comp[y] < 0 {
					comp[y] = start
					stack = append(stack, y)
				}
			}
		}
		if start != 0 {
			adj[start][start-1], adj[start-1][start] = true, true
		}
	}
	return refLists(adj)
}

func refLists(adj []map[int]bool) [][]sim.NodeID {
	out := make([][]sim.NodeID, len(adj))
	for i := range adj {
		for j := range adj[i] {
			out[i] = append(out[i], sim.NodeID(j))
		}
		sort.Slice(out[i], func(a, b int) bool { return out[i][a] < out[i][b] })
	}
	return out
}
