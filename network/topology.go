package network

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"simulate/sim"
)

// Topology says which pairs of nodes share a link. It is a structure, fixed
// before a run, not a per-message choice: a random topology is built from
// its own seed, so the same seed gives the same graph whatever the run's
// Choices are. A Topology is immutable once built and may be shared by any
// number of Nets and goroutines (a sweep builds it once).
//
// Links are symmetric. A Net enforces its topology: a message over a pair
// that is not linked is dropped with reason "no-link". Gossip protocols
// (Nakamoto) ask Net.Neighbors whom to relay to.
type Topology struct {
	n   int
	adj [][]sim.NodeID // sorted neighbour lists; nil for the complete graph
}

// Complete is the complete graph on n nodes: every node links to every
// other. It stores nothing per node, so it costs nothing at 10,000 nodes.
func Complete(n int) *Topology { return &Topology{n: n} }

// RandomRegular builds a connected random graph on n nodes in which every
// node has exactly degree neighbours, deterministically from seed. It
// returns an error for impossible parameters: degree outside [1, n-1], n*degree
// odd (the edges would not pair up), or degree 1 with more than 2 nodes
// (a perfect matching is never connected).
//
// Degree 2 is a random Hamiltonian cycle. For degree 3 and up it starts
// from a circulant graph (node i linked to i±1 .. i±degree/2, and to i+n/2
// for odd degree), which is regular and connected, then mixes it by random
// degree-preserving double-edge swaps (a-b, c-d → a-d, c-b) until the graph
// is a fair sample, redoing the mixing in the rare case it disconnects. It
// is linear in the number of edges: 10,000 nodes of degree 8 take tens of
// milliseconds.
func RandomRegular(n, degree int, seed uint64) (*Topology, error) {
	switch {
	case n < 2:
		return nil, fmt.Errorf("random regular topology: need at least 2 nodes, got %d", n)
	case degree < 1 || degree > n-1:
		return nil, fmt.Errorf("random regular topology: degree %d must be in [1, %d] for %d nodes", degree, n-1, n)
	case n*degree%2 != 0:
		return nil, fmt.Errorf("random regular topology: %d nodes of odd degree %d cannot pair their links; make n or the degree even", n, degree)
	case degree == 1 && n > 2:
		return nil, fmt.Errorf("random regular topology: degree 1 on %d nodes is never connected; use degree 2 or more", n)
	}
	if degree == n-1 {
		return Complete(n), nil // also the only case of degree 1 (n == 2)
	}
	r := sim.SetupStream(seed, "network random regular topology")
	var edges [][2]sim.NodeID
	if degree == 2 {
		// The only connected 2-regular graph is a cycle through every node.
		perm := r.Perm(n)
		for i := range perm {
			edges = append(edges, [2]sim.NodeID{sim.NodeID(perm[i]), sim.NodeID(perm[(i+1)%n])})
		}
		return fromEdges(n, edges), nil
	}
	edges = circulant(n, degree)
	mixed := slices.Clone(edges)
	for round := 0; round < 100; round++ {
		swapEdges(n, mixed, r)
		t := fromEdges(n, mixed)
		if t.Connected() {
			return t, nil
		}
		copy(mixed, edges)
	}
	// Practically unreachable (a random regular graph of degree ≥ 3 is
	// connected with probability → 1), but the circulant is a correct, if
	// unrandom, answer.
	return fromEdges(n, edges), nil
}

func circulant(n, degree int) [][2]sim.NodeID {
	edges := make([][2]sim.NodeID, 0, n*degree/2)
	for i := 0; i < n; i++ {
		for j := 1; j <= degree/2; j++ {
			edges = append(edges, [2]sim.NodeID{sim.NodeID(i), sim.NodeID((i + j) % n)})
		}
		if degree%2 == 1 && i < n/2 {
			edges = append(edges, [2]sim.NodeID{sim.NodeID(i), sim.NodeID(i + n/2)})
		}
	}
	return edges
}

// swapEdges performs 10 accepted-or-rejected double-edge swaps per edge,
// enough to forget the circulant's structure.
func swapEdges(n int, edges [][2]sim.NodeID, r *rand.Rand) {
	key := func(a, b sim.NodeID) uint64 {
		if a > b {
			a, b = b, a
		}
		return uint64(a)*uint64(n) + uint64(b)
	}
	set := make(map[uint64]struct{}, len(edges))
	for _, e := range edges {
		set[key(e[0], e[1])] = struct{}{}
	}
	m := len(edges)
	for it := 0; it < 10*m; it++ {
		i, j := r.IntN(m), r.IntN(m)
		if i == j {
			continue
		}
		a, b := edges[i][0], edges[i][1]
		c, d := edges[j][0], edges[j][1]
		if r.IntN(2) == 1 {
			c, d = d, c
		}
		if a == d || c == b {
			continue
		}
		if _, ok := set[key(a, d)]; ok {
			continue
		}
		if _, ok := set[key(c, b)]; ok {
			continue
		}
		delete(set, key(a, b))
		delete(set, key(c, d))
		set[key(a, d)] = struct{}{}
		set[key(c, b)] = struct{}{}
		edges[i] = [2]sim.NodeID{a, d}
		edges[j] = [2]sim.NodeID{c, b}
	}
}

func fromEdges(n int, edges [][2]sim.NodeID) *Topology {
	adj := make([][]sim.NodeID, n)
	for _, e := range edges {
		adj[e[0]] = append(adj[e[0]], e[1])
		adj[e[1]] = append(adj[e[1]], e[0])
	}
	for _, a := range adj {
		slices.Sort(a)
	}
	return &Topology{n: n, adj: adj}
}

// N is the number of nodes.
func (t *Topology) N() int { return t.n }

// IsComplete reports whether every pair of nodes is linked.
func (t *Topology) IsComplete() bool { return t.adj == nil }

// Neighbors lists id's neighbours in increasing order. For a sparse graph
// the slice is shared: do not modify it. For the complete graph it is built
// on each call.
func (t *Topology) Neighbors(id sim.NodeID) []sim.NodeID {
	if t.adj != nil {
		return t.adj[id]
	}
	out := make([]sim.NodeID, 0, t.n-1)
	for i := 0; i < t.n; i++ {
		if sim.NodeID(i) != id {
			out = append(out, sim.NodeID(i))
		}
	}
	return out
}

// Degree is the number of id's neighbours.
func (t *Topology) Degree(id sim.NodeID) int {
	if t.adj != nil {
		return len(t.adj[id])
	}
	return t.n - 1
}

// Linked reports whether a and b share a link. A node is always linked to
// itself (a self-send never touches the network).
func (t *Topology) Linked(a, b sim.NodeID) bool {
	if a == b || t.adj == nil {
		return true
	}
	_, ok := slices.BinarySearch(t.adj[a], b)
	return ok
}

// Connected reports whether every node can reach every other over links.
func (t *Topology) Connected() bool {
	if t.adj == nil || t.n <= 1 {
		return true
	}
	seen := make([]bool, t.n)
	stack := []sim.NodeID{0}
	seen[0] = true
	count := 1
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, w := range t.adj[v] {
			if !seen[w] {
				seen[w] = true
				count++
				stack = append(stack, w)
			}
		}
	}
	return count == t.n
}
