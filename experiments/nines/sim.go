package nines

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"

	"simulate/protocols/paxos"
	"simulate/protocols/raft"
	"simulate/sim"
)

// The protocols the experiment runs.
const (
	ProtocolSingle = "single"      // one server, no replication
	ProtocolPaxos  = "multi-paxos" // protocols/paxos Replica and Client
	ProtocolPBFT   = "pbft"        // protocols/pbft Replica and Client
	ProtocolRaft   = "raft"        // protocols/raft Node and Client
)

// System is one service the experiment measures: n replicas of a real
// protocol, of which a quorum of k must be up for it to make progress.
type System struct {
	Name     string `json:"system"`
	Protocol string `json:"protocol"`
	Nodes    int    `json:"nodes"`
	Quorum   int    `json:"quorum"`
}

// Systems are the ones the experiment compares: a single server,
// Multi-Paxos with 3 and 5 replicas (a majority commits), PBFT with 4 and
// 7 replicas (2f+1 of 3f+1 commit, for f = 1 and 2), and Raft with 3 and 5
// (a majority again: a second majority protocol beside Multi-Paxos, the
// one users meet at work). Raft comes last so earlier rows keep their
// places.
var Systems = []System{
	{Name: "single server", Protocol: ProtocolSingle, Nodes: 1, Quorum: 1},
	{Name: "Multi-Paxos, 3 replicas", Protocol: ProtocolPaxos, Nodes: 3, Quorum: 2},
	{Name: "Multi-Paxos, 5 replicas", Protocol: ProtocolPaxos, Nodes: 5, Quorum: 3},
	{Name: "PBFT, 4 replicas (f=1)", Protocol: ProtocolPBFT, Nodes: 4, Quorum: 3},
	{Name: "PBFT, 7 replicas (f=2)", Protocol: ProtocolPBFT, Nodes: 7, Quorum: 5},
	{Name: "Raft, 3 replicas", Protocol: ProtocolRaft, Nodes: 3, Quorum: 2},
	{Name: "Raft, 5 replicas", Protocol: ProtocolRaft, Nodes: 5, Quorum: 3},
}

// Params set the failure model and the workload.
//
// MTBF, MTTR, Interval and Horizon are real-world times; the simulation
// divides them by Scale. A real year of heartbeats every 20 ms would be
// billions of events, so the failure process is compressed (by default
// 3600-fold: a real hour passes in one simulated second) while the
// protocols run at their own speed (1 ms network, 20 ms heartbeats,
// 60–120 ms elections). Scaling keeps MTBF/MTTR, which is all the
// analytic availability depends on; what it changes is how long a
// failover lasts compared with the time between failures, which it
// stretches Scale-fold. Deadline is protocol time and is not scaled.
type Params struct {
	MTBF     sim.Time `json:"mtbf"`     // mean time between failures of one node (real)
	MTTR     sim.Time `json:"mttr"`     // mean time to repair (real)
	Interval sim.Time `json:"interval"` // a client request every Interval (real)
	Horizon  sim.Time `json:"horizon"`  // real time covered by one run (a year by default)
	Deadline sim.Time `json:"deadline"` // a request counts as answered within this (simulated, unscaled)
	// FairDeadline is a second deadline, also protocol time, longer than
	// any failover (an election, a view change past one or two crashed
	// primaries) yet shorter than most repairs: within it, what a request
	// misses is a quorum outage, what the analytic model counts. 0: not
	// measured.
	FairDeadline sim.Time `json:"fair_deadline"`
	Scale        int64    `json:"scale"` // real time / simulated time for the four above
}

// DefaultParams: nodes fail about monthly and take an hour to repair (each
// node up 99.86% of the time, under three nines), a request every hour for
// a year, each answered within 100 ms; time compressed 3600-fold.
func DefaultParams() Params {
	return Params{MTBF: 30 * 24 * sim.Hour, MTTR: sim.Hour, Interval: sim.Hour, Deadline: 100 * sim.Millisecond,
		FairDeadline: DefaultFairDeadline, Horizon: 365 * 24 * sim.Hour, Scale: 3600}
}

// DefaultFairDeadline is FairDeadline by default: 500 ms outlasts a PBFT
// failover past two crashed primaries (the client's 80 ms, then view
// changes of 60 and 120 ms) and a Multi-Paxos election (60–120 ms after
// the leader's last heartbeat), while a repair (MTTR 1 s simulated by
// default, exponential) is over within it only 39% of the time.
const DefaultFairDeadline = 500 * sim.Millisecond

// Limits on one run, so that a typo cannot ask for a week of computing.
const (
	// MaxSimulatedHorizon bounds Horizon/Scale: Multi-Paxos heartbeats
	// every 20 ms make about n events each.
	MaxSimulatedHorizon = 100_000 * sim.Second
	// MaxRequests bounds Horizon/Interval: a PBFT request costs about n²
	// messages.
	MaxRequests = 1_000_000
)

// Validate checks user-supplied parameters.
func (p Params) Validate() error {
	switch {
	case p.Scale < 1:
		return fmt.Errorf("scale %d: want at least 1", p.Scale)
	case p.MTBF <= 0 || p.MTTR <= 0:
		return fmt.Errorf("MTBF and MTTR must be positive")
	case p.Interval <= 0 || p.Deadline <= 0:
		return fmt.Errorf("request interval and deadline must be positive")
	case p.Horizon < p.Interval:
		return fmt.Errorf("horizon %v is shorter than one request interval", p.Horizon)
	case p.Horizon/p.Interval > MaxRequests:
		return fmt.Errorf("horizon/interval is %d requests per run; at most %d", p.Horizon/p.Interval, MaxRequests)
	case p.Horizon/sim.Time(p.Scale) > MaxSimulatedHorizon:
		return fmt.Errorf("horizon/scale is %v of simulated time per run; at most %v (raise --scale)", p.Horizon/sim.Time(p.Scale), MaxSimulatedHorizon)
	case p.MTTR/sim.Time(p.Scale) <= 0:
		return fmt.Errorf("mttr/scale is under a nanosecond; lower --scale")
	case p.Deadline >= p.Interval/sim.Time(p.Scale):
		return fmt.Errorf("deadline %v must be shorter than the simulated request interval %v (interval/scale)", p.Deadline, p.Interval/sim.Time(p.Scale))
	case p.FairDeadline < 0 || p.FairDeadline >= p.Interval/sim.Time(p.Scale):
		return fmt.Errorf("fair deadline %v must be shorter than the simulated request interval %v (interval/scale), and not negative", p.FairDeadline, p.Interval/sim.Time(p.Scale))
	}
	return nil
}

// Simulated returns the parameters the simulation uses: the failure
// process and the workload divided by Scale, the deadline as it is.
func (p Params) Simulated() Params {
	s := sim.Time(max(p.Scale, 1))
	return Params{MTBF: p.MTBF / s, MTTR: p.MTTR / s, Interval: p.Interval / s, Horizon: p.Horizon / s, Deadline: p.Deadline, FairDeadline: p.FairDeadline, Scale: 1}
}

// NodeUp is the analytic probability that one node is up.
func (p Params) NodeUp() float64 {
	return float64(p.MTBF) / float64(p.MTBF+p.MTTR)
}

// Requests is how many requests one run issues.
func (p Params) Requests() int { return int(p.Horizon / p.Interval) }

// Outcome is one run of one system.
type Outcome struct {
	// Requests is how many requests the client issued (one per interval).
	Requests int `json:"requests"`
	// Answered is how many it had an answer for within the deadline.
	Answered int `json:"answered"`
	// AnsweredFair is how many it had an answer for within FairDeadline.
	AnsweredFair int `json:"answered_fair"`
	// QuorumUp is how many requests were issued while at least a quorum of
	// replicas was up: the k-of-n model sampled on this run's very failures.
	QuorumUp int `json:"quorum_up"`
	// Failures counts node crashes.
	Failures int `json:"failures"`
	// Failovers counts elections started (Multi-Paxos, after the first) or
	// views changed (PBFT): what the protocol did about the crashes.
	Failovers int `json:"failovers"`
	// Forks counts log positions at which replicas decided two different
	// commands over the run: the replicated state forked. It is 0 for
	// Multi-Paxos, whose replicas keep their promises on disk; PBFT's
	// replicas keep nothing durable, so one that restarts has forgotten
	// what it prepared, and with more than f such replicas at once two
	// requests can commit at one sequence number. Availability counts
	// answers; this says whether they were consistent.
	Forks int `json:"forks"`
}

// request and reply are the single server's messages.
type request struct{ ID int64 }
type reply struct{ ID int64 }

func (m request) AppendDigest(b []byte) []byte { return binary.BigEndian.AppendUint64(b, uint64(m.ID)) }
func (m reply) AppendDigest(b []byte) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(m.ID)^1<<63)
}
func (m request) String() string { return fmt.Sprintf("request{%d}", m.ID) }
func (m reply) String() string   { return fmt.Sprintf("reply{%d}", m.ID) }

// server answers every request it receives while it is up: the single
// server, with nothing to agree on.
type server struct{}

func (server) Start(sim.Context) {}
func (server) Deliver(ctx sim.Context, from sim.NodeID, m sim.Message) {
	if r, ok := m.(request); ok {
		ctx.Send(from, reply(r))
	}
}
func (server) Fire(sim.Context, sim.TimerID, any) {}

// serverClient sends each request to the server and counts it answered if
// the reply comes before the deadline.
type serverClient struct {
	p       Params // simulated
	next    int64
	issued  sim.Time
	replied bool
	out     *Outcome
}

type tick struct{}
type deadline struct{}

func (c *serverClient) Start(ctx sim.Context) { ctx.After(c.p.Interval, tick{}) }

func (c *serverClient) Fire(ctx sim.Context, _ sim.TimerID, tag any) {
	switch tag.(type) {
	case tick:
		c.next++
		c.replied = false
		c.issued = ctx.Now()
		c.out.Requests++
		ctx.Send(0, request{ID: c.next})
		ctx.After(c.p.Deadline, deadline{})
		if ctx.Now()+c.p.Interval <= c.p.Horizon {
			ctx.After(c.p.Interval, tick{})
		}
	case deadline:
		if c.replied {
			c.out.Answered++
		}
	}
}

func (c *serverClient) Deliver(ctx sim.Context, _ sim.NodeID, m sim.Message) {
	if r, ok := m.(reply); ok && r.ID == c.next {
		if !c.replied && ctx.Now()-c.issued <= c.p.FairDeadline {
			c.out.AnsweredFair++
		}
		c.replied = true
	}
}

// Run simulates one system for one seed: each replica alternates up and
// down with exponential times (mean MTBF up, MTTR down, both divided by
// Scale) drawn from the environment's Choices, and a client on its own
// node issues a request every Interval/Scale. The failure draws are the
// only environment draws (the network is a fixed 1 ms), so two systems
// with the same number of nodes see the very same failures for a seed.
func Run(s System, p Params, seed uint64, tracer sim.Tracer) Outcome {
	var out Outcome
	sp := p.Simulated()
	n := s.Nodes
	var newNode func(sim.NodeID) sim.Node
	switch s.Protocol {
	case ProtocolPaxos:
		newNode = paxosNodes(n, sp, &out)
	case ProtocolPBFT:
		newNode = pbftNodes(n, sp, &out)
	case ProtocolRaft:
		newNode = raftNodes(n, sp, &out)
	default:
		newNode = func(id sim.NodeID) sim.Node {
			if int(id) == n {
				return &serverClient{p: sp, out: &out}
			}
			return server{}
		}
	}
	cfg := sim.Config{
		Nodes:   n + 1,
		New:     newNode,
		Network: sim.FixedDelay{D: NetworkDelay},
		Choices: sim.NewPCGChoices(seed),
		Seed:    seed,
		Limit:   sp.Horizon + sp.Interval,
		Tracer:  tracer,
	}
	w := sim.New(cfg)
	down := make([][]span, n)
	for i := 0; i < n; i++ {
		scheduleFailure(w, sim.NodeID(i), 0, sp, &out, &down[i])
	}
	res := w.Run()
	out.QuorumUp = quorumUp(down, s.Quorum, sp)
	switch s.Protocol {
	case ProtocolPaxos:
		out.Failovers = failovers(res.Observations, paxos.ObsBallot)
		out.Forks = forks(res.Observations, paxos.ObsDecide)
	case ProtocolPBFT:
		out.Failovers = pbftFailovers(res.Observations)
		out.Forks = forks(res.Observations, "commit")
	case ProtocolRaft:
		out.Failovers = failovers(res.Observations, raft.ObsLeader)
		out.Forks = forks(res.Observations, raft.ObsApply)
	}
	return out
}

// span is one down time of a node: [from, to).
type span struct{ from, to sim.Time }

// scheduleFailure schedules node id's next crash after an up-time drawn
// from the exponential with mean MTBF, and its repair after a down-time
// with mean MTTR, then the next failure, until the horizon. It records
// each down time in down.
func scheduleFailure(w *sim.World, id sim.NodeID, from sim.Time, p Params, out *Outcome, down *[]span) {
	up := exponential(w.Choices(), fmt.Sprintf("uptime n%d", id), p.MTBF)
	at := from + up
	if at >= p.Horizon {
		return
	}
	w.At(at, "fail", fmt.Sprintf("n%d fails", id), func() {
		out.Failures++
		d := exponential(w.Choices(), fmt.Sprintf("repair n%d", id), p.MTTR)
		*down = append(*down, span{at, at + d})
		w.CrashAt(at, id)
		w.RestartAt(at+d, id)
		scheduleFailure(w, id, at+d, p, out, down)
	})
}

// quorumUp counts the request times (Interval, 2·Interval, ... up to the
// horizon, as the clients issue them) at which at least k nodes were up.
func quorumUp(down [][]span, k int, p Params) int {
	type edge struct {
		at    sim.Time
		delta int
	}
	var edges []edge
	for _, spans := range down {
		for _, s := range spans {
			edges = append(edges, edge{s.from, -1}, edge{s.to, +1})
		}
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].at != edges[j].at {
			return edges[i].at < edges[j].at
		}
		return edges[i].delta < edges[j].delta
	})
	up, e, count := len(down), 0, 0
	for t := p.Interval; t <= p.Horizon; t += p.Interval {
		for e < len(edges) && edges[e].at <= t {
			up += edges[e].delta
			e++
		}
		if up >= k {
			count++
		}
	}
	return count
}

// exponential draws an exponential time with the given mean through
// Choices. Zero is boring: the draw 0 gives the longest time (~14.6 means,
// a failure that hardly ever comes), larger draws shorter times.
func exponential(c sim.Choices, label string, mean sim.Time) sim.Time {
	const buckets = 1 << 20
	v := c.Intn(label, buckets)
	u := 1 - (float64(v)+0.5)/buckets // in (0,1), 1-ish for v=0
	return sim.Time(-math.Log(1-u) * float64(mean))
}

// forks counts the slots for which observations of kind carry more than
// one value, whichever replicas reported them and whenever.
func forks(obs []sim.Observation, kind string) int {
	first := map[int]string{}
	forked := map[int]bool{}
	for _, o := range obs {
		if o.Kind != kind {
			continue
		}
		if v, ok := first[o.Slot]; !ok {
			first[o.Slot] = o.Value
		} else if v != o.Value {
			forked[o.Slot] = true
		}
	}
	return len(forked)
}
