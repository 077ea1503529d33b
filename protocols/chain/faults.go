package chain

import (
	"simulate/faults"
	"simulate/network"
	"simulate/sim"
)

// ReconnectTag is the tag of the timer that tells a node its links came
// back (a fault plan's heal): it then asks every neighbour for the blocks
// it missed (Peer.Sync), as a Bitcoin node does when it reconnects.
// Without it a block whose parent crossed no healed link would wait as an
// orphan for good, and a healed network would stay split.
type ReconnectTag struct{}

// disk is what a node keeps across a crash: the blocks it had connected
// and the tip it had adopted — a Bitcoin node's block database.
type disk struct {
	blocks  Bitset
	tip     BlockID
	started bool
}

// Setup applies l.Faults, the --faults plan, to a run of the chain t on
// net: it returns the world's set-up (nil without a plan), makes the nodes
// keep their blocks across a restart when the plan restarts any, and has
// them resynchronise with their neighbours at every heal (Peer.Resume).
// l must be valid.
func (l Links) Setup(t *Tree, net *network.Net) func(*sim.World) {
	if len(l.Faults) == 0 {
		return nil
	}
	for _, e := range l.Faults {
		switch e.Kind {
		case faults.KindRestart:
			if t.disks == nil {
				t.disks = make([]disk, len(t.Honest))
			}
		case faults.KindHeal:
			t.reconnects = append(t.reconnects, e.At)
		}
	}
	plan := l.Faults
	return func(w *sim.World) {
		if err := plan.Apply(w, net); err != nil {
			panic("chain: a validated fault plan failed to apply: " + err.Error())
		}
	}
}

// Resume starts a node: on its first start it knows only genesis and
// Resume returns Genesis, false; after a restart (a fault plan's crash
// and restart) it finds the blocks and the tip it had on disk, asks every
// neighbour for what it missed while down, and returns that tip. Either
// way it schedules the node's resynchronisations at the plan's heals.
func (p *Peer) Resume(ctx sim.Context) (BlockID, bool) {
	t := p.Tree
	for _, at := range t.reconnects {
		if at > ctx.Now() {
			ctx.After(at-ctx.Now(), ReconnectTag{})
		}
	}
	if t.disks == nil {
		return Genesis, false
	}
	d := &t.disks[p.ID]
	if !d.started {
		d.started, d.tip = true, Genesis
		return Genesis, false
	}
	p.known = append(Bitset(nil), d.blocks...)
	p.known.Set(Genesis)
	p.Sync(ctx, d.tip)
	return d.tip, true
}

// Sync asks every neighbour for the blocks of its chain this node lacks,
// naming the chain ending at tip by its locator (GetBlocksMsg); the
// neighbours answer through Serve.
func (p *Peer) Sync(ctx sim.Context, tip BlockID) {
	s := p.Tree.Store
	var m sim.Message = GetBlocksMsg{TipHeight: s.Get(tip).Height, Locator: Locator(s, tip)}
	for _, q := range p.Tree.Peers[p.ID] {
		ctx.Send(q, m)
	}
}

// Durable reports whether the nodes keep their blocks across a restart
// (the run's fault plan restarts some): a protocol keeps its own durable
// state in the kernel's storage only then.
func (t *Tree) Durable() bool { return t.disks != nil }
