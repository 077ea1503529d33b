package nakamoto

import (
	"fmt"

	"simulate/network"
	"simulate/protocols/chain"
	"simulate/sim"
)

// Race is the double-spend race of the whitepaper's section 11 as a
// kernel world: node 0 is the DoubleSpender with hash share Q, nodes
// 1..Honest are honest miners sharing 1-Q, and the last node is the merchant
// (no hash power) who waits for Z confirmations. Blocks travel instantly
// over a complete graph, as the whitepaper assumes. The attacker starts
// with one premined block carrying the conflicting spend; the first honest
// block carries the payment.
//
// For small probabilities the run can be importance-sampled: the attacker
// then mines with share WaitShare until the merchant is satisfied and
// CatchShare after (the honest miners with the rest), and Outcome.Weight is
// the likelihood ratio that makes the weighted success an unbiased
// estimate. Shares of 0 mean Q (plain Monte Carlo).
type Race struct {
	Q          float64
	Z          int
	Honest     int
	GiveUp     int
	WaitShare  float64
	CatchShare float64
	// MaxEvents bounds a run (0: 50 million events).
	MaxEvents int
	// NoHash skips the trace hash (sweeps do not read it).
	NoHash bool
}

// Outcome is how one race ended.
type Outcome struct {
	// RaceResult: whether the payment was reversed, or the attacker
	// gave up.
	chain.RaceResult
	// Weight is the likelihood ratio of the run (1 without importance
	// sampling).
	Weight float64
	// Blocks mined in the run; Events processed by the kernel.
	Blocks int
	Events int
	Hash   uint64
}

// Validate reports what is wrong with r.
func (r Race) Validate() error {
	if err := chain.ValidateRace(r.Q, "share", r.Z, 0, r.Honest, "miner"); err != nil {
		return err
	}
	switch {
	case r.GiveUp < 0:
		return fmt.Errorf("give-up margin must not be negative")
	case r.WaitShare < 0 || r.WaitShare >= 1 || r.CatchShare < 0 || r.CatchShare >= 1:
		return fmt.Errorf("sampling shares must be in [0, 1)")
	}
	return nil
}

// Config builds the race's world for seed; the returned function reads the
// outcome after the world ran.
func (r Race) Config(seed uint64) (sim.Config, func(sim.Result) Outcome) {
	n := r.Honest + 2
	merchant := sim.NodeID(n - 1)
	net := newNet(n, CompleteGraph(n), true)
	net.Interval = 600 * sim.Second
	net.Quiet = true
	net.payment = true
	net.Honest[0] = false
	net.Observer = merchant
	wait, catch := r.WaitShare, r.CatchShare
	if wait == 0 {
		wait = r.Q
	}
	if catch == 0 {
		catch = r.Q
	}
	q, h := r.Q, float64(r.Honest)
	net.rate = func(id sim.NodeID, public int) (float64, float64) {
		a := wait
		if public >= r.Z {
			a = catch
		}
		switch {
		case id == 0:
			return a, q
		case id == merchant:
			return 0, 0
		}
		return (1 - a) / h, (1 - q) / h
	}
	// The premine: the attacker's block, spending the coins elsewhere.
	pre := &Block{Parent: Genesis, Height: 1, Miner: 0, Work: BaseWork, CumWork: 2 * BaseWork, Size: HeaderSize, Flags: FlagSpend, ChainFlags: FlagSpend}
	pre.Hash = DoubleSHA256(pre.Header(net.Store.Get(Genesis).Hash, 0))
	net.Add(pre)
	net.premine = pre.ID
	maxEv := r.MaxEvents
	if maxEv == 0 {
		maxEv = 50_000_000
	}
	cfg := sim.Config{
		Nodes: n,
		New: func(id sim.NodeID) sim.Node {
			switch id {
			case 0:
				return &DoubleSpender{peer: newPeer(net, id), Z: r.Z, GiveUp: r.GiveUp}
			case merchant:
				return &Node{peer: newPeer(net, id), Merchant: &Merchant{Z: r.Z}}
			}
			return &Node{peer: newPeer(net, id)}
		},
		Network:   network.MustNew(n, network.Options{}),
		Seed:      seed,
		MaxEvents: maxEv,
		NoHash:    r.NoHash,
		Stop:      chain.RaceOver,
	}
	return cfg, func(res sim.Result) Outcome {
		return Outcome{RaceResult: chain.RaceEnd(res.Observations), Weight: net.Weight(), Blocks: net.mined, Events: res.Events, Hash: res.Hash}
	}
}

// Run runs the race once with seed.
func (r Race) Run(seed uint64) Outcome {
	cfg, out := r.Config(seed)
	return out(sim.New(cfg).Run())
}

// SelfishRun is Eyal and Sirer's model as a kernel world: node 0 is the
// Selfish pool with hash share Alpha, nodes 1..Honest are honest miners
// sharing the rest, blocks travel instantly over a complete graph, and
// when the pool matches an honest block each honest miner switches to the
// pool's block with probability Gamma (so a γ share of the honest power
// mines on it, in expectation). Mining stops after Blocks blocks.
type SelfishRun struct {
	Alpha  float64
	Gamma  float64
	Honest int
	Blocks int
	// Delay is every link's latency (0: instant, Eyal and Sirer's model).
	// With a real delay honest miners also fork among themselves and the
	// pool's matching block wins races the model gives to chance.
	Delay sim.Time
	// NoHash skips the trace hash (sweeps do not read it).
	NoHash bool
}

// Revenue is the pool's share of the main chain at the end of a run.
type Revenue struct {
	Pool, Total int
	Hash        uint64
}

// Relative is the pool's relative revenue.
func (r Revenue) Relative() float64 {
	if r.Total == 0 {
		return 0
	}
	return float64(r.Pool) / float64(r.Total)
}

// Validate reports what is wrong with s.
func (s SelfishRun) Validate() error {
	switch {
	case !(s.Alpha > 0 && s.Alpha < 1):
		return fmt.Errorf("pool share alpha must be in (0, 1), got %v", s.Alpha)
	case !(s.Gamma >= 0 && s.Gamma <= 1):
		return fmt.Errorf("gamma must be in [0, 1], got %v", s.Gamma)
	case s.Honest < 1 || s.Blocks < 1:
		return fmt.Errorf("need honest miners and blocks")
	case s.Delay < 0 || s.Delay > network.MaxDelay:
		return fmt.Errorf("delay must be between 0 and %v, got %v", network.MaxDelay, s.Delay)
	}
	return nil
}

// Config builds the world for seed; the returned function reads the
// revenue after the run.
func (s SelfishRun) Config(seed uint64) (sim.Config, func(sim.Result) Revenue) {
	n := s.Honest + 1
	net := newNet(n, CompleteGraph(n), true)
	net.Interval = 600 * sim.Second
	net.Quiet = true
	net.StopMined = s.Blocks
	net.Honest[0] = false
	h := float64(s.Honest)
	net.rate = func(id sim.NodeID, _ int) (float64, float64) {
		if id == 0 {
			return s.Alpha, s.Alpha
		}
		x := (1 - s.Alpha) / h
		return x, x
	}
	var observer *Node
	var pool *Selfish
	cfg := sim.Config{
		Nodes: n,
		New: func(id sim.NodeID) sim.Node {
			if id == 0 {
				pool = &Selfish{peer: newPeer(net, id)}
				return pool
			}
			nd := &Node{peer: newPeer(net, id), TieSwitch: s.Gamma}
			if id == 1 {
				observer = nd
			}
			return nd
		},
		Network: network.MustNew(n, network.Options{Latency: network.Constant(s.Delay)}),
		Seed:    seed,
		NoHash:  s.NoHash,
	}
	return cfg, func(res sim.Result) Revenue {
		r := Revenue{Hash: res.Hash}
		st := net.Store
		// A pool still ahead when mining stops would publish and win: its
		// private chain is the main chain.
		tip := observer.tip
		if st.Get(pool.priv).Height > st.Get(tip).Height {
			tip = pool.priv
		}
		for id := tip; id != Genesis; id = st.Get(id).Parent {
			r.Total++
			if st.Get(id).Miner == 0 {
				r.Pool++
			}
		}
		return r
	}
}

// Run runs the selfish-mining world once with seed.
func (s SelfishRun) Run(seed uint64) Revenue {
	cfg, out := s.Config(seed)
	return out(sim.New(cfg).Run())
}
