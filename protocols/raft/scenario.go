package raft

import (
	"cmp"
	"fmt"
	"slices"

	"simulate/faults"
	"simulate/network"
	"simulate/sim"
)

// Scenario is one Raft run as a plain, JSON-serialisable value: replicas,
// clients, the network, the faults and the bug. A trace header records it
// so a run can be replayed.
type Scenario struct {
	// Nodes is the number of Raft replicas (ids 0 .. Nodes-1).
	Nodes int `json:"nodes"`
	// Clients (ids Nodes ..) each issue Ops operations on keys x and y.
	Clients int `json:"clients"`
	Ops     int `json:"ops"`
	// Latency is every link's delay distribution.
	Latency network.Latency `json:"latency"`
	// Loss and Dup are per-message probabilities; loss ends at GST.
	Loss float64 `json:"loss,omitempty"`
	Dup  float64 `json:"dup,omitempty"`
	// Crashes and Partitions are the fault plan.
	Crashes    []Crash     `json:"crashes,omitempty"`
	Partitions []Partition `json:"partitions,omitempty"`
	// GST is when the network stabilises (no more loss); 0 means never.
	// Liveness is judged only for runs whose faults all end by GST.
	GST sim.Time `json:"gst,omitempty"`
	// Limit ends the run.
	Limit sim.Time `json:"limit"`
	Bug   Bug      `json:"bug,omitempty"`
	// Swarm draws the fault mix (loss and duplication rates, crash-restarts,
	// partitions) from the run's Choices before it starts, so a search sees
	// calm runs and storms alike. Every such draw is 0 for "no fault".
	Swarm bool `json:"swarm,omitempty"`
}

// Crash is a crash of Node at At, and its restart at Restart (0: never).
type Crash struct {
	Node    sim.NodeID `json:"node"`
	At      sim.Time   `json:"at"`
	Restart sim.Time   `json:"restart,omitempty"`
}

func (c Crash) String() string {
	if c.Restart == 0 {
		return fmt.Sprintf("n%d at %s for good", c.Node, c.At)
	}
	return fmt.Sprintf("n%d at %s until %s", c.Node, c.At, c.Restart)
}

// Partition splits the replicas into Groups from From until To (0: never
// healed). Nodes in no group, clients included, form one more group. A heal
// ends every partition in force (network.Net.Heal).
type Partition struct {
	Groups [][]sim.NodeID `json:"groups"`
	From   sim.Time       `json:"from"`
	To     sim.Time       `json:"to,omitempty"`
}

func (p Partition) String() string {
	return fmt.Sprintf("%s from %s to %s", network.GroupsString(0, p.Groups), p.From, p.To)
}

// LivenessBound is how long after GST a swarm run's clients have to finish.
const LivenessBound = 2 * sim.Second

// SwarmScenario is the scenario property search uses: n replicas, three
// clients of ten operations, a 1–5ms network, faults drawn per run within
// the first swarmWindow, GST after them.
func SwarmScenario(n int, bug Bug) Scenario {
	gst := swarmWindow + swarmMaxDown + 100*sim.Millisecond
	return Scenario{
		Nodes: n, Clients: 3, Ops: 10,
		Latency: network.Uniform(sim.Millisecond, 5*sim.Millisecond),
		GST:     gst, Limit: gst + LivenessBound, Bug: bug, Swarm: true,
	}
}

// Validate reports the first problem with s as a one-line error.
func (s Scenario) Validate() error {
	switch {
	case s.Nodes < 1 || s.Nodes > 99:
		return fmt.Errorf("nodes %d: want 1 to 99", s.Nodes)
	case s.Clients < 0 || s.Clients > 100:
		return fmt.Errorf("clients %d: want 0 to 100", s.Clients)
	case s.Ops < 0 || s.Ops > 10000:
		return fmt.Errorf("ops %d: want 0 to 10000", s.Ops)
	case s.GST < 0:
		return fmt.Errorf("gst %s: must not be negative", s.GST)
	case s.Limit <= 0:
		return fmt.Errorf("limit %s: want a positive duration", s.Limit)
	}
	if err := s.Latency.Validate(); err != nil {
		return err
	}
	if err := network.ValidateProbability("loss", s.Loss); err != nil {
		return err
	}
	if s.Loss == 1 {
		return fmt.Errorf("loss probability 1: no message would ever arrive")
	}
	if err := network.ValidateProbability("dup", s.Dup); err != nil {
		return err
	}
	if _, err := ParseBug(string(s.Bug)); err != nil {
		return err
	}
	for _, c := range s.Crashes {
		switch {
		case c.Node < 0 || int(c.Node) >= s.Nodes:
			return fmt.Errorf("crash %s: no replica %d (replicas are 0 to %d)", c, c.Node, s.Nodes-1)
		case c.At < 0:
			return fmt.Errorf("crash %s: time must not be negative", c)
		case c.Restart != 0 && c.Restart <= c.At:
			return fmt.Errorf("crash %s: restart must come after the crash", c)
		}
	}
	for _, p := range s.Partitions {
		if p.From < 0 || (p.To != 0 && p.To <= p.From) {
			return fmt.Errorf("partition %s: want 0 <= from < to", p)
		}
		if err := network.ValidateGroups(s.Nodes, p.Groups); err != nil {
			return fmt.Errorf("partition %s: %v", p, err)
		}
	}
	return nil
}

// Swarm levels, indexed by a draw; index 0 is the calm network.
var (
	swarmLoss = []float64{0, 0.05, 0.15, 0.3}
	swarmDup  = []float64{0, 0.1, 0.3}
)

// The swarm's fault plan: swarmCrashes crash slots and swarmPartitions
// partition slots, each starting at a drawn multiple of swarmStep within
// swarmWindow and lasting a drawn 1..swarmDownSteps steps (a crash's largest
// draw: for good).
const (
	swarmCrashes    = 3
	swarmPartitions = 2
	swarmStep       = 10 * sim.Millisecond
	swarmWindow     = 300 * sim.Millisecond
	swarmDownSteps  = 16
	swarmMaxDown    = swarmDownSteps * swarmStep
)

// resolve draws the swarm's fault mix from c and writes it out as plain
// fields. Every slot makes all its draws even when it stays calm, so that
// shrinking one fault away never shifts the draws after it.
func (s Scenario) resolve(c sim.Choices) (Scenario, int) {
	if !s.Swarm {
		return s, 0
	}
	draws := 0
	draw := func(label string, n int) int { draws++; return c.Intn(label, n) }
	s.Loss = swarmLoss[draw("swarm loss level", len(swarmLoss))]
	s.Dup = swarmDup[draw("swarm dup level", len(swarmDup))]
	steps := int(swarmWindow / swarmStep)
	s.Crashes = slices.Clone(s.Crashes)
	for k := 0; k < swarmCrashes; k++ {
		// node draw v in 1..n crashes node v-1; 0 and n+1..2n crash
		// nobody, so about half the slots stay calm.
		node := draw(fmt.Sprintf("swarm crash %d node+1 (0 = none)", k), 2*s.Nodes+1)
		at := sim.Time(draw(fmt.Sprintf("swarm crash %d at (x10ms)", k), steps)) * swarmStep
		down := draw(fmt.Sprintf("swarm crash %d down (x10ms-1; max = for good)", k), swarmDownSteps+1)
		if node == 0 || node > s.Nodes {
			continue
		}
		cr := Crash{Node: sim.NodeID(node - 1), At: at}
		if down < swarmDownSteps {
			cr.Restart = at + sim.Time(down+1)*swarmStep
		}
		s.Crashes = append(s.Crashes, cr)
	}
	s.Partitions = slices.Clone(s.Partitions)
	for k := 0; k < swarmPartitions; k++ {
		node := draw(fmt.Sprintf("swarm partition %d node+1 (0 = none)", k), 2*s.Nodes+1)
		from := sim.Time(draw(fmt.Sprintf("swarm partition %d from (x10ms)", k), steps)) * swarmStep
		length := sim.Time(1+draw(fmt.Sprintf("swarm partition %d length (x10ms-1)", k), swarmDownSteps)) * swarmStep
		if node == 0 || node > s.Nodes {
			continue
		}
		s.Partitions = append(s.Partitions, Partition{Groups: [][]sim.NodeID{{sim.NodeID(node - 1)}}, From: from, To: from + length})
	}
	s.Swarm = false
	return s, draws
}

// Plan is the scenario's faults as a faults.Plan: crashes and restarts,
// partitions and their heals, and the end of loss at GST.
func (s Scenario) Plan() faults.Plan {
	var p faults.Plan
	for _, c := range s.Crashes {
		p = append(p, faults.Crash(c.At, c.Node))
		if c.Restart > 0 {
			p = append(p, faults.Restart(c.Restart, c.Node))
		}
	}
	for _, pt := range s.Partitions {
		p = append(p, faults.Partition(pt.From, pt.Groups...))
		if pt.To > 0 {
			p = append(p, faults.Heal(pt.To))
		}
	}
	if s.GST > 0 && s.Loss > 0 {
		p = append(p, faults.Loss(s.GST, 0))
	}
	slices.SortStableFunc(p, func(a, b faults.Event) int { return cmp.Compare(a.At, b.At) })
	return p
}

// faultsEnd is the time of the scenario's last crash, restart, partition
// or heal (0 if none).
func (s Scenario) faultsEnd() sim.Time {
	var end sim.Time
	for _, c := range s.Crashes {
		end = max(end, c.At, c.Restart)
	}
	for _, p := range s.Partitions {
		end = max(end, p.From, p.To)
	}
	return end
}

// calmByGST reports whether every fault has ended (restarted or healed,
// or the crash is for good) by GST.
func (s Scenario) calmByGST() bool {
	if s.GST <= 0 {
		return false
	}
	for _, c := range s.Crashes {
		if c.At > s.GST || c.Restart > s.GST {
			return false
		}
	}
	for _, p := range s.Partitions {
		if p.From > s.GST || p.To == 0 || p.To > s.GST {
			return false
		}
	}
	return true
}

// MaxDelay is the longest one-way delay of s's network.
func (s Scenario) MaxDelay() sim.Time {
	t := s.Latency.Table()
	return t[len(t)-1]
}

// Instance is one prepared run of a Scenario for any driver (a seeded run,
// rapid, a replay): build the world with sim.New(Config), then Setup(w),
// then Run. It runs once.
type Instance struct {
	Config sim.Config
	Setup  func(w *sim.World)

	resolved   Scenario
	setupDraws int
	net        *network.Net
	world      *sim.World
	monitor    *Monitor
}

// Instance prepares a run of s (which must be valid) with seed. choices is
// the environment; nil means a PCG stream from seed. A swarm scenario draws
// its fault mix from choices here, before the network's draws.
func (s Scenario) Instance(seed uint64, choices sim.Choices, tracer sim.Tracer) *Instance {
	if choices == nil {
		choices = sim.NewPCGChoices(seed)
	}
	r, draws := s.resolve(choices)
	in := &Instance{resolved: r, setupDraws: draws, monitor: NewMonitor(r.Nodes)}
	in.net = network.MustNew(r.Nodes+r.Clients, network.Options{Latency: r.Latency, Loss: r.Loss, Duplicate: r.Dup})
	timing := DefaultTiming(r.MaxDelay())
	in.Config = sim.Config{
		Nodes: r.Nodes + r.Clients, Network: in.net, Choices: choices, Seed: seed,
		Limit: r.Limit, Tracer: tracer,
		New: func(id sim.NodeID) sim.Node {
			if int(id) >= r.Nodes {
				return NewClient(ClientParams{Replicas: r.Nodes, Ops: r.Ops, Keys: []string{"x", "y"}, Timeout: timing.Client})
			}
			return NewNode(Params{N: r.Nodes, Timing: timing, Bug: r.Bug})
		},
		Stop: in.stop,
	}
	in.Setup = func(w *sim.World) {
		in.world = w
		if err := r.Plan().Apply(w, in.net); err != nil {
			panic("raft: invalid scenario reached Instance: " + err.Error())
		}
	}
	return in
}

// stop ends the run at the first safety violation (nothing after it can
// repair safety, and a shorter run is a shorter counterexample), or once
// the faults are over, every client has its answers and the live replicas
// have applied the same prefix (leaders heartbeat forever, so the world is
// never quiescent).
func (in *Instance) stop(w *sim.World) bool {
	if in.monitor.Feed(w.Observations()) != "" {
		return true
	}
	r := in.resolved
	if w.Now() < r.faultsEnd() || in.monitor.returned < r.Clients*r.Ops {
		return false
	}
	applied := -1
	for i := 0; i < r.Nodes; i++ {
		if w.Crashed(sim.NodeID(i)) {
			continue
		}
		a := w.Node(sim.NodeID(i)).(*Node).Applied()
		if applied >= 0 && a != applied {
			return false
		}
		applied = a
	}
	return true
}

// Resolved is the scenario with the swarm's draws written out.
func (in *Instance) Resolved() Scenario { return in.resolved }

// SetupDraws is how many draws the swarm made before the run began.
func (in *Instance) SetupDraws() int { return in.setupDraws }

// Run builds the world, runs it and returns the outcome.
func (in *Instance) Run() Outcome {
	w := sim.New(in.Config)
	in.Setup(w)
	return in.Outcome(w.Run())
}

// Run runs s once with seed.
func Run(s Scenario, seed uint64, tracer sim.Tracer) Outcome {
	return s.Instance(seed, nil, tracer).Run()
}

// Outcome is a finished run with what the checkers need.
type Outcome struct {
	// Scenario is the resolved scenario: swarm draws written out.
	Scenario Scenario
	Result   sim.Result
	// Up says which replicas were running at the end.
	Up []bool
	// Logs holds each running replica's log at the end (nil if down).
	Logs [][]Entry
	// History is the clients' operations.
	History []Op
}

// Outcome summarises the run of this instance that ended with res.
func (in *Instance) Outcome(res sim.Result) Outcome {
	r := in.resolved
	o := Outcome{Scenario: r, Result: res, Up: make([]bool, r.Nodes), Logs: make([][]Entry, r.Nodes)}
	for i := range o.Up {
		id := sim.NodeID(i)
		if in.world != nil && !in.world.Crashed(id) {
			o.Up[i] = true
			if n, ok := in.world.Node(id).(*Node); ok {
				o.Logs[i] = n.Log()
			}
		}
	}
	o.History = History(res.Observations, r.Nodes)
	return o
}
