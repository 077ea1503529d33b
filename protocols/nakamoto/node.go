package nakamoto

import (
	"unsafe"

	"simulate/internal/prefetch"
	"simulate/protocols/chain"
	"simulate/sim"
)

// mineTag is the tag of the timer that fires when a miner finds a block.
type mineTag struct{}

// peer is what every node kind shares: its view of the block tree
// (chain.Peer: blocks seen, orphans waiting for a parent, gossip) and its
// mining timer.
type peer struct {
	chain.Peer
	net   *Net
	timer sim.TimerID
	// timerAt is when the pending timer fires; deadline is when the
	// current draw finds a block (sim.Never when not mining).
	timerAt, deadline sim.Time
	// sample and truth are the shares of the pending draw (they differ
	// under importance sampling).
	sample, truth float64
}

func newPeer(net *Net, id sim.NodeID) peer {
	return peer{Peer: chain.NewPeer(&net.Tree, id), net: net, deadline: sim.Never}
}

// receive takes a block from the wire, checking it as this run's miners
// do (chain.Peer.Receive).
func (p *peer) receive(ctx sim.Context, from sim.NodeID, id BlockID, connect func(b *Block, from sim.NodeID)) {
	p.Receive(ctx, from, id, p.net.valid, connect)
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
	if p.net.Stopped() {
		return
	}
	sample, truth := p.net.rate(p.ID, publicHeight)
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
	if p.deadline == sim.Never || p.net.Stopped() {
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
	b := p.net.mineBlock(ctx, p.ID, parent, flags)
	p.Learn(ctx, b)
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
	// sb is the node's state in SimBlock's relay (Scenario.Relay).
	sb sbNode
	// A Node is 256 bytes (a test pins it), a size the allocator keeps
	// aligned to cache lines, so the known-blocks set at its start
	// (chain.Peer) is always one line and its neighbours the next.
}

// Merchant is the payee of a double spend: it hands over the goods once the
// payment has Z confirmations (observation "confirmed") and notices when a
// reorganisation takes the payment away ("reversed").
type Merchant = chain.Merchant

// healTag is the tag of the timer that fires when a partition heals.
type healTag struct{}

// Start implements sim.Node.
func (n *Node) Start(ctx sim.Context) {
	n.tip, _ = n.Resume(ctx) // Genesis, or after a restart the tip on disk
	n.net.Adopt(ctx, n.ID, NoBlock, n.tip)
	n.merchantCheck(ctx)
	n.mine(ctx, n.tip, n.net.Store.Get(n.tip).Height)
	if p := n.net.split; p != nil && !n.net.noHealSync && p.To > ctx.Now() {
		ctx.After(p.To-ctx.Now(), healTag{})
	}
}

// Deliver implements sim.Node.
func (n *Node) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	switch m := msg.(type) {
	case BlockMsg:
		if n.Knows(m.ID) {
			// Most deliveries, as a block floods the graph: the same
			// early return as in receive, without reading the rest of
			// the node (see chain.Peer's layout).
			return
		}
		// A block new to this node reads the Node's last two cache lines
		// (its tip, its mining draw); the kernel has only fetched the
		// first two. Asked for now, they arrive while the block is
		// relayed, and the tip is first read after that.
		prefetch.Lines(unsafe.Add(unsafe.Pointer(n), 128))
		old, connected := NoBlock, false
		n.receive(ctx, from, m.ID, func(b *Block, from sim.NodeID) {
			n.Relay(ctx, b, from)
			if !connected {
				old, connected = n.tip, true
			}
			n.consider(ctx, b)
		})
		if connected && n.tip != old {
			n.switched(ctx, old)
		}
	case chain.GetBlocksMsg:
		n.Serve(ctx, from, n.tip, m.Locator)
	case sbMsg:
		n.deliverSimBlock(ctx, from, m)
	}
}

// heal runs when a partition heals: the node reconnects to its neighbours
// across the cut and asks each for the blocks it missed, naming its chain
// by a locator. (The teaching bug no-reannounce-on-heal skips this: the
// sides then never learn each other's split-time blocks, whose children
// wait forever as orphans, and the network stays split.)
func (n *Node) heal(ctx sim.Context) {
	s := n.net.Store
	var m sim.Message = chain.GetBlocksMsg{TipHeight: s.Get(n.tip).Height, Locator: chain.Locator(s, n.tip)}
	for _, q := range n.net.Peers[n.ID] {
		if n.net.sideA[q] != n.net.sideA[n.ID] {
			ctx.Send(q, m)
		}
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

// Fire implements sim.Node: this miner found a block (or a partition
// healed).
func (n *Node) Fire(ctx sim.Context, id sim.TimerID, tag any) {
	switch tag.(type) {
	case healTag:
		n.heal(ctx)
		return
	case chain.ReconnectTag:
		n.Sync(ctx, n.tip)
		return
	case uploadDoneTag:
		n.nextUpload(ctx)
		return
	}
	if !n.due(ctx, id, tag) {
		return
	}
	b := n.found(ctx, n.tip, n.net.honestFlags(n.tip))
	if n.net.sb != nil {
		n.announce(ctx, b)
	} else {
		n.Send(ctx, b, -1)
	}
	old := n.tip
	n.tip = b.ID
	n.switched(ctx, old)
}

// switched runs after the tip moved: bookkeeping, the merchant's check and
// a fresh draw of the hash race.
func (n *Node) switched(ctx sim.Context, old BlockID) {
	n.net.Adopt(ctx, n.ID, old, n.tip)
	n.merchantCheck(ctx)
	n.mine(ctx, n.tip, n.net.Store.Get(n.tip).Height)
}

func (n *Node) merchantCheck(ctx sim.Context) {
	if m := n.Merchant; m != nil {
		m.Check(ctx, n.net.Store.Get(n.tip))
	}
}

// Tip is the block this node mines on.
func (n *Node) Tip() BlockID { return n.tip }

// Confirmed reports whether the chain ending at tip holds the merchant's
// payment with at least z confirmations (chain.Confirmed).
func Confirmed(tip *Block, z int) bool { return chain.Confirmed(tip, z) }
