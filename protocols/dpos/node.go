package dpos

import (
	"simulate/protocols/chain"
	"simulate/sim"
)

// Net is the state one run's nodes share: the block tree (package chain),
// the election, each block's delegate schedule and the traitors' common
// plan. What a run measures (finality, safety) is the run's meter's.
type Net struct {
	chain.Tree
	Slot      sim.Time
	Delegates int
	Quorum    int
	Txs       chain.Txs
	shares    []float64
	ranking   []sim.NodeID
	votes     []float64
	voteOut   bool
	initial   *schedule
	// sched[b] is the schedule block b was made under; next memoises the
	// schedule of a new round after a block, keyed by that block (looked
	// up only, never iterated).
	sched []*schedule
	next  map[chain.BlockID]*schedule
	// victimEnd[b] counts the victim's transactions in b's chain.
	victimEnd    []int64
	victimPeriod sim.Time

	traitor  []bool
	strategy string
	choices  sim.Choices
	plan     coalition

	// Halt ends block making at the scenario's height (Blocks); MaxSlot
	// after that many slots in any case.
	chain.Halt
	MaxSlot int64

	// scratch for LIB walks: stamp[i] == gen marks node i as counted.
	stamp []int
	gen   int
}

func newNet(s Scenario, peers [][]sim.NodeID, complete bool, seed uint64) *Net {
	n := s.Nodes
	net := &Net{Tree: chain.NewTree(n, peers, complete), Slot: s.Slot, Delegates: s.Delegates, Quorum: Quorum(s.Delegates),
		Txs: s.Workload.Txs(), shares: chain.Shares(s.Stakes, n), voteOut: s.Bug != "no-vote-out",
		next: map[chain.BlockID]*schedule{}, traitor: make([]bool, n), strategy: s.Strategy,
		Halt: chain.Halt{StopHeight: s.Blocks}, MaxSlot: s.Slots, stamp: make([]int, n)}
	if s.Bug == "half-quorum" {
		net.Quorum = (s.Delegates + 1) / 2
	}
	if net.MaxSlot == 0 {
		net.MaxSlot = 4*int64(s.Blocks) + 2*int64(s.Delegates)
	}
	net.Quiet = s.Quiet
	net.ranking, net.votes = Elect(net.shares, s.Delegates, seed)
	net.initial = &schedule{order: append([]sim.NodeID(nil), net.ranking[:s.Delegates]...), out: make([]bool, n)}
	for _, d := range net.initial.order[:s.Traitors] {
		net.traitor[d] = true
		net.Honest[d] = false
	}
	for i := range n {
		if !net.traitor[i] {
			net.Observer = sim.NodeID(i)
			break
		}
	}
	if s.Strategy == Censor {
		rate := s.VictimRate
		if rate == 0 {
			rate = 0.1
		}
		net.victimPeriod = max(1, sim.Time(float64(sim.Second)/rate))
	}
	net.sched = []*schedule{net.initial}
	net.victimEnd = []int64{0}
	net.plan.side = make([]int8, n)
	for i := range net.plan.side {
		net.plan.side[i] = -1
	}
	return net
}

// round and position of slot s (slots count from 1; genesis is slot 0,
// round -1).
func (net *Net) round(s int64) int64 {
	if s <= 0 {
		return -1
	}
	return (s - 1) / int64(net.Delegates)
}

func (net *Net) position(s int64) int { return int((s - 1) % int64(net.Delegates)) }

// scheduleFor is the schedule of a block for slot s on parent: the
// parent's, or at a new round the parent's with the delegates who missed
// their slots in the parent's round voted out.
func (net *Net) scheduleFor(parent chain.BlockID, s int64) *schedule {
	p := net.Store.Get(parent)
	cur := net.sched[parent]
	if parent == chain.Genesis || net.round(s) == net.round(p.Slot) || !net.voteOut {
		return cur
	}
	if t, ok := net.next[parent]; ok {
		return t
	}
	r := net.round(p.Slot)
	filled := make([]bool, net.Delegates)
	for id := parent; id != chain.Genesis; id = net.Store.Get(id).Parent {
		b := net.Store.Get(id)
		if net.round(b.Slot) != r {
			break
		}
		filled[net.position(b.Slot)] = true
	}
	var missed []int
	for p, ok := range filled {
		if !ok {
			missed = append(missed, p)
		}
	}
	t := cur
	if len(missed) > 0 {
		t, _ = cur.with(missed, net.ranking)
	}
	net.next[parent] = t
	return t
}

// Producer is who the schedule on parent gives slot s to.
func (net *Net) Producer(parent chain.BlockID, s int64) sim.NodeID {
	return net.scheduleFor(parent, s).order[net.position(s)]
}

// makeBlock makes producer's block for slot on parent. Honest producers
// include the victim's pending transactions; censors (victim false) do
// not.
//
// variant tells apart the blocks an equivocator signs for one slot.
func (net *Net) makeBlock(ctx sim.Context, producer sim.NodeID, parent chain.BlockID, slot int64, victim bool, variant uint64) *chain.Block {
	p := net.Store.Get(parent)
	now := ctx.Now()
	b := &chain.Block{Parent: parent, Height: p.Height + 1, Miner: producer, Time: now, Slot: slot,
		Work: chain.BaseWork, CumWork: p.CumWork + chain.BaseWork}
	net.Txs.Fill(b, p, now)
	// The schedule comes first: it reads the store, and b must not be in it yet.
	sc := net.scheduleFor(parent, slot)
	vend := net.victimEnd[parent]
	if victim && net.victimPeriod > 0 {
		vend = max(vend, int64(now/net.victimPeriod))
	}
	b.Nonce = variant
	b.Hash = chain.QuickHash(p.Hash, b)
	b.Hash[3] ^= byte(variant) // an equivocator's two blocks on one parent still differ
	net.Add(b)
	net.sched = append(net.sched, sc)
	net.victimEnd = append(net.victimEnd, vend)
	if !net.Quiet {
		ctx.Observe("block", b.Height, b.ShortHash())
	}
	net.Made(b.Height, now)
	return b
}

// valid checks a received block as a delegate node does: its slot is later
// than its parent's, and the schedule on its parent gives that slot to its
// maker.
func (net *Net) valid(b *chain.Block) bool {
	p := net.Store.Get(b.Parent)
	return b.Slot > p.Slot && net.sched[b.ID].order[net.position(b.Slot)] == b.Miner
}

// lib returns the highest block of tip's chain that Quorum distinct
// delegates have built on (the block itself or one above it is theirs),
// or Genesis.
func (net *Net) lib(tip chain.BlockID) chain.BlockID {
	net.gen++
	count := 0
	for id := tip; id != chain.Genesis; id = net.Store.Get(id).Parent {
		m := net.Store.Get(id).Miner
		if net.stamp[m] != net.gen {
			net.stamp[m] = net.gen
			count++
			if count >= net.Quorum {
				return id
			}
		}
	}
	return chain.Genesis
}

// finalized notes that honest node id now holds final as final (it held
// old before): an observation in the trace, and a probe for the run's
// meter (finality times, the safety check).
func (net *Net) finalized(ctx sim.Context, old, final chain.BlockID) {
	ctx.Probe(probeFinal, int64(old), int64(final))
	if !net.Quiet {
		s := net.Store
		ctx.Observe("final", s.Get(final).Height, s.Get(final).ShortHash())
	}
}

// slotTag is the tag of the timer that starts slot S.
type slotTag struct{ S int64 }

// begin is what every node, honest or traitor, does as slot s begins:
// arm the next slot's timer, and after the last slot stop block making.
func (net *Net) begin(ctx sim.Context, s int64) {
	net.tick(ctx, s+1)
	if s >= net.MaxSlot {
		net.Stop(ctx.Now())
	}
}

// tick arms the timer of slot s, unless block making is over.
func (net *Net) tick(ctx sim.Context, s int64) {
	if s <= net.MaxSlot && !net.Stopped() {
		ctx.After(sim.Time(s)*net.Slot-ctx.Now(), slotTag{S: s})
	}
}

// Node is an honest stakeholder: it follows the longest chain that keeps
// its last irreversible block (LIB), forwards every block it accepts, and,
// when it is the delegate of a slot, makes the slot's block, unless its
// chain has dropped a block it made before (then it skips the slot).
type Node struct {
	chain.Peer
	net  *Net
	tip  chain.BlockID
	lib  chain.BlockID
	last chain.BlockID
	// seen maps (delegate, slot) to the first block seen for it, to notice
	// equivocation. Only looked up.
	seen map[[2]int64]chain.BlockID
	// NoLock is a teaching bug: build on the longest chain even if it drops
	// this delegate's own block.
	NoLock bool
}

// Start implements sim.Node.
func (n *Node) Start(ctx sim.Context) {
	n.tip, n.last = chain.Genesis, chain.NoBlock
	n.seen = map[[2]int64]chain.BlockID{}
	if tip, restarted := n.Resume(ctx); restarted {
		// The tip on disk, its irreversible block, and the last block this
		// delegate made (kept in storage so that it still refuses a chain
		// that dropped it: forgetting would be the no-lock bug).
		n.tip = tip
		if last, ok := sim.GetInt64(ctx.Storage(), lastKey); ok {
			n.last = chain.BlockID(last)
		}
	}
	n.lib = n.net.lib(n.tip)
	n.net.Adopt(ctx, n.ID, chain.NoBlock, n.tip)
	n.net.tick(ctx, int64(ctx.Now()/n.net.Slot)+1)
}

// lastKey is where a delegate's storage keeps the last block it made.
const lastKey = "dpos.last"

// Deliver implements sim.Node.
func (n *Node) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	id, ok := n.Incoming(ctx, from, msg, n.tip)
	if !ok {
		return
	}
	old := n.tip
	s := n.net.Store
	n.Receive(ctx, from, id, n.net.valid, func(b *chain.Block, from sim.NodeID) {
		// Forward to everyone, even on a complete graph: an equivocator
		// must not be able to keep a block from part of the network.
		n.Send(ctx, b, from)
		key := [2]int64{int64(b.Miner), b.Slot}
		if _, dup := n.seen[key]; dup {
			ctx.Probe(probeEquivocation, int64(b.ID), 0)
		} else {
			n.seen[key] = b.ID
		}
		if s.Heavier(b.ID, n.tip) && s.IsAncestor(n.lib, b.ID) {
			n.tip = b.ID
		}
	})
	if n.tip != old {
		n.moved(ctx, old)
	}
}

// moved runs after the tip moved: bookkeeping and finality.
func (n *Node) moved(ctx sim.Context, old chain.BlockID) {
	net := n.net
	net.Adopt(ctx, n.ID, old, n.tip)
	if l := net.lib(n.tip); net.Store.Get(l).Height > net.Store.Get(n.lib).Height {
		prev := n.lib
		n.lib = l
		if net.Honest[n.ID] {
			net.finalized(ctx, prev, l)
		}
	}
}

// Fire implements sim.Node: a slot begins.
func (n *Node) Fire(ctx sim.Context, _ sim.TimerID, tag any) {
	if _, ok := tag.(chain.ReconnectTag); ok {
		n.Sync(ctx, n.tip)
		return
	}
	t, ok := tag.(slotTag)
	if !ok {
		return
	}
	net := n.net
	net.begin(ctx, t.S)
	if net.Stopped() || net.Producer(n.tip, t.S) != n.ID {
		return
	}
	if !n.NoLock && n.last != chain.NoBlock && !net.Store.IsAncestor(n.last, n.tip) {
		return // this chain dropped our block: building on it could finalize both sides
	}
	b := net.makeBlock(ctx, n.ID, n.tip, t.S, true, 0)
	n.Learn(ctx, b)
	n.seen[[2]int64{int64(n.ID), t.S}] = b.ID
	n.Send(ctx, b, -1)
	n.last = b.ID
	if net.Durable() {
		sim.PutInt64(ctx.Storage(), lastKey, int64(b.ID))
	}
	old := n.tip
	n.tip = b.ID
	n.moved(ctx, old)
}

// Tip is the block this node builds on; LIB its last irreversible block.
func (n *Node) Tip() chain.BlockID { return n.tip }

// LIB is this node's last irreversible block.
func (n *Node) LIB() chain.BlockID { return n.lib }
