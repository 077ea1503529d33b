package chain

import (
	"slices"

	"simulate/network"
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
	g := newGraphBuilder(n)
	if degree > n-1 {
		degree = n - 1
	}
	if n >= 2 {
		for i := 0; i < n; i++ {
			if j := (i + 1) % n; j != i && !g.has(i, j) {
				g.link(i, j)
			}
		}
	}
	r := sim.SetupStream(seed, "chain random graph")
	for i := 0; i < n; i++ {
		g.focus(i)
		tries := 0
		for len(g.adj[i]) < degree && tries < 50*n {
			tries++
			j := r.IntN(n)
			if j == i || g.linked(j) {
				continue
			}
			// Prefer partners that still need edges, so degrees stay even;
			// accept a full one only after many misses.
			if len(g.adj[j]) >= degree && tries < 10*n {
				continue
			}
			g.link(i, j)
		}
	}
	return g.lists()
}

// graphBuilder holds an undirected graph while it is drawn: adjacency
// lists, and a mark for each neighbour of the one node whose edges are
// being drawn (focus), so "already linked?" is one lookup without a map
// per node. The graphs it builds are those a map per node gave, draw for
// draw: only membership and sizes were ever read, and lists are sorted.
type graphBuilder struct {
	adj  [][]sim.NodeID
	mark []bool
	cur  int
}

func newGraphBuilder(n int) *graphBuilder {
	return &graphBuilder{adj: make([][]sim.NodeID, n), mark: make([]bool, n), cur: -1}
}

// focus makes i the node whose neighbours linked reports (-1: none).
func (g *graphBuilder) focus(i int) {
	if g.cur >= 0 {
		for _, q := range g.adj[g.cur] {
			g.mark[q] = false
		}
	}
	g.cur = i
	if i < 0 {
		return
	}
	for _, q := range g.adj[i] {
		g.mark[q] = true
	}
}

// linked reports whether j is a neighbour of the focused node.
func (g *graphBuilder) linked(j int) bool { return g.mark[j] }

// has reports whether a and b are neighbours, by a walk of a's list.
func (g *graphBuilder) has(a, b int) bool {
	if a == g.cur {
		return g.mark[b]
	}
	for _, q := range g.adj[a] {
		if int(q) == b {
			return true
		}
	}
	return false
}

// link adds the edge a–b, which must be new.
func (g *graphBuilder) link(a, b int) {
	g.adj[a] = append(g.adj[a], sim.NodeID(b))
	g.adj[b] = append(g.adj[b], sim.NodeID(a))
	if a == g.cur {
		g.mark[b] = true
	}
	if b == g.cur {
		g.mark[a] = true
	}
}

// lists returns the sorted adjacency lists, each with no spare room (an
// empty list is nil).
func (g *graphBuilder) lists() [][]sim.NodeID {
	total := 0
	for _, a := range g.adj {
		total += len(a)
	}
	arena := make([]sim.NodeID, total)
	out := make([][]sim.NodeID, len(g.adj))
	for i, a := range g.adj {
		if len(a) == 0 {
			continue
		}
		s := arena[:len(a):len(a)]
		arena = arena[len(a):]
		copy(s, a)
		slices.Sort(s)
		out[i] = s
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
	return outboundGraph(n, func(int) int { return outbound }, seed)
}

// OutboundGraphOf is OutboundGraph with node i opening outbound[i]
// connections: SimBlock's topology, whose nodes draw their number of
// outbound links from a table (SimBlockOutbound). outbound has n entries.
func OutboundGraphOf(outbound []int, seed uint64) [][]sim.NodeID {
	return outboundGraph(len(outbound), func(i int) int { return outbound[i] }, seed)
}

func outboundGraph(n int, outboundOf func(i int) int, seed uint64) [][]sim.NodeID {
	g := newGraphBuilder(n)
	inbound := make([]int, n)
	r := sim.SetupStream(seed, "chain outbound graph")
	for i := 0; i < n; i++ {
		g.focus(i)
		opened := 0
		outbound := min(outboundOf(i), n-1)
		for tries := 0; opened < outbound && tries < 50*n; tries++ {
			j := r.IntN(n)
			if j == i || g.linked(j) || inbound[j] >= MaxInbound {
				continue
			}
			g.link(i, j)
			inbound[j]++
			opened++
		}
	}
	g.focus(-1)
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
			for _, y := range g.adj[x] {
				if comp[y] < 0 {
					comp[y] = start
					stack = append(stack, int(y))
				}
			}
		}
		if start != 0 && !g.has(start, start-1) {
			g.link(start, start-1)
		}
	}
	return g.lists()
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

// Sizer is a message with a size on the wire (network.Sizer).
type Sizer = network.Sizer

// Transmission is how long size bytes take on a link of bandwidth bits/s
// (network.Transmission).
func Transmission(size int, bandwidth int64) sim.Time { return network.Transmission(size, bandwidth) }
