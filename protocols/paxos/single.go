package paxos

import (
	"fmt"

	"simulate/sim"
)

// Timing is what a node assumes about the network: the partial-synchrony
// timeouts of a real deployment. DefaultTiming derives them from the worst
// one-way delay.
type Timing struct {
	// RoundTimeout abandons a ballot that has not gathered a quorum.
	RoundTimeout sim.Time
	// BackoffBase is the first randomized backoff window after a failed
	// ballot; it doubles with every failure up to BackoffMax. Randomness,
	// from the node's own stream, is what breaks duelling proposers apart.
	BackoffBase, BackoffMax sim.Time
	// QueryEvery is how long an undecided learner waits before asking its
	// peers for the decision.
	QueryEvery sim.Time
	// FixedBackoff replaces the random backoff with a fixed wait of
	// BackoffBase: a fully deterministic protocol, the kind FLP speaks of.
	// An adversarial scheduler can keep two such proposers preempting each
	// other forever (simulate flp shows it).
	FixedBackoff bool
}

// DefaultTiming scales timeouts to maxDelay, the longest one-way delay the
// nodes expect once the network is stable.
func DefaultTiming(maxDelay sim.Time) Timing {
	if maxDelay <= 0 {
		maxDelay = sim.Millisecond
	}
	return Timing{
		RoundTimeout: 4 * maxDelay,
		BackoffBase:  2 * maxDelay,
		BackoffMax:   32 * maxDelay,
		QueryEvery:   10 * maxDelay,
	}
}

// Params configures one single-decree node.
type Params struct {
	// N is the number of nodes; every node is an acceptor and a learner.
	N int
	// Proposer makes the node propose Value, starting at StartAt.
	Proposer bool
	Value    string
	StartAt  sim.Time
	Timing   Timing
	Bug      Bug
}

// Storage keys of a single-decree node's durable state.
const (
	keyPromised = "acceptor/promised"
	keyAccepted = "acceptor/accepted"
	keyRound    = "proposer/round"
	keyDecided  = "learner/decided"
)

// Observation kinds a single-decree node records.
const (
	// ObsPropose: a proposer starts with its own value (validity's input).
	ObsPropose = "propose"
	// ObsBallot: a proposer starts a ballot (retries and competition).
	ObsBallot = "ballot"
	// ObsDecide: a learner decides (agreement's input).
	ObsDecide = "decide"
)

type timerKind uint8

const (
	timerPropose timerKind = iota + 1 // start (or restart) a ballot
	timerRound                        // the current ballot took too long
	timerQuery                        // ask peers for the decision
)

// Node is one single-decree Paxos participant: acceptor and learner always,
// proposer if Params.Proposer.
type Node struct {
	p      Params
	quorum int

	// acceptor
	promised Ballot
	accB     Ballot
	accV     string

	// learner
	decided bool
	value   string
	votes   map[Ballot]*tally
	query   sim.TimerID

	// proposer
	round     int64 // highest round used or seen
	ballot    Ballot
	phase     int // 0 idle, 1 preparing, 2 accepting
	promises  map[sim.NodeID]bool
	bestB     Ballot
	bestV     string
	timer     sim.TimerID
	failures  int
	proposing string
}

type tally struct {
	v    string
	from map[sim.NodeID]bool
}

// NewNode returns a single-decree node. It is called again on every restart
// and recovers its durable state in Start.
func NewNode(p Params) *Node {
	return &Node{p: p, quorum: Quorum(p.N, p.Bug)}
}

// Promised returns the highest ballot the acceptor has promised, and the
// proposal it accepted last (zero Ballot if none), for inspection by tests.
func (n *Node) Promised() (promised, accepted Ballot, value string) {
	return n.promised, n.accB, n.accV
}

// Decision returns the value this node decided, if any.
func (n *Node) Decision() (string, bool) { return n.value, n.decided }

// Start implements sim.Node.
func (n *Node) Start(ctx sim.Context) {
	n.votes = map[Ballot]*tally{}
	st := ctx.Storage()
	if n.p.Bug != VolatileAcceptor {
		if b, ok := st.Get(keyPromised); ok {
			n.promised, _, _ = readBallot(b)
		}
		if b, ok := st.Get(keyAccepted); ok {
			if bb, rest, ok := readBallot(b); ok {
				n.accB = bb
				n.accV, _, _ = readString(rest)
			}
		}
	}
	if r, ok := sim.GetInt64(st, keyRound); ok {
		n.round = r
	}
	if v, ok := st.Get(keyDecided); ok {
		n.decided, n.value = true, string(v)
		return
	}
	if n.p.Proposer {
		n.timer = ctx.After(max(n.p.StartAt-ctx.Now(), 0), timerPropose)
	} else {
		n.query = ctx.After(n.p.Timing.QueryEvery, timerQuery)
	}
}

// Fire implements sim.Node.
func (n *Node) Fire(ctx sim.Context, id sim.TimerID, tag any) {
	switch tag.(timerKind) {
	case timerPropose:
		if id == n.timer && !n.decided {
			n.startBallot(ctx)
		}
	case timerRound:
		if id == n.timer && !n.decided {
			n.backoff(ctx)
		}
	case timerQuery:
		if id == n.query && !n.decided {
			for _, id := range ctx.Nodes() {
				if id != ctx.Self() {
					ctx.Send(id, Query{})
				}
			}
			n.query = ctx.After(n.p.Timing.QueryEvery, timerQuery)
		}
	}
}

// Deliver implements sim.Node.
func (n *Node) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	switch m := msg.(type) {
	case Prepare:
		n.seeRound(m.B)
		n.onPrepare(ctx, from, m)
	case Accept:
		n.seeRound(m.B)
		n.onAccept(ctx, from, m)
	case Promise:
		n.seeRound(m.AccB)
		n.onPromise(ctx, from, m)
	case Nack:
		n.seeRound(m.Promised)
		if m.B == n.ballot && n.phase != 0 && !n.decided {
			n.backoff(ctx)
		}
	case Accepted:
		n.onAccepted(ctx, from, m)
	case Query:
		if n.decided {
			ctx.Send(from, Decided{V: n.value})
		}
	case Decided:
		n.decide(ctx, m.V)
	}
}

func (n *Node) seeRound(b Ballot) {
	if b.Round > n.round {
		n.round = b.Round
	}
}

// --- acceptor ---

func (n *Node) onPrepare(ctx sim.Context, from sim.NodeID, m Prepare) {
	// Equal ballots are answered again: a duplicate or retransmitted Prepare
	// gets the same promise, which is safe because nothing changed.
	if m.B.Less(n.promised) {
		ctx.Send(from, Nack{B: m.B, Promised: n.promised})
		return
	}
	n.promised = m.B
	n.persistAcceptor(ctx)
	ctx.Send(from, Promise{B: m.B, AccB: n.accB, AccV: n.accV})
}

func (n *Node) onAccept(ctx sim.Context, from sim.NodeID, m Accept) {
	if m.B.Less(n.promised) {
		ctx.Send(from, Nack{B: m.B, Promised: n.promised})
		return
	}
	n.promised, n.accB, n.accV = m.B, m.B, m.V
	n.persistAcceptor(ctx)
	n.broadcast(ctx, Accepted(m))
}

// persistAcceptor writes the acceptor's promise and accepted proposal to
// durable storage before it answers: the whole of Paxos's crash safety. The
// volatile-acceptor bug skips it.
func (n *Node) persistAcceptor(ctx sim.Context) {
	if n.p.Bug == VolatileAcceptor {
		return
	}
	st := ctx.Storage()
	st.Put(keyPromised, n.promised.appendTo(nil))
	st.Put(keyAccepted, appendString(n.accB.appendTo(nil), n.accV))
}

// --- proposer ---

func (n *Node) startBallot(ctx sim.Context) {
	if n.proposing == "" {
		n.proposing = n.p.Value
		ctx.Observe(ObsPropose, 0, n.p.Value)
	}
	n.round++
	// The round is durable before the ballot is used: a proposer that
	// restarted and reused a ballot could get two values accepted under it.
	sim.PutInt64(ctx.Storage(), keyRound, n.round)
	n.ballot = Ballot{Round: n.round, Node: ctx.Self()}
	n.phase = 1
	n.promises = map[sim.NodeID]bool{}
	n.bestB, n.bestV = Ballot{}, ""
	ctx.Observe(ObsBallot, 0, n.ballot.String())
	n.broadcast(ctx, Prepare{B: n.ballot})
	n.timer = ctx.After(n.p.Timing.RoundTimeout, timerRound)
}

func (n *Node) onPromise(ctx sim.Context, from sim.NodeID, m Promise) {
	if n.phase != 1 || m.B != n.ballot || n.decided || n.promises[from] {
		return
	}
	n.promises[from] = true
	if n.bestB.Less(m.AccB) {
		n.bestB, n.bestV = m.AccB, m.AccV
	}
	if len(n.promises) < n.quorum {
		return
	}
	v := n.p.Value
	// The heart of Paxos: a value may already be chosen, and if so the
	// highest accepted proposal in any quorum of promises carries it.
	if !n.bestB.IsZero() && n.p.Bug != NoAdopt {
		v = n.bestV
	}
	n.phase = 2
	ctx.Cancel(n.timer)
	n.broadcast(ctx, Accept{B: n.ballot, V: v})
	n.timer = ctx.After(n.p.Timing.RoundTimeout, timerRound)
}

// backoff abandons the current ballot and retries after a random wait that
// grows with each failure, so duelling proposers drift apart.
func (n *Node) backoff(ctx sim.Context) {
	ctx.Cancel(n.timer)
	n.phase = 0
	window := n.p.Timing.BackoffBase << min(n.failures, 16)
	if window > n.p.Timing.BackoffMax || window <= 0 {
		window = n.p.Timing.BackoffMax
	}
	n.failures++
	wait := sim.Time(ctx.Rand().Int64N(int64(window) + 1))
	if n.p.Timing.FixedBackoff {
		wait = n.p.Timing.BackoffBase
	}
	n.timer = ctx.After(wait, timerPropose)
}

// --- learner ---

func (n *Node) onAccepted(ctx sim.Context, from sim.NodeID, m Accepted) {
	if n.decided {
		return
	}
	if n.p.Bug == EagerLearner {
		n.decide(ctx, m.V)
		return
	}
	t := n.votes[m.B]
	if t == nil {
		t = &tally{v: m.V, from: map[sim.NodeID]bool{}}
		n.votes[m.B] = t
	}
	t.from[from] = true
	if len(t.from) >= n.quorum {
		n.decide(ctx, t.v)
	}
}

func (n *Node) decide(ctx sim.Context, v string) {
	if n.decided {
		return
	}
	n.decided, n.value = true, v
	ctx.Storage().Put(keyDecided, []byte(v))
	ctx.Observe(ObsDecide, 0, v)
	ctx.Cancel(n.timer)
	ctx.Cancel(n.query)
	n.phase = 0
	n.votes = nil
}

func (n *Node) broadcast(ctx sim.Context, m sim.Message) {
	for _, id := range ctx.Nodes() {
		ctx.Send(id, m)
	}
}

// ProposalValue is the value proposer id proposes: "v0", "v1", ...
func ProposalValue(id sim.NodeID) string { return fmt.Sprintf("v%d", id) }
