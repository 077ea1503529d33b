package raft

import (
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
	// Crashes, Partitions and Rolling leader crashes are the fault plan.
	Crashes    []Crash     `json:"crashes,omitempty"`
	Partitions []Partition `json:"partitions,omitempty"`
	Rolling    *Rolling    `json:"rolling,omitempty"`
	// Faults is any other fault plan (--faults): crashes, restarts,
	// partitions, cuts, loss and duplication windows at fixed times, on
	// the replicas (a plan names node ids below Nodes).
	Faults faults.Plan `json:"faults,omitempty"`
	// PCT, when set, adds the PCT delay strategy (--pct, see network.PCT)
	// on top of the other delays: senders' priorities and change points
	// are environment draws, 0 benign.
	PCT *network.PCT `json:"pct,omitempty"`
	// GST is when the network stabilises (no more loss); 0 means never.
	// Liveness is judged only for runs whose faults all end by GST.
	GST sim.Time `json:"gst,omitempty"`
	// Limit ends the run.
	Limit sim.Time `json:"limit"`
	Bug   Bug      `json:"bug,omitempty"`
	// Swarm draws the fault mix (loss and duplication rates unless set,
	// crash-restarts and partitions of a node or of the leader, rolling
	// leader crashes) from the run's Choices before it starts, so a search sees calm runs
	// and storms alike. Every such draw is 0 for "no fault".
	Swarm bool `json:"swarm,omitempty"`
}

// Crash is a crash of Node at At, and its restart at Restart (0: never).
// With Leader set, the node is whichever replica leads at At (the one in
// the highest term, if several think they do; nobody if none does), as
// Jepsen's leader-targeting nemeses pick it: the faults that hurt Raft
// most hit the leader at a chosen moment.
type Crash struct {
	Node    sim.NodeID `json:"node"`
	Leader  bool       `json:"leader,omitempty"`
	At      sim.Time   `json:"at"`
	Restart sim.Time   `json:"restart,omitempty"`
}

func (c Crash) String() string {
	who := fmt.Sprintf("n%d", c.Node)
	if c.Leader {
		who = "the leader"
	}
	if c.Restart == 0 {
		return fmt.Sprintf("%s at %s for good", who, c.At)
	}
	return fmt.Sprintf("%s at %s until %s", who, c.At, c.Restart)
}

// Partition splits the replicas into Groups from From until To (0: never
// healed). Nodes in no group, clients included, form one more group. With
// Leader set (and no Groups), the leader at From is cut off alone. A heal
// ends every partition in force (network.Net.Heal).
type Partition struct {
	Groups [][]sim.NodeID `json:"groups,omitempty"`
	Leader bool           `json:"leader,omitempty"`
	From   sim.Time       `json:"from"`
	To     sim.Time       `json:"to,omitempty"`
}

func (p Partition) String() string {
	what := network.GroupsString(0, p.Groups)
	if p.Leader {
		what = "{the leader}"
	}
	return fmt.Sprintf("%s from %s to %s", what, p.From, p.To)
}

// Rolling is a rolling crash of leaders, each hit at the worst moment for
// Raft: right after it writes a new entry to its log, before it has sent
// it to anyone (a crash between the disk write and the network send, for a
// replica that, like Node, sends new entries with its next heartbeat). From
// Arm[k] on, the first leader to append an entry crashes; the victim
// before it restarts at that moment, so the victims take turns, and the
// last one restarts LastDown after its crash. Crash k is armed only after
// crash k-1 happened. Three such crashes in a row are the paper's Figure 8.
type Rolling struct {
	Arm      []sim.Time `json:"arm"`
	LastDown sim.Time   `json:"last_down"`
}

// LivenessBound is how long after GST a swarm run's clients have to finish.
const LivenessBound = 2 * sim.Second

// CalmScenario is the fault-free baseline every Raft here is held to:
// three replicas, three clients of eight operations, a constant 1ms
// network, GST at 500ms and a 3s limit. The teaching Raft's tests and the
// etcd adapter's run the same one, so "calm" means the same run for both.
func CalmScenario() Scenario {
	return Scenario{Nodes: 3, Clients: 3, Ops: 8, Latency: network.Constant(sim.Millisecond), GST: 500 * sim.Millisecond, Limit: 3 * sim.Second}
}

// SwarmScenario is the scenario property search uses: n replicas, three
// clients of ten operations, a 1–5ms network, faults drawn per run within
// the first swarmWindow, GST after them.
func SwarmScenario(n int, bug Bug) Scenario {
	gst := swarmWindow + swarmRolling*swarmMaxDown + 100*sim.Millisecond
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
	if err := s.Faults.Validate(s.Nodes); err != nil {
		return err
	}
	for _, c := range s.Crashes {
		switch {
		case !c.Leader && (c.Node < 0 || int(c.Node) >= s.Nodes):
			return fmt.Errorf("crash %s: no replica %d (replicas are 0 to %d)", c, c.Node, s.Nodes-1)
		case c.At < 0:
			return fmt.Errorf("crash %s: time must not be negative", c)
		case c.Restart != 0 && c.Restart <= c.At:
			return fmt.Errorf("crash %s: restart must come after the crash", c)
		}
	}
	if r := s.Rolling; r != nil {
		if r.LastDown <= 0 {
			return fmt.Errorf("rolling crashes: last_down %s: want a positive duration", r.LastDown)
		}
		for _, t := range r.Arm {
			if t < 0 {
				return fmt.Errorf("rolling crashes: arm time %s must not be negative", t)
			}
		}
	}
	for _, p := range s.Partitions {
		if p.From < 0 || (p.To != 0 && p.To <= p.From) {
			return fmt.Errorf("partition %s: want 0 <= from < to", p)
		}
		if p.Leader && len(p.Groups) > 0 {
			return fmt.Errorf("partition %s: a leader partition takes no groups", p)
		}
		if err := network.ValidateGroups(s.Nodes, p.Groups); err != nil {
			return fmt.Errorf("partition %s: %v", p, err)
		}
	}
	return nil
}

// Swarm levels, indexed by a draw; index 0 is the calm network.
// (The duplication rate is faults.SwarmDuplication's.)
var swarmLoss = []float64{0, 0.05, 0.15, 0.3}

// The swarm's fault plan: swarmCrashes crash slots and swarmPartitions
// partition slots, each starting at a drawn multiple of swarmStep within
// swarmWindow and lasting a drawn 1..swarmDownSteps steps (a crash's largest
// draw: for good).
const (
	swarmCrashes    = 3
	swarmRolling    = 3
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
	// A rate the user set stays; the swarm draws the others (drawing
	// either way, so a set rate does not shift the draws after it).
	if loss := swarmLoss[draw("swarm loss level", len(swarmLoss))]; s.Loss == 0 {
		s.Loss = loss
	}
	if dup := faults.SwarmDuplication(c); s.Dup == 0 {
		s.Dup = dup
	}
	draws++
	steps := int(swarmWindow / swarmStep)
	s.Crashes = slices.Clone(s.Crashes)
	for k := 0; k < swarmCrashes; k++ {
		node := draw(fmt.Sprintf("swarm crash %d target (0 none, 1..n node+1, else the leader)", k), 2*s.Nodes+1)
		at := sim.Time(draw(fmt.Sprintf("swarm crash %d at (steps)", k), steps)) * swarmStep
		down := draw(fmt.Sprintf("swarm crash %d down (steps-1; max = for good)", k), swarmDownSteps+1)
		if node == 0 {
			continue
		}
		cr := Crash{Leader: node > s.Nodes, At: at}
		if !cr.Leader {
			cr.Node = sim.NodeID(node - 1)
		}
		if down < swarmDownSteps {
			cr.Restart = at + sim.Time(down+1)*swarmStep
		}
		s.Crashes = append(s.Crashes, cr)
	}
	// Rolling leader crashes: each armed at a drawn gap after the one
	// before, the last victim down for a drawn while.
	roll := draw("swarm rolling leader crashes (0 = none)", swarmRolling+1)
	at := sim.Time(draw("swarm rolling start (steps)", steps)) * swarmStep
	var gaps [swarmRolling]sim.Time
	for k := range gaps {
		gaps[k] = sim.Time(1+draw(fmt.Sprintf("swarm rolling gap %d (steps-1)", k), swarmDownSteps)) * swarmStep
	}
	if roll > 0 {
		s.Rolling = &Rolling{LastDown: gaps[roll-1]}
		for k := 0; k < roll; k++ {
			s.Rolling.Arm = append(s.Rolling.Arm, at)
			at += gaps[k]
		}
	}
	s.Partitions = slices.Clone(s.Partitions)
	for k := 0; k < swarmPartitions; k++ {
		node := draw(fmt.Sprintf("swarm partition %d target (0 none, 1..n node+1, else the leader)", k), 2*s.Nodes+1)
		from := sim.Time(draw(fmt.Sprintf("swarm partition %d from (steps)", k), steps)) * swarmStep
		length := sim.Time(1+draw(fmt.Sprintf("swarm partition %d length (steps-1)", k), swarmDownSteps)) * swarmStep
		if node == 0 {
			continue
		}
		p := Partition{Leader: true, From: from, To: from + length}
		if node <= s.Nodes {
			p = Partition{Groups: [][]sim.NodeID{{sim.NodeID(node - 1)}}, From: from, To: from + length}
		}
		s.Partitions = append(s.Partitions, p)
	}
	s.Swarm = false
	return s, draws
}

// Plan is the scenario's faults as a faults.Plan: crashes and restarts,
// partitions and their heals, and the end of loss at GST. Faults aimed at
// the leader are not in it (a plan is fixed before the run); Instance
// schedules them.
func (s Scenario) Plan() faults.Plan {
	var p faults.Plan
	for _, c := range s.Crashes {
		if c.Leader {
			continue // scheduled by the instance, which can see who leads
		}
		p = append(p, faults.Crash(c.At, c.Node))
		if c.Restart > 0 {
			p = append(p, faults.Restart(c.Restart, c.Node))
		}
	}
	for _, pt := range s.Partitions {
		if pt.Leader {
			if pt.To > 0 {
				p = append(p, faults.Heal(pt.To))
			}
			continue // the partition itself is scheduled by the instance
		}
		p = append(p, faults.Partition(pt.From, pt.Groups...))
		if pt.To > 0 {
			p = append(p, faults.Heal(pt.To))
		}
	}
	p = append(p, s.Faults...)
	if s.GST > 0 && s.Loss > 0 {
		p = append(p, faults.Loss(s.GST, 0))
	}
	p.SortByTime()
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
	for _, e := range s.Faults {
		end = max(end, e.At)
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
	// A plan is calm by GST when its last event comes no later and
	// leaves no window open: after a partition, cut, loss or duplication
	// window, a heal (a crash for good is calm, as above).
	open := false
	for _, e := range s.Faults {
		if e.At > s.GST {
			return false
		}
		switch e.Kind {
		case faults.KindPartition, faults.KindCut, faults.KindDuplicate:
			open = true
		case faults.KindLoss:
			open = e.P > 0
		case faults.KindHeal:
			open = false
		}
	}
	return !open
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
	roll       rollState
	// nodes holds each replica's latest incarnation; a crashed one's log
	// is what its disk holds.
	nodes []Replica
	// quorum is the first commit-quorum violation, "" if none.
	quorum  string
	commits int
}

// rollState follows the rolling leader crashes during a run.
type rollState struct {
	next    int        // the crash to arm next
	victim  sim.NodeID // the last victim, -1 before the first
	lastEnd sim.Time   // when the last victim restarts (0: not yet known)
	// lastFault is the time of the latest crash or restart scheduled.
	lastFault sim.Time
	// prev holds each replica's (leading, term, last index) after the
	// previous event, to see a leader append.
	prev []leaderView
}

type leaderView struct {
	leading bool
	term    int64
	last    int
}

// Instance prepares a run of s (which must be valid) with seed. choices is
// the environment; nil means a PCG stream from seed. A swarm scenario draws
// its fault mix from choices here, before the network's draws.
func (s Scenario) Instance(seed uint64, choices sim.Choices, tracer sim.Tracer) *Instance {
	return s.InstanceOf(seed, choices, tracer, func(p Params) Replica { return NewNode(p) })
}

// Replica is what a run needs of a Raft replica beyond sim.Node: the
// faults aimed at the leader, the commit-quorum check and the stop rule
// read it. A replica reports the observations of this package (ObsLeader,
// ObsCommit, ObsApply, ...) with log indexes from 1, answers Request from
// Client, and keeps its log in ctx.Storage. *Node is one; an adapter for
// another Raft implementation is another.
type Replica interface {
	sim.Node
	Leading() bool
	Term() int64
	// LastIndex is the index of the last entry of the log (0 if empty);
	// TermAt is the term of the entry at index i (0 if none).
	LastIndex() int
	TermAt(i int) int64
	// Applied is the index of the last entry applied to the store.
	Applied() int
	// Log returns a copy of the log.
	Log() []Entry
}

// InstanceOf is Instance with the replicas built by newReplica (called at
// start and at every restart) instead of NewNode: the same scenario, faults
// and checks for any Raft implementation.
func (s Scenario) InstanceOf(seed uint64, choices sim.Choices, tracer sim.Tracer, newReplica func(p Params) Replica) *Instance {
	if choices == nil {
		choices = sim.NewPCGChoices(seed)
	}
	r, draws := s.resolve(choices)
	in := &Instance{resolved: r, setupDraws: draws, monitor: NewMonitor(r.Nodes), roll: rollState{victim: -1, prev: make([]leaderView, r.Nodes)}, nodes: make([]Replica, r.Nodes)}
	in.net = network.MustNew(r.Nodes+r.Clients, network.Options{Latency: r.Latency, Loss: r.Loss, Duplicate: r.Dup, PCT: r.PCT})
	timing := DefaultTiming(r.MaxDelay())
	in.Config = sim.Config{
		Nodes: r.Nodes + r.Clients, Network: in.net, Choices: choices, Seed: seed,
		Limit: r.Limit, Tracer: tracer,
		New: func(id sim.NodeID) sim.Node {
			if int(id) >= r.Nodes {
				return NewClient(ClientParams{Replicas: r.Nodes, Ops: r.Ops, Keys: []string{"x", "y"}, Timeout: timing.Client, Retry: 4 * timing.Heartbeat})
			}
			n := newReplica(Params{N: r.Nodes, Timing: timing, Bug: r.Bug})
			in.nodes[id] = n
			return n
		},
		Stop: in.stop,
	}
	in.Setup = func(w *sim.World) {
		in.world = w
		if err := r.Plan().Apply(w, in.net); err != nil {
			panic("raft: invalid scenario reached Instance: " + err.Error())
		}
		in.scheduleLeaderFaults(w)
	}
	return in
}

// currentLeader is the running replica that leads in the highest term, -1
// if none does.
func (in *Instance) currentLeader(w *sim.World) sim.NodeID {
	best, term := sim.NodeID(-1), int64(-1)
	for i := 0; i < in.resolved.Nodes; i++ {
		id := sim.NodeID(i)
		if w.Crashed(id) {
			continue
		}
		if n, ok := w.Node(id).(Replica); ok && n.Leading() && n.Term() > term {
			best, term = id, n.Term()
		}
	}
	return best
}

// scheduleLeaderFaults schedules the crashes and partitions aimed at
// whoever leads when their time comes. The trace names the node hit.
func (in *Instance) scheduleLeaderFaults(w *sim.World) {
	n := len(w.Nodes())
	for _, c := range in.resolved.Crashes {
		if !c.Leader {
			continue
		}
		c := c
		w.At(c.At, "crash-leader", c.String(), func() {
			if id := in.currentLeader(w); id >= 0 {
				w.CrashAt(w.Now(), id)
				if c.Restart > 0 {
					w.RestartAt(c.Restart, id)
				}
			}
		})
	}
	for _, p := range in.resolved.Partitions {
		if !p.Leader {
			continue
		}
		w.At(p.From, "partition-leader", p.String(), func() {
			if id := in.currentLeader(w); id >= 0 {
				g := []sim.NodeID{id}
				w.At(w.Now(), "partition", network.GroupsString(n, [][]sim.NodeID{g}), func() { in.net.Partition(g) })
			}
		})
	}
}

// stop ends the run at the first safety violation (nothing after it can
// repair safety, and a shorter run is a shorter counterexample), or once
// the faults are over, every client has its answers and the live replicas
// have applied the same prefix (leaders heartbeat forever, so the world is
// never quiescent).
func (in *Instance) stop(w *sim.World) bool {
	in.checkCommitQuorum(w.Observations())
	if in.monitor.Feed(w.Observations()) != "" || in.quorum != "" {
		return true
	}
	in.rollingCrash(w)
	r := in.resolved
	if w.Now() < r.faultsEnd() || !in.rollingDone() || in.monitor.returned < r.Clients*r.Ops {
		return false
	}
	applied := -1
	for i := 0; i < r.Nodes; i++ {
		if w.Crashed(sim.NodeID(i)) {
			continue
		}
		a := w.Node(sim.NodeID(i)).(Replica).Applied()
		if applied >= 0 && a != applied {
			return false
		}
		applied = a
	}
	return true
}

// checkCommitQuorum checks, at every commit, the definition of committed
// (§5.3): the entry the leader commits is stored on a majority of the
// replicas (a crashed one counts with what its disk holds). It is the fact
// Leader Completeness rests on, and the one a follower that forgets an
// entry it acknowledged breaks; the observations cannot show it, so the
// instance reads the replicas' logs.
func (in *Instance) checkCommitQuorum(obs []sim.Observation) {
	for ; in.commits < len(obs); in.commits++ {
		o := obs[in.commits]
		if o.Kind != ObsCommit || in.quorum != "" {
			continue
		}
		l := in.nodes[o.Node]
		term := l.TermAt(o.Slot)
		var have []string
		for i, n := range in.nodes {
			if n != nil && n.TermAt(o.Slot) == term {
				have = append(have, fmt.Sprintf("n%d", i))
			}
		}
		if len(have) < in.resolved.Nodes/2+1 {
			in.quorum = fmt.Sprintf("n%d committed entry %d (term %d) at %s, but only %v store it", o.Node, o.Slot, term, o.Time, have)
		}
	}
}

// rollingCrash runs after every event: while a rolling crash is armed, a
// leader that has just appended an entry crashes now, before any message
// it sent arrives, and the previous victim restarts.
func (in *Instance) rollingCrash(w *sim.World) {
	rl := in.resolved.Rolling
	st := &in.roll
	if rl == nil || st.next >= len(rl.Arm) || w.Now() < rl.Arm[st.next] {
		in.watchLeaders(w, false)
		return
	}
	hit := in.watchLeaders(w, true)
	if hit < 0 {
		return
	}
	k := st.next
	st.next++
	w.At(w.Now(), "crash-leader", fmt.Sprintf("rolling crash %d: n%d just appended an entry", k, hit), nil)
	w.CrashAt(w.Now(), hit)
	if st.victim >= 0 {
		w.RestartAt(w.Now(), st.victim)
	}
	st.victim = hit
	st.lastFault = w.Now()
	if st.next == len(rl.Arm) {
		st.lastEnd = w.Now() + rl.LastDown
		st.lastFault = st.lastEnd
		w.RestartAt(st.lastEnd, hit)
	}
}

// watchLeaders updates each replica's view and, when armed, returns a
// running replica that appended to its log as leader during the last
// event (-1 if none).
func (in *Instance) watchLeaders(w *sim.World, armed bool) sim.NodeID {
	hit := sim.NodeID(-1)
	for i := range in.roll.prev {
		id := sim.NodeID(i)
		v := leaderView{}
		if !w.Crashed(id) {
			if n, ok := w.Node(id).(Replica); ok {
				v = leaderView{leading: n.Leading(), term: n.Term(), last: n.LastIndex()}
			}
		}
		p := in.roll.prev[i]
		if armed && hit < 0 && v.leading && p.leading && v.term == p.term && v.last > p.last {
			hit = id
		}
		in.roll.prev[i] = v
	}
	return hit
}

// rollingDone reports whether every rolling crash has happened and its
// last victim is back.
// A rolling crash that never finds a leader appending (the clients are
// done) never happens; its victim before it stays down.
func (in *Instance) rollingDone() bool {
	return in.roll.lastEnd == 0 || (in.world != nil && in.world.Now() >= in.roll.lastEnd)
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
	// CommitQuorum is the first commit of an entry that a majority did
	// not store, "" if none (see checkCommitQuorum).
	CommitQuorum string
	// RollingEnd is the time of the rolling crashes' last crash or
	// restart (0 if none happened).
	RollingEnd sim.Time
}

// Outcome summarises the run of this instance that ended with res.
func (in *Instance) Outcome(res sim.Result) Outcome {
	r := in.resolved
	o := Outcome{Scenario: r, Result: res, Up: make([]bool, r.Nodes), Logs: make([][]Entry, r.Nodes)}
	for i := range o.Up {
		id := sim.NodeID(i)
		if in.world != nil && !in.world.Crashed(id) {
			o.Up[i] = true
			if n, ok := in.world.Node(id).(Replica); ok {
				o.Logs[i] = n.Log()
			}
		}
	}
	o.History = History(res.Observations, r.Nodes)
	o.RollingEnd = in.roll.lastFault
	o.CommitQuorum = in.quorum
	return o
}
