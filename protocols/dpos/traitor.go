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
	// hold is how long, from the fork on, the messages between honest
	// nodes of different sides are held back (drawn at the fork; 0, the
	// benign draw, holds nothing).
	hold sim.Time
	// always: from the fork on, every traitor equivocates in each of its
	// slots without a draw of its own (drawn at the fork), so that a
	// coalition splitting both branches' quorums is one choice, not one
	// per slot.
	always bool
	// late delays the coalition's own messages to honest nodes from the
	// fork on (drawn at the fork; 0 sends them at once): a traitor
	// chooses when its blocks go out.
	late sim.Time
}

// holdSlots is how many whole slots the coalition can draw to hold the
// honest nodes' cross-side messages back (0 to holdSlots-1).
const holdSlots = 4

// splitModel is the network as the coalition schedules it: the
// adversary of the partially synchronous model delays messages (here,
// the honest nodes' messages across the split it made, by the drawn
// hold), and every message still arrives. Without it an honest node's
// relay of its side's block reaches the other side within the link's
// own jitter, and splitting an equivocating quorum takes many lucky
// per-message delays; with it the split is a handful of draws — whether
// each traitor equivocates, each honest node's side, and the hold — so a
// search finds the coalition's attack and shrinks it to those.
type splitModel struct {
	inner sim.Model
	net   *Net
}

// Route implements sim.Model.
func (m splitModel) Route(l sim.Link) sim.Fate {
	f := m.inner.Route(l)
	net := m.net
	p := &net.plan
	if p.hold > 0 && !f.Drop && !net.traitor[l.From] && !net.traitor[l.To] &&
		p.side[l.From] >= 0 && p.side[l.To] >= 0 && p.side[l.From] != p.side[l.To] {
		f.Delay += p.hold
		f.DupDelay += p.hold
	}
	if p.late > 0 && !f.Drop && net.traitor[l.From] && !net.traitor[l.To] {
		f.Delay += p.late
		f.DupDelay += p.late
	}
	return f
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
	net.begin(ctx, st.S)
	if net.Stopped() {
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
	if !p.always && t.draw(fmt.Sprintf("equivocate n%d slot %d", t.ID, st.S), 2) == 0 {
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
		p.hold = sim.Time(t.draw("hold cross-side messages (slots)", holdSlots)) * net.Slot
		p.always = t.draw("every traitor equivocates from now on", 2) == 1
		p.late = sim.Time(t.draw("delay the coalition's blocks (x0.5 slot)", 4)) * net.Slot / 2
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
