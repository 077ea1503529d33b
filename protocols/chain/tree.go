package chain

import (
	"simulate/sim"
)

// Tree is the state one run's nodes share: the block store, the
// peer-to-peer graph, and the bookkeeping that measures the run
// (propagation, reorganisations, the common-prefix property). It lives
// inside one world and is touched by one goroutine only.
type Tree struct {
	Store *Store
	// Peers lists each node's neighbours; Complete says every node is a
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

	// Reorgs counts tip switches to a chain that drops the old tip;
	// MaxReorg is the deepest (blocks dropped).
	Reorgs   int
	MaxReorg int
	reach    []int32
	// FullAt[b] is when block b reached every node (sim.Never if it did
	// not); ObsAt[b] when it reached the observer.
	FullAt []sim.Time
	ObsAt  []sim.Time
	// HalfAt[b] and NinetyAt[b] are when block b reached half and 90 % of
	// the nodes (sim.Never if it did not): the percentiles
	// block-propagation studies report.
	HalfAt   []sim.Time
	NinetyAt []sim.Time
	// CPFailures counts common-prefix violations; CPFirst is when the
	// first happened.
	CPFailures int
	CPFirst    string
	cpDeepest  BlockID
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
	t := Tree{Store: NewStore(), Peers: peers, Complete: complete, Honest: make([]bool, n), cpDeepest: Genesis}
	for i := range t.Honest {
		t.Honest[i] = true
	}
	t.reach = []int32{0}
	t.FullAt = []sim.Time{sim.Never}
	t.ObsAt = []sim.Time{0}
	t.HalfAt = []sim.Time{0}
	t.NinetyAt = []sim.Time{0}
	return t
}

// Add puts b in the store and makes room for its measurements.
func (t *Tree) Add(b *Block) *Block {
	t.Store.Add(b)
	t.reach = append(t.reach, 0)
	t.FullAt = append(t.FullAt, sim.Never)
	t.ObsAt = append(t.ObsAt, sim.Never)
	t.HalfAt = append(t.HalfAt, sim.Never)
	t.NinetyAt = append(t.NinetyAt, sim.Never)
	return b
}

// Reached notes that node id has block b.
func (t *Tree) Reached(b BlockID, id sim.NodeID, now sim.Time) {
	t.reach[b]++
	if t.disks != nil {
		t.disks[id].blocks.Set(b)
	}
	n, r := len(t.Honest), int(t.reach[b])
	if r == (n+1)/2 {
		t.HalfAt[b] = now
	}
	if r == (9*n+9)/10 {
		t.NinetyAt[b] = now
	}
	if r == n {
		t.FullAt[b] = now
	}
	if id == t.Observer && t.ObsAt[b] == sim.Never {
		t.ObsAt[b] = now
	}
}

// Adopt notes that node id moved its tip from old (NoBlock at start) to
// tip: it counts reorganisations and checks the common-prefix property
// for honest nodes.
func (t *Tree) Adopt(ctx sim.Context, id sim.NodeID, old, tip BlockID) {
	s := t.Store
	if t.disks != nil {
		t.disks[id].tip = tip
	}
	if old != NoBlock && !s.IsAncestor(old, tip) {
		f := s.Fork(old, tip)
		depth := s.Get(old).Height - s.Get(f).Height
		t.Reorgs++
		t.MaxReorg = max(t.MaxReorg, depth)
		if !t.Quiet {
			ctx.Observe("reorg", depth, s.Get(tip).ShortHash())
		}
	}
	if !t.Honest[id] || t.K <= 0 {
		return
	}
	// Common prefix (Garay, Kiayias, Leonardos): every chain an honest node
	// ever held, with its last k blocks cut off, is a prefix of every chain
	// an honest node holds later. The cut-off tips seen so far lie on one
	// chain (checked inductively), so comparing with the deepest suffices.
	if !s.IsAncestor(t.cpDeepest, tip) {
		t.CPFailures++
		if t.CPFirst == "" {
			t.CPFirst = ctx.Now().String()
		}
	}
	b := s.Get(tip)
	if b.Height-t.K > s.Get(t.cpDeepest).Height {
		t.cpDeepest = s.AtHeight(tip, b.Height-t.K)
	}
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

// KDeep is the settledAt function of k confirmations: the block at height
// h is settled when the observer holds the block k-1 above it on chain.
func (t *Tree) KDeep(chain []BlockID, k int) func(h int) sim.Time {
	return func(h int) sim.Time {
		if h+k-1 >= len(chain) {
			return sim.Never
		}
		return t.ObsAt[chain[h+k-1]]
	}
}
