package paxos

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"simulate/faults"
	"simulate/network"
	"simulate/sim"
)

// Modes of a Scenario.
const (
	// ModeSingle is single-decree Paxos: the nodes agree on one value.
	ModeSingle = "single"
	// ModeMulti is Multi-Paxos running a replicated key-value store for
	// clients.
	ModeMulti = "multi"
)

// Scenario is one Paxos run as a plain, JSON-serialisable value: what a
// trace header records so that `simulate replay` can rerun it.
type Scenario struct {
	// Mode is ModeSingle (the default when empty) or ModeMulti.
	Mode string `json:"mode,omitempty"`
	// Nodes is the number of Paxos nodes; each is an acceptor and a learner.
	Nodes int `json:"nodes"`
	// Proposers is how many of them (nodes 0 .. Proposers-1) propose. In
	// Multi-Paxos every node may lead; Proposers is how many try at start.
	Proposers int `json:"proposers"`
	// Starts delays proposer p's first ballot to Starts[p] (missing: 0).
	Starts []sim.Time `json:"starts,omitempty"`
	// Latency is the base one-way delay; Jitter the largest extra delay,
	// drawn per message in steps of JitterStep (0: DefaultJitterStep).
	Latency sim.Time `json:"latency"`
	// PCT, when set, adds the PCT delay strategy (--pct, see network.PCT)
	// on top of the other delays: senders' priorities and change points
	// are environment draws, 0 benign.
	PCT        *network.PCT `json:"pct,omitempty"`
	Jitter     sim.Time     `json:"jitter,omitempty"`
	JitterStep sim.Time     `json:"jitter_step,omitempty"`
	// Loss and Dup are per-message probabilities before GST.
	Loss float64 `json:"loss,omitempty"`
	Dup  float64 `json:"dup,omitempty"`
	// GST is when the network stabilises (no loss, no duplicates); 0 means
	// it never does.
	GST sim.Time `json:"gst,omitempty"`
	// Crashes and Partitions are the --crash and --partition flags; Faults
	// is any other fault plan (--faults). All three become one plan on the
	// run's network.Net. Faults act on the Paxos nodes only: clients
	// (Multi-Paxos) never crash, and no partition separates them from
	// anyone.
	Crashes    []Crash     `json:"crashes,omitempty"`
	Partitions []Partition `json:"partitions,omitempty"`
	Faults     faults.Plan `json:"faults,omitempty"`
	// Limit ends the run.
	Limit sim.Time `json:"limit"`
	Bug   Bug      `json:"bug,omitempty"`
	// Swarm draws each run's fault mix (loss and duplication rates and
	// proposer start times unless set, crash-restarts, a partition) from
	// the environment's Choices,
	// so a search sees calm runs and storms alike.
	Swarm bool `json:"swarm,omitempty"`
	// CrashSlots is how many crash-restarts a swarm may draw per run (0:
	// two); each slot may stay calm.
	CrashSlots int `json:"crash_slots,omitempty"`
	// Scripted replays Schedule, the environment's draws in order (every
	// draw past its end is 0, the boring one), instead of drawing from the
	// seed; sim.FormatSchedule writes it as --schedule takes it.
	Scripted bool  `json:"scripted,omitempty"`
	Schedule []int `json:"schedule,omitempty"`
	// Clients and Ops (Multi-Paxos): how many clients, and how many
	// operations each issues. Each client has one operation in flight, so
	// Clients is how many the leader has open at once (its pipeline): up
	// to 256, as many as an etcd raft leader keeps in flight by default.
	Clients int `json:"clients,omitempty"`
	Ops     int `json:"ops,omitempty"`
	// Batch (Multi-Paxos): the leader gathers the requests that reach it
	// at one instant and proposes them together, one MAccepts for a run
	// of consecutive slots (and one MAccepteds, one MCommits in answer),
	// rather than a message per slot. Off by default.
	Batch bool `json:"batch,omitempty"`
}

// Crash takes Node down At and, if Restart is positive, brings it back
// then: the --crash flag every protocol shares.
type Crash = faults.CrashWindow

// Partition splits the nodes into Groups from From until To (To zero:
// forever); the nodes no group lists form one more group. It is the
// --partition flag every protocol shares.
type Partition = faults.PartitionWindow

// ParseCrash reads "NODE@AT[..RESTART]" (faults.ParseCrashWindow).
func ParseCrash(s string) (Crash, error) { return faults.ParseCrashWindow(s) }

// ParsePartition reads "GROUP[|GROUP...]@FROM[..TO]"
// (faults.ParsePartitionWindow).
func ParsePartition(s string) (Partition, error) { return faults.ParsePartitionWindow(s) }

// DefaultJitterStep is the resolution of drawn delays when none is given.
const DefaultJitterStep = 100 * sim.Microsecond

// Default returns the scenario of a plain `simulate paxos`.
func Default() Scenario {
	return Scenario{
		Mode: ModeSingle, Nodes: 5, Proposers: 2,
		Latency: sim.Millisecond, Jitter: 2 * sim.Millisecond, Loss: 0.1,
		Limit: 10 * sim.Second,
	}
}

// SwarmScenario is the scenario property search uses: n nodes, p proposers,
// a 1ms network with up to 4ms jitter, and the fault mix drawn per run.
// The network is stable from GST = 200ms, and every live node must decide
// within TerminationBound after it.
func SwarmScenario(n, p int, bug Bug) Scenario {
	return Scenario{
		Mode: ModeSingle, Nodes: n, Proposers: p,
		Latency: sim.Millisecond, Jitter: 4 * sim.Millisecond, JitterStep: sim.Millisecond,
		GST: 200 * sim.Millisecond, Limit: 200*sim.Millisecond + TerminationBound,
		Bug: bug, Swarm: true,
	}
}

// TerminationBound is how long after GST every live node of a swarm run must
// have decided.
const TerminationBound = 2 * sim.Second

// Validate reports the first problem with s as a one-line error.
func (s Scenario) Validate() error {
	mode := s.mode()
	switch {
	case mode != ModeSingle && mode != ModeMulti:
		return fmt.Errorf("mode %q: want %s or %s", s.Mode, ModeSingle, ModeMulti)
	case s.Nodes < 1 || s.Nodes > 500:
		return fmt.Errorf("nodes %d: want 1 to 500", s.Nodes)
	case s.Proposers < 1 || s.Proposers > s.Nodes:
		return fmt.Errorf("proposers %d: want 1 to nodes (%d)", s.Proposers, s.Nodes)
	case len(s.Starts) > s.Proposers:
		return fmt.Errorf("%d start times for %d proposers", len(s.Starts), s.Proposers)
	case s.Latency <= 0:
		return fmt.Errorf("latency %s: want a positive duration", s.Latency)
	case s.Jitter < 0 || s.JitterStep < 0:
		return errors.New("jitter must not be negative")
	case !(s.Loss >= 0 && s.Loss < 1):
		return fmt.Errorf("loss %v: want a probability in [0, 1)", s.Loss)
	case !(s.Dup >= 0 && s.Dup <= 1):
		return fmt.Errorf("dup %v: want a probability in [0, 1]", s.Dup)
	case s.GST < 0:
		return fmt.Errorf("gst %s: must not be negative", s.GST)
	case s.Limit <= 0:
		return fmt.Errorf("limit %s: want a positive duration", s.Limit)
	case s.CrashSlots < 0 || s.CrashSlots > 16:
		return fmt.Errorf("crashes %d: want 0 to 16", s.CrashSlots)
	case s.CrashSlots > 0 && !s.Swarm:
		return fmt.Errorf("--crashes %d bounds the crash-restarts that --swarm draws: give --swarm too (or --crash to plan one)", s.CrashSlots)
	}
	step := s.JitterStep
	if step <= 0 {
		step = DefaultJitterStep
	}
	if s.Jitter/step > 1_000_000 {
		return fmt.Errorf("jitter %s in steps of %s: over a million steps", s.Jitter, step)
	}
	for _, t := range s.Starts {
		if t < 0 {
			return fmt.Errorf("start time %s: must not be negative", t)
		}
	}
	if _, err := ParseBug(string(s.Bug)); err != nil {
		return err
	}
	if err := s.netOptions().Validate(); err != nil {
		return err
	}
	for _, c := range s.Crashes {
		if int(c.Node) < 0 || int(c.Node) >= s.Nodes {
			return fmt.Errorf("crash %s: no node %d (nodes are 0 to %d)", c, c.Node, s.Nodes-1)
		}
		if c.At < 0 || (c.Restart != 0 && c.Restart <= c.At) {
			return fmt.Errorf("crash %s: restart must come after the crash", c)
		}
	}
	for _, p := range s.Partitions {
		if p.To != 0 && p.To <= p.From {
			return fmt.Errorf("partition %s: the end must come after the start", p)
		}
		if err := p.Plan().Validate(s.Nodes); err != nil {
			return fmt.Errorf("partition %s: %v", p, err)
		}
	}
	if err := s.Faults.Validate(s.Nodes); err != nil {
		return err
	}
	if mode == ModeMulti {
		if s.Clients < 1 || s.Clients > 256 {
			return fmt.Errorf("clients %d: want 1 to 256", s.Clients)
		}
		if s.Ops < 0 || s.Ops > 10000 {
			return fmt.Errorf("ops %d: want 0 to 10000", s.Ops)
		}
	}
	return nil
}

func (s Scenario) mode() string {
	if s.Mode == "" {
		return ModeSingle
	}
	return s.Mode
}

// netOptions is s's network: Latency plus a jitter of whole JitterSteps,
// loss and duplication until GST, and clients (Multi-Paxos) that no
// partition cuts off. A message a partition drops still makes its draws,
// as it always did here, so shrinking a partition away leaves the other
// draws in place.
func (s Scenario) netOptions() network.Options {
	o := network.Options{Latency: network.Constant(s.Latency), Loss: s.Loss, Duplicate: s.Dup, GST: s.GST, DrawDropped: true, PCT: s.PCT}
	if s.Jitter > 0 {
		step := s.JitterStep
		if step <= 0 {
			step = DefaultJitterStep
		}
		steps := int(s.Jitter/step) + 1
		o.Latency = network.UniformSteps(s.Latency, s.Latency+sim.Time(steps-1)*step, steps)
	}
	for c := range s.extraNodes() {
		o.Unpartitioned = append(o.Unpartitioned, sim.NodeID(s.Nodes+c))
	}
	return o
}

// plan is s's faults as one plan: crashes, then partitions, then Faults.
func (s Scenario) plan() faults.Plan {
	var p faults.Plan
	for _, c := range s.Crashes {
		p = append(p, c.Plan()...)
	}
	for _, pt := range s.Partitions {
		p = append(p, pt.Plan()...)
	}
	return append(p, s.Faults...)
}

// MaxDelay is the longest one-way delay of s's network.
func (s Scenario) MaxDelay() sim.Time { return s.Latency + s.Jitter }

// Swarm levels, indexed by a draw; index 0 is the calm network.
// (The duplication rate is faults.SwarmDuplication's.)
var swarmLoss = []float64{0, 0.1, 0.25, 0.4}

// Swarm crash plan: up to swarmCrashes crash-restarts, each at a drawn
// millisecond below swarmCrashWithin, down for a drawn 1..swarmMaxDown
// milliseconds, or for good when the draw is its largest value.
const (
	swarmCrashes     = 2
	swarmCrashWithin = 16
	swarmMaxDown     = 16
	swarmStartWithin = 16
)

// Instance is one prepared run of a Scenario: a sim.Config and a setup
// function that schedules the faults, for any driver (a seeded run, rapid,
// a replay). Build it with Scenario.Instance; it runs once.
type Instance struct {
	// Config and Setup build the world: sim.New(Config), then Setup(w).
	Config sim.Config
	Setup  func(w *sim.World)

	s          Scenario
	resolved   Scenario
	net        *network.Net
	world      *sim.World
	setupDraws int
	clients    *clientAlloc // the Multi-Paxos clients' (see clientAlloc)
}

// Instance prepares a run of s with seed. choices is the environment
// source; nil means s.Schedule when s.Scripted, else a PCG stream from seed.
func (s Scenario) Instance(seed uint64, choices sim.Choices, tracer sim.Tracer) *Instance {
	s.Mode = s.mode()
	if choices == nil {
		if s.Scripted {
			choices = &sim.ReplayChoices{Values: append([]int(nil), s.Schedule...)}
		} else {
			choices = sim.NewPCGChoices(seed)
		}
	}
	in := &Instance{s: s, resolved: s}
	in.net = network.MustNew(s.Nodes+s.extraNodes(), s.netOptions())
	in.Config = sim.Config{
		Nodes: s.Nodes + s.extraNodes(), Network: in.net, Choices: choices, Seed: seed,
		Limit: s.Limit, Tracer: tracer,
		New: in.newNode,
	}
	in.Setup = in.setup
	in.Config.Stop = stopOnDisagreement(nil)
	if s.Mode == ModeMulti {
		in.Config.Stop = stopOnDisagreement(in.multiStop())
		// Each command: the client's invoke and return, a decide on
		// every replica; and room for a few ballots and no-ops, so that
		// a calm run never outgrows the list (doubling it then would
		// cost more than the hint saved).
		in.Config.Observations = (s.Clients*s.Ops+s.Nodes)*(2+s.Nodes) + 64
	}
	return in
}

func (s Scenario) extraNodes() int {
	if s.Mode == ModeMulti {
		return s.Clients
	}
	return 0
}

func (in *Instance) newNode(id sim.NodeID) sim.Node {
	s := in.resolved
	if s.Mode == ModeMulti {
		return in.newMultiNode(id)
	}
	p := Params{N: s.Nodes, Timing: DefaultTiming(s.MaxDelay()), Bug: s.Bug}
	if int(id) < s.Proposers {
		p.Proposer, p.Value = true, ProposalValue(id)
		if int(id) < len(s.Starts) {
			p.StartAt = s.Starts[id]
		}
	}
	return NewNode(p)
}

// setup draws the swarm's fault mix (when s.Swarm), then applies the
// scenario's fault plan (crashes, partitions, Faults) to w and its Net.
func (in *Instance) setup(w *sim.World) {
	in.world = w
	s := &in.resolved
	if s.Swarm {
		c := w.Choices()
		var draws int
		draw := func(label string, n int) int { draws++; return c.Intn(label, n) }
		// What the user set stays (a loss or duplication rate, start
		// times); the swarm draws the rest, drawing either way so that a
		// set value does not shift the draws after it.
		if loss := swarmLoss[draw("swarm loss level", len(swarmLoss))]; s.Loss == 0 {
			s.Loss = loss
		}
		if dup := faults.SwarmDuplication(c); s.Dup == 0 {
			s.Dup = dup
		}
		draws++
		in.net.SetBaseline(s.Loss, s.Dup)
		setStarts := len(s.Starts) > 0
		for p := 1; p < s.Proposers; p++ {
			d := draw(fmt.Sprintf("swarm start n%d (ms)", p), swarmStartWithin)
			if d != 0 && !setStarts {
				for len(s.Starts) < p {
					s.Starts = append(s.Starts, 0)
				}
				s.Starts = append(s.Starts, sim.Time(d)*sim.Millisecond)
			}
		}
		// Every slot of the crash plan makes its three draws even when it
		// crashes nobody, so dropping a crash never shifts the draws after
		// it. A slot crashes node v-1 when its node draw v is 1..n; 0 (and,
		// so that about half the slots stay calm, n+1..2n) is no crash.
		slots := swarmCrashes
		if s.CrashSlots > 0 {
			slots = s.CrashSlots
		}
		for k := 0; k < slots; k++ {
			node := draw(fmt.Sprintf("swarm crash %d node+1 (0 = none)", k), 2*s.Nodes+1)
			at := sim.Time(draw(fmt.Sprintf("swarm crash %d at (ms)", k), swarmCrashWithin)) * sim.Millisecond
			down := draw(fmt.Sprintf("swarm crash %d down for (ms-1; max = for good)", k), swarmMaxDown+1)
			if node == 0 || node > s.Nodes {
				continue
			}
			cr := Crash{Node: sim.NodeID(node - 1), At: at}
			if down < swarmMaxDown {
				cr.Restart = at + sim.Time(down+1)*sim.Millisecond
			}
			s.Crashes = append(s.Crashes, cr)
		}
		// A partition slot, drawn the same way: node v-1 is cut off from
		// the rest when its draw v is 1..n (0 and n+1..2n: no partition),
		// from a drawn millisecond for a drawn while, healed long before GST.
		isolated := draw("swarm partition node+1 (0 = none)", 2*s.Nodes+1)
		from := sim.Time(draw("swarm partition from (ms)", swarmCrashWithin)) * sim.Millisecond
		length := sim.Time(1+draw("swarm partition length-1 (ms)", 2*swarmMaxDown)) * sim.Millisecond
		if isolated >= 1 && isolated <= s.Nodes {
			cut := sim.NodeID(isolated - 1)
			var rest []sim.NodeID
			for id := 0; id < s.Nodes; id++ {
				if sim.NodeID(id) != cut {
					rest = append(rest, sim.NodeID(id))
				}
			}
			s.Partitions = append(s.Partitions, Partition{Groups: [][]sim.NodeID{{cut}, rest}, From: from, To: from + length})
		}
		s.Swarm = false
		in.setupDraws = draws
	}
	if err := s.plan().Apply(w, in.net); err != nil {
		// Validate checks every event, and the swarm draws only valid ones.
		panic("paxos: " + err.Error())
	}
	if s.GST > 0 {
		w.At(s.GST, "gst", "the network stabilises: no more loss or duplication", nil)
	}
}

// stopOnDisagreement ends a run at the first decision that contradicts an
// earlier one: nothing after it can repair agreement, and a shorter run is a
// shorter counterexample. then, if not nil, is the run's other stop rule.
func stopOnDisagreement(then func(w *sim.World) bool) func(w *sim.World) bool {
	// The first decision of each slot, by slot (they are small and dense;
	// this runs after every event).
	var decided slotPages[decision]
	var negative map[int]*decision // never used by this package's nodes
	seen := 0
	return func(w *sim.World) bool {
		obs := w.Observations()
		for ; seen < len(obs); seen++ {
			o := obs[seen]
			if o.Kind != ObsDecide {
				continue
			}
			var d *decision
			if o.Slot >= 0 {
				d = decided.at(o.Slot)
			} else {
				if negative == nil {
					negative = map[int]*decision{}
				}
				if d = negative[o.Slot]; d == nil {
					d = &decision{}
					negative[o.Slot] = d
				}
			}
			if !d.ok {
				*d = decision{v: o.Value, ok: true}
			} else if d.v != o.Value {
				return true
			}
		}
		return then != nil && then(w)
	}
}

type decision struct {
	v  string
	ok bool
}

// Resolved returns the scenario with the swarm's draws written out as
// plain fields (loss, duplication, starts, crashes), so it can be rerun
// without the swarm draws.
func (in *Instance) Resolved() Scenario { return in.resolved }

// SetupDraws is how many environment draws the swarm setup made before the
// run began; the rest were the network's.
func (in *Instance) SetupDraws() int { return in.setupDraws }

// Run builds the world, runs it and returns the outcome.
func (in *Instance) Run() Outcome {
	w := sim.New(in.Config)
	in.Setup(w)
	return in.Outcome(w.Run())
}

// Run runs s once with seed (or its schedule, if scripted).
func Run(s Scenario, seed uint64, tracer sim.Tracer) Outcome {
	return s.Instance(seed, nil, tracer).Run()
}

// Decision is one node's first decision for one slot.
type Decision struct {
	Node  sim.NodeID `json:"node"`
	Slot  int        `json:"slot"`
	Value string     `json:"value"`
	Time  sim.Time   `json:"time_ns"`
}

// Outcome is a finished run with what the properties need.
type Outcome struct {
	Scenario Scenario // resolved: swarm draws written out
	Result   sim.Result
	// Up says which nodes were running at the end.
	Up []bool
	// Decisions holds each node's first decision per slot, by node then slot.
	Decisions []Decision
	// Proposed lists the values proposers put forward, sorted.
	Proposed []string
	// Ballots counts ballots started; BallotNodes lists the nodes that
	// started any, sorted.
	Ballots     int
	BallotNodes []sim.NodeID
	// History is the Multi-Paxos clients' operations (nil in single mode).
	History []Op
}

// Outcome summarises a run of this instance that ended with res. Call it
// after the world ran (Setup remembers the world).
func (in *Instance) Outcome(res sim.Result) Outcome {
	o := Outcome{Scenario: in.resolved, Result: res}
	o.Up = make([]bool, in.s.Nodes)
	for i := range o.Up {
		o.Up[i] = in.world == nil || !in.world.Crashed(sim.NodeID(i))
	}
	type key struct {
		n sim.NodeID
		s int
	}
	first := map[key]bool{}
	proposed := map[string]bool{}
	ballotNodes := map[sim.NodeID]bool{}
	for _, ob := range res.Observations {
		switch ob.Kind {
		case ObsDecide:
			k := key{ob.Node, ob.Slot}
			if !first[k] {
				first[k] = true
				o.Decisions = append(o.Decisions, Decision{Node: ob.Node, Slot: ob.Slot, Value: ob.Value, Time: ob.Time})
			}
		case ObsPropose:
			proposed[ob.Value] = true
		case ObsBallot:
			o.Ballots++
			ballotNodes[ob.Node] = true
		}
	}
	sort.SliceStable(o.Decisions, func(i, j int) bool {
		a, b := o.Decisions[i], o.Decisions[j]
		if a.Node != b.Node {
			return a.Node < b.Node
		}
		return a.Slot < b.Slot
	})
	o.Proposed = slices.Sorted(maps.Keys(proposed))
	for id := range ballotNodes {
		o.BallotNodes = append(o.BallotNodes, id)
	}
	sort.Slice(o.BallotNodes, func(i, j int) bool { return o.BallotNodes[i] < o.BallotNodes[j] })
	if in.s.Mode == ModeMulti {
		o.History = history(res.Observations, in.s.Nodes)
	}
	return o
}

// Retries is how many ballots were started beyond each proposer's first.
func (o Outcome) Retries() int { return o.Ballots - len(o.BallotNodes) }

// Competing reports whether more than one proposer started a ballot.
func (o Outcome) Competing() bool { return len(o.BallotNodes) > 1 }

// Decided counts the nodes that decided slot 0 (single-decree) or at least
// one slot (Multi-Paxos).
func (o Outcome) Decided() int {
	seen := map[sim.NodeID]bool{}
	for _, d := range o.Decisions {
		seen[d.Node] = true
	}
	return len(seen)
}

// Violation is a broken property.
type Violation struct {
	Property string `json:"property"` // "agreement", "validity", "termination", "linearizability"
	Detail   string `json:"detail"`
}

func (v Violation) String() string { return v.Property + ": " + v.Detail }

// Check returns the properties o violates: agreement (no two nodes decide
// differently for a slot, counting every decision of every incarnation),
// validity (a decided value was proposed) and, when the scenario has a GST
// and a majority of nodes and a proposer are up at the end, termination
// (every live node decided by the end of the run).
func Check(o Outcome) []Violation {
	var out []Violation
	// Agreement over every decide observation, not only the first per node:
	// a node that forgot its decision and decided again counts too.
	bySlot := map[int]sim.Observation{}
	var slots []int
	reported := map[int]bool{}
	for _, ob := range o.Result.Observations {
		if ob.Kind != ObsDecide {
			continue
		}
		first, ok := bySlot[ob.Slot]
		if !ok {
			bySlot[ob.Slot] = ob
			slots = append(slots, ob.Slot)
			continue
		}
		if first.Value != ob.Value && !reported[ob.Slot] {
			reported[ob.Slot] = true
			where := ""
			if o.Scenario.mode() == ModeMulti {
				where = fmt.Sprintf(" for slot %d", ob.Slot)
			}
			out = append(out, Violation{"agreement", fmt.Sprintf("n%d decided %s at %s but n%d decided %s at %s%s",
				first.Node, first.Value, first.Time, ob.Node, ob.Value, ob.Time, where)})
		}
	}
	if o.Scenario.mode() == ModeSingle {
		proposed := map[string]bool{}
		for _, v := range o.Proposed {
			proposed[v] = true
		}
		sort.Ints(slots)
		for _, s := range slots {
			if v := bySlot[s].Value; !proposed[v] {
				out = append(out, Violation{"validity", fmt.Sprintf("n%d decided %s, which no proposer proposed", bySlot[s].Node, v)})
			}
		}
	} else {
		out = append(out, checkMulti(o)...)
	}
	// Termination is judged only when safety held: a run that disagreed
	// was stopped at once, and its undecided nodes prove nothing.
	if len(out) == 0 {
		if v, ok := checkTermination(o); !ok {
			out = append(out, v)
		}
	}
	return out
}

// TerminationApplies reports whether o's scenario promises termination: the
// network stabilised (a GST before the end), and at the end a majority of
// nodes, including a proposer, are up.
func (o Outcome) TerminationApplies() bool {
	s := o.Scenario
	// A run that went quiet (or, in Multi-Paxos, finished its clients)
	// before GST is held to it too: a live node that has not decided always
	// has a timer pending, so quiet means done.
	switch {
	case s.GST <= 0:
		return false
	case o.Result.Reason == sim.StopQuiescent:
	case o.Result.Reason == sim.StopPredicate && s.mode() == ModeMulti:
	case o.Result.End <= s.GST:
		return false
	}
	up, proposerUp := 0, false
	for i, u := range o.Up {
		if u {
			up++
			if i < s.Proposers || s.mode() == ModeMulti {
				proposerUp = true
			}
		}
	}
	return up >= s.Nodes/2+1 && proposerUp
}

func checkTermination(o Outcome) (Violation, bool) {
	if !o.TerminationApplies() {
		return Violation{}, true
	}
	if o.Scenario.mode() == ModeMulti {
		return checkMultiTermination(o)
	}
	decided := map[sim.NodeID]bool{}
	for _, d := range o.Decisions {
		decided[d.Node] = true
	}
	var missing []string
	for i, u := range o.Up {
		if u && !decided[sim.NodeID(i)] {
			missing = append(missing, "n"+strconv.Itoa(i))
		}
	}
	if len(missing) > 0 {
		return Violation{"termination", fmt.Sprintf("%s up but undecided at %s, %s after GST", strings.Join(missing, ", "), o.Result.End, o.Result.End-o.Scenario.GST)}, false
	}
	return Violation{}, true
}
