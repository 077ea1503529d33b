package pos

import (
	"sort"

	"simulate/protocols/chain"
	"simulate/sim"
)

// Net is the state one run's validators share: the block tree (package
// chain), the stake distribution, and the leader oracle that stands in for
// Praos's verifiable random function.
type Net struct {
	chain.Tree
	Slot    sim.Time
	F       float64
	Lottery string
	Txs     chain.Txs
	shares  []float64
	coinAge bool
	rate    float64
	// ages[b] is the coin-age state of block b's chain (coin-age variant).
	ages []*ages
	// wins holds every (validator, slot) that won the lottery: the proofs
	// receivers check, as they would a VRF output. Only looked up.
	wins map[[2]int64]struct{}
	// payment: honest validators put the merchant's payment in their
	// block when the chain holds neither it nor the attacker's spend.
	payment bool

	// Halt ends block making at the scenario's height (Blocks).
	chain.Halt

	// slots passed, slots with a leader, slots with several.
	slots, led, multi int64
	lastSlot          int64
	leadersNow        int
}

func newNet(n int, peers [][]sim.NodeID, complete bool, s Scenario) *Net {
	net := &Net{Tree: chain.NewTree(n, peers, complete), Slot: s.Slot, F: s.F, Lottery: s.Lottery,
		Txs: s.Workload.Txs(), shares: chain.Shares(s.Stakes, n),
		coinAge: s.CoinAge, rate: s.Interest, wins: map[[2]int64]struct{}{}, Halt: chain.Halt{StopHeight: s.Blocks}}
	if net.Lottery == "" {
		net.Lottery = LotteryStake
	}
	if net.rate == 0 {
		net.rate = 0.05
	}
	if net.coinAge {
		g := &ages{coins: append([]float64(nil), net.shares...), last: make([]sim.Time, n)}
		net.ages = []*ages{g}
	}
	return net
}

// weight is validator id's lottery weight on the chain ending at tip: its
// stake share, or in the coin-age variant its share of the coin age.
func (net *Net) weight(id sim.NodeID, tip chain.BlockID, now sim.Time) float64 {
	if net.coinAge {
		return net.ages[tip].weight(int(id), now)
	}
	return net.shares[id]
}

// countSlot notes that a validator drew for slot s and whether it won,
// for the empty- and multi-leader-slot counts.
func (net *Net) countSlot(s int64, won bool) {
	if s != net.lastSlot {
		net.lastSlot = s
		net.slots++
		net.leadersNow = 0
	}
	if won {
		net.leadersNow++
		switch net.leadersNow {
		case 1:
			net.led++
		case 2:
			net.multi++
		}
	}
}

// makeBlock makes validator miner's block for slot on parent, filled with
// the oldest transactions its chain lacks.
func (net *Net) makeBlock(ctx sim.Context, miner sim.NodeID, parent chain.BlockID, slot int64, flags uint8) *chain.Block {
	p := net.Store.Get(parent)
	now := ctx.Now()
	b := &chain.Block{Parent: parent, Height: p.Height + 1, Miner: miner, Time: now, Slot: slot, Flags: flags,
		Work: chain.BaseWork, CumWork: p.CumWork + chain.BaseWork}
	net.Txs.Fill(b, p, now)
	b.ChainFlags = p.ChainFlags | flags
	b.PayHeight = p.PayHeight
	if flags&chain.FlagPay != 0 && p.ChainFlags&chain.FlagPay == 0 {
		b.PayHeight = b.Height
	}
	b.Hash = chain.QuickHash(p.Hash, b)
	net.Add(b)
	if net.coinAge {
		net.ages = append(net.ages, net.ages[parent].mint(int(miner), now, net.rate))
	}
	net.Announce(ctx, net.Quiet, b)
	return b
}

// valid checks a received block as a Praos node does: its slot is later
// than its parent's and not in the future, and its maker won that slot.
func (net *Net) valid(b *chain.Block) bool {
	p := net.Store.Get(b.Parent)
	if b.Slot <= p.Slot {
		return false
	}
	_, ok := net.wins[[2]int64{int64(b.Miner), b.Slot}]
	return ok
}

// honestFlags is what an honest validator puts in a block on parent: the
// merchant's payment, if the chain holds neither it nor its double spend.
func (net *Net) honestFlags(parent chain.BlockID) uint8 {
	if net.payment && net.Store.Get(parent).ChainFlags&(chain.FlagPay|chain.FlagSpend) == 0 {
		return chain.FlagPay
	}
	return 0
}

// slotTag is the tag of the timer that starts slot S.
type slotTag struct{ S int64 }

// Node is a validator. An honest one makes a block on its tip in every
// slot it wins and follows the longest chain, first seen winning ties. A
// NothingAtStake validator instead signs a block on each of the MaxTips
// highest fork tips it knows whenever it wins, because that costs it
// nothing (with Lottery "work" it must split its chance among them).
type Node struct {
	chain.Peer
	net *Net
	tip chain.BlockID
	// NothingAtStake: extend every fork (see the type's comment).
	NothingAtStake bool
	// IgnoreForks is a teaching bug: the node never leaves its branch.
	IgnoreForks bool
	// leaves are the blocks this node knows that no known block extends,
	// kept by nothing-at-stake validators only.
	leaves []chain.BlockID
	// Merchant, when set, makes the node watch a payment (Race).
	Merchant *Merchant
}

// Start implements sim.Node.
func (n *Node) Start(ctx sim.Context) {
	n.tip, _ = n.Resume(ctx) // genesis, or after a restart the tip on disk
	n.leaves = []chain.BlockID{n.tip}
	n.net.Adopt(ctx, n.ID, chain.NoBlock, n.tip)
	if n.net.shares[n.ID] > 0 {
		// Slot S starts at S·Slot; a restarted node waits for the next.
		next := int64(ctx.Now()/n.net.Slot) + 1
		ctx.After(sim.Time(next)*n.net.Slot-ctx.Now(), slotTag{S: next})
	}
}

// Deliver implements sim.Node.
func (n *Node) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	old, moved := n.Take(ctx, from, msg, &n.tip, n.net.valid, func(b *chain.Block) {
		n.connected(b)
		n.consider(b)
	})
	if moved {
		n.switched(ctx, old)
	}
}

// consider applies the longest-chain rule to a newly connected block.
func (n *Node) consider(b *chain.Block) {
	s := n.net.Store
	switch {
	case n.IgnoreForks && !s.IsAncestor(n.tip, b.ID):
		// The bug: a block off this node's branch is never adopted.
	case s.Heavier(b.ID, n.tip):
		n.tip = b.ID
	}
}

// connected keeps a nothing-at-stake validator's list of fork tips.
func (n *Node) connected(b *chain.Block) {
	if !n.NothingAtStake {
		return
	}
	s := n.net.Store
	best := max(b.Height, s.Get(n.tip).Height)
	kept := n.leaves[:0]
	for _, l := range n.leaves {
		if l != b.Parent && s.Get(l).Height >= best-1 {
			kept = append(kept, l)
		}
	}
	n.leaves = append(kept, b.ID)
}

// forkTips are the MaxTips highest leaves (lowest id first on a tie),
// the tips a nothing-at-stake validator extends.
func (n *Node) forkTips() []chain.BlockID {
	s := n.net.Store
	tips := append([]chain.BlockID(nil), n.leaves...)
	sort.Slice(tips, func(i, j int) bool {
		hi, hj := s.Get(tips[i]).Height, s.Get(tips[j]).Height
		if hi != hj {
			return hi > hj
		}
		return tips[i] < tips[j]
	})
	if len(tips) > MaxTips {
		tips = tips[:MaxTips]
	}
	return tips
}

// Fire implements sim.Node: a slot begins; draw the lottery.
func (n *Node) Fire(ctx sim.Context, _ sim.TimerID, tag any) {
	if _, ok := tag.(chain.ReconnectTag); ok {
		n.Sync(ctx, n.tip)
		return
	}
	t, ok := tag.(slotTag)
	if !ok || n.net.Stopped() {
		return
	}
	ctx.After(n.net.Slot, slotTag{S: t.S + 1})
	now := ctx.Now()
	net := n.net
	if !n.NothingAtStake {
		won := ctx.Rand().Float64() < Phi(net.F, net.weight(n.ID, n.tip, now))
		net.countSlot(t.S, won)
		if won {
			n.produce(ctx, []chain.BlockID{n.tip}, t.S)
		}
		return
	}
	tips := n.forkTips()
	var on []chain.BlockID
	if net.Lottery == LotteryWork {
		// Proof of work's cost: the power is split across the tips.
		for _, tip := range tips {
			if ctx.Rand().Float64() < Phi(net.F, net.weight(n.ID, tip, now)/float64(len(tips))) {
				on = append(on, tip)
			}
		}
	} else if ctx.Rand().Float64() < Phi(net.F, net.weight(n.ID, tips[0], now)) {
		on = tips // one win signs on every tip: nothing at stake
	}
	net.countSlot(t.S, len(on) > 0)
	if len(on) > 0 {
		n.produce(ctx, on, t.S)
	}
}

// produce makes and sends this validator's blocks for slot on parents,
// then moves its tip to the highest of them.
func (n *Node) produce(ctx sim.Context, parents []chain.BlockID, slot int64) {
	net := n.net
	net.wins[[2]int64{int64(n.ID), slot}] = struct{}{}
	old := n.tip
	for _, p := range parents {
		b := net.makeBlock(ctx, n.ID, p, slot, net.honestFlags(p))
		n.Learn(ctx, b)
		n.Send(ctx, b, -1)
		n.connected(b)
		if net.Store.Heavier(b.ID, n.tip) {
			n.tip = b.ID
		}
	}
	if n.tip != old {
		n.switched(ctx, old)
	}
}

// switched runs after the tip moved: bookkeeping and the merchant's check.
func (n *Node) switched(ctx sim.Context, old chain.BlockID) {
	n.net.Adopt(ctx, n.ID, old, n.tip)
	if n.Merchant != nil {
		n.Merchant.Check(ctx, n.net.Store.Get(n.tip))
	}
}

// Tip is the block this validator builds on.
func (n *Node) Tip() chain.BlockID { return n.tip }
