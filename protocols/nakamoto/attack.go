package nakamoto

import (
	"simulate/sim"
)

// DoubleSpender is the attacker of the whitepaper's section 11. It pays a
// merchant on the public chain while secretly mining a chain that spends
// the same coins elsewhere, starting from a block it mined before paying
// (the premine: without it "catching up" would only tie). It keeps mining
// in private, watches the public chain, and publishes its chain as soon as
// the merchant has seen Z confirmations and the private chain has more
// work; the honest nodes then reorganise and the payment is gone. It gives
// up once it is GiveUp blocks behind (0: never, which with a majority of
// the hash power is the 51 % attacker: it always wins in the end).
type DoubleSpender struct {
	peer
	Z      int
	GiveUp int
	priv   BlockID
	pub    BlockID
	chain  []BlockID // the private chain from the fork, oldest first
	done   bool
}

// Start implements sim.Node.
func (d *DoubleSpender) Start(ctx sim.Context) {
	d.pub = Genesis
	d.priv = Genesis
	if pre := d.net.premine; pre != NoBlock {
		d.Mark(pre)
		d.priv = pre
		d.chain = []BlockID{pre}
	}
	d.check(ctx)
	d.mineOn(ctx)
}

func (d *DoubleSpender) mineOn(ctx sim.Context) {
	if d.done {
		d.stopTimer(ctx)
		return
	}
	d.mine(ctx, d.priv, d.net.Store.Get(d.pub).Height)
}

// Deliver implements sim.Node: an honest block moves the public tip.
func (d *DoubleSpender) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	m, ok := msg.(BlockMsg)
	if !ok {
		return
	}
	moved := false
	d.receive(ctx, from, m.ID, func(b *Block, from sim.NodeID) {
		d.Relay(ctx, b, from)
		if d.net.Store.Heavier(b.ID, d.pub) {
			d.pub = b.ID
			moved = true
		}
	})
	if moved {
		d.check(ctx)
		// The race's phase may have changed: draw again (memoryless).
		d.mineOn(ctx)
	}
}

// Fire implements sim.Node: the attacker found a private block.
func (d *DoubleSpender) Fire(ctx sim.Context, id sim.TimerID, tag any) {
	if !d.due(ctx, id, tag) || d.done {
		return
	}
	b := d.found(ctx, d.priv, 0)
	d.priv = b.ID
	d.chain = append(d.chain, b.ID)
	d.check(ctx)
	d.mineOn(ctx)
}

// check publishes or gives up as the race stands (chain.Peer.Spend).
func (d *DoubleSpender) check(ctx sim.Context) {
	if !d.done {
		d.done = d.Spend(ctx, d.Z, d.GiveUp, d.pub, d.priv, d.chain)
	}
}

// Selfish is Eyal and Sirer's selfish miner ("Majority is not enough",
// Algorithm 1): it keeps the blocks it finds private and publishes them
// only to waste the honest miners' work, matching an honest block when it
// is one ahead (a race the honest nodes split according to γ), overriding
// with everything when it is two ahead, and otherwise staying ahead.
type Selfish struct {
	peer
	priv, pub BlockID
	branch    []BlockID // own blocks since the fork with the public chain
	published int       // how many of branch the honest nodes have
}

// Start implements sim.Node.
func (p *Selfish) Start(ctx sim.Context) {
	p.priv, p.pub = Genesis, Genesis
	p.mine(ctx, p.priv, 0)
}

// Deliver implements sim.Node.
func (p *Selfish) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	m, ok := msg.(BlockMsg)
	if !ok {
		return
	}
	p.receive(ctx, from, m.ID, func(b *Block, from sim.NodeID) {
		p.Relay(ctx, b, from)
		p.onPublic(ctx, b)
	})
}

func (p *Selfish) onPublic(ctx sim.Context, b *Block) {
	s := p.net.Store
	if b.Miner == p.ID || b.Height <= s.Get(p.pub).Height {
		return
	}
	lead := s.Get(p.priv).Height - s.Get(p.pub).Height // before this block
	p.pub = b.ID
	switch {
	case lead <= 0: // the honest chain won: adopt it
		p.priv = b.ID
		p.branch, p.published = nil, 0
		p.mine(ctx, p.priv, b.Height)
	case lead == 1: // publish the last block: a race, γ decides
		p.publishTo(ctx, s.Get(p.priv).Height)
	case lead == 2: // publish everything: the longer chain wins
		p.publishTo(ctx, s.Get(p.priv).Height)
		p.pub = p.priv
		p.branch, p.published = nil, 0
	default: // stay ahead: publish the block matching the honest one
		p.publishTo(ctx, b.Height)
	}
}

// Fire implements sim.Node: the pool found a block.
func (p *Selfish) Fire(ctx sim.Context, id sim.TimerID, tag any) {
	if !p.due(ctx, id, tag) {
		return
	}
	s := p.net.Store
	lead := s.Get(p.priv).Height - s.Get(p.pub).Height
	b := p.found(ctx, p.priv, 0)
	p.priv = b.ID
	p.branch = append(p.branch, b.ID)
	if lead == 0 && len(p.branch) == 2 {
		// Won the race that matching started: publish and take both.
		p.publishTo(ctx, b.Height)
		p.pub = p.priv
		p.branch, p.published = nil, 0
	}
	p.mine(ctx, p.priv, s.Get(p.pub).Height)
}

// publishTo sends the private blocks up to height h.
func (p *Selfish) publishTo(ctx sim.Context, h int) {
	s := p.net.Store
	for p.published < len(p.branch) && s.Get(p.branch[p.published]).Height <= h {
		p.Send(ctx, s.Get(p.branch[p.published]), -1)
		p.published++
	}
}
