package chain

import (
	"fmt"
	"math"

	"simulate/faults"
	"simulate/network"
	"simulate/sim"
)

// Workload is the blocks and the transaction stream every chain protocol's
// scenario describes the same way. Scenarios embed it, so its fields are
// theirs (s.TxRate) and their JSON is flat: "block_size", "tx_size",
// "tx_rate" beside the protocol's own fields.
type Workload struct {
	// BlockSize is the largest block in bytes; TxSize and TxRate describe
	// the transaction stream: transactions of TxSize bytes arriving TxRate
	// a second.
	BlockSize int     `json:"block_size"`
	TxSize    int     `json:"tx_size"`
	TxRate    float64 `json:"tx_rate"`
}

// Validate reports the first thing wrong with w, in words for a user that
// name each field as its flag does (block size for --block-size).
func (w Workload) Validate() error {
	switch {
	case w.BlockSize < HeaderSize:
		return fmt.Errorf("block size must be at least %d bytes (a header), got %d", HeaderSize, w.BlockSize)
	case w.TxSize < 1:
		return fmt.Errorf("transaction size must be positive, got %d", w.TxSize)
	case w.TxRate < 0 || math.IsNaN(w.TxRate) || math.IsInf(w.TxRate, 0) || w.TxRate > 1e6:
		return fmt.Errorf("transaction rate must be between 0 and 1e6 per second, got %v", w.TxRate)
	}
	return nil
}

// Output is what a chain protocol's run prints with --format json: the
// scenario it ran, the seed, the trace hash and the protocol's stats.
type Output[S, T any] struct {
	Scenario S      `json:"scenario"`
	Seed     uint64 `json:"seed"`
	Hash     string `json:"trace_hash"`
	Stats    T      `json:"stats"`
}

// ValidateRun reports the first thing wrong with what every chain
// protocol's scenario shares, in words that name each field as its flag
// does: the workload, the network of n nodes (nodes names the node
// count's flag), when the run stops — exactly one of blocks (a height)
// and duration — and the confirmation depth k.
func ValidateRun(w Workload, l Links, n int, nodes string, blocks int, duration sim.Time, k int) error {
	if err := w.Validate(); err != nil {
		return err
	}
	if err := l.Validate(n, nodes); err != nil {
		return err
	}
	switch {
	case blocks < 0 || duration < 0:
		return fmt.Errorf("blocks and duration must not be negative")
	case (blocks == 0) == (duration == 0):
		return fmt.Errorf("give exactly one of blocks and duration (not both, not neither)")
	case blocks > 1_000_000:
		return fmt.Errorf("blocks must be at most 1000000, got %d", blocks)
	case k < 1 || k > 100:
		return fmt.Errorf("k must be between 1 and 100, got %d", k)
	}
	return nil
}

// Txs is the transaction stream w describes (NewTxs). w must be valid.
func (w Workload) Txs() Txs { return NewTxs(w.TxRate, w.TxSize, w.BlockSize) }

// Links is the peer-to-peer network every chain protocol's scenario
// describes the same way: the graph (Graph) and its links (Model).
// Scenarios embed it, so its fields are theirs (s.Delay) and their JSON is
// flat: "degree", "delay", "bandwidth" and so on beside the protocol's own
// fields.
type Links struct {
	// Degree is each node's minimum number of neighbours in the random
	// peer-to-peer graph (RandomGraph; complete when Degree >= nodes-1).
	Degree int `json:"degree"`
	// Outbound, if set, builds Bitcoin Core's graph instead: every node
	// opens this many outbound connections to random peers and accepts
	// inbound ones (OutboundGraph), so it has about twice as many
	// neighbours. Degree is then unused. It sits here, between Degree and
	// Delay, because that is where package nakamoto's JSON has always had
	// it.
	Outbound int `json:"outbound,omitempty"`
	// Delay is every link's latency; Bandwidth its speed in bits/s (0:
	// unlimited), so a block takes Delay + size·8/Bandwidth per hop.
	Delay     sim.Time `json:"delay"`
	Bandwidth int64    `json:"bandwidth"`
	// Jitter adds a drawn 0..JitterSteps-1 times Jitter to each message.
	Jitter      sim.Time `json:"jitter,omitempty"`
	JitterSteps int      `json:"jitter_steps,omitempty"`
	// Faults is a fault plan (--faults) on the peer-to-peer network and
	// its nodes: crashes and restarts, partitions, one-way cuts, loss and
	// duplication windows, heals. A restarted node keeps the blocks it
	// had and catches up from its neighbours; at a heal every node asks
	// its neighbours for what it missed (see Resume).
	Faults faults.Plan `json:"faults,omitempty"`
	// Swarm draws each run's network conditions from the environment's
	// choices, as TigerBeetle's VOPR does (see Swarmed): how much of the
	// jitter applies, and a duplication rate. What the chain protocols'
	// checks search.
	Swarm bool `json:"swarm,omitempty"`
}

// SwarmOn turns the swarm on (Swarm). A registered scenario that embeds
// Links has it too, so that Protocol.NewSearch reaches it.
func (l *Links) SwarmOn() { l.Swarm = true }

// Swarm levels, indexed by a draw; index 0 is the calm network. The
// jitter levels scale Jitter (none, a quarter, one half, all of it): some
// runs are calm, some fork often, and the search's shrinking walks toward
// the calm network. They stop at the configured jitter, the worst delay
// the scenario promises: with twice PoET's check jitter an honest chain
// loses 3-deep blocks, a consequence of the delays, not a bug.
var swarmJitter = []float64{0, 0.25, 0.5, 1}

// Swarmed resolves l's swarm with draws from c: l with Jitter scaled by a
// drawn level (when l has jitter) and a duplication window from time 0
// added to its fault plan, and Swarm off. Without Swarm it returns l and draws nothing. The
// swarm never partitions, cuts or crashes: a partition long enough to
// outlast k blocks breaks a longest-chain protocol's common prefix by
// design (CAP), not by a bug.
func (l Links) Swarmed(c sim.Choices) Links {
	if !l.Swarm {
		return l
	}
	l.Swarm = false
	if l.Jitter > 0 && l.JitterSteps > 1 { // no jitter to scale: no draw
		l.Jitter = sim.Time(float64(l.Jitter) * swarmJitter[c.Intn("swarm jitter level", len(swarmJitter))])
	}
	if p := faults.SwarmDuplication(c); p > 0 {
		l.Faults = append(faults.Plan{faults.Duplicate(0, p)}, l.Faults...)
	}
	return l
}

// Validate reports the first thing wrong with l for a network of n nodes,
// in words for a user that name each field as its flag does; nodes is the
// name of the node count's own flag ("miners", "validators", "nodes"), so
// a bad degree reads "degree must be between 1 and miners-1 (15), got 0".
func (l Links) Validate(n int, nodes string) error {
	switch {
	case n > 1 && (l.Degree < 1 || l.Degree >= n):
		return fmt.Errorf("degree must be between 1 and %s-1 (%d), got %d", nodes, n-1, l.Degree)
	case l.Outbound < 0 || (n > 1 && l.Outbound >= n):
		return fmt.Errorf("outbound connections must be between 0 and %s-1 (%d), got %d", nodes, n-1, l.Outbound)
	case l.Delay < 0:
		return fmt.Errorf("delay must not be negative, got %v", l.Delay)
	case l.Bandwidth < 0:
		return fmt.Errorf("bandwidth must not be negative, got %d", l.Bandwidth)
	case l.Jitter < 0:
		return fmt.Errorf("jitter must not be negative, got %v", l.Jitter)
	case l.JitterSteps < 0:
		return fmt.Errorf("jitter steps must not be negative, got %d", l.JitterSteps)
	case l.Jitter > 0 && l.JitterSteps < 2:
		// The extra delay is a drawn 0..steps-1 times the jitter: with
		// fewer than 2 steps it is always 0, and the jitter does nothing.
		return fmt.Errorf("jitter %v needs jitter steps of at least 2 (the extra delay is a drawn 0..steps-1 times the jitter), got %d", l.Jitter, l.JitterSteps)
	case l.JitterSteps > 1 && l.Jitter == 0:
		return fmt.Errorf("jitter steps %d need a jitter (the step of the extra delay), got none", l.JitterSteps)
	}
	if err := l.Faults.Validate(n); err != nil {
		return fmt.Errorf("--faults: %v", err)
	}
	return l.Options(nil, 0).Validate()
}

// Graph returns the peer-to-peer graph of n nodes that l describes, drawn
// from seed: OutboundGraph if Outbound is set, otherwise Graph with
// Degree. complete tells Tree that a block's producer already reaches
// everyone, so nobody relays.
func (l Links) Graph(n int, seed uint64) (peers [][]sim.NodeID, complete bool) {
	if l.Outbound > 0 {
		return OutboundGraph(n, l.Outbound, seed), false
	}
	return Graph(n, l.Degree, seed)
}

// Options returns l's network for n nodes, as network.Options: every
// message takes Delay plus its transmission time (size·8/Bandwidth, waiting
// behind the messages ahead of it on its directed link) plus a drawn
// 0..JitterSteps-1 times Jitter (draw 0 is the boring case; no draw unless
// both are set). With regions, the regions' latency and bandwidth tables
// replace Delay and Bandwidth, and seed places the nodes.
func (l Links) Options(regions *Regions, seed uint64) network.Options {
	o := network.Options{Latency: network.Constant(l.Delay), Bandwidth: l.Bandwidth}
	if regions != nil {
		o = network.Options{Latency: network.Constant(0), Regions: regions, RegionSeed: seed}
	}
	if l.Jitter > 0 && l.JitterSteps > 1 {
		base := o.Latency.Min
		o.Latency = network.UniformSteps(base, base+sim.Time(l.JitterSteps-1)*l.Jitter, l.JitterSteps)
	}
	return o
}

// Net returns a fresh network.Net of n nodes for l (see Options); it
// panics on links Validate rejects.
func (l Links) Net(n int, regions *Regions, seed uint64) *network.Net {
	return network.MustNew(n, l.Options(regions, seed))
}

// DefaultWorkload is the transaction stream of every chain protocol's
// default scenario, so that their runs compare: 4 transactions of 250
// bytes a second, in blocks of up to blockSize bytes.
func DefaultWorkload(blockSize int) Workload {
	return Workload{BlockSize: blockSize, TxSize: 250, TxRate: 4}
}

// DefaultLinks is the network of every chain protocol's default scenario,
// so that their runs compare: 4 neighbours each over 100 ms links at
// 10 Mbit/s.
func DefaultLinks() Links {
	return Links{Degree: 4, Delay: 100 * sim.Millisecond, Bandwidth: 10_000_000}
}

// ValidateCount reports a node count n outside 1..most, naming it as its
// flag does (nodes: "validators", "miners").
func ValidateCount(n int, nodes string, most int) error {
	if n < 1 || n > most {
		return fmt.Errorf("%s must be between 1 and %d, got %d", nodes, most, n)
	}
	return nil
}

// ValidateWeighted is ValidateCount for a scenario that weighs its nodes
// (stakes, hash-power shares), followed by the check each such scenario
// makes next: weights (named by what: "stakes", "shares"), when given,
// are one per node. Their values are Weights' to check.
func ValidateWeighted(n int, nodes string, most int, weights []float64, what string) error {
	if err := ValidateCount(n, nodes, most); err != nil {
		return err
	}
	if len(weights) != 0 && len(weights) != n {
		return fmt.Errorf("%d %s for %d %s", len(weights), what, n, nodes)
	}
	return nil
}
