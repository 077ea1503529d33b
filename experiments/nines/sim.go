package nines

import (
	"encoding/binary"
	"fmt"
	"math"

	"simulate/sim"
)

// System is a replicated service measured by the experiment: n replicas of
// which a quorum of k must answer.
type System struct {
	Name   string `json:"system"`
	Nodes  int    `json:"nodes"`
	Quorum int    `json:"quorum"`
}

// Systems are the ones the experiment compares: a single server, majority
// quorums of 3 and 5 (what Multi-Paxos needs to commit) and 2f+1 of 3f+1
// (what PBFT needs) for f = 1 and 2.
var Systems = []System{
	{Name: "single server", Nodes: 1, Quorum: 1},
	{Name: "majority of 3 (Paxos quorum)", Nodes: 3, Quorum: 2},
	{Name: "majority of 5 (Paxos quorum)", Nodes: 5, Quorum: 3},
	{Name: "3 of 4 (PBFT quorum, f=1)", Nodes: 4, Quorum: 3},
	{Name: "5 of 7 (PBFT quorum, f=2)", Nodes: 7, Quorum: 5},
}

// Params set the failure model and the workload.
type Params struct {
	MTBF     sim.Time `json:"mtbf"`     // mean time between failures of one node
	MTTR     sim.Time `json:"mttr"`     // mean time to repair
	Interval sim.Time `json:"interval"` // a client request every Interval
	Deadline sim.Time `json:"deadline"` // a request counts as answered within this
	Horizon  sim.Time `json:"horizon"`  // simulated time per run (a year by default)
}

// DefaultParams: nodes fail about monthly and take an hour to repair (each
// node up 99.86% of the time, under three nines), a request every ten
// minutes for a year.
func DefaultParams() Params {
	return Params{MTBF: 30 * 24 * sim.Hour, MTTR: sim.Hour, Interval: 10 * sim.Minute, Deadline: sim.Second, Horizon: 365 * 24 * sim.Hour}
}

// Validate checks user-supplied parameters.
func (p Params) Validate() error {
	switch {
	case p.MTBF <= 0 || p.MTTR <= 0:
		return fmt.Errorf("MTBF and MTTR must be positive")
	case p.Interval <= 0 || p.Deadline <= 0:
		return fmt.Errorf("request interval and deadline must be positive")
	case p.Deadline >= p.Interval:
		return fmt.Errorf("deadline %v must be shorter than the request interval %v", p.Deadline, p.Interval)
	case p.Horizon < p.Interval:
		return fmt.Errorf("horizon %v is shorter than one request interval", p.Horizon)
	case p.Horizon/p.Interval > 10_000_000:
		return fmt.Errorf("horizon/interval is %d requests per run; at most 10,000,000", p.Horizon/p.Interval)
	}
	return nil
}

// NodeUp is the analytic probability that one node is up.
func (p Params) NodeUp() float64 {
	return float64(p.MTBF) / float64(p.MTBF+p.MTTR)
}

// Outcome is one run of one system.
type Outcome struct {
	Requests int `json:"requests"`
	Answered int `json:"answered"`
	Failures int `json:"failures"`
}

// request and reply are the service's messages.
type request struct{ ID int64 }
type reply struct{ ID int64 }

func (m request) AppendDigest(b []byte) []byte { return binary.BigEndian.AppendUint64(b, uint64(m.ID)) }
func (m reply) AppendDigest(b []byte) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(m.ID)^1<<63)
}
func (m request) String() string { return fmt.Sprintf("request{%d}", m.ID) }
func (m reply) String() string   { return fmt.Sprintf("reply{%d}", m.ID) }

// replica answers every request it receives while it is up.
type replica struct{}

func (replica) Start(sim.Context) {}
func (replica) Deliver(ctx sim.Context, from sim.NodeID, m sim.Message) {
	if r, ok := m.(request); ok {
		ctx.Send(from, reply(r))
	}
}
func (replica) Fire(sim.Context, sim.TimerID, any) {}

// client sends each request to every replica and counts it answered if a
// quorum replies before the deadline.
type client struct {
	p        Params
	replicas int
	quorum   int
	next     int64
	replies  int
	out      *Outcome
}

type tick struct{}
type deadline struct{}

func (c *client) Start(ctx sim.Context) { ctx.After(c.p.Interval, tick{}) }

func (c *client) Fire(ctx sim.Context, _ sim.TimerID, tag any) {
	switch tag.(type) {
	case tick:
		c.next++
		c.replies = 0
		c.out.Requests++
		for i := 0; i < c.replicas; i++ {
			ctx.Send(sim.NodeID(i), request{ID: c.next})
		}
		ctx.After(c.p.Deadline, deadline{})
		if ctx.Now()+c.p.Interval <= c.p.Horizon {
			ctx.After(c.p.Interval, tick{})
		}
	case deadline:
		if c.replies >= c.quorum {
			c.out.Answered++
		}
	}
}

func (c *client) Deliver(_ sim.Context, _ sim.NodeID, m sim.Message) {
	if r, ok := m.(reply); ok && r.ID == c.next {
		c.replies++
	}
}

// Run simulates one system for one seed: each replica alternates up and
// down with exponential times (mean MTBF up, MTTR down) drawn from the
// environment's Choices, and a client on its own node issues requests.
func Run(s System, p Params, seed uint64, tracer sim.Tracer) Outcome {
	var out Outcome
	n := s.Nodes
	cfg := sim.Config{
		Nodes: n + 1,
		New: func(id sim.NodeID) sim.Node {
			if int(id) == n {
				return &client{p: p, replicas: n, quorum: s.Quorum, out: &out}
			}
			return replica{}
		},
		Network: sim.FixedDelay{D: sim.Millisecond},
		Choices: sim.NewPCGChoices(seed),
		Seed:    seed,
		Limit:   p.Horizon + p.Interval,
		Tracer:  tracer,
	}
	w := sim.New(cfg)
	for i := 0; i < n; i++ {
		scheduleFailure(w, sim.NodeID(i), 0, p, &out)
	}
	w.Run()
	return out
}

// scheduleFailure schedules node id's next crash after an up-time drawn
// from the exponential with mean MTBF, and its repair after a down-time
// with mean MTTR, then the next failure, until the horizon.
func scheduleFailure(w *sim.World, id sim.NodeID, from sim.Time, p Params, out *Outcome) {
	up := exponential(w.Choices(), fmt.Sprintf("uptime n%d", id), p.MTBF)
	at := from + up
	if at >= p.Horizon {
		return
	}
	w.At(at, "fail", fmt.Sprintf("n%d fails", id), func() {
		out.Failures++
		down := exponential(w.Choices(), fmt.Sprintf("repair n%d", id), p.MTTR)
		w.CrashAt(at, id)
		w.RestartAt(at+down, id)
		scheduleFailure(w, id, at+down, p, out)
	})
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
