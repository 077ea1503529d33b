package nakamoto

import (
	"math"
	"math/bits"

	"simulate/protocols/chain"
	"simulate/sim"
)

// RateFunc gives a miner's share of the hash power: sample is the share the
// run mines with, truth the share of the system being estimated. They
// differ only under importance sampling, where a run is weighted by the
// likelihood ratio of its blocks (Net.Weight). publicHeight is the height
// of the honest chain as the miner sees it.
type RateFunc func(id sim.NodeID, publicHeight int) (sample, truth float64)

// Net is the state one run's nodes share: the block tree with its
// measurements (package chain), the chain parameters and the proof-of-work
// bookkeeping. It lives inside one world and is touched by one goroutine
// only.
type Net struct {
	chain.Tree
	// Interval is the target block interval at BaseWork and HashScale 1.
	Interval  sim.Time
	HashScale float64
	// Retarget is the difficulty window in blocks (0: fixed difficulty).
	Retarget int
	// PoWBits > 0 turns on real proof of work with that many leading zero
	// bits at BaseWork.
	PoWBits int
	// Txs is the transaction stream blocks take their contents from.
	Txs chain.Txs
	// sb is SimBlock's relay and node model (Scenario.Relay "simblock");
	// nil for the push relay.
	sb   *sbNet
	rate RateFunc
	// payment: honest miners include the merchant's payment (double-spend
	// races only).
	payment bool
	// premine is the attacker's block mined before the race (NoBlock if
	// none).
	premine BlockID

	// Halt's StopHeight ends mining once a block reaches it; StopMined
	// once that many blocks were mined (0: no such limit).
	chain.Halt
	StopMined int

	// measurements
	mined     int
	lastMined sim.Time
	logW      float64

	// confirmed marks every block an honest node ever held K deep or
	// deeper (K confirmations), for the double-confirmation count.
	confirmed chain.Bitset

	// A partition (nil split: none): each node's side, and the
	// reorganisations after the heal that abandoned split-time blocks.
	split       *Split
	sideA       []bool
	noHealSync  bool
	partReorgs  int
	partDeepest int
	partLast    sim.Time

	// An eclipse attack (victim -1: none): the victim's tip, when it got
	// each block, and how far behind it was.
	victim        sim.NodeID
	victimTip     BlockID
	victimSaw     []sim.Time
	victimDeepest int
	bestHeight    int
	lagSum, lagN  int
	lagMax        int
}

// newNet builds the shared state for n nodes.
func newNet(n int, peers [][]sim.NodeID, complete bool) *Net {
	net := &Net{Tree: chain.NewTree(n, peers, complete), HashScale: 1, premine: NoBlock, victim: -1}
	net.confirmed.Set(Genesis)
	return net
}

// switched notes that node id moved its tip from old to tip, after
// Tree.Adopt: the blocks now K deep, and what partitions and eclipses
// measure.
func (net *Net) switched(now sim.Time, id sim.NodeID, old, tip BlockID) {
	s := net.Store
	if net.K > 0 && net.Honest[id] {
		net.confirm(tip)
	}
	if id == net.victim {
		net.victimTip = tip
	}
	if old == NoBlock || s.IsAncestor(old, tip) {
		return
	}
	fork := s.Fork(old, tip)
	depth := s.Get(old).Height - s.Get(fork).Height
	if id == net.victim {
		net.victimDeepest = max(net.victimDeepest, depth)
	}
	if p := net.split; p != nil && now >= p.To {
		for b := old; b != fork; b = s.Get(b).Parent {
			if t := s.Get(b).Time; t >= p.From && t < p.To {
				net.partReorgs++
				net.partDeepest = max(net.partDeepest, depth)
				net.partLast = now
				break
			}
		}
	}
}

// confirm marks the blocks of tip's chain with at least K confirmations.
func (net *Net) confirm(tip BlockID) {
	s := net.Store
	h := s.Get(tip).Height - net.K + 1
	if h < 1 {
		return
	}
	for c := s.AtHeight(tip, h); c != NoBlock && !net.confirmed.Has(c); c = s.Get(c).Parent {
		net.confirmed.Set(c)
	}
}

// victimGot notes that the eclipse victim connected block id now.
func (net *Net) victimGot(id BlockID, now sim.Time) {
	for int(id) >= len(net.victimSaw) {
		net.victimSaw = append(net.victimSaw, sim.Never)
	}
	if net.victimSaw[id] == sim.Never {
		net.victimSaw[id] = now
	}
}

// DoubleConfirmed measures the blocks honest nodes held with at least K
// confirmations: forks counts the blocks from which two such branches
// leave, and txs the transactions counted confirmed on two conflicting
// branches (a transaction sits at the same stream position on each, so
// it is on two branches when both hold its position).
func (net *Net) DoubleConfirmed() (forks int, txs int64) {
	s := net.Store
	n := s.Len()
	// sub[b]: the furthest transaction position held by b's confirmed
	// subtree; top1/top2: the two largest sub among b's confirmed children.
	sub := make([]int64, n)
	top1 := make([]int64, n)
	top2 := make([]int64, n)
	kids := make([]int32, n)
	for i := n - 1; i >= 1; i-- {
		id := BlockID(i)
		if !net.confirmed.Has(id) {
			continue
		}
		b := s.Get(id)
		sub[i] = max(b.TxEnd, top1[i])
		p := b.Parent
		kids[p]++
		switch {
		case sub[i] > top1[p]:
			top1[p], top2[p] = sub[i], top1[p]
		case sub[i] > top2[p]:
			top2[p] = sub[i]
		}
	}
	for i := 0; i < n; i++ {
		if kids[i] < 2 {
			continue
		}
		forks += int(kids[i]) - 1
		if second := top2[i] - s.Get(BlockID(i)).TxEnd; second > 0 {
			txs += second
		}
	}
	return forks, txs
}

// nextWork is the difficulty of a block mined on parent: the parent's,
// except every Retarget blocks, when it is scaled by how much faster or
// slower than Interval the last window was (by at most a factor 4, as in
// Bitcoin).
func (net *Net) nextWork(parent BlockID) uint64 {
	p := net.Store.Get(parent)
	if net.Retarget <= 0 || (p.Height+1)%net.Retarget != 0 || p.Height+1 < net.Retarget {
		return p.Work
	}
	// The window's first block is Retarget-1 intervals before the parent
	// (Bitcoin's off-by-one: genesis stands in for the first window's
	// start, as it was "mined" at time 0).
	first := net.Store.Get(net.Store.AtHeight(parent, p.Height+1-net.Retarget))
	span := uint64(p.Time - first.Time)
	expected := uint64(net.Retarget-1) * uint64(net.Interval)
	if span == 0 {
		span = 1
	}
	hi, lo := bits.Mul64(p.Work, expected)
	var w uint64
	if hi >= span {
		w = p.Work * 4
	} else {
		w, _ = bits.Div64(hi, lo, span)
	}
	w = max(w, p.Work/4)
	w = min(w, p.Work*4)
	return max(w, 1)
}

// honestFlags is what an honest miner puts in a block on parent: the
// merchant's payment, if the chain does not hold it (or its conflicting
// spend) yet.
func (net *Net) honestFlags(parent BlockID) uint8 {
	if net.payment && net.Store.Get(parent).ChainFlags&(FlagPay|FlagSpend) == 0 {
		return FlagPay
	}
	return 0
}

// mineBlock makes a block by miner on parent now, filled with the oldest
// transactions the chain lacks, adds it to the store and, in real
// proof-of-work mode, searches its nonce.
func (net *Net) mineBlock(ctx sim.Context, miner sim.NodeID, parent BlockID, flags uint8) *Block {
	p := net.Store.Get(parent)
	now := ctx.Now()
	if net.victim >= 0 {
		// How far behind the victim is as this block is found.
		lag := max(0, net.bestHeight-net.Store.Get(net.victimTip).Height)
		net.lagSum += lag
		net.lagN++
		net.lagMax = max(net.lagMax, lag)
	}
	b := &Block{Parent: parent, Height: p.Height + 1, Miner: miner, Time: now, Flags: flags}
	net.bestHeight = max(net.bestHeight, b.Height)
	b.Work = net.nextWork(parent)
	b.CumWork = p.CumWork + b.Work
	net.Txs.Fill(b, p, now)
	b.ChainFlags = p.ChainFlags | flags
	b.PayHeight = p.PayHeight
	if flags&FlagPay != 0 && p.ChainFlags&FlagPay == 0 {
		b.PayHeight = b.Height
	}
	if net.PoWBits > 0 {
		target := Target64(net.PoWBits, b.Work)
		b.Nonce = ctx.Rand().Uint64()
		for {
			b.Hashes++
			b.Hash = DoubleSHA256(b.Header(p.Hash, uint8(net.PoWBits)))
			if MeetsTarget(b.Hash, target) {
				break
			}
			b.Nonce++
		}
	} else {
		b.Hash = chain.QuickHash(p.Hash, b)
	}
	net.Add(b)
	net.mined++
	net.lastMined = now
	if !net.Quiet {
		ctx.Observe("mine", b.Height, b.ShortHash())
	}
	net.Made(b.Height, now)
	if net.StopMined > 0 && net.mined >= net.StopMined {
		net.Stop(now)
	}
	return b
}

// weigh multiplies the run's likelihood ratio by truth/sample for a block
// found by a miner that mined with share sample instead of truth.
func (net *Net) weigh(sample, truth float64) {
	if sample != truth && sample > 0 {
		net.logW += math.Log(truth) - math.Log(sample)
	}
}

// valid checks a received block: its proof of work in real mode, and that
// it is no larger than a block may be.
func (net *Net) valid(b *Block) bool {
	if b.TxCount > net.Txs.Capacity && net.Txs.Capacity >= 0 && net.Txs.Period > 0 {
		return false
	}
	if net.PoWBits > 0 && b.ID != Genesis {
		p := net.Store.Get(b.Parent)
		h := DoubleSHA256(b.Header(p.Hash, uint8(net.PoWBits)))
		return h == b.Hash && MeetsTarget(h, Target64(net.PoWBits, b.Work))
	}
	return true
}

// Weight is the run's likelihood ratio under importance sampling: 1 in an
// ordinary run.
func (net *Net) Weight() float64 { return math.Exp(net.logW) }

// Mined is the number of blocks mined in the run.
func (net *Net) Mined() int { return net.mined }
