package chain

import (
	"simulate/sim"
)

// Tree is the state one run's nodes share: the block store (blocks are
// immutable once made), the peer-to-peer graph and the run's
// configuration (who is honest, who observes, the common-prefix depth), a
// node's disk across a crash when a fault plan restarts nodes, and the
// block messages boxed once. It lives inside one world and is touched by
// one goroutine only. What a run measures is not here: nodes report it
// through probes (Reached, Adopt) to the run's Meter, outside the world.
type Tree struct {
	Store *Store
	// Peers lists each node's neighbours, fixed before the nodes are made
	// (NewPeer keeps each node's row); Complete says every node is a
	// neighbour of every other (then nobody relays: the producer's own
	// broadcast reaches all).
	Peers    [][]sim.NodeID
	Complete bool
	// Honest marks the nodes whose chains the common-prefix check reads.
	Honest []bool
	// Observer is the node whose view times confirmations (node 0 unless
	// set).
	Observer sim.NodeID
	// Quiet turns off the "reorg" observations (sweeps do not read them).
	Quiet bool
	// K is the depth of the common-prefix check; 0 turns it off.
	K int

	// disks, when a fault plan restarts nodes, is what each node keeps
	// across a crash; reconnects are the plan's heals (see Resume).
	disks      []disk
	reconnects []sim.Time
	// msgs[b] is block b's message as an interface value, made on its
	// first send and shared by every node that relays the block.
	msgs []sim.Message
}

// Msg is the message that carries b, boxed once per block: a block
// crosses every node, and boxing it at each relay would allocate a copy
// per node. A block not (yet) in the store gets a fresh message.
func (t *Tree) Msg(b *Block) sim.Message {
	id := int(b.ID)
	if id < 0 || id >= t.Store.Len() || t.Store.Get(b.ID) != b {
		return MsgOf(b)
	}
	if id >= len(t.msgs) {
		t.msgs = append(t.msgs, make([]sim.Message, t.Store.Len()-len(t.msgs))...)
	}
	m := t.msgs[id]
	if m == nil {
		m = MsgOf(b)
		t.msgs[id] = m
	}
	return m
}

// NewTree builds the shared state for n nodes, all honest.
func NewTree(n int, peers [][]sim.NodeID, complete bool) Tree {
	t := Tree{Store: NewStore(), Peers: peers, Complete: complete, Honest: make([]bool, n)}
	for i := range t.Honest {
		t.Honest[i] = true
	}
	return t
}

// Add puts b in the store.
func (t *Tree) Add(b *Block) *Block {
	t.Store.Add(b)
	return b
}

// Reached notes that this node (ctx's) has block b: on its disk, when a
// fault plan restarts nodes, and to the run's Meter (ProbeReached).
func (t *Tree) Reached(ctx sim.Context, b BlockID) {
	if t.disks != nil {
		t.disks[ctx.Self()].blocks.Set(b)
	}
	ctx.Probe(ProbeReached, int64(b), 0)
}

// Adopt notes that node id moved its tip from old (NoBlock at start) to
// tip: on its disk, in a "reorg" observation when the move drops blocks
// (unless Quiet), and to the run's Meter (ProbeAdopted), which counts
// reorganisations and checks the common-prefix property.
func (t *Tree) Adopt(ctx sim.Context, id sim.NodeID, old, tip BlockID) {
	if t.disks != nil {
		t.disks[id].tip = tip
	}
	if !t.Quiet && old != NoBlock {
		if depth, ok := reorgDepth(t.Store, old, tip); ok {
			ctx.Observe("reorg", depth, t.Store.Get(tip).ShortHash())
		}
	}
	ctx.Probe(ProbeAdopted, int64(old), int64(tip))
}

// reorgDepth is how many blocks a move from tip old to tip new drops, and
// whether it drops any (new does not extend old).
func reorgDepth(s *Store, old, new BlockID) (int, bool) {
	if s.IsAncestor(old, new) {
		return 0, false
	}
	return s.Get(old).Height - s.Get(s.Fork(old, new)).Height, true
}

// Txs is the transaction stream: one transaction every Period (0: none),
// Size bytes each, at most Capacity in a block. Every chain holds a
// prefix of the stream, so a reorganisation returns transactions to the
// pool by itself.
type Txs struct {
	Period   sim.Time
	Size     int
	Capacity int
}

// NewTxs is the stream of rate transactions a second of size bytes, with
// blocks of at most blockSize bytes (header included).
func NewTxs(rate float64, size, blockSize int) Txs {
	t := Txs{Size: size, Capacity: (blockSize - HeaderSize) / size}
	if rate > 0 {
		t.Period = max(1, sim.Time(float64(sim.Second)/rate))
	}
	return t
}

// Fill gives b, made at now on parent p, the oldest transactions p's chain
// does not hold, up to the capacity, and sets its size.
func (t Txs) Fill(b, p *Block, now sim.Time) {
	var arrived int64
	if t.Period > 0 {
		arrived = int64(now / t.Period)
	}
	take := arrived - p.TxEnd
	take = max(0, min(take, int64(t.Capacity)))
	b.TxCount = int(take)
	b.TxEnd = p.TxEnd + take
	b.Size = HeaderSize + b.TxCount*t.Size
}

// Confirmation is the mean time from a transaction's arrival until it is
// buried k deep in the final main chain (or, where K is 0, final by the
// protocol's own rule), as the observer saw it.
type Confirmation struct {
	K       int      `json:"k"`
	Mean    sim.Time `json:"mean_ns"`
	Samples int64    `json:"txs"`
}

// TxLatency averages, over the transactions of chain (genesis first), the
// time from arrival until settledAt(h), when the block at height h counts
// as settled (sim.Never: not settled, its transactions are left out).
// Transaction i of the stream arrives at (i+1)·period.
func (t *Tree) TxLatency(chain []BlockID, period sim.Time, settledAt func(h int) sim.Time) (mean sim.Time, samples int64) {
	if period == 0 {
		return 0, 0
	}
	s := t.Store
	P := float64(period)
	sum := 0.0
	for h := 1; h < len(chain); h++ {
		b := s.Get(chain[h])
		if b.TxCount == 0 {
			continue
		}
		conf := settledAt(h)
		if conf == sim.Never {
			continue
		}
		// Transaction i arrives at (i+1)·P; the block holds [e-count, e).
		e, first := float64(b.TxEnd), float64(b.TxEnd-int64(b.TxCount))
		arrivals := P * (e*(e+1)/2 - first*(first+1)/2)
		sum += float64(float64(b.TxCount)*float64(conf)) - arrivals // no fused multiply-add
		samples += int64(b.TxCount)
	}
	if samples > 0 {
		mean = sim.Time(sum / float64(samples))
	}
	return mean, samples
}
