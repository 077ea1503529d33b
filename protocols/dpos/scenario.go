package dpos

import (
	"fmt"
	"math"

	"simulate/faults"
	"simulate/protocols/chain"
	"simulate/sim"
)

// Traitor strategies.
const (
	Offline    = "offline"
	Equivocate = "equivocate"
	Censor     = "censor"
)

// Strategies lists the traitor strategies.
var Strategies = []string{Offline, Equivocate, Censor}

// Bugs lists the teaching bugs: "half-quorum" (a block is final once half
// the delegates built on it, not 2/3+1), "no-lock" (honest delegates
// build on any longest chain, even one that drops their own block) and
// "no-vote-out" (delegates who miss their slots are never replaced).
var Bugs = []string{"half-quorum", "no-lock", "no-vote-out"}

// Scenario is one run of delegated proof of stake: a JSON-serialisable
// value, so a trace header can hold it and `simulate replay` rebuild it.
type Scenario struct {
	// Nodes is the number of stakeholders, each a full node and a
	// candidate; Stakes their stakes (normalised; empty means equal).
	Nodes  int       `json:"nodes"`
	Stakes []float64 `json:"stakes,omitempty"`
	// Delegates is N, how many are elected to make blocks.
	Delegates int `json:"delegates"`
	// Slot is the time each delegate has for its block: the block
	// interval.
	Slot sim.Time `json:"slot"`
	// Workload is the blocks and the transaction stream: BlockSize,
	// TxSize, TxRate.
	chain.Workload
	// Links is the peer-to-peer network, as in package nakamoto: Degree
	// (or Outbound, Bitcoin Core's graph), Delay, Bandwidth, Jitter,
	// JitterSteps.
	chain.Links
	// Blocks stops block making once a block reaches this height; Slots
	// stops it after that many slots in any case (0: 4·Blocks + 2·N).
	Blocks int   `json:"blocks"`
	Slots  int64 `json:"slots,omitempty"`
	// Traitors: the first this many delegates of the elected order betray,
	// with Strategy.
	Traitors int    `json:"traitors,omitempty"`
	Strategy string `json:"strategy,omitempty"`
	// OfflineAt is when offline traitors go down (a faults.Plan of
	// crashes; 0: from the start).
	OfflineAt sim.Time `json:"offline_at,omitempty"`
	// VictimRate is the censored account's transactions per second, a
	// stream beside the main one (default 0.1 with Strategy censor).
	VictimRate float64 `json:"victim_rate,omitempty"`
	// Quiet drops the per-block and finality observations (for sweeps).
	Quiet bool `json:"quiet,omitempty"`
	// Bug switches on a teaching bug (see Bugs).
	Bug string `json:"bug,omitempty"`
}

// DefaultScenario is a small BitShares: 32 stakeholders with equal stakes
// electing 21 delegates, 3-second slots, 64 kB blocks, 4 transactions of
// 250 bytes a second, 4 neighbours each over 100 ms links at 10 Mbit/s,
// 100 blocks.
func DefaultScenario() Scenario {
	return Scenario{
		Nodes:     32,
		Delegates: 21,
		Slot:      3 * sim.Second,
		Workload:  chain.DefaultWorkload(64_000),
		Links:     chain.DefaultLinks(),
		Blocks:    100,
	}
}

// Quorum is how many distinct delegates must build on a block for it to
// be final: 2/3 of N, plus one.
func Quorum(n int) int { return 2*n/3 + 1 }

// Validate reports the first thing wrong with s, in words for a user.
func (s Scenario) Validate() error {
	if err := chain.ValidateWeighted(s.Nodes, "nodes", 10_000, s.Stakes, "stakes"); err != nil {
		return err
	}
	switch {
	case s.Delegates < 1 || s.Delegates > s.Nodes:
		return fmt.Errorf("delegates must be between 1 and nodes (%d), got %d", s.Nodes, s.Delegates)
	case s.Slot <= 0:
		return fmt.Errorf("slot must be positive, got %v", s.Slot)
	}
	if err := s.Workload.Validate(); err != nil {
		return err
	}
	if err := s.Links.Validate(s.Nodes, "nodes"); err != nil {
		return err
	}
	switch {
	case s.Blocks < 1 || s.Blocks > 1_000_000:
		return fmt.Errorf("blocks must be between 1 and 1000000, got %d", s.Blocks)
	case s.Slots < 0 || s.Slots > 100_000_000:
		return fmt.Errorf("slots must be between 0 and 1e8, got %d", s.Slots)
	case s.Traitors < 0 || s.Traitors > s.Delegates:
		return fmt.Errorf("traitors must be between 0 and delegates (%d), got %d", s.Delegates, s.Traitors)
	case s.Traitors > 0 && s.Strategy != Offline && s.Strategy != Equivocate && s.Strategy != Censor:
		return fmt.Errorf("strategy must be offline, equivocate or censor, got %q", s.Strategy)
	case s.OfflineAt < 0:
		return fmt.Errorf("offline-at must not be negative, got %v", s.OfflineAt)
	case s.VictimRate < 0 || s.VictimRate > 1e6 || math.IsNaN(s.VictimRate):
		return fmt.Errorf("victim rate must be between 0 and 1e6 per second, got %v", s.VictimRate)
	case s.Bug != "" && s.Bug != "half-quorum" && s.Bug != "no-lock" && s.Bug != "no-vote-out":
		return fmt.Errorf("unknown bug %q (known: half-quorum, no-lock, no-vote-out)", s.Bug)
	}
	return chain.Weights(s.Stakes, "stake", "stakes", "nobody can vote")
}

// Run is a built scenario: the kernel configuration, the shared state and
// the nodes. Run it with World (which attaches the traitors to the world's
// environment draws) or, under rapid, simtest.RunWorld(t, r.Config,
// r.Attach).
type Run struct {
	Scenario Scenario
	Config   sim.Config
	Net      *Net
	// Nodes are the honest state machines (offline traitors included:
	// they run honest code until they crash); Traitors the colluding ones
	// (nil entries for the rest).
	Nodes    []*Node
	Traitors []*Traitor
	// meter measures the run from its nodes' probes.
	meter *meter
	// setup schedules the scenario's fault plan (Links.Faults); Attach
	// runs it.
	setup func(*sim.World)
}

// Build turns the scenario into a world configuration for seed. The
// election and the topology are drawn from the seed too, so seed and
// scenario fix the run. s must be valid.
func (s Scenario) Build(seed uint64) *Run {
	n := s.Nodes
	peers, complete := s.Links.Graph(n, seed)
	net := newNet(s, peers, complete, seed)
	r := &Run{Scenario: s, Net: net, Nodes: make([]*Node, n), Traitors: make([]*Traitor, n)}
	ln := s.Links.Net(n, nil, 0)
	r.setup = s.Links.Setup(&net.Tree, ln)
	r.Config = chain.Config(n, seed, ln, 0, net.Drained, func(id sim.NodeID) sim.Node {
		if net.traitor[id] && s.Strategy != Offline {
			t := &Traitor{Peer: chain.NewPeer(&net.Tree, id), net: net}
			r.Traitors[id] = t
			return t
		}
		nd := &Node{Peer: chain.NewPeer(&net.Tree, id), net: net, NoLock: s.Bug == "no-lock"}
		r.Nodes[id] = nd
		return nd
	})
	if s.Traitors > 0 && s.Strategy == Equivocate {
		r.Config.Network = splitModel{inner: ln, net: net}
	}
	r.meter = newMeter(net)
	r.Config.Probe = r.meter.Probe
	return r
}

// Attach prepares a world built from r.Config: offline traitors crash at
// OfflineAt (a faults.Plan), the scenario's own fault plan (--faults) is
// scheduled, and the colluding traitors get the world's environment draws
// (which slots they equivocate in, which side each honest node sees).
func (r *Run) Attach(w *sim.World) {
	r.Net.choices = w.Choices()
	if r.Scenario.Strategy == Offline {
		var plan faults.Plan
		for id, t := range r.Net.traitor {
			if t {
				plan = append(plan, faults.Crash(r.Scenario.OfflineAt, sim.NodeID(id)))
			}
		}
		if err := plan.Apply(w, nil); err != nil {
			panic(err) // the plan is built from a validated scenario
		}
	}
	if r.setup != nil {
		r.setup(w)
	}
}

// World builds the run's world, ready to Run.
func (r *Run) World() *sim.World {
	w := sim.New(r.Config)
	r.Attach(w)
	return w
}
