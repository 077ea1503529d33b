package pbft

import (
	"fmt"
	"maps"
	"math"
	"simulate/check"
	"slices"
	"sort"
	"strings"

	"simulate/faults"
	"simulate/network"
	"simulate/sim"
)

// Scenario is one PBFT run, as a plain JSON-serialisable value: the trace
// header records it, so `simulate replay` can rerun it exactly.
type Scenario struct {
	// Replicas is n.
	Replicas int `json:"replicas"`
	// Traitors is how many replicas are Byzantine.
	Traitors int `json:"traitors"`
	// TraitorIDs says which replicas; empty means 0 .. Traitors-1, so the
	// first primary is faulty.
	TraitorIDs []int `json:"traitor_ids,omitempty"`
	// Strategy is one strategy for every traitor, or a comma-separated
	// list with one per traitor.
	Strategy string `json:"strategy"`
	// Requests is the number of client requests in all.
	Requests int `json:"requests"`
	// Clients issue the requests, one outstanding request each.
	Clients int `json:"clients"`
	// Loss is the probability that a message is lost before GST.
	Loss float64 `json:"loss"`
	// Jitter is the most a message is delayed beyond the 1ms base, in
	// whole milliseconds drawn from the environment.
	Jitter sim.Time `json:"jitter"`
	// PCT, when set, adds the PCT delay strategy (--pct, see network.PCT)
	// on top of the other delays: senders' priorities and change points
	// are environment draws, 0 benign.
	PCT *network.PCT `json:"pct,omitempty"`
	// GST is the global stabilisation time: loss stops then. 0 means the
	// network never stabilises (loss throughout).
	GST sim.Time `json:"gst,omitempty"`
	// Partition, if set, cuts the replicas it lists off from the others
	// and from the clients (which stay with the rest) from From until To.
	Partition *Partition `json:"partition,omitempty"`
	// Crashes lists replicas that crash and restart: each loses everything
	// but its durable Storage while down (see the amnesia bug).
	Crashes []CrashRestart `json:"crashes,omitempty"`
	// Faults is any further fault plan (--faults): crashes, partitions,
	// cuts, loss and duplication windows on the run's network.Net. It acts
	// on replicas only (clients are not in the failure domain).
	Faults faults.Plan `json:"faults,omitempty"`
	// Checkpoint is the checkpoint interval k.
	Checkpoint int `json:"checkpoint"`
	// Bug is a teaching bug switch (see Bugs), or "".
	Bug string `json:"bug,omitempty"`
	// Limit is the virtual time after which the run stops.
	Limit sim.Time `json:"limit"`
	// StopOnViolation ends the run at the first disagreement between
	// honest replicas, so a counterexample's trace ends where it matters.
	StopOnViolation bool `json:"stop_on_violation,omitempty"`
	// Schedule, if set, replays recorded environment draws ("index=value"
	// pairs, comma-separated; every other draw is 0) instead of drawing
	// from the seed: how a counterexample found by search is rerun.
	Schedule string `json:"schedule,omitempty"`
	// Swarm draws what a search varies from the environment's choices
	// (Draw): which replicas are traitors, their strategies when Strategy
	// is empty, the loss rate and jitter when Loss and Jitter are 0, and
	// a partition when Partition is nil.
	Swarm bool `json:"swarm,omitempty"`
	// CrashSlots draws up to this many crash-restarts per run
	// (DrawCrashes).
	CrashSlots int `json:"crash_slots,omitempty"`
}

// Partition isolates some replicas from the rest for a while.
type Partition struct {
	Isolated []int    `json:"isolated"`
	From     sim.Time `json:"from"`
	To       sim.Time `json:"to"`
}

// CrashRestart crashes replica Node at At and restarts it at RestartAt.
type CrashRestart struct {
	Node      int      `json:"node"`
	At        sim.Time `json:"at"`
	RestartAt sim.Time `json:"restart_at"`
}

// String renders c as ParseCrash reads it: "1@100ms..300ms".
func (c CrashRestart) String() string { return fmt.Sprintf("%d@%v..%v", c.Node, c.At, c.RestartAt) }

// ParseCrash reads the --crash syntax every protocol shares
// (faults.ParseCrashWindow) with a restart, which a PBFT crash needs:
// "ID@FROM..TO", e.g. "1@100ms..300ms": replica 1 crashes at 100ms and
// restarts at 300ms.
func ParseCrash(text string) (CrashRestart, error) {
	w, err := faults.ParseCrashWindow(text)
	if err != nil {
		return CrashRestart{}, err
	}
	if w.Restart == 0 {
		return CrashRestart{}, fmt.Errorf("crash %q: a replica restarts from its durable storage: want ID@FROM..TO, e.g. 1@100ms..300ms", text)
	}
	return CrashRestart{Node: int(w.Node), At: w.At, RestartAt: w.Restart}, nil
}

// String renders p as ParsePartition reads it: "1,2@100ms..300ms".
func (p *Partition) String() string {
	ids := make([]string, len(p.Isolated))
	for i, id := range p.Isolated {
		ids[i] = fmt.Sprint(id)
	}
	return fmt.Sprintf("%s@%v..%v", strings.Join(ids, ","), p.From, p.To)
}

// ParsePartition reads the --partition syntax every protocol shares
// (faults.ParsePartitionWindow) with one group and an end: "IDS@FROM..TO",
// e.g. "1,2@100ms..300ms": replicas 1 and 2 cut off from the other
// replicas and from the clients from 100ms until 300ms.
func ParsePartition(text string) (*Partition, error) {
	w, err := faults.ParsePartitionWindow(text)
	if err != nil {
		return nil, err
	}
	if len(w.Groups) != 1 || w.To == 0 {
		return nil, fmt.Errorf("partition %q: want IDS@FROM..TO, one group of replicas cut off from the rest for a while, e.g. 1,2@100ms..300ms", text)
	}
	p := &Partition{From: w.From, To: w.To}
	for _, id := range w.Groups[0] {
		p.Isolated = append(p.Isolated, int(id))
	}
	return p, nil
}

// Default is the scenario `simulate pbft` runs without flags: four
// replicas, one of them an equivocating primary.
func Default() Scenario {
	return Scenario{
		Replicas: 4, Traitors: 1, Strategy: Equivocate, Requests: 10, Clients: 1,
		Checkpoint: 4, Limit: 60 * sim.Second,
	}
}

// Params returns the protocol parameters every node of s knows.
func (s Scenario) Params() Params {
	k := s.Checkpoint
	if k < 1 {
		k = 4
	}
	return Params{
		N: s.Replicas, F: (s.Replicas - 1) / 3, K: k, L: 2 * k,
		ViewTimeout: 50 * sim.Millisecond, ClientTimeout: 100 * sim.Millisecond,
		StatusInterval: 25 * sim.Millisecond, Bug: s.Bug,
	}
}

// Traitor returns the ids of the traitors and each one's strategy.
func (s Scenario) traitors() ([]sim.NodeID, []string) {
	ids := make([]sim.NodeID, s.Traitors)
	for i := range ids {
		ids[i] = sim.NodeID(i)
		if len(s.TraitorIDs) == s.Traitors {
			ids[i] = sim.NodeID(s.TraitorIDs[i])
		}
	}
	strats := strings.Split(s.Strategy, ",")
	out := make([]string, s.Traitors)
	for i := range out {
		if len(strats) == 1 {
			out[i] = strings.TrimSpace(strats[0])
		} else if i < len(strats) {
			out[i] = strings.TrimSpace(strats[i])
		}
	}
	return ids, out
}

// Validate reports the first thing wrong with s, in words for a person.
func (s Scenario) Validate() error {
	switch {
	case s.Replicas < 1 || s.Replicas > 64:
		return fmt.Errorf("replicas %d: want 1 to 64", s.Replicas)
	case s.Traitors < 0 || s.Traitors > s.Replicas:
		return fmt.Errorf("traitors %d: want 0 to %d (the number of replicas)", s.Traitors, s.Replicas)
	case s.Requests < 0 || s.Requests > 100000:
		return fmt.Errorf("requests %d: want 0 to 100000", s.Requests)
	case s.Clients < 1 || s.Clients > 64:
		return fmt.Errorf("clients %d: want 1 to 64", s.Clients)
	case math.IsNaN(s.Loss) || s.Loss < 0 || s.Loss >= 1:
		return fmt.Errorf("loss %v: want a probability in [0, 1)", s.Loss)
	case s.Jitter < 0 || s.Jitter > sim.Second:
		return fmt.Errorf("jitter %v: want 0 to 1s", s.Jitter)
	case s.GST < 0:
		return fmt.Errorf("gst %v: want a time >= 0", s.GST)
	case s.Partition != nil && (s.Partition.From < 0 || s.Partition.To <= s.Partition.From):
		return fmt.Errorf("partition %v: want 0 <= from < to", s.Partition)
	case s.Checkpoint < 1 || s.Checkpoint > 10000:
		return fmt.Errorf("checkpoint %d: want 1 to 10000", s.Checkpoint)
	case s.Limit <= 0:
		return fmt.Errorf("limit %v: want a time > 0", s.Limit)
	}
	if s.Partition != nil {
		for _, id := range s.Partition.Isolated {
			if id < 0 || id >= s.Replicas {
				return fmt.Errorf("partition %v: no replica %d", s.Partition, id)
			}
		}
	}
	for _, c := range s.Crashes {
		if c.Node < 0 || c.Node >= s.Replicas || c.At < 0 || c.RestartAt <= c.At {
			return fmt.Errorf("crash %v: want a replica 0 to %d and 0 <= from < to", c, s.Replicas-1)
		}
	}
	if s.Bug != "" && !slices.Contains(Bugs, s.Bug) {
		return fmt.Errorf("bug %q: want one of %s", s.Bug, strings.Join(Bugs, ", "))
	}
	if len(s.TraitorIDs) != 0 {
		if len(s.TraitorIDs) != s.Traitors {
			return fmt.Errorf("traitor ids %v: want %d ids, one per traitor", s.TraitorIDs, s.Traitors)
		}
		seen := map[int]bool{}
		for _, id := range s.TraitorIDs {
			if id < 0 || id >= s.Replicas || seen[id] {
				return fmt.Errorf("traitor ids %v: want distinct replicas 0 to %d", s.TraitorIDs, s.Replicas-1)
			}
			seen[id] = true
		}
	}
	strats := strings.Split(s.Strategy, ",")
	if s.Traitors > 0 && len(strats) != 1 && len(strats) != s.Traitors {
		return fmt.Errorf("strategy %q: want one strategy, or one per traitor (%d)", s.Strategy, s.Traitors)
	}
	for _, st := range strats {
		if st = strings.TrimSpace(st); !ValidStrategy(st) && !(st == "" && s.Traitors == 0) {
			return fmt.Errorf("strategy %q: want one of %s", st, strings.Join(Strategies, ", "))
		}
	}
	if _, err := ParseSchedule(s.Schedule); err != nil {
		return err
	}
	return s.Plan().Validate(s.Replicas)
}

// ParseSchedule reads sim's one schedule form, "index=value,...", into a
// dense list of draws.
func ParseSchedule(s string) ([]int, error) { return sim.ParseSchedule(s) }

// FormatSchedule writes the non-zero draws of values in sim's form.
func FormatSchedule(values []int) string { return sim.FormatSchedule(values) }

// baseDelay is every message's delay before jitter.
const baseDelay = sim.Millisecond

// Setup is a validated scenario, ready to build worlds from.
type Setup struct {
	Scenario
	P        Params
	Seed     uint64
	net      *network.Net // the Net of the last Config
	traitors map[sim.NodeID]string
	clients  []sim.NodeID
	perCli   []int
	// progress holds, per world built from Config, the replicas' progress
	// as the stop rule saw it after every event, until Outcome takes it.
	progress map[*sim.World]*progressLog
}

// NewSetup validates s.
func NewSetup(s Scenario, seed uint64) (*Setup, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	st := &Setup{Scenario: s, P: s.Params(), Seed: seed, traitors: map[sim.NodeID]string{}, progress: map[*sim.World]*progressLog{}}
	ids, strats := s.traitors()
	for i, id := range ids {
		st.traitors[id] = strats[i]
	}
	for c := 0; c < s.Clients; c++ {
		st.clients = append(st.clients, sim.NodeID(s.Replicas+c))
		st.perCli = append(st.perCli, s.Requests/s.Clients)
		if c < s.Requests%s.Clients {
			st.perCli[c]++
		}
	}
	return st, nil
}

// Honest reports whether replica id is honest.
func (st *Setup) Honest(id sim.NodeID) bool {
	_, t := st.traitors[id]
	return !t
}

// Config builds the world's configuration: nodes, network, choices (from
// the seed, or the recorded schedule) and the stop rule. Call it once per
// world: the stop rule keeps state.
func (st *Setup) Config() sim.Config {
	var cab *cabal
	var colluders []sim.NodeID
	for _, id := range slices.Sorted(maps.Keys(st.traitors)) {
		if st.traitors[id] == Collude {
			colluders = append(colluders, id)
		}
	}
	if len(colluders) > 0 {
		cab = newCabal(colluders...)
	}
	n := st.Replicas
	var choices sim.Choices = sim.NewPCGChoices(st.Seed)
	if st.Schedule != "" {
		v, _ := ParseSchedule(st.Schedule)
		choices = &sim.ReplayChoices{Values: v}
	}
	var doneAt sim.Time = -1
	seen, next := map[int]string{}, 0
	var prog *progressLog
	return sim.Config{
		Nodes: n + len(st.clients),
		New: func(id sim.NodeID) sim.Node {
			if int(id) >= n {
				return NewClient(st.P, id, st.perCli[int(id)-n])
			}
			if strat, ok := st.traitors[id]; ok {
				if strat == Collude {
					return newTraitor(st.P, id, strat, cab)
				}
				return newTraitor(st.P, id, strat, nil)
			}
			return NewReplica(st.P, id)
		},
		Network: st.newNet(),
		Choices: choices,
		Seed:    st.Seed,
		Limit:   st.Limit,
		Stop: func(w *sim.World) bool {
			if prog == nil {
				prog = newProgressLog(n)
				st.progress[w] = prog
			}
			prog.record(w)
			if st.StopOnViolation {
				obs := w.Observations()
				for ; next < len(obs); next++ {
					if o := obs[next]; o.Kind == check.KindCommit && int(o.Node) < n && st.Honest(o.Node) {
						if d, ok := seen[o.Slot]; ok && d != o.Value {
							return true
						}
						seen[o.Slot] = o.Value
					}
				}
			}
			for _, c := range st.clients {
				if !w.Node(c).(*Client).Done() {
					return false
				}
			}
			if doneAt < 0 {
				doneAt = w.Now()
			}
			// Let lagging honest replicas catch up, but not forever: for
			// as long as CheckCatchUp gives them, so that it can judge a
			// replica that never catches up.
			if w.Now() >= doneAt+CatchUpBound {
				return true
			}
			top := 0
			for i := 0; i < n; i++ {
				if r, ok := w.Node(sim.NodeID(i)).(*Replica); ok && st.Honest(sim.NodeID(i)) && r.lastExec > top {
					top = r.lastExec
				}
			}
			for i := 0; i < n; i++ {
				if r, ok := w.Node(sim.NodeID(i)).(*Replica); ok && st.Honest(sim.NodeID(i)) && r.lastExec < top {
					return false
				}
			}
			return true
		},
	}
}

// ReplicaOutcome is one replica at the end of a run.
type ReplicaOutcome struct {
	ID       int    `json:"id"`
	Role     string `json:"role"` // "honest" or the traitor's strategy
	View     int    `json:"view"`
	Executed int    `json:"executed"`
	Stable   int    `json:"stable_checkpoint"`
	MaxLog   int    `json:"max_log"`
	// Committed lists the committed request digests by sequence number
	// from 1; "" marks a sequence number this replica did not commit
	// (it may have caught up through a checkpoint instead).
	Committed []string `json:"committed"`
}

// Outcome is what a run shows.
type Outcome struct {
	Replicas   int      `json:"replicas"`
	F          int      `json:"f"`
	Quorum     int      `json:"quorum"`
	Traitors   int      `json:"traitors"`
	TraitorIDs []int    `json:"traitor_ids"`
	Strategies []string `json:"strategies"`
	Bug        string   `json:"bug,omitempty"`
	// Agreement: no two honest replicas committed different requests at
	// one sequence number.
	Agreement bool `json:"agreement"`
	// Validity: every request an honest replica committed is the null
	// request or one a client issued.
	Validity bool `json:"validity"`
	// Violation describes the first broken property, or is "".
	Violation   string `json:"violation,omitempty"`
	Requests    int    `json:"requests"`
	Completed   int    `json:"completed"`
	ViewChanges int    `json:"view_changes"`
	Messages    int    `json:"messages"`
	// MessagesPerRequest is messages sent (all kinds) per completed request.
	MessagesPerRequest float64          `json:"messages_per_request"`
	LatencyMean        sim.Time         `json:"latency_mean_ns"`
	LatencyMax         sim.Time         `json:"latency_max_ns"`
	PerReplica         []ReplicaOutcome `json:"per_replica"`
	Hash               string           `json:"trace_hash"`
	End                sim.Time         `json:"end_ns"`
	Reason             string           `json:"stop"`
	Sim                sim.Result       `json:"-"`
	// Progress is every change of a replica's executed count or of
	// whether it is up, in the order they happened: what CheckCatchUp
	// judges. Empty for a world not built by Setup.Config.
	Progress []Progress `json:"-"`
}

// Outcome reads the outcome of a finished world.
func (st *Setup) Outcome(w *sim.World, res sim.Result) Outcome {
	o := Outcome{
		Replicas: st.Replicas, F: st.P.F, Quorum: st.P.Quorum(), Traitors: st.Traitors, Bug: st.Bug,
		Agreement: true, Validity: true, Requests: st.Requests, Messages: res.Sent,
		Hash: res.HashString(), End: res.End, Reason: string(res.Reason), Sim: res,
	}
	for _, id := range slices.Sorted(maps.Keys(st.traitors)) {
		o.TraitorIDs = append(o.TraitorIDs, int(id))
		o.Strategies = append(o.Strategies, st.traitors[id])
	}
	commits := make([]map[int]string, st.Replicas)
	for i := range commits {
		commits[i] = map[int]string{}
	}
	for _, ob := range res.Observations {
		id := int(ob.Node)
		switch {
		case ob.Kind == check.KindCommit && id < st.Replicas:
			if d, ok := commits[id][ob.Slot]; !ok {
				commits[id][ob.Slot] = ob.Value
			} else if d != ob.Value && st.Honest(ob.Node) && o.Agreement {
				// Only a restarted replica can commit a sequence number
				// twice: with amnesia, the second time may differ.
				o.Agreement = false
				o.Violation = fmt.Sprintf("agreement: n%d committed %s and, after a restart, %s at #%d", id, d, ob.Value, ob.Slot)
			}
		case ob.Kind == ObsNewView && st.Honest(ob.Node) && ob.Slot > o.ViewChanges:
			o.ViewChanges = ob.Slot
		case ob.Kind == "complete":
			o.Completed++
		}
	}
	issued := map[string]bool{Null: true}
	for i, c := range st.clients {
		for ts := 1; ts <= st.perCli[i]; ts++ {
			issued[Op(c, ts)] = true
		}
	}
	first := map[int]sim.NodeID{}
	for i := 0; i < st.Replicas; i++ {
		id := sim.NodeID(i)
		if !st.Honest(id) {
			continue
		}
		for _, s := range slices.Sorted(maps.Keys(commits[i])) {
			d := commits[i][s]
			if !issued[d] && o.Validity {
				o.Validity = false
				if o.Violation == "" {
					o.Violation = fmt.Sprintf("validity: n%d committed %s at #%d, which no client issued", i, d, s)
				}
			}
			j, ok := first[s]
			if !ok {
				first[s] = id
				continue
			}
			if other := commits[j][s]; other != d && o.Agreement {
				o.Agreement = false
				if o.Violation == "" || strings.HasPrefix(o.Violation, "validity") {
					o.Violation = fmt.Sprintf("agreement: n%d committed %s and n%d committed %s at #%d", j, other, i, d, s)
				}
			}
		}
	}
	var sum sim.Time
	count := 0
	for _, c := range st.clients {
		cl := w.Node(c).(*Client)
		for _, l := range cl.Latencies {
			sum += l
			count++
			if l > o.LatencyMax {
				o.LatencyMax = l
			}
		}
	}
	if count > 0 {
		o.LatencyMean = sum / sim.Time(count)
	}
	if prog := st.progress[w]; prog != nil {
		o.Progress = prog.steps
		delete(st.progress, w)
	}
	done := o.Completed
	if done < 1 {
		done = 1
	}
	o.MessagesPerRequest = float64(res.Sent) / float64(done)
	for i := 0; i < st.Replicas; i++ {
		id := sim.NodeID(i)
		ro := ReplicaOutcome{ID: i, Role: Honest}
		if strat, ok := st.traitors[id]; ok {
			ro.Role = strat
		}
		var r *Replica
		switch n := w.Node(id).(type) {
		case *Replica:
			r = n
		case *traitor:
			r = n.inner
		case *twins:
			r = n.pair[0]
		}
		if r != nil {
			ro.View, ro.Executed, ro.Stable, ro.MaxLog = r.view, r.lastExec, r.stable, r.maxLog
		}
		seqs := slices.Sorted(maps.Keys(commits[i]))
		if len(seqs) > 0 {
			ro.Committed = make([]string, seqs[len(seqs)-1])
			for _, s := range seqs {
				ro.Committed[s-1] = commits[i][s]
			}
		}
		o.PerReplica = append(o.PerReplica, ro)
	}
	return o
}

// Run runs s with seed and returns its outcome; tracer, if not nil, sees
// every event.
func Run(s Scenario, seed uint64, tracer sim.Tracer) (Outcome, error) {
	st, err := NewSetup(s, seed)
	if err != nil {
		return Outcome{}, err
	}
	cfg := st.Config()
	cfg.Tracer = tracer
	w := sim.New(cfg)
	st.ScheduleFaults(w)
	return st.Outcome(w, w.Run()), nil
}

// Byzantine runs f traitors playing strategy among 3f+1 replicas (the
// first f replicas, so the first primary is one of them) on a calm network
// with a little jitter, and returns the outcome: Agreement and Validity
// are the safety verdicts, Completed == Requests is termination. It is the
// entry point for `simulate byzantine --protocol pbft`.
func Byzantine(f int, strategy string, seed uint64) (Outcome, error) {
	if f < 0 || f > 21 {
		return Outcome{}, fmt.Errorf("f %d: want 0 to 21", f)
	}
	s := Default()
	s.Replicas, s.Traitors, s.Strategy = 3*f+1, f, strategy
	if f == 0 {
		s.Strategy = ""
	}
	s.Jitter = 3 * sim.Millisecond
	return Run(s, seed, nil)
}

// ScheduleFaults schedules the scenario's fault plan (Plan: crashes,
// restarts and the partition) on w and its Net; w must be built from the
// latest st.Config(). Call it before w.Run.
func (st *Setup) ScheduleFaults(w *sim.World) {
	if err := st.Plan().Apply(w, st.net); err != nil {
		panic("pbft: " + err.Error()) // Validate checks every event
	}
}

// Plan is the scenario's faults as a fault plan: each crash and restart,
// then the partition and its heal, then Faults.
func (s Scenario) Plan() faults.Plan {
	var p faults.Plan
	for _, c := range s.Crashes {
		p = append(p, faults.Crash(c.At, sim.NodeID(c.Node)), faults.Restart(c.RestartAt, sim.NodeID(c.Node)))
	}
	if pt := s.Partition; pt != nil && len(pt.Isolated) > 0 {
		ids := make([]sim.NodeID, len(pt.Isolated))
		for i, id := range pt.Isolated {
			ids[i] = sim.NodeID(id)
		}
		p = append(p, faults.Partition(pt.From, ids), faults.Heal(pt.To))
	}
	return append(p, s.Faults...)
}

// netOptions is the scenario's network: 1ms plus a jitter drawn in whole
// milliseconds (draw 0: none) and loss until GST. A partition's isolated
// replicas are cut off from the clients too (the clients are in the rest
// group). A message a partition drops still makes its draws, as it always
// did here, so shrinking a partition away leaves the other draws in place.
func (s Scenario) netOptions() network.Options {
	o := network.Options{Latency: network.Constant(baseDelay), Loss: s.Loss, GST: s.GST, DrawDropped: true, PCT: s.PCT}
	if ms := int(s.Jitter / sim.Millisecond); ms > 0 {
		o.Latency = network.UniformSteps(baseDelay, baseDelay+sim.Time(ms)*sim.Millisecond, ms+1)
	}
	return o
}

// newNet builds the scenario's Net for one world and remembers it for
// ScheduleFaults.
func (st *Setup) newNet() *network.Net {
	st.net = network.MustNew(st.Replicas+st.Clients, st.netOptions())
	return st.net
}

// Draw fills in the parts of base that a search varies, drawing each from
// c so that 0 is the boring choice: which replicas are traitors (0: the
// first ones, primary included), each traitor's strategy (0: honest) unless
// base names one — with more than one traitor, first whether they collude
// (0: no) — the loss rate (0: none) and the jitter (0: none) unless
// base fixes them, and a partition (0: none) unless base has one.
func Draw(c sim.Choices, base Scenario) Scenario {
	s := base
	if s.Traitors > 0 && len(s.TraitorIDs) == 0 {
		off := c.Intn("traitor offset", s.Replicas)
		s.TraitorIDs = make([]int, s.Traitors)
		for i := range s.TraitorIDs {
			s.TraitorIDs[i] = (off + i) % s.Replicas
		}
		sort.Ints(s.TraitorIDs)
	}
	if s.Strategy == "" && s.Traitors > 0 {
		// Several traitors may act as one coalition (Collude), one choice:
		// split quorums need every traitor in on it, which independent
		// strategy draws almost never give.
		if s.Traitors > 1 && c.Intn("the traitors collude (0 = each draws its own strategy)", 2) == 1 {
			s.Strategy = Collude
		} else {
			strats := make([]string, s.Traitors)
			for i := range strats {
				strats[i] = Strategies[c.Intn(fmt.Sprintf("strategy of traitor %d", i), len(Strategies))]
			}
			s.Strategy = strings.Join(strats, ",")
		}
	}
	// A loss rate or jitter base fixes is kept; the draw is still made,
	// so every later draw keeps its index.
	loss := []float64{0, 0.05, 0.1, 0.2}[c.Intn("loss rate", 4)]
	jitter := []sim.Time{0, 2 * sim.Millisecond, 5 * sim.Millisecond, 20 * sim.Millisecond}[c.Intn("jitter", 4)]
	if s.Loss == 0 {
		s.Loss = loss
	}
	if s.Jitter == 0 {
		s.Jitter = jitter
	}
	// A partition (0: none) cuts off a run of up to f replicas, starting
	// at the drawn one, for a drawn while; it heals before GST when there
	// is one, so liveness after GST is still owed.
	first := c.Intn("partition: first isolated replica+1 (0 = none)", s.Replicas+1)
	size := 1 + c.Intn("partition: replicas isolated-1", max(1, (s.Replicas-1)/3))
	from := sim.Time(c.Intn("partition: from (x10ms)", 10)) * 10 * sim.Millisecond
	length := sim.Time(1+c.Intn("partition: length-1 (x20ms)", 10)) * 20 * sim.Millisecond
	if first > 0 && s.Partition == nil {
		p := &Partition{From: from, To: from + length}
		for i := 0; i < size; i++ {
			p.Isolated = append(p.Isolated, (first-1+i)%s.Replicas)
		}
		sort.Ints(p.Isolated)
		if s.GST > 0 && p.To > s.GST {
			p.To = s.GST
		}
		if p.To > p.From {
			s.Partition = p
		}
	}
	return s
}

// DrawCrashes adds to base up to slots crash-restarts drawn from c, each
// 0 (none) unless drawn otherwise: which replica (0: none), when it
// crashes (ms), and how long it stays down (ms). A crash that would take
// more than f replicas down at once is dropped, so safety is still owed;
// over a run more than f replicas may restart. It is separate from Draw so
// that Draw's draws, and the searches pinned on them, stay as they were.
func DrawCrashes(c sim.Choices, base Scenario, slots int, span sim.Time) Scenario {
	s := base
	f := s.Params().F
	s.Crashes = append([]CrashRestart(nil), base.Crashes...)
	for i := 0; i < slots; i++ {
		node := c.Intn(fmt.Sprintf("crash %d: replica+1 (0 = none)", i), s.Replicas+1)
		at := sim.Time(c.Intn(fmt.Sprintf("crash %d: at (ms)", i), int(span/sim.Millisecond))) * sim.Millisecond
		down := sim.Time(1+c.Intn(fmt.Sprintf("crash %d: down-1 (ms)", i), 20)) * sim.Millisecond
		if node == 0 {
			continue
		}
		cr := CrashRestart{Node: node - 1, At: at, RestartAt: at + down}
		if maxDown(append(s.Crashes, cr)) <= f {
			s.Crashes = append(s.Crashes, cr)
		}
	}
	return s
}

// maxDown is the most replicas the crashes take down at one time (a
// replica counts once; one crashed twice over one stretch is still one).
func maxDown(cs []CrashRestart) int {
	most := 0
	for _, a := range cs {
		down := map[int]bool{}
		for _, b := range cs {
			if b.At <= a.At && a.At < b.RestartAt {
				down[b.Node] = true
			}
		}
		if len(down) > most {
			most = len(down)
		}
	}
	return most
}
