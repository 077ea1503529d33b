package network

import (
	"unsafe"

	"simulate/internal/prefetch"
	"simulate/sim"
)

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
	// span[from], after Reserve, locates from's links in flat (start<<32 |
	// end), or is moved once they have been copied out to out[from] to
	// add a link. The first lookup of a relay reads this 8-byte entry and
	// the links themselves, rather than a 24-byte slice header from a
	// table ten times the size of the cache's share at 10,000 nodes.
	span []uint64
	flat []linkClock
	out  [][]linkClock // out[from], sorted by to
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
	if int(from) < len(c.span) {
		if sp := c.span[from]; sp != moved {
			s := c.flat[sp>>32 : uint32(sp)]
			if i, ok := c.find(s, from, to); ok {
				return &s[i].until
			}
			// A link outside the reserved graph: from's links move
			// out to a slice of their own, where it can be added.
			c.out[from] = append([]linkClock(nil), s...)
			c.span[from] = moved
		}
	}
	if int(from) >= len(c.out) {
		c.out = append(c.out, make([][]linkClock, int(from)+1-len(c.out))...)
	}
	s := c.out[from]
	lo, ok := c.find(s, from, to)
	if !ok {
		if s == nil {
			s = make([]linkClock, 0, initialLinks)
		}
		s = append(s, linkClock{})
		copy(s[lo+1:], s[lo:])
		s[lo] = linkClock{to: to}
		c.out[from] = s
		c.lastFrom, c.lastAt = from, lo
	}
	return &s[lo].until
}

// scanLinks is the most links find scans rather than searches.
const scanLinks = 32

// moved marks a span whose links were copied out to out.
const moved = ^uint64(0)

// find locates the link to "to" in s, from's links sorted by receiver:
// its index and true, or where it would go and false. A found link
// becomes the hint for the next lookup.
func (c *Queues) find(s []linkClock, from, to sim.NodeID) (int, bool) {
	if from == c.lastFrom {
		if i := c.lastAt + 1; i < len(s) && s[i].to == to {
			c.lastAt = i
			return i, true
		}
	}
	// Lowest i with s[i].to >= to. A relay's first lookup is of the
	// sender's lowest neighbour, at the start of its links: a scan from
	// there reads the first line of a block of links that is out of the
	// cache, where a binary search began with a miss in the middle and
	// then walked back down through dependent reads. A sender with many
	// links is searched.
	lo := 0
	if len(s) <= scanLinks {
		for lo < len(s) && s[lo].to < to {
			lo++
		}
	} else {
		hi := len(s)
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if s[mid].to < to {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
	}
	if lo == len(s) || s[lo].to != to {
		return lo, false
	}
	c.lastFrom, c.lastAt = from, lo
	return lo, true
}

// Reserve makes room for the links of a known graph (peers[i] lists node
// i's neighbours, sorted), all in one allocation: a hint, which changes
// nothing but where the links are kept.
func (c *Queues) Reserve(peers [][]sim.NodeID) {
	if len(c.out) > 0 || c.span != nil {
		return // links already in use
	}
	total := 0
	for _, ps := range peers {
		total += len(ps)
	}
	c.flat = make([]linkClock, 0, total)
	c.span = make([]uint64, len(peers))
	c.out = make([][]linkClock, len(peers))
	for i, ps := range peers {
		if !sortedUnique(ps) {
			c.span[i] = moved
			continue
		}
		start := len(c.flat)
		for _, q := range ps {
			c.flat = append(c.flat, linkClock{to: q})
		}
		c.span[i] = uint64(start)<<32 | uint64(len(c.flat))
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

// warm starts loading from's links (see sim.Warmer).
func (c *Queues) warm(from sim.NodeID) {
	if uint(from) < uint(len(c.span)) {
		if sp := c.span[from]; sp != moved && uint32(sp) > uint32(sp>>32) {
			prefetch.Lines(unsafe.Pointer(&c.flat[sp>>32]))
		}
	}
}
