package chain

import (
	"unsafe"

	"simulate/internal/prefetch"
	"simulate/sim"
)

// Peer is one node's view of the block tree: the blocks it has seen, the
// orphans waiting for a parent it lacks, and its place in the gossip graph.
// Every protocol's node embeds one.
//
// The blocks a node holds are the first thing each delivery reads, and at
// thousands of nodes every delivery goes to a node whose memory has left
// the cache. So known leads the struct and keeps its first blocks in the
// struct itself (first), not in an array elsewhere: a node embedding a Peer
// first finds a block it already holds (most deliveries, as a block
// floods a graph) in one cache line. A run with more blocks moves the set
// to the heap as it grows, as any Bitset does.
type Peer struct {
	// known is nil until the node first learns a block (the set is then
	// {Genesis}); then it starts out in first, which is why a Peer must
	// not be copied once it holds blocks.
	known Bitset
	first [inlineWords]uint64
	Tree  *Tree
	ID    sim.NodeID
	// orphans is nil until a block reaches the node before its parent
	// (rare), so that the first line holds what every delivery reads.
	orphans *orphanage
	// near holds the node's neighbours when there are at most
	// inlinePeers of them (a degree-8 graph), in the Peer's second line:
	// a node relays a block it first receives to its neighbours, and at
	// thousands of nodes a list kept elsewhere was a cache miss at the
	// start of every relay, where this line comes with the node (the
	// kernel prefetches a node's first two lines before its next event).
	// peers is the whole list, Tree.Peers[ID].
	near  [inlinePeers]int32
	peers []sim.NodeID
}

// inlineWords is how many words of a node's known set live in its Peer:
// 128 blocks.
const inlineWords = 2

// inlinePeers is how many neighbours a Peer keeps in near.
const inlinePeers = 8

// orphanage is what a node holds of blocks whose parent it lacks.
type orphanage struct {
	held    Bitset // the blocks waiting
	waiting map[BlockID][]pending
}

type pending struct {
	id   BlockID
	from sim.NodeID
}

// NewPeer returns node id's view, knowing only genesis.
func NewPeer(t *Tree, id sim.NodeID) Peer {
	p := Peer{Tree: t, ID: id}
	if t != nil && int(id) >= 0 && int(id) < len(t.Peers) {
		p.peers = t.Peers[id]
		for i, q := range p.peers {
			if i >= inlinePeers || q < 0 || int64(q) != int64(int32(q)) {
				p.near[0] = -1 // they do not fit: relays read peers
				break
			}
			p.near[i] = int32(q)
		}
	}
	return p
}

// inline reports whether near holds the neighbours (no node id is
// negative, so near[0] = -1 says it does not).
func (p *Peer) inline() bool { return p.near[0] >= 0 }

// Knows reports whether the node holds block id (connected to genesis).
func (p *Peer) Knows(id BlockID) bool {
	if p.known == nil {
		return id == Genesis
	}
	return p.known.Has(id)
}

// know adds id to the blocks the node holds, placing the set in the
// Peer's own words on first use (the Peer is where it stays by then).
func (p *Peer) know(id BlockID) {
	if p.known == nil {
		p.first = [inlineWords]uint64{1 << Genesis}
		p.known = p.first[:]
	}
	p.known.Set(id)
}

// Mark makes the node hold block id without announcing it anywhere: a
// block it was given before the run (an attacker's premine).
func (p *Peer) Mark(id BlockID) { p.know(id) }

// Receive takes a block from the wire. Blocks whose parent is unknown wait
// as orphans; connect is called for each block that joins this node's tree,
// parents first. A block valid rejects is dropped with an "invalid"
// observation.
func (p *Peer) Receive(ctx sim.Context, from sim.NodeID, id BlockID, valid func(*Block) bool, connect func(b *Block, from sim.NodeID)) {
	if p.Knows(id) || p.orphans != nil && p.orphans.held.Has(id) {
		return
	}
	if !p.inline() {
		prefetch.Line(unsafe.Pointer(&p.peers[0]))
	}
	b := p.Tree.Store.Get(id)
	if valid != nil && !valid(b) {
		ctx.Observe("invalid", b.Height, b.ShortHash())
		return
	}
	if !p.Knows(b.Parent) {
		if p.orphans == nil {
			p.orphans = &orphanage{waiting: map[BlockID][]pending{}}
		}
		o := p.orphans
		o.held.Set(id)
		o.waiting[b.Parent] = append(o.waiting[b.Parent], pending{id, from})
		return
	}
	p.know(id)
	p.Tree.Reached(ctx, id)
	connect(b, from)
	if p.orphans == nil || len(p.orphans.waiting) == 0 {
		return
	}
	// Connect the orphans waiting for this block, and theirs, in turn.
	waiting := p.orphans.waiting
	queue := waiting[id]
	delete(waiting, id)
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		p.know(x.id)
		p.Tree.Reached(ctx, x.id)
		connect(p.Tree.Store.Get(x.id), x.from)
		if kids, ok := waiting[x.id]; ok {
			delete(waiting, x.id)
			queue = append(queue, kids...)
		}
	}
}

// Learn records a block this node made itself.
func (p *Peer) Learn(ctx sim.Context, b *Block) {
	p.know(b.ID)
	p.Tree.Reached(ctx, b.ID)
}

// Send gives block b to every neighbour but except (-1: to all).
func (p *Peer) Send(ctx sim.Context, b *Block, except sim.NodeID) {
	m := p.Tree.Msg(b) // one interface value for every link and node
	if p.inline() {
		for _, q := range p.near[:len(p.peers)] {
			if to := sim.NodeID(q); to != except {
				ctx.Send(to, m)
			}
		}
		return
	}
	for _, q := range p.peers {
		if q != except {
			ctx.Send(q, m)
		}
	}
}

// Relay forwards a block learnt from a neighbour, unless every node is a
// neighbour of every other (then the producer has already sent it to all).
func (p *Peer) Relay(ctx sim.Context, b *Block, from sim.NodeID) {
	if !p.Tree.Complete {
		p.Send(ctx, b, from)
	}
}

// Take is a longest-chain node's Deliver: it takes msg from the wire
// (Incoming: a block, or a neighbour's request for the blocks after its
// locator, answered from tip), and each block it connects (Receive,
// checked with valid) it relays and hands to connect, which may move
// *tip. It returns the tip before the message and whether it moved.
func (p *Peer) Take(ctx sim.Context, from sim.NodeID, msg sim.Message, tip *BlockID, valid func(*Block) bool, connect func(b *Block)) (old BlockID, moved bool) {
	old = *tip
	id, ok := p.Incoming(ctx, from, msg, old)
	if !ok {
		return old, false
	}
	p.Receive(ctx, from, id, valid, func(b *Block, from sim.NodeID) {
		p.Relay(ctx, b, from)
		connect(b)
	})
	return old, *tip != old
}
