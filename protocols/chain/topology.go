package chain

import (
	"math/rand/v2"
	"sort"

	"simulate/sim"
)

// RandomGraph returns the adjacency lists of a connected random graph on n
// nodes in which every node has at least degree neighbours (or n-1 if
// fewer exist): a ring, for connectivity, plus random chords chosen from a
// PCG stream seeded with seed. The same arguments give the same graph.
// Lists are sorted, so iteration order never depends on construction.
//
// It stays here rather than in package network because recorded traces of
// every blockchain protocol depend on its exact graphs.
func RandomGraph(n, degree int, seed uint64) [][]sim.NodeID {
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
	r := rand.New(rand.NewPCG(seed, 0x70701060))
	for i := 0; i < n; i++ {
		tries := 0
		for len(adj[i]) < degree && tries < 50*n {
			tries++
			j := r.IntN(n)
			if j == i || adj[i][j] {
				continue
			}
			// Prefer partners that still need edges, so degrees stay even;
			// accept a full one only after many misses.
			if len(adj[j]) >= degree && tries < 10*n {
				continue
			}
			link(i, j)
		}
	}
	out := make([][]sim.NodeID, n)
	for i := range adj {
		for j := range adj[i] {
			out[i] = append(out[i], sim.NodeID(j))
		}
		sort.Slice(out[i], func(a, b int) bool { return out[i][a] < out[i][b] })
	}
	return out
}

// OutboundGraph returns the peer-to-peer graph Bitcoin Core builds: every
// node opens outbound connections to that many distinct random peers and
// accepts inbound ones up to MaxInbound, and blocks flow both ways on
// every connection, so a node has outbound plus about as many inbound
// neighbours. SimBlock's benchmark topology is this with 8 outbound
// connections. Peers are drawn from a PCG stream seeded with seed (a
// different stream from RandomGraph's); if the draw leaves the graph
// disconnected, each stray component is linked to the one holding node 0,
// so a run can always reach everyone. Lists are sorted.
func OutboundGraph(n, outbound int, seed uint64) [][]sim.NodeID {
	adj := make([]map[int]bool, n)
	for i := range adj {
		adj[i] = map[int]bool{}
	}
	inbound := make([]int, n)
	outbound = min(outbound, n-1)
	r := rand.New(rand.NewPCG(seed, 0x0b7b0d))
	for i := 0; i < n; i++ {
		opened := 0
		for tries := 0; opened < outbound && tries < 50*n; tries++ {
			j := r.IntN(n)
			if j == i || adj[i][j] || inbound[j] >= MaxInbound {
				continue
			}
			adj[i][j], adj[j][i] = true, true
			inbound[j]++
			opened++
		}
	}
	// Join stray components to node 0's, lowest id first.
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
	out := make([][]sim.NodeID, n)
	for i := range adj {
		for j := range adj[i] {
			out[i] = append(out[i], sim.NodeID(j))
		}
		sort.Slice(out[i], func(a, b int) bool { return out[i][a] < out[i][b] })
	}
	return out
}

// MaxInbound caps a node's inbound connections in OutboundGraph at
// Bitcoin Core's default -maxconnections. SimBlock sets no cap; with 8
// outbound connections a node of a random graph has about 8 inbound, far
// below it.
const MaxInbound = 125

// CompleteGraph connects every node to every other: the topology of the
// attack experiments, where a block reaches everyone at once.
func CompleteGraph(n int) [][]sim.NodeID {
	out := make([][]sim.NodeID, n)
	for i := range out {
		for j := 0; j < n; j++ {
			if j != i {
				out[i] = append(out[i], sim.NodeID(j))
			}
		}
	}
	return out
}

// Graph returns the peer-to-peer graph a scenario of n nodes with the
// given degree uses: complete when degree >= n-1, otherwise RandomGraph
// drawn from seed. complete tells Tree that a block's producer already
// reaches everyone, so nobody relays.
func Graph(n, degree int, seed uint64) (peers [][]sim.NodeID, complete bool) {
	if degree >= n-1 {
		return CompleteGraph(n), true
	}
	return RandomGraph(n, degree, seed), false
}

// LinkModel is the peer-to-peer network: every message takes Latency plus
// its transmission time, size·8/Bandwidth, and waits for the messages ahead
// of it on the same directed link (a link sends one block at a time, so a
// 1 MB block holds up the next one). Jitter, if set, adds a drawn
// 0..JitterSteps-1 times Jitter to each message; draw 0 is the boring case.
//
// Package network has no bandwidth, which is what makes block size matter
// here, so blockchain protocols use this model.
type LinkModel struct {
	Latency sim.Time
	// Bandwidth in bits per second per link; 0 means unlimited.
	Bandwidth int64
	Jitter    sim.Time
	// JitterSteps is the number of jitter values (draws are made only when
	// it is above 1 and Jitter is positive).
	JitterSteps int
	busy        map[[2]sim.NodeID]sim.Time
}

// Sizer is a message with a size on the wire.
type Sizer interface{ WireSize() int }

// Transmission is how long size bytes take on a link of bandwidth bits/s.
func Transmission(size int, bandwidth int64) sim.Time {
	if bandwidth <= 0 || size <= 0 {
		return 0
	}
	return sim.Time(int64(size) * 8 * int64(sim.Second) / bandwidth)
}

// Route implements sim.Model.
func (m *LinkModel) Route(l sim.Link) sim.Fate {
	if l.From == l.To {
		return sim.Fate{}
	}
	var tx sim.Time
	if s, ok := l.Msg.(Sizer); ok {
		tx = Transmission(s.WireSize(), m.Bandwidth)
	}
	start := l.Now
	if tx > 0 {
		if m.busy == nil {
			m.busy = map[[2]sim.NodeID]sim.Time{}
		}
		key := [2]sim.NodeID{l.From, l.To}
		if b := m.busy[key]; b > start {
			start = b
		}
		m.busy[key] = start + tx
	}
	d := start - l.Now + tx + m.Latency
	if m.Jitter > 0 && m.JitterSteps > 1 {
		d += sim.Time(l.Choices.Intn(drawLabel(l, "delay"), m.JitterSteps)) * m.Jitter
	}
	return sim.Fate{Delay: d}
}
