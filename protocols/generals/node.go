package generals

import (
	"simulate/check"
	"simulate/network"
	"simulate/sim"
)

// plan is what the nodes of one run share, read-only: the scenario
// resolved per id. Colluding traitors read it to coordinate — they know
// who the loyal generals are, as real conspirators would.
type plan struct {
	s         Scenario
	n, m      int
	strategy  []Strategy   // per id; "" = loyal
	camp      []Value      // per loyal lieutenant: what colluders tell it
	colluders []sim.NodeID // colluding lieutenants, by id
	paths     pathIndex    // OM's slots for values by path
}

func newPlan(s Scenario) *plan {
	p := &plan{s: s, n: s.Generals, m: s.Rounds, strategy: make([]Strategy, s.Generals), camp: make([]Value, s.Generals), paths: newPathIndex(s.Generals, s.Rounds)}
	for _, t := range s.Traitors {
		p.strategy[t.ID] = t.Strategy
		if t.ID != Commander && t.Strategy == Collude {
			p.colluders = append(p.colluders, t.ID)
		}
	}
	var loyal []sim.NodeID
	for i := 1; i < p.n; i++ {
		if p.strategy[i] == "" {
			loyal = append(loyal, sim.NodeID(i))
		}
	}
	// Camp A, told attack, is the lower half of the loyal lieutenants
	// (rounded up); camp B, told retreat, the rest.
	for i, id := range loyal {
		if i < (len(loyal)+1)/2 {
			p.camp[id] = Attack
		} else {
			p.camp[id] = Retreat
		}
	}
	return p
}

func (p *plan) loyal(id sim.NodeID) bool { return p.strategy[id] == "" }

// splitValue is what a splitting traitor tells general to: attack to the
// lower half of the ids, retreat to the upper half.
func splitValue(to sim.NodeID, n int) Value {
	if int(to) <= n/2 {
		return Attack
	}
	return Retreat
}

// nodeStats is what a node counts about its own run, read by Judge for
// reports and search coverage. It never influences behaviour.
type nodeStats struct {
	ties        int  // votes that tied and fell to the default
	rejected    int  // messages refused: malformed, late or forged
	forged      int  // orders this traitor tried to forge (SM)
	withheld    int  // messages this traitor chose not to send
	equivocated bool // this traitor sent both orders in one round
}

type statser interface{ stats() nodeStats }

// announceRole records a traitor as an observation of kind "role" with
// value "traitor": the convention trace renderers use to draw traitors'
// lanes in red without knowing the protocol.
func announceRole(ctx sim.Context, strat Strategy) {
	if strat != "" {
		ctx.Observe(check.KindRole, 0, "traitor")
	}
}

// round tags a round-boundary timer: round k's messages go out at
// k·RoundLength; the boundary after the last round is the decision.
type round int

// atRound handles a round-boundary timer for OM and SM alike: at the end
// of rounds 1..m the general relays what the round gave it (unless the
// trust-commander bug has it relay nothing) and arms the next boundary;
// after round m a loyal general decides and observes its decision (a
// traitor's means nothing). A tag that is no round is ignored.
func (p *plan) atRound(ctx sim.Context, tag any, strat Strategy, relay func(k int), decide func() Value) {
	k, ok := tag.(round)
	if !ok {
		return
	}
	if int(k) <= p.m {
		if p.s.Bug != BugTrustCommander {
			relay(int(k))
		}
		ctx.After(RoundLength, k+1)
		return
	}
	if strat == "" {
		ctx.Observe(check.KindDecide, 0, decide().String())
	}
}

// New returns the node constructor for s. Everything a node does follows
// from s and the node's id; the same s and seed give the same run.
func (s Scenario) New() func(id sim.NodeID) sim.Node {
	p := newPlan(s)
	return func(id sim.NodeID) sim.Node {
		if s.Algorithm == SM {
			return &smNode{p: p, self: id, strat: p.strategy[id]}
		}
		return &omNode{p: p, self: id, strat: p.strategy[id]}
	}
}

// Config returns the kernel configuration of s with the given seed, on a
// fresh Net (s.Net). The caller sets Choices (nil means the calm, all-zero
// schedule) and Tracer, and applies s.Faults to the world and that Net
// (World does all of it).
func (s Scenario) Config(seed uint64) sim.Config {
	return sim.Config{
		Nodes:   s.Generals,
		New:     s.New(),
		Network: s.Net(),
		Seed:    seed,
		// Every general decides at the end of round m; nothing is sent
		// after, so the run ends by quiescence well before this limit.
		Limit: sim.Time(s.Rounds+2) * RoundLength,
		// OM sends each round's orders at its start: the last round's
		// are nearly all of them, queued at once. Sizing the queue for
		// them spares it a doubling copy of a million-entry heap.
		Pending: s.pending(),
	}
}

// pending bounds how many events a run of s queues at once: under OM
// every order plus each general's round timer (an over-estimate by the
// earlier rounds' orders, a few percent); SM's runs are small.
func (s Scenario) pending() int {
	if s.Algorithm != OM {
		return 0
	}
	return min(OMMessages(s.Generals, s.Rounds), MaxMessages) + s.Generals
}

// World builds the world of s with seed, environment choices ch (nil: the
// calm schedule) and tracer, with s.Faults scheduled on its Net. s must be
// valid.
func (s Scenario) World(seed uint64, ch sim.Choices, tracer sim.Tracer) *sim.World {
	cfg := s.Config(seed)
	cfg.Choices = ch
	cfg.Tracer = tracer
	w := sim.New(cfg)
	if err := s.Faults.Apply(w, cfg.Network.(*network.Net)); err != nil {
		panic("generals: " + err.Error()) // Validate checks the plan
	}
	return w
}
