package nakamoto

import (
	"encoding/binary"
	"math"
	"math/bits"

	"simulate/sim"
)

// RateFunc gives a miner's share of the hash power: sample is the share the
// run mines with, truth the share of the system being estimated. They
// differ only under importance sampling, where a run is weighted by the
// likelihood ratio of its blocks (Net.Weight). publicHeight is the height
// of the honest chain as the miner sees it.
type RateFunc func(id sim.NodeID, publicHeight int) (sample, truth float64)

// Net is the state one run's nodes share: the block store, the topology,
// the chain parameters and the bookkeeping that measures the run. It lives
// inside one world and is touched by one goroutine only.
type Net struct {
	Store *Store
	// Peers lists each node's neighbours.
	Peers    [][]sim.NodeID
	complete bool
	// Interval is the target block interval at BaseWork and HashScale 1.
	Interval  sim.Time
	HashScale float64
	// Retarget is the difficulty window in blocks (0: fixed difficulty).
	Retarget int
	// PoWBits > 0 turns on real proof of work with that many leading zero
	// bits at BaseWork.
	PoWBits int
	// Transactions: one every TxPeriod (0: none), TxSize bytes each, at most
	// Capacity per block.
	TxPeriod sim.Time
	TxSize   int
	Capacity int
	rate     RateFunc
	// payment: honest miners include the merchant's payment (double-spend
	// races only).
	payment bool
	// premine is the attacker's block mined before the race (NoBlock if
	// none).
	premine BlockID

	// StopHeight ends mining once a block reaches it; StopMined once that
	// many blocks were mined (0: no such limit).
	StopHeight int
	StopMined  int
	stopped    bool
	// Quiet turns off the "mine" and "reorg" observations (sweeps do not
	// read them).
	Quiet bool

	honest   []bool
	observer sim.NodeID

	// measurements
	mined      int
	lastMined  sim.Time
	stopAt     sim.Time
	reorgs     int
	maxReorg   int
	reach      []int32
	fullAt     []sim.Time
	obsAt      []sim.Time
	logW       float64
	cpK        int
	cpDeepest  BlockID
	cpFailures int
	cpFirst    string
}

// newNet builds the shared state for n nodes.
func newNet(n int, peers [][]sim.NodeID, complete bool) *Net {
	net := &Net{Store: NewStore(), Peers: peers, complete: complete, HashScale: 1, honest: make([]bool, n), cpDeepest: Genesis, premine: NoBlock}
	for i := range net.honest {
		net.honest[i] = true
	}
	net.reach = []int32{0}
	net.fullAt = []sim.Time{sim.Never}
	net.obsAt = []sim.Time{0}
	return net
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
	var arrived int64
	if net.TxPeriod > 0 {
		arrived = int64(now / net.TxPeriod)
	}
	take := arrived - p.TxEnd
	take = max(0, min(take, int64(net.Capacity)))
	b.TxCount = int(take)
	b.TxEnd = p.TxEnd + take
	b.Size = HeaderSize + b.TxCount*net.TxSize
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
		b.Hash = quickHash(p.Hash, b)
	}
	net.Store.add(b)
	net.reach = append(net.reach, 0)
	net.fullAt = append(net.fullAt, sim.Never)
	net.obsAt = append(net.obsAt, sim.Never)
	net.mined++
	net.lastMined = now
	if !net.Quiet {
		ctx.Observe("mine", b.Height, b.ShortHash())
	}
	if (net.StopHeight > 0 && b.Height >= net.StopHeight) || (net.StopMined > 0 && net.mined >= net.StopMined) {
		if !net.stopped {
			net.stopped = true
			net.stopAt = now
		}
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
	if b.TxCount > net.Capacity && net.Capacity >= 0 && net.TxPeriod > 0 {
		return false
	}
	if net.PoWBits > 0 && b.ID != Genesis {
		p := net.Store.Get(b.Parent)
		h := DoubleSHA256(b.Header(p.Hash, uint8(net.PoWBits)))
		return h == b.Hash && MeetsTarget(h, Target64(net.PoWBits, b.Work))
	}
	return true
}

// reached notes that node id has block b.
func (net *Net) reached(b BlockID, id sim.NodeID, now sim.Time) {
	net.reach[b]++
	if int(net.reach[b]) == len(net.honest) {
		net.fullAt[b] = now
	}
	if id == net.observer && net.obsAt[b] == sim.Never {
		net.obsAt[b] = now
	}
}

// adopt notes that node id moved its tip from old to tip: it counts
// reorganisations and checks the common-prefix property for honest nodes.
func (net *Net) adopt(ctx sim.Context, id sim.NodeID, old, tip BlockID) {
	s := net.Store
	if old != NoBlock && !s.IsAncestor(old, tip) {
		f := s.Fork(old, tip)
		depth := s.Get(old).Height - s.Get(f).Height
		net.reorgs++
		net.maxReorg = max(net.maxReorg, depth)
		if !net.Quiet {
			ctx.Observe("reorg", depth, s.Get(tip).ShortHash())
		}
	}
	if !net.honest[id] || net.cpK <= 0 {
		return
	}
	// Common prefix (Garay, Kiayias, Leonardos): every chain an honest node
	// ever held, with its last k blocks cut off, is a prefix of every chain
	// an honest node holds later. The cut-off tips seen so far lie on one
	// chain (checked inductively), so comparing with the deepest suffices.
	if !s.IsAncestor(net.cpDeepest, tip) {
		net.cpFailures++
		if net.cpFirst == "" {
			net.cpFirst = ctx.Now().String()
		}
	}
	t := s.Get(tip)
	if t.Height-net.cpK > s.Get(net.cpDeepest).Height {
		net.cpDeepest = s.AtHeight(tip, t.Height-net.cpK)
	}
}

// Weight is the run's likelihood ratio under importance sampling: 1 in an
// ordinary run.
func (net *Net) Weight() float64 { return math.Exp(net.logW) }

// Mined is the number of blocks mined in the run.
func (net *Net) Mined() int { return net.mined }

// quickHash stands in for the block hash when proof of work is not real:
// a well-mixed function of the parent's hash and the block's content,
// unique per block, at a fraction of SHA-256's cost (sweeps mine millions
// of blocks).
func quickHash(parent [32]byte, b *Block) [32]byte {
	var h [32]byte
	x := binary.BigEndian.Uint64(parent[:8]) ^ uint64(b.Height)<<32 ^ uint64(b.Miner)
	y := uint64(b.Time) ^ uint64(b.TxEnd)<<20 ^ uint64(b.Flags)<<56
	for i := 0; i < 4; i++ {
		x = mix64(x ^ y + uint64(i)*0x9e3779b97f4a7c15)
		binary.BigEndian.PutUint64(h[8*i:], x)
	}
	return h
}

// mix64 is splitmix64's finaliser.
func mix64(x uint64) uint64 {
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
