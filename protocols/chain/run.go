package chain

import (
	"fmt"
	"math"

	"simulate/sim"
)

// Weights reports the first thing wrong with a scenario's weights (stakes,
// hash-power shares): a negative or non-finite one, or, when any are
// given, a total of 0. one and many name a weight and the weights ("stake",
// "stakes"); nobody says what a total of 0 leaves undone ("nobody can
// vote"). Every chain protocol that weighs its nodes checks them this way.
func Weights(ws []float64, one, many, nobody string) error {
	sum := 0.0
	for i, x := range ws {
		if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s %d is %v; %s must be non-negative", one, i, x, many)
		}
		sum += x
	}
	if len(ws) > 0 && sum <= 0 {
		return fmt.Errorf("%s add up to 0: %s", many, nobody)
	}
	return nil
}

// Config is the kernel configuration of a chain protocol's run of n
// nodes, as every protocol's Build makes it: node builds each node,
// network carries the messages, the environment's draws and the nodes'
// streams come from seed, and the run ends at limit (0: none) or when stop
// says so.
func Config(n int, seed uint64, network sim.Model, limit sim.Time, stop func(*sim.World) bool, node func(id sim.NodeID) sim.Node) sim.Config {
	return sim.Config{
		Nodes:   n,
		New:     node,
		Network: network,
		Choices: sim.NewPCGChoices(seed),
		Seed:    seed,
		Limit:   limit,
		Stop:    stop,
	}
}

// CommonPrefix is the verdict of the common-prefix check at depth K, as
// the longest-chain protocols report it.
type CommonPrefix struct {
	K          int    `json:"k"`
	Holds      bool   `json:"holds"`
	Violations int    `json:"violations"`
	First      string `json:"first_violation,omitempty"`
}

// MeanInterval is the mean time between blocks on the main chain ending
// at tip: its time over its height (0 for genesis).
func (s *Store) MeanInterval(tip BlockID) sim.Time {
	h := s.Get(tip).Height
	if h == 0 {
		return 0
	}
	return s.Get(tip).Time / sim.Time(h)
}

// Settled reports node id, on tip, as a violation of a longest-chain
// protocol's agreement once every block has arrived: a branch that left
// the main chain (ending at main) more than one block below main's tip.
// One block below is a tie on the last block, which nobody can break.
func Settled(s *Store, main BlockID, id sim.NodeID, tip BlockID) error {
	f := s.Fork(tip, main)
	if d := s.Get(main).Height - s.Get(f).Height; d > 1 {
		return fmt.Errorf("after every block arrived, n%d is on a branch that left the main chain %d blocks below its tip", id, d)
	}
	return nil
}

// Err is the common-prefix verdict in words, as a longest-chain
// protocol's Check reports a violation, or nil when it holds.
func (cp CommonPrefix) Err() error {
	if !cp.Holds {
		return fmt.Errorf("common prefix (k=%d) violated %d times, first at %s", cp.K, cp.Violations, cp.First)
	}
	return nil
}

// Agreed is the agreement half of a longest-chain protocol's Check: once
// every block has arrived (the run ended with res by its stop predicate,
// not a time limit), no node is on a branch that left the main chain
// (ending at main) more than one block below its tip (Settled). tip gives
// node i's final tip of n, and whether the protocol promises agreement
// for it (the honest nodes).
func Agreed(res sim.Result, s *Store, main BlockID, n int, tip func(i int) (BlockID, bool)) error {
	if res.Reason != sim.StopPredicate {
		return nil // cut off by a time limit: blocks may still be in flight
	}
	for i := range n {
		if t, judged := tip(i); judged {
			if err := Settled(s, main, sim.NodeID(i), t); err != nil {
				return err
			}
		}
	}
	return nil
}

// PropertyLinks is the network the property searches of the
// longest-chain protocols run on: a complete graph of n nodes whose every
// message takes delay plus a drawn 0, 1, 2 or 3 times jitter, with no
// bandwidth limit, so delay is bounded and the search draws it freely.
func PropertyLinks(n int, delay, jitter sim.Time) Links {
	return Links{Degree: n - 1, Delay: delay, Jitter: jitter, JitterSteps: 4}
}

// Built is what every chain protocol's built run holds, embedded in its
// Run: the scenario S, the kernel configuration, the shared state N and
// the nodes Nd, which the run's Stats reads after the world has run.
type Built[S, N, Nd any] struct {
	Scenario S
	Config   sim.Config
	Net      *N
	Nodes    []*Nd
	// Setup schedules the scenario's fault plan (Links.Faults) on the
	// world before it runs; nil without one (see scenario.World.Setup).
	Setup func(*sim.World)
	// Meter measures the run from the nodes' probes (see Measure).
	Meter *Meter
}

// Measure gives the run a Meter over t, the tree its nodes share, and
// makes it the Config's probe. Call it once Config is set.
func (b *Built[S, N, Nd]) Measure(t *Tree) {
	b.Meter = NewMeter(t)
	b.Config.Probe = b.Meter.Probe
}

// Configure sets the run's Config (see Config) for n = len(Nodes) nodes,
// each made by node and kept in Nodes for Stats, and measures the run
// over t, the tree its nodes share (Measure). *Nd must be a sim.Node.
func (b *Built[S, N, Nd]) Configure(seed uint64, network sim.Model, limit sim.Time, stop func(*sim.World) bool, t *Tree, node func(id sim.NodeID) *Nd) {
	b.Config = Config(len(b.Nodes), seed, network, limit, stop, func(id sim.NodeID) sim.Node {
		nd := node(id)
		b.Nodes[id] = nd
		return any(nd).(sim.Node)
	})
	b.Measure(t)
}

// OnLinks configures a run on l's own network (Links.Net, no regions):
// l's fault plan is scheduled on it (Setup, Links.Setup) and the nodes,
// each made by node, are configured as Configure does.
func (b *Built[S, N, Nd]) OnLinks(l Links, t *Tree, seed uint64, limit sim.Time, stop func(*sim.World) bool, node func(id sim.NodeID) *Nd) {
	ln := l.Net(len(b.Nodes), nil, 0)
	b.Setup = l.Setup(t, ln)
	b.Configure(seed, ln, limit, stop, t, node)
}

// NewBuilt starts building a run of n nodes of scenario s sharing net:
// its Config, Setup and nodes are the Build's to fill in.
func NewBuilt[S, N, Nd any](s S, net *N, n int) Built[S, N, Nd] {
	return Built[S, N, Nd]{Scenario: s, Net: net, Nodes: make([]*Nd, n)}
}

// Halt is when a chain protocol's block making ends, and with it the run:
// once a block reaches StopHeight (0: never) nobody makes another, and
// the run ends when every message in flight has arrived (Drained). Every
// protocol's shared state embeds one.
type Halt struct {
	StopHeight int
	stopped    bool
	stopAt     sim.Time
}

// Stop ends block making at now; a later call keeps the first time.
func (h *Halt) Stop(now sim.Time) {
	if !h.stopped {
		h.stopped = true
		h.stopAt = now
	}
}

// Stopped reports whether block making has ended.
func (h *Halt) Stopped() bool { return h.stopped }

// Made notes a block of height made at now: one that reaches StopHeight
// ends block making.
func (h *Halt) Made(height int, now sim.Time) {
	if h.StopHeight > 0 && height >= h.StopHeight {
		h.Stop(now)
	}
}

// Announce notes block b, made just now: the "block" observation (unless
// quiet, as in sweeps) and Made, which may end block making.
func (h *Halt) Announce(ctx sim.Context, quiet bool, b *Block) {
	if !quiet {
		ctx.Observe("block", b.Height, b.ShortHash())
	}
	h.Made(b.Height, ctx.Now())
}

// Drained is a world's Stop predicate: block making has ended and no
// message is in flight.
func (h *Halt) Drained(w *sim.World) bool {
	if !h.stopped {
		return false
	}
	c := w.Counters()
	return c.Sent+c.Duplicated == c.Delivered+c.Dropped
}

// Elapsed is how long a run that ended with res made blocks: until block
// making stopped, or else to the run's end.
func (h *Halt) Elapsed(res sim.Result) sim.Time {
	if h.stopped {
		return h.stopAt
	}
	return res.End
}
