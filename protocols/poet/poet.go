// Package poet is proof of elapsed time, Intel's design that Hyperledger
// Sawtooth runs: every validator asks its trusted execution environment
// for a random wait time, drawn from an exponential distribution, waits it
// out, and the first whose timer expires proposes the next block with a
// certificate that it waited. Nothing is hashed: the lottery costs a timer,
// not electricity. Each validator is one vote (one enclave), whatever its
// stake.
//
// The enclave is modelled: a validator's wait comes from its own seeded
// stream, and the certificate records it in a shared table receivers
// read, as they would check the enclave's signature. A compromised enclave
// (Scenario.Cheaters) draws waits CheatFactor times shorter and wins far
// more than its share; Sawtooth's defence, the z-test, rejects the blocks
// of a validator that wins more often than chance allows (Scenario.ZTest).
//
// Blocks, gossip, the transaction stream and the measurements are package
// chain's, shared with proof of work, so the two run on the same network.
package poet

import (
	"fmt"
	"math"

	"simulate/protocols/chain"
	"simulate/sim"
)

// ZMax is Sawtooth's zTestMaximumWinDeviation: a validator whose wins in
// the window exceed the expected count by more than ZMax standard
// deviations has its block rejected.
const ZMax = 3.075

// ZWindow is how many of the latest blocks the z-test counts wins over;
// ZMinWins is Sawtooth's zTestMinimumWinCount, below which it does not
// judge.
const (
	ZWindow  = 50
	ZMinWins = 3
)

// Scenario is one run of proof of elapsed time: a JSON-serialisable value,
// so a trace header can hold it and `simulate replay` rebuild it.
type Scenario struct {
	// Validators is the number of nodes, each with one enclave.
	Validators int `json:"validators"`
	// Interval is the target block interval: each wait has mean
	// Interval × Validators, so the shortest of them has mean Interval.
	Interval sim.Time `json:"interval"`
	// Workload is the blocks and the transaction stream: BlockSize,
	// TxSize, TxRate.
	chain.Workload
	// Links is the peer-to-peer network, as in package nakamoto: Degree
	// (or Outbound, Bitcoin Core's graph), Delay, Bandwidth, Jitter,
	// JitterSteps.
	chain.Links
	// Blocks stops block making once a block reaches this height; Duration
	// stops the run at this time. Exactly one is set.
	Blocks   int      `json:"blocks,omitempty"`
	Duration sim.Time `json:"duration,omitempty"`
	// K is the depth of the common-prefix check and the deepest
	// confirmation reported.
	K int `json:"k"`
	// Cheaters: the first this many validators have compromised enclaves
	// whose waits are CheatFactor (default 10) times shorter.
	Cheaters    int     `json:"cheaters,omitempty"`
	CheatFactor float64 `json:"cheat_factor,omitempty"`
	// ZTest turns on Sawtooth's z-test against validators that win too
	// often.
	ZTest bool `json:"z_test,omitempty"`
	// Quiet drops the per-block observations (for sweeps).
	Quiet bool `json:"quiet,omitempty"`
}

// DefaultScenario: 16 validators, a block every 20 s on average, 64 kB
// blocks, 4 transactions of 250 bytes a second, 4 neighbours each over
// 100 ms links at 10 Mbit/s, 100 blocks, k = 6.
func DefaultScenario() Scenario {
	return Scenario{
		Validators: 16,
		Interval:   20 * sim.Second,
		Workload:   chain.DefaultWorkload(64_000),
		Links:      chain.DefaultLinks(),
		Blocks:     100,
		K:          6,
	}
}

// Validate reports the first thing wrong with s, in words for a user.
func (s Scenario) Validate() error {
	if err := chain.ValidateCount(s.Validators, "validators", 10_000); err != nil {
		return err
	}
	switch {
	case s.Interval <= 0:
		return fmt.Errorf("interval must be positive, got %v", s.Interval)
	}
	if err := chain.ValidateRun(s.Workload, s.Links, s.Validators, "validators", s.Blocks, s.Duration, s.K); err != nil {
		return err
	}
	switch {
	case s.Cheaters < 0 || s.Cheaters > s.Validators:
		return fmt.Errorf("cheaters must be between 0 and %d, got %d", s.Validators, s.Cheaters)
	case s.CheatFactor != 0 && !(s.CheatFactor >= 1 && s.CheatFactor <= 1e6):
		return fmt.Errorf("cheat factor must be between 1 and 1e6, got %v", s.CheatFactor)
	}
	return nil
}

// Net is the state one run's validators share: the block tree (package
// chain) and the wait certificates.
type Net struct {
	chain.Tree
	Txs chain.Txs
	// Mean is each honest enclave's mean wait.
	Mean sim.Time
	// waits[b] is the wait block b's certificate attests.
	waits []sim.Time
	zTest bool

	// Halt ends block making at the scenario's height (Blocks).
	chain.Halt
	// Rejected counts blocks the z-test turned down (once per block).
	Rejected []bool
}

// valid checks a received block's certificate and, with the z-test on,
// that its maker has not won implausibly often in the last ZWindow blocks
// of its chain.
func (net *Net) valid(b *chain.Block) bool {
	if int(b.ID) >= len(net.waits) || b.Time-net.Store.Get(b.Parent).Time < 0 {
		return false
	}
	if !net.zTest {
		return true
	}
	n := len(net.Honest)
	p := 1 / float64(n)
	wins, window := 0, 0
	for id := b.ID; id != chain.Genesis && window < ZWindow; id = net.Store.Get(id).Parent {
		window++
		if net.Store.Get(id).Miner == b.Miner {
			wins++
		}
	}
	if wins < ZMinWins {
		return true
	}
	exp := float64(window) * p
	z := (float64(wins) - exp) / math.Sqrt(exp*(1-p))
	if z > ZMax {
		net.Rejected[b.ID] = true
		return false
	}
	return true
}

// waitTag is the tag of a validator's wait timer.
type waitTag struct{}

// Node is a validator: it follows the longest chain (first seen winning
// ties) and, each time its tip changes, asks its enclave for a new wait;
// when the wait runs out on the same tip, it proposes a block.
type Node struct {
	chain.Peer
	net   *Net
	tip   chain.BlockID
	timer sim.TimerID
	wait  sim.Time
	// Factor divides this validator's waits (1 for an honest enclave).
	Factor float64
}

// Start implements sim.Node.
func (n *Node) Start(ctx sim.Context) {
	n.tip, _ = n.Resume(ctx) // genesis, or after a restart the tip on disk
	n.net.Adopt(ctx, n.ID, chain.NoBlock, n.tip)
	n.draw(ctx)
}

// draw asks the enclave for a wait on the current tip.
func (n *Node) draw(ctx sim.Context) {
	if n.timer != 0 {
		ctx.Cancel(n.timer)
		n.timer = 0
	}
	if n.net.Stopped() {
		return
	}
	w := ctx.Rand().ExpFloat64() * float64(n.net.Mean) / n.Factor
	n.wait = sim.Time(min(w, 1e17))
	n.timer = ctx.After(n.wait, waitTag{})
}

// Deliver implements sim.Node.
func (n *Node) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	old, moved := n.Take(ctx, from, msg, &n.tip, n.net.valid, func(b *chain.Block) {
		if n.net.Store.Heavier(b.ID, n.tip) {
			n.tip = b.ID
		}
	})
	if moved {
		n.net.Adopt(ctx, n.ID, old, n.tip)
		n.draw(ctx)
	}
}

// Fire implements sim.Node: the wait ran out; propose a block.
func (n *Node) Fire(ctx sim.Context, id sim.TimerID, tag any) {
	if _, ok := tag.(chain.ReconnectTag); ok {
		n.Sync(ctx, n.tip)
		return
	}
	if _, ok := tag.(waitTag); !ok || id != n.timer {
		return
	}
	n.timer = 0
	if n.net.Stopped() {
		return
	}
	net := n.net
	p := net.Store.Get(n.tip)
	now := ctx.Now()
	b := &chain.Block{Parent: n.tip, Height: p.Height + 1, Miner: n.ID, Time: now, Work: chain.BaseWork, CumWork: p.CumWork + chain.BaseWork}
	net.Txs.Fill(b, p, now)
	b.Hash = chain.QuickHash(p.Hash, b)
	net.Add(b)
	net.waits = append(net.waits, n.wait)
	net.Rejected = append(net.Rejected, false)
	net.Announce(ctx, net.Quiet, b)
	n.Learn(ctx, b)
	n.Send(ctx, b, -1)
	old := n.tip
	n.tip = b.ID
	n.net.Adopt(ctx, n.ID, old, n.tip)
	n.draw(ctx)
}

// Run is a built scenario: the kernel configuration, the shared state and
// the nodes, which Stats reads after the world has run.
type Run struct {
	chain.Built[Scenario, Net, Node]
}

// Build turns the scenario into a world configuration for seed. s must be
// valid.
func (s Scenario) Build(seed uint64) *Run {
	n := s.Validators
	peers, complete := s.Links.Graph(n, seed)
	net := &Net{Tree: chain.NewTree(n, peers, complete), Txs: s.Workload.Txs(),
		Mean: s.Interval * sim.Time(n), waits: []sim.Time{0}, Rejected: []bool{false}, zTest: s.ZTest, Halt: chain.Halt{StopHeight: s.Blocks}}
	net.Quiet = s.Quiet
	net.K = s.K
	factor := s.CheatFactor
	if factor == 0 {
		factor = 10
	}
	for i := 0; i < s.Cheaters; i++ {
		net.Honest[i] = false
	}
	r := &Run{chain.NewBuilt[Scenario, Net, Node](s, net, n)}
	r.OnLinks(s.Links, &net.Tree, seed, s.Duration, net.Drained, func(id sim.NodeID) *Node {
		nd := &Node{Peer: chain.NewPeer(&net.Tree, id), net: net, Factor: 1}
		if int(id) < s.Cheaters {
			nd.Factor = factor
		}
		return nd
	})
	return r
}

// Stats is what a run measured.
type Stats struct {
	chain.Summary
	MeanInterval  sim.Time             `json:"mean_interval_ns"`
	Reorgs        int                  `json:"reorgs"`
	Confirmations []chain.Confirmation `json:"confirmations"`
	CommonPrefix  bool                 `json:"common_prefix_holds"`
	// Rejected counts blocks the z-test turned down.
	Rejected int    `json:"z_test_rejected"`
	Agree    bool   `json:"agree"`
	TipHash  string `json:"tip_hash"`
}

// MainTip is the tip with the most blocks among the honest validators'
// final tips.
func (r *Run) MainTip() chain.BlockID {
	var tips []chain.BlockID
	for i, nd := range r.Nodes {
		if r.Net.Honest[i] {
			tips = append(tips, nd.tip)
		}
	}
	if len(tips) == 0 {
		tips = append(tips, r.Nodes[0].tip)
	}
	return chain.MainTip(r.Net.Store, tips)
}

// Stats measures the run after the world ran and returned res.
func (r *Run) Stats(res sim.Result) Stats {
	net := r.Net
	tip := r.MainTip()
	st := Stats{Summary: net.Summarize(tip, net.Elapsed(res), len(r.Nodes)), Reorgs: r.Meter.Reorgs, CommonPrefix: r.Meter.CPFailures == 0}
	st.MeanInterval = net.Store.MeanInterval(tip)
	main := net.Store.Chain(tip)
	st.Confirmations = r.Meter.Confirmations(main, net.Txs.Period, r.Scenario.K)
	for _, x := range net.Rejected {
		if x {
			st.Rejected++
		}
	}
	st.Agree = true
	for i, nd := range r.Nodes {
		if net.Honest[i] && nd.tip != tip {
			st.Agree = false
		}
	}
	st.TipHash = net.Store.Get(tip).HashHex()
	return st
}
