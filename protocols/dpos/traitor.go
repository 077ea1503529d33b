package dpos

import (
	"fmt"

	"simulate/protocols/chain"
	"simulate/sim"
)

// coalition is the colluding traitors' shared plan: the tips of the two
// branches they keep alive and which branch each honest node is shown.
type coalition struct {
	tips   [2]chain.BlockID
	forked bool
	// side[i] is the branch honest node i is shown: -1 until drawn.
	side []int8
}

// Traitor is a colluding traitor delegate. Under Equivocate, in each of
// its slots it draws whether to sign two blocks, one on each of the
// coalition's branches, showing each honest node only the block of its
// side (the first equivocation forks the chain; the sides are drawn then).
// Under Censor it leaves out the victim's transactions and builds only on
// the longest chain that holds none of them. It never forwards blocks.
type Traitor struct {
	chain.Peer
	net *Net
	// best is the longest block this traitor holds that a censor may build
	// on (under Equivocate, the longest it holds).
	best chain.BlockID
}

// Start implements sim.Node.
func (t *Traitor) Start(ctx sim.Context) {
	t.best = chain.Genesis
	t.net.plan.tips = [2]chain.BlockID{chain.Genesis, chain.Genesis}
	t.net.tick(ctx, 1)
}

// Deliver implements sim.Node.
func (t *Traitor) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	m, ok := msg.(chain.BlockMsg)
	if !ok {
		return
	}
	t.Receive(ctx, from, m.ID, t.net.valid, func(b *chain.Block, _ sim.NodeID) { t.learnt(b) })
}

// learnt updates the traitor's and the coalition's tips with block b.
func (t *Traitor) learnt(b *chain.Block) {
	net := t.net
	s := net.Store
	if s.Heavier(b.ID, t.best) && (net.strategy != Censor || net.victimEnd[b.ID] == 0) {
		t.best = b.ID
	}
	p := &net.plan
	for k := range p.tips {
		if s.IsAncestor(p.tips[k], b.ID) && s.Heavier(b.ID, p.tips[k]) {
			p.tips[k] = b.ID
		}
	}
}

// draw is one of the coalition's environment draws; 0 is honest behaviour.
func (t *Traitor) draw(label string, n int) int {
	if t.net.choices == nil {
		return 0
	}
	return t.net.choices.Intn(label, n)
}

// Fire implements sim.Node: a slot begins.
func (t *Traitor) Fire(ctx sim.Context, _ sim.TimerID, tag any) {
	st, ok := tag.(slotTag)
	if !ok {
		return
	}
	net := t.net
	net.tick(ctx, st.S+1)
	if st.S >= net.MaxSlot {
		net.stop(ctx.Now())
	}
	if net.stopped {
		return
	}
	if net.strategy == Censor {
		if net.Producer(t.best, st.S) == t.ID {
			b := net.makeBlock(ctx, t.ID, t.best, st.S, false, 0)
			t.Learn(ctx, b)
			t.learnt(b)
			t.Send(ctx, b, -1)
		}
		return
	}
	p := &net.plan
	if net.Producer(p.tips[0], st.S) != t.ID && net.Producer(p.tips[1], st.S) != t.ID {
		return
	}
	if t.draw(fmt.Sprintf("equivocate n%d slot %d", t.ID, st.S), 2) == 0 {
		// Honest-looking: one block on the main branch, for everyone.
		if net.Producer(p.tips[0], st.S) == t.ID {
			b := net.makeBlock(ctx, t.ID, p.tips[0], st.S, true, 0)
			t.Learn(ctx, b)
			t.learnt(b)
			t.Send(ctx, b, -1)
		}
		return
	}
	if !p.forked {
		p.forked = true
		for i, s := range p.side {
			if s < 0 && !net.traitor[i] {
				p.side[i] = int8(t.draw(fmt.Sprintf("side n%d", i), 2))
			}
		}
	}
	var made [2]*chain.Block
	for k, tip := range p.tips {
		if net.Producer(tip, st.S) == t.ID {
			made[k] = net.makeBlock(ctx, t.ID, tip, st.S, true, uint64(k))
			t.Learn(ctx, made[k])
		}
	}
	for k, b := range made {
		if b != nil {
			p.tips[k] = b.ID
			t.learnt(b)
		}
	}
	// Each honest node sees its side's block; the traitors see both.
	for _, q := range net.Peers[t.ID] {
		for k, b := range made {
			if b != nil && (net.traitor[q] || int(p.side[q]) == k) {
				ctx.Send(q, chain.MsgOf(b))
			}
		}
	}
}
