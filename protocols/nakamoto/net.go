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

	// A partition (nil split: none): each node's side; noHealSync is the
	// teaching bug no-reannounce-on-heal. What the partition does to the
	// chains is measured by the run's meter.
	split      *Split
	sideA      []bool
	noHealSync bool

	// victim is the node an eclipse attack isolates (-1: none).
	victim sim.NodeID
}

// newNet builds the shared state for n nodes.
func newNet(n int, peers [][]sim.NodeID, complete bool) *Net {
	return &Net{Tree: chain.NewTree(n, peers, complete), HashScale: 1, premine: NoBlock, victim: -1}
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
	b := &Block{Parent: parent, Height: p.Height + 1, Miner: miner, Time: now, Flags: flags}
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
	ctx.Probe(probeMined, int64(b.ID), int64(b.Height))
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
