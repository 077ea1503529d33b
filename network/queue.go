package network

import "simulate/sim"

// Queues records, for every directed link that has carried a message
// with a transmission time, when it finishes sending the last one: the
// queue a block waits in behind the blocks ahead of it.
//
// It is on the path of every message of a run (a block crossing 10,000
// nodes is some 80,000 sends), so it is laid out for that path rather
// than as a map keyed by the pair: each sender has a small slice of its
// links sorted by receiver, and a node relays a block to its neighbours
// in increasing order, so after the first lookup of a relay the next link
// is almost always the entry right after the last one found. Links
// between nodes that are not neighbours (a partition's heal sync, an
// attacker, a graph nobody declared) are added as they are first used;
// a link never used costs nothing. An absent link is free since time 0,
// as in the map it replaces, so the layout cannot change a run.
type Queues struct {
	out [][]linkClock // out[from], sorted by to
	// lastFrom and lastAt locate the previous lookup, a hint that is
	// always checked before it is trusted.
	lastFrom sim.NodeID
	lastAt   int
}

type linkClock struct {
	to    sim.NodeID
	until sim.Time
}

// initialLinks is the room a sender's slice starts with: a node of a
// degree-8 random graph has about 8 links.
const initialLinks = 8

// Busy returns where the busy-until time of the link from→to is kept,
// adding the link (free since time 0) on its first use. The pointer is
// good until the next call.
func (c *Queues) Busy(from, to sim.NodeID) *sim.Time {
	if int(from) >= len(c.out) {
		c.out = append(c.out, make([][]linkClock, int(from)+1-len(c.out))...)
	}
	s := c.out[from]
	if from == c.lastFrom {
		if i := c.lastAt + 1; i < len(s) && s[i].to == to {
			c.lastAt = i
			return &s[i].until
		}
	}
	// Lowest i with s[i].to >= to.
	lo, hi := 0, len(s)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if s[mid].to < to {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == len(s) || s[lo].to != to {
		if s == nil {
			s = make([]linkClock, 0, initialLinks)
		}
		s = append(s, linkClock{})
		copy(s[lo+1:], s[lo:])
		s[lo] = linkClock{to: to}
		c.out[from] = s
	}
	c.lastFrom, c.lastAt = from, lo
	return &s[lo].until
}

// Reserve makes room for the links of a known graph (peers[i] lists node
// i's neighbours, sorted), all in one allocation: a hint, which changes
// nothing but where the links are kept.
func (c *Queues) Reserve(peers [][]sim.NodeID) {
	if len(c.out) > 0 {
		return // links already in use
	}
	total := 0
	for _, ps := range peers {
		total += len(ps)
	}
	arena := make([]linkClock, total)
	c.out = make([][]linkClock, len(peers))
	for i, ps := range peers {
		if !sortedUnique(ps) {
			c.out[i] = nil
			continue
		}
		s := arena[:len(ps):len(ps)]
		arena = arena[len(ps):]
		for k, q := range ps {
			s[k] = linkClock{to: q}
		}
		c.out[i] = s
	}
}

func sortedUnique(ps []sim.NodeID) bool {
	for k := 1; k < len(ps); k++ {
		if ps[k] <= ps[k-1] {
			return false
		}
	}
	return true
}

// Sizer is a message with a size on the wire: a Net with a bandwidth
// charges its transmission time. Messages without one cross a link in no
// time beyond the latency.
type Sizer interface{ WireSize() int }

// Transmission is how long size bytes take on a link of bandwidth bits/s.
func Transmission(size int, bandwidth int64) sim.Time {
	if bandwidth <= 0 || size <= 0 {
		return 0
	}
	return sim.Time(int64(size) * 8 * int64(sim.Second) / bandwidth)
}
