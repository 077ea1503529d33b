package nakamoto

import (
	"encoding/binary"
	"fmt"

	"simulate/sim"
)

// BlockMsg announces and carries a block. The block itself lives in the
// run's Store; the message names it and says how big it is on the wire.
type BlockMsg struct {
	ID     BlockID
	Height int
	Miner  sim.NodeID
	Size   int
	Hash   uint64 // first 8 bytes of the block hash, for traces
}

// AppendDigest implements sim.Message.
func (m BlockMsg) AppendDigest(b []byte) []byte {
	b = append(b, 'B')
	b = binary.BigEndian.AppendUint32(b, uint32(m.ID))
	b = binary.BigEndian.AppendUint32(b, uint32(m.Height))
	b = binary.BigEndian.AppendUint32(b, uint32(m.Miner))
	b = binary.BigEndian.AppendUint32(b, uint32(m.Size))
	return binary.BigEndian.AppendUint64(b, m.Hash)
}

// WireSize implements Sizer: a block costs its size in bandwidth.
func (m BlockMsg) WireSize() int { return m.Size }

func (m BlockMsg) String() string {
	return fmt.Sprintf("block{#%d h%d by n%d %s %016x}", m.ID, m.Height, m.Miner, sizeText(m.Size), m.Hash)
}

func sizeText(n int) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fMB", float64(n)/1e6)
	case n >= 1000:
		return fmt.Sprintf("%.1fkB", float64(n)/1e3)
	}
	return fmt.Sprintf("%dB", n)
}

func msgOf(b *Block) BlockMsg {
	return BlockMsg{ID: b.ID, Height: b.Height, Miner: b.Miner, Size: b.Size, Hash: binary.BigEndian.Uint64(b.Hash[:8])}
}

// mineTag is the tag of the timer that fires when a miner finds a block.
type mineTag struct{}

// peer is what every node kind shares: the blocks it has seen, orphans
// waiting for their parent, and its mining timer.
type peer struct {
	net     *Net
	id      sim.NodeID
	known   bitset
	held    bitset // orphans waiting for a parent
	orphans map[BlockID][]pending
	timer   sim.TimerID
	// timerAt is when the pending timer fires; deadline is when the
	// current draw finds a block (sim.Never when not mining).
	timerAt, deadline sim.Time
	// sample and truth are the shares of the pending draw (they differ
	// under importance sampling).
	sample, truth float64
}

type pending struct {
	id   BlockID
	from sim.NodeID
}

func newPeer(net *Net, id sim.NodeID) peer {
	p := peer{net: net, id: id, deadline: sim.Never}
	p.known.set(Genesis)
	return p
}

// receive takes a block from the wire. Blocks whose parent is unknown wait
// as orphans; connect is called for each block that joins this node's tree,
// parents first.
func (p *peer) receive(ctx sim.Context, from sim.NodeID, id BlockID, connect func(b *Block, from sim.NodeID)) {
	if p.known.has(id) || p.held.has(id) {
		return
	}
	b := p.net.Store.Get(id)
	if !p.net.valid(b) {
		ctx.Observe("invalid", b.Height, b.ShortHash())
		return
	}
	if !p.known.has(b.Parent) {
		if p.orphans == nil {
			p.orphans = map[BlockID][]pending{}
		}
		p.held.set(id)
		p.orphans[b.Parent] = append(p.orphans[b.Parent], pending{id, from})
		return
	}
	p.known.set(id)
	p.net.reached(id, p.id, ctx.Now())
	connect(b, from)
	if len(p.orphans) == 0 {
		return
	}
	// Connect the orphans waiting for this block, and theirs, in turn.
	queue := p.orphans[id]
	delete(p.orphans, id)
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		p.known.set(x.id)
		p.net.reached(x.id, p.id, ctx.Now())
		connect(p.net.Store.Get(x.id), x.from)
		if kids, ok := p.orphans[x.id]; ok {
			delete(p.orphans, x.id)
			queue = append(queue, kids...)
		}
	}
}

// learn records a block this node made itself.
func (p *peer) learn(ctx sim.Context, b *Block) {
	p.known.set(b.ID)
	p.net.reached(b.ID, p.id, ctx.Now())
}

// send gives block b to every neighbour but except (-1: to all).
func (p *peer) send(ctx sim.Context, b *Block, except sim.NodeID) {
	m := msgOf(b)
	for _, q := range p.net.Peers[p.id] {
		if q != except {
			ctx.Send(q, m)
		}
	}
}

// relay forwards a block learnt from a neighbour, unless every node is a
// neighbour of every other (then the miner has already sent it to all).
func (p *peer) relay(ctx sim.Context, b *Block, from sim.NodeID) {
	if !p.net.complete {
		p.send(ctx, b, from)
	}
}

// mine (re)starts the hash race on tip: the next block comes after an
// exponential time with rate share/interval (scaled by difficulty and hash
// power). Called on every tip change; memorylessness makes that harmless.
// publicHeight tells an importance-sampling rate function which phase the
// race is in.
//
// A fresh draw that comes due later than the pending kernel timer keeps
// that timer, which re-arms itself when it fires early (see due): a miner
// with a small share redraws on every block but its draws are far in the
// future, so cancelling each time would fill the event queue with dead
// timers in runs with thousands of miners.
func (p *peer) mine(ctx sim.Context, tip BlockID, publicHeight int) {
	p.deadline = sim.Never
	if p.net.stopped {
		return
	}
	sample, truth := p.net.rate(p.id, publicHeight)
	p.sample, p.truth = sample, truth
	if sample <= 0 {
		return
	}
	work := p.net.nextWork(tip)
	mean := float64(p.net.Interval) * (float64(work) / float64(BaseWork)) / (sample * p.net.HashScale)
	dt := ctx.Rand().ExpFloat64() * mean
	if dt > 1e17 {
		dt = 1e17
	}
	p.deadline = ctx.Now() + sim.Time(dt)
	if p.timer != 0 && p.timerAt <= p.deadline {
		return
	}
	if p.timer != 0 {
		ctx.Cancel(p.timer)
	}
	p.timer = ctx.After(p.deadline-ctx.Now(), mineTag{})
	p.timerAt = p.deadline
}

// stopTimer cancels the pending mining timer, if any.
func (p *peer) stopTimer(ctx sim.Context) {
	if p.timer != 0 {
		ctx.Cancel(p.timer)
		p.timer = 0
	}
	p.deadline = sim.Never
}

// due handles a fired timer: it reports whether the miner's current draw
// has come due. A timer set for an earlier draw that was superseded is
// re-armed for the current one.
func (p *peer) due(ctx sim.Context, id sim.TimerID, tag any) bool {
	if _, ok := tag.(mineTag); !ok || id != p.timer {
		return false
	}
	p.timer = 0
	if p.deadline == sim.Never || p.net.stopped {
		return false
	}
	if now := ctx.Now(); now < p.deadline {
		p.timer = ctx.After(p.deadline-now, mineTag{})
		p.timerAt = p.deadline
		return false
	}
	return true
}

// found is called when the mining timer fires: it makes the block on
// parent and weighs the run if this draw was importance-sampled.
func (p *peer) found(ctx sim.Context, parent BlockID, flags uint8) *Block {
	p.deadline = sim.Never
	p.net.weigh(p.sample, p.truth)
	b := p.net.mineBlock(ctx, p.id, parent, flags)
	p.learn(ctx, b)
	return b
}

// Node is an honest miner (or, with share 0, a relay node): it follows the
// chain with the most cumulative work, first seen winning ties, and relays
// every valid block it learns. A Merchant node also watches its payment.
type Node struct {
	peer
	tip BlockID
	// TieSwitch is the probability of switching to a block of the same
	// work as the current tip when it arrives: 0 is Bitcoin's first-seen
	// rule; the selfish-mining experiment sets it to γ.
	TieSwitch float64
	// Merchant, when set, makes the node wait for Merchant.Z confirmations
	// of the payment and report it reversed.
	Merchant *Merchant
	// IgnoreForks is a teaching bug: the node never leaves its branch.
	IgnoreForks bool
}

// Merchant is the payee of a double spend: it hands over the goods once the
// payment has Z confirmations (observation "confirmed") and notices when a
// reorganisation takes the payment away ("reversed").
type Merchant struct {
	Z         int
	confirmed bool
	reversed  bool
}

// Start implements sim.Node.
func (n *Node) Start(ctx sim.Context) {
	n.tip = Genesis
	n.net.adopt(ctx, n.id, NoBlock, Genesis)
	n.merchantCheck(ctx)
	n.mine(ctx, n.tip, n.net.Store.Get(n.tip).Height)
}

// Deliver implements sim.Node.
func (n *Node) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	m, ok := msg.(BlockMsg)
	if !ok {
		return
	}
	old := n.tip
	n.receive(ctx, from, m.ID, func(b *Block, from sim.NodeID) {
		n.relay(ctx, b, from)
		n.consider(ctx, b)
	})
	if n.tip != old {
		n.switched(ctx, old)
	}
}

// consider applies the fork-choice rule to a newly connected block.
func (n *Node) consider(ctx sim.Context, b *Block) {
	t := n.net.Store.Get(n.tip)
	switch {
	case n.IgnoreForks && !n.net.Store.IsAncestor(n.tip, b.ID):
		// The bug: a block off this node's branch is never adopted.
	case b.CumWork > t.CumWork:
		n.tip = b.ID
	case b.CumWork == t.CumWork && n.TieSwitch > 0 && b.ID != n.tip:
		if ctx.Rand().Float64() < n.TieSwitch {
			n.tip = b.ID
		}
	}
}

// Fire implements sim.Node: this miner found a block.
func (n *Node) Fire(ctx sim.Context, id sim.TimerID, tag any) {
	if !n.due(ctx, id, tag) {
		return
	}
	b := n.found(ctx, n.tip, n.net.honestFlags(n.tip))
	n.send(ctx, b, -1)
	old := n.tip
	n.tip = b.ID
	n.switched(ctx, old)
}

// switched runs after the tip moved: bookkeeping, the merchant's check and
// a fresh draw of the hash race.
func (n *Node) switched(ctx sim.Context, old BlockID) {
	n.net.adopt(ctx, n.id, old, n.tip)
	n.merchantCheck(ctx)
	n.mine(ctx, n.tip, n.net.Store.Get(n.tip).Height)
}

func (n *Node) merchantCheck(ctx sim.Context) {
	m := n.Merchant
	if m == nil {
		return
	}
	t := n.net.Store.Get(n.tip)
	if !m.confirmed && Confirmed(t, m.Z) {
		m.confirmed = true
		ctx.Observe("confirmed", t.Height, t.ShortHash())
	}
	if m.confirmed && !m.reversed && t.ChainFlags&FlagSpend != 0 {
		m.reversed = true
		ctx.Observe("reversed", t.Height, t.ShortHash())
	}
}

// Tip is the block this node mines on.
func (n *Node) Tip() BlockID { return n.tip }

// Confirmed reports whether the chain ending at tip holds the merchant's
// payment with at least z confirmations (the paying block counts as the
// first). z = 0 accepts an unconfirmed payment.
func Confirmed(tip *Block, z int) bool {
	if z <= 0 {
		return true
	}
	return tip.ChainFlags&FlagPay != 0 && tip.Height-tip.PayHeight+1 >= z
}
