package nines

import (
	"simulate/protocols/paxos"
	"simulate/protocols/pbft"
	"simulate/protocols/raft"
	"simulate/sim"
)

// NetworkDelay is every message's one-way delay.
const NetworkDelay = sim.Millisecond

// PaxosTiming is the Multi-Paxos replicas' and client's clock: heartbeat
// 20 ms, election timeout 60–120 ms, client retry 80 ms — Raft's textbook
// values (50 ms, 150–300 ms) at 40%. Twenty to a hundred network delays,
// so a live leader is not suspected; a tenth of the default simulated
// repair (1 s), so a failover is short beside an outage. Shorter timings
// would cost heartbeats, which dominate the event count; longer ones
// would make the scaled failover longer still.
func PaxosTiming() paxos.MultiTiming {
	return paxos.DefaultMultiTiming(4 * NetworkDelay)
}

// PBFTParams is the PBFT configuration for n replicas, on the same clock as
// PaxosTiming: a client waits 80 ms before it broadcasts its request, a
// backup then waits 60 ms (doubling with every fruitless view change)
// before it votes the primary out, a replica that is behind asks every
// 20 ms, and checkpoints come every 4 requests.
func PBFTParams(n int) pbft.Params {
	return pbft.Params{N: n, F: (n - 1) / 3, K: 4, L: 8, ViewTimeout: 60 * sim.Millisecond,
		ClientTimeout: 80 * sim.Millisecond, StatusInterval: 20 * sim.Millisecond}
}

// paxosNodes builds a Multi-Paxos world: replicas 0 .. n-1 (replica 0
// stands for leader at once) and the paced client n.
func paxosNodes(n int, p Params, out *Outcome) func(sim.NodeID) sim.Node {
	t := PaxosTiming()
	client := func() (sim.Node, tracker) {
		return paxos.NewClient(paxos.ClientParams{Replicas: n, Ops: p.Requests() + 1, Keys: []string{"x", "y"}, Timeout: t.Client}), &paxosTracker{}
	}
	return world(n, p, out, client, func(id sim.NodeID) sim.Node {
		return paxos.NewReplica(paxos.MultiParams{N: n, Candidate: id == 0, Timing: t})
	})
}

// world is the nodes of a system of n replicas, 0 .. n-1, each made by
// replica, and the client n: the protocol's client that client makes,
// paced, with the tracker that recognises its replies. Every call makes
// a fresh node, as a restart needs.
func world(n int, p Params, out *Outcome, client func() (sim.Node, tracker), replica func(sim.NodeID) sim.Node) func(sim.NodeID) sim.Node {
	return func(id sim.NodeID) sim.Node {
		if int(id) != n {
			return replica(id)
		}
		inner, tr := client()
		return &pacer{inner: inner, p: p, out: out, tr: tr}
	}
}

// pbftNodes builds a PBFT world: replicas 0 .. n-1 and the paced client n.
// PBFT replicas keep their promises in durable storage (their view, what
// they pre-prepared and prepared at each sequence number, their executed
// state and stable checkpoint), so a restarted replica resumes in its view
// with its state and catches up on what it missed by the status exchange
// and state transfer; it cannot contradict what it sent before its crash.
func pbftNodes(n int, p Params, out *Outcome) func(sim.NodeID) sim.Node {
	pp := PBFTParams(n)
	client := func() (sim.Node, tracker) {
		return pbft.NewClient(pp, sim.NodeID(n), p.Requests()+1), &pbftTracker{p: pp}
	}
	return world(n, p, out, client, func(id sim.NodeID) sim.Node { return pbft.NewReplica(pp, id) })
}

// RaftTiming is the Raft replicas' and client's clock, the same as
// PaxosTiming's so that the two majority protocols differ only in how they
// work: heartbeat 20 ms, election timeout 60–120 ms, client retry 80 ms.
func RaftTiming() raft.Timing {
	t := PaxosTiming()
	return raft.Timing{Heartbeat: t.Heartbeat, ElectionMin: t.Election, ElectionMax: 2 * t.Election, Client: t.Client}
}

// raftNodes builds a Raft world: replicas 0 .. n-1, which elect a leader
// by randomized timeouts (none stands at once, unlike Multi-Paxos's
// replica 0), and the paced client n. Raft replicas keep currentTerm,
// votedFor and the log in durable storage (§5.1 of the paper), so a
// restarted replica rejoins with what it promised and is caught up by the
// leader's AppendEntries.
func raftNodes(n int, p Params, out *Outcome) func(sim.NodeID) sim.Node {
	t := RaftTiming()
	client := func() (sim.Node, tracker) {
		return raft.NewClient(raft.ClientParams{Replicas: n, Ops: p.Requests() + 1, Keys: []string{"x", "y"}, Timeout: t.Client}), &raftTracker{}
	}
	return world(n, p, out, client, func(sim.NodeID) sim.Node { return raft.NewNode(raft.Params{N: n, Timing: t}) })
}

// failovers counts the elections after the first: observations of kind
// won, raft.ObsLeader (elections won) or paxos.ObsBallot (ballots begun,
// Multi-Paxos's elections).
func failovers(obs []sim.Observation, won string) int {
	n := 0
	for _, o := range obs {
		if o.Kind == won {
			n++
		}
	}
	return max(n-1, 0)
}

// pbftFailovers is the highest view any replica installed: every view
// change, including those past a primary that was down too.
func pbftFailovers(obs []sim.Observation) int {
	v := 0
	for _, o := range obs {
		if o.Kind == "new-view" && o.Slot > v {
			v = o.Slot
		}
	}
	return v
}

// A tracker recognises the reply that completes a protocol client's
// current request, by the client's own rule.
type tracker interface {
	begin(req int)
	completes(from sim.NodeID, m sim.Message) bool
}

// paxosTracker: one OK reply for the current sequence number.
type paxosTracker struct{ seq int }

func (t *paxosTracker) begin(req int) { t.seq = req }
func (t *paxosTracker) completes(_ sim.NodeID, m sim.Message) bool {
	r, ok := m.(paxos.Reply)
	return ok && r.OK && r.Seq == t.seq
}

// raftTracker: one OK reply for the current sequence number.
type raftTracker struct{ seq int }

func (t *raftTracker) begin(req int) { t.seq = req }
func (t *raftTracker) completes(_ sim.NodeID, m sim.Message) bool {
	r, ok := m.(raft.Reply)
	return ok && r.OK && r.Seq == t.seq
}

// pbftTracker: f+1 replicas sent the same result for the current
// timestamp.
type pbftTracker struct {
	p       pbft.Params
	ts      int
	replies map[sim.NodeID]string
}

func (t *pbftTracker) begin(req int) { t.ts, t.replies = req, map[sim.NodeID]string{} }
func (t *pbftTracker) completes(from sim.NodeID, m sim.Message) bool {
	r, ok := m.(pbft.Reply)
	if !ok || r.TS != t.ts || from < 0 || int(from) >= t.p.N {
		return false
	}
	t.replies[from] = r.Result
	same := 0
	for _, res := range t.replies {
		if res == r.Result {
			same++
		}
	}
	return same >= t.p.Weak()
}

// pacer turns a protocol's own client, which issues its next request the
// moment the last one completes, into one that issues a request every
// Interval: it holds back the reply that completes a request until the
// next tick and hands it over then, so the client's next request starts on
// the tick. A request counts as answered if it completed within the
// deadline of its tick. A tick that finds the client still waiting for the
// previous request cannot issue one: that request is not answered either.
type pacer struct {
	inner  sim.Node
	p      Params // simulated
	out    *Outcome
	tr     tracker
	cur    int // the request the client is working on; 0 before the first tick
	issued sim.Time
	done   bool // cur completed; its completing reply is held
	from   sim.NodeID
	held   sim.Message
}

type paceTick struct{}

func (c *pacer) Start(ctx sim.Context) { ctx.After(c.p.Interval, paceTick{}) }

func (c *pacer) Fire(ctx sim.Context, id sim.TimerID, tag any) {
	if _, ok := tag.(paceTick); ok {
		c.tick(ctx)
		return
	}
	if c.cur == 0 || c.done {
		return // the client's retry timer, but its request is answered
	}
	c.inner.Fire(ctx, id, tag)
}

func (c *pacer) tick(ctx sim.Context) {
	c.out.Requests++
	if ctx.Now()+c.p.Interval <= c.p.Horizon {
		ctx.After(c.p.Interval, paceTick{})
	}
	switch {
	case c.cur == 0:
		c.begin(ctx)
		c.inner.Start(ctx) // issues request 1
	case c.done:
		held, from := c.held, c.from
		c.held = nil
		c.begin(ctx)
		c.inner.Deliver(ctx, from, held) // completes the last request and issues the next
	}
	// Otherwise the client is still busy with an earlier request.
}

func (c *pacer) begin(ctx sim.Context) {
	c.cur++
	c.issued = ctx.Now()
	c.done = false
	c.tr.begin(c.cur)
}

func (c *pacer) Deliver(ctx sim.Context, from sim.NodeID, m sim.Message) {
	if c.cur == 0 || c.done {
		return // nothing outstanding: a late duplicate
	}
	if c.tr.completes(from, m) {
		c.done, c.from, c.held = true, from, m
		if ctx.Now()-c.issued <= c.p.Deadline {
			c.out.Answered++
		}
		if ctx.Now()-c.issued <= c.p.FairDeadline {
			c.out.AnsweredFair++
		}
		return
	}
	c.inner.Deliver(ctx, from, m)
}
