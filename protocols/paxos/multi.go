package paxos

import (
	"sort"
	"strconv"

	"simulate/sim"
)

// MultiTiming is a Multi-Paxos replica's and client's view of time.
type MultiTiming struct {
	Timing
	// Heartbeat is how often the leader reassures followers (and resends
	// unacknowledged accepts).
	Heartbeat sim.Time
	// Election is the base follower timeout without a heartbeat; each wait
	// adds a random extra of up to Election from the node's own stream, so
	// followers rarely stand for election at once.
	Election sim.Time
	// Client is how long a client waits for a reply before trying another
	// replica.
	Client sim.Time
}

// DefaultMultiTiming scales Multi-Paxos timeouts to the longest one-way delay.
func DefaultMultiTiming(maxDelay sim.Time) MultiTiming {
	if maxDelay <= 0 {
		maxDelay = sim.Millisecond
	}
	return MultiTiming{
		Timing:    DefaultTiming(maxDelay),
		Heartbeat: 5 * maxDelay,
		Election:  15 * maxDelay,
		Client:    20 * maxDelay,
	}
}

// MultiParams configures one Multi-Paxos replica.
type MultiParams struct {
	// N is the number of replicas (ids 0 .. N-1); clients have higher ids.
	N int
	// Candidate makes the replica stand for election at StartAt rather than
	// wait for an election timeout.
	Candidate bool
	StartAt   sim.Time
	Timing    MultiTiming
	Bug       Bug
}

// Storage keys of a replica's durable state.
const (
	keyMPromised = "m/acceptor/promised"
	keyMAccMax   = "m/acceptor/max"
	keyMAccPfx   = "m/acceptor/slot/"
	keyMLogMax   = "m/log/max"
	keyMLogPfx   = "m/log/slot/"
	keyMRound    = "m/proposer/round"
)

const (
	roleFollower = iota
	roleCandidate
	roleLeader
)

type mtimer uint8

const (
	mtElection mtimer = iota + 1 // no heartbeat for too long: stand
	mtRound                      // phase 1 took too long
	mtRetry                      // backoff over: stand again
	mtTick                       // leader: heartbeat and resend accepts
)

type clientRec struct {
	seq int
	out string
}

type pending struct {
	cmd  Cmd
	acks map[sim.NodeID]bool
}

type clientSeq struct {
	c   sim.NodeID
	seq int
}

// Replica is one Multi-Paxos node: acceptor for every slot, learner of the
// log, a key-value state machine, and leader when elected.
type Replica struct {
	p      MultiParams
	quorum int

	// acceptor (durable unless the volatile-acceptor bug)
	promised Ballot
	accepted map[int]Entry
	maxAcc   int

	// log and state machine: the committed log is durable; the store is
	// rebuilt from it on restart.
	log     map[int]Cmd
	logMax  int
	applied int // slots below applied are committed and applied
	kv      map[string]string
	table   map[sim.NodeID]clientRec

	// leadership
	role     int
	round    int64
	ballot   Ballot
	leader   sim.NodeID
	promises map[sim.NodeID]bool
	found    map[int]Entry
	prepFrom int
	next     int
	pending  map[int]*pending
	proposed map[clientSeq]bool
	timer    sim.TimerID
	tick     sim.TimerID
	failures int
}

// NewReplica returns a Multi-Paxos replica; Start recovers its durable state.
func NewReplica(p MultiParams) *Replica {
	return &Replica{p: p, quorum: Quorum(p.N, p.Bug), leader: -1, maxAcc: -1, logMax: -1}
}

// Applied is the length of the replica's applied log prefix.
func (r *Replica) Applied() int { return r.applied }

// Leading reports whether the replica currently acts as leader.
func (r *Replica) Leading() bool { return r.role == roleLeader }

// Log returns the committed prefix of the log, for inspection.
func (r *Replica) Log() []Cmd {
	out := make([]Cmd, r.applied)
	for i := range out {
		out[i] = r.log[i]
	}
	return out
}

// Start implements sim.Node.
func (r *Replica) Start(ctx sim.Context) {
	r.accepted = map[int]Entry{}
	r.log = map[int]Cmd{}
	r.kv = map[string]string{}
	r.table = map[sim.NodeID]clientRec{}
	st := ctx.Storage()
	if r.p.Bug != VolatileAcceptor {
		if b, ok := st.Get(keyMPromised); ok {
			r.promised, _, _ = readBallot(b)
		}
		if m, ok := sim.GetInt64(st, keyMAccMax); ok {
			r.maxAcc = int(m)
			for s := 0; s <= r.maxAcc; s++ {
				if b, ok := st.Get(keyMAccPfx + strconv.Itoa(s)); ok {
					bb, rest, _ := readBallot(b)
					c, _, _ := readCmd(rest)
					r.accepted[s] = Entry{Slot: s, B: bb, Cmd: c}
				}
			}
		}
	}
	if v, ok := sim.GetInt64(st, keyMRound); ok {
		r.round = v
	}
	if m, ok := sim.GetInt64(st, keyMLogMax); ok {
		r.logMax = int(m)
		for s := 0; s <= r.logMax; s++ {
			if b, ok := st.Get(keyMLogPfx + strconv.Itoa(s)); ok {
				r.log[s], _, _ = readCmd(b)
			}
		}
		r.applyReady(ctx, false)
	}
	// A candidate stands at its start time; after a restart it rejoins as
	// a follower rather than disrupt a leader that took over meanwhile.
	if r.p.Candidate && ctx.Now() <= r.p.StartAt {
		r.timer = ctx.After(r.p.StartAt-ctx.Now(), mtRetry)
	} else {
		r.armElection(ctx)
	}
}

func (r *Replica) armElection(ctx sim.Context) {
	ctx.Cancel(r.timer)
	e := r.p.Timing.Election
	r.timer = ctx.After(e+sim.Time(ctx.Rand().Int64N(int64(e)+1)), mtElection)
}

// Fire implements sim.Node.
func (r *Replica) Fire(ctx sim.Context, id sim.TimerID, tag any) {
	switch tag.(mtimer) {
	case mtElection, mtRetry:
		if id == r.timer && r.role != roleLeader {
			r.stand(ctx)
		}
	case mtRound:
		if id == r.timer && r.role == roleCandidate {
			r.backoff(ctx)
		}
	case mtTick:
		if id == r.tick && r.role == roleLeader {
			r.heartbeat(ctx)
		}
	}
}

// stand starts phase 1 for every slot from the first one this replica has
// not applied.
func (r *Replica) stand(ctx sim.Context) {
	r.round++
	sim.PutInt64(ctx.Storage(), keyMRound, r.round)
	r.role = roleCandidate
	r.ballot = Ballot{Round: r.round, Node: ctx.Self()}
	r.promises = map[sim.NodeID]bool{}
	r.found = map[int]Entry{}
	r.prepFrom = r.applied
	ctx.Observe(ObsBallot, 0, r.ballot.String())
	r.toReplicas(ctx, MPrepare{B: r.ballot, From: r.prepFrom})
	ctx.Cancel(r.timer)
	r.timer = ctx.After(r.p.Timing.RoundTimeout, mtRound)
}

func (r *Replica) backoff(ctx sim.Context) {
	ctx.Cancel(r.timer)
	window := r.p.Timing.BackoffBase << min(r.failures, 16)
	if window > r.p.Timing.BackoffMax || window <= 0 {
		window = r.p.Timing.BackoffMax
	}
	r.failures++
	r.timer = ctx.After(sim.Time(ctx.Rand().Int64N(int64(window)+1)), mtRetry)
}

// stepDown makes a candidate or leader a follower of whoever holds b.
func (r *Replica) stepDown(ctx sim.Context, b Ballot) {
	if b.Round > r.round {
		r.round = b.Round
	}
	if r.role == roleFollower {
		return
	}
	r.role = roleFollower
	r.pending = nil
	r.proposed = nil
	ctx.Cancel(r.tick)
	r.armElection(ctx)
}

// Deliver implements sim.Node.
func (r *Replica) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	switch m := msg.(type) {
	case MPrepare:
		r.onPrepare(ctx, from, m)
	case MPromise:
		r.onPromise(ctx, from, m)
	case MAccept:
		r.onAccept(ctx, from, m)
	case MAccepted:
		r.onAccepted(ctx, from, m)
	case MNack:
		if m.B == r.ballot && r.ballot.Less(m.Promised) && r.role != roleFollower {
			r.stepDown(ctx, m.Promised)
		}
	case MCommit:
		r.commit(ctx, m.Slot, m.Cmd)
	case Heartbeat:
		r.onHeartbeat(ctx, from, m)
	case CatchUp:
		for s := m.From; s < r.applied && s < m.From+64; s++ {
			ctx.Send(from, MCommit{Slot: s, Cmd: r.log[s]})
		}
	case Request:
		r.onRequest(ctx, from, m)
	}
}

// --- acceptor ---

func (r *Replica) onPrepare(ctx sim.Context, from sim.NodeID, m MPrepare) {
	if m.B.Less(r.promised) {
		ctx.Send(from, MNack{B: m.B, Promised: r.promised})
		return
	}
	r.promised = m.B
	r.persistPromise(ctx)
	if from != ctx.Self() && r.ballot.Less(m.B) {
		r.stepDown(ctx, m.B)
	}
	var es []Entry
	for s := m.From; s <= r.maxAcc; s++ {
		if e, ok := r.accepted[s]; ok {
			es = append(es, e)
		}
	}
	ctx.Send(from, MPromise{B: m.B, From: m.From, Entries: es})
}

func (r *Replica) onAccept(ctx sim.Context, from sim.NodeID, m MAccept) {
	if m.B.Less(r.promised) {
		ctx.Send(from, MNack{B: m.B, Promised: r.promised})
		return
	}
	r.promised = m.B
	r.accepted[m.Slot] = Entry{Slot: m.Slot, B: m.B, Cmd: m.Cmd}
	if m.Slot > r.maxAcc {
		r.maxAcc = m.Slot
	}
	if r.p.Bug != VolatileAcceptor {
		st := ctx.Storage()
		st.Put(keyMAccPfx+strconv.Itoa(m.Slot), m.Cmd.appendTo(m.B.appendTo(nil)))
		sim.PutInt64(st, keyMAccMax, int64(r.maxAcc))
		r.persistPromise(ctx)
	}
	if from != ctx.Self() {
		r.leader = from
		if r.role != roleFollower && r.ballot.Less(m.B) {
			r.stepDown(ctx, m.B)
		}
	}
	ctx.Send(from, MAccepted{B: m.B, Slot: m.Slot})
	if r.p.Bug == EagerLearner {
		r.commit(ctx, m.Slot, m.Cmd) // the bug: one accept is not a quorum
	}
}

func (r *Replica) persistPromise(ctx sim.Context) {
	if r.p.Bug != VolatileAcceptor {
		ctx.Storage().Put(keyMPromised, r.promised.appendTo(nil))
	}
}

// --- candidate and leader ---

func (r *Replica) onPromise(ctx sim.Context, from sim.NodeID, m MPromise) {
	if r.role != roleCandidate || m.B != r.ballot || r.promises[from] {
		return
	}
	r.promises[from] = true
	for _, e := range m.Entries {
		if f, ok := r.found[e.Slot]; !ok || f.B.Less(e.B) {
			r.found[e.Slot] = e
		}
	}
	if len(r.promises) < r.quorum {
		return
	}
	r.role = roleLeader
	r.leader = ctx.Self()
	r.failures = 0
	ctx.Cancel(r.timer)
	r.pending = map[int]*pending{}
	r.proposed = map[clientSeq]bool{}
	r.next = r.prepFrom
	for s := range r.found {
		if s >= r.next {
			r.next = s + 1
		}
	}
	// Re-propose, at the new ballot, every slot a promise reported: any of
	// them may already be chosen. Gaps get a no-op so the log can be applied
	// in order.
	for s := r.prepFrom; s < r.next; s++ {
		if _, done := r.log[s]; done {
			continue
		}
		c := Cmd{Kind: CmdNoop}
		if e, ok := r.found[s]; ok && r.p.Bug != NoAdopt {
			c = e.Cmd
		}
		r.propose(ctx, s, c)
	}
	r.heartbeat(ctx)
}

func (r *Replica) propose(ctx sim.Context, slot int, c Cmd) {
	r.pending[slot] = &pending{cmd: c, acks: map[sim.NodeID]bool{}}
	if c.Kind != CmdNoop {
		r.proposed[clientSeq{c.Client, c.Seq}] = true
	}
	r.toReplicas(ctx, MAccept{B: r.ballot, Slot: slot, Cmd: c})
}

func (r *Replica) onAccepted(ctx sim.Context, from sim.NodeID, m MAccepted) {
	if r.role != roleLeader || m.B != r.ballot {
		return
	}
	p := r.pending[m.Slot]
	if p == nil {
		return
	}
	p.acks[from] = true
	if len(p.acks) >= r.quorum {
		delete(r.pending, m.Slot)
		for _, id := range r.replicas(ctx) {
			if id != ctx.Self() {
				ctx.Send(id, MCommit{Slot: m.Slot, Cmd: p.cmd})
			}
		}
		r.commit(ctx, m.Slot, p.cmd)
	}
}

// heartbeat reassures followers and resends accepts that are still
// waiting for a quorum (their messages may have been lost).
func (r *Replica) heartbeat(ctx sim.Context) {
	for _, id := range r.replicas(ctx) {
		if id != ctx.Self() {
			ctx.Send(id, Heartbeat{B: r.ballot, Commit: r.applied})
		}
	}
	slots := make([]int, 0, len(r.pending))
	for s := range r.pending {
		slots = append(slots, s)
	}
	sort.Ints(slots)
	for _, s := range slots {
		p := r.pending[s]
		for _, id := range r.replicas(ctx) {
			if !p.acks[id] {
				ctx.Send(id, MAccept{B: r.ballot, Slot: s, Cmd: p.cmd})
			}
		}
	}
	ctx.Cancel(r.tick)
	r.tick = ctx.After(r.p.Timing.Heartbeat, mtTick)
}

func (r *Replica) onHeartbeat(ctx sim.Context, from sim.NodeID, m Heartbeat) {
	if m.B.Less(r.promised) {
		ctx.Send(from, MNack{B: m.B, Promised: r.promised})
		return
	}
	if r.role != roleFollower && r.ballot.Less(m.B) {
		r.stepDown(ctx, m.B)
	}
	if r.role == roleFollower {
		r.leader = from
		r.failures = 0
		r.armElection(ctx)
	}
	if m.Commit > r.applied {
		ctx.Send(from, CatchUp{From: r.applied})
	}
}

func (r *Replica) onRequest(ctx sim.Context, from sim.NodeID, m Request) {
	c := m.Cmd
	if rec, ok := r.table[c.Client]; ok && rec.seq >= c.Seq {
		if rec.seq == c.Seq {
			ctx.Send(from, Reply{Seq: c.Seq, OK: true, Output: rec.out})
		}
		return
	}
	if r.role != roleLeader {
		ctx.Send(from, Reply{Seq: c.Seq, Leader: r.leader})
		return
	}
	if r.proposed[clientSeq{c.Client, c.Seq}] {
		return // in flight: the reply comes when it is applied
	}
	for {
		if _, done := r.log[r.next]; !done {
			break
		}
		r.next++
	}
	r.next++
	r.propose(ctx, r.next-1, c)
}

// --- learner and state machine ---

func (r *Replica) commit(ctx sim.Context, slot int, c Cmd) {
	if _, ok := r.log[slot]; ok {
		return
	}
	r.log[slot] = c
	if slot > r.logMax {
		r.logMax = slot
		sim.PutInt64(ctx.Storage(), keyMLogMax, int64(slot))
	}
	ctx.Storage().Put(keyMLogPfx+strconv.Itoa(slot), c.appendTo(nil))
	ctx.Observe(ObsDecide, slot, c.String())
	r.applyReady(ctx, true)
}

// applyReady applies the committed log in order. reply is false while a
// restarted replica rebuilds its store from the durable log.
func (r *Replica) applyReady(ctx sim.Context, reply bool) {
	for {
		c, ok := r.log[r.applied]
		if !ok {
			return
		}
		r.applied++
		if c.Kind == CmdNoop {
			continue
		}
		rec, seen := r.table[c.Client]
		if seen && rec.seq >= c.Seq {
			continue // a retried command committed twice is applied once
		}
		out := "ok"
		switch c.Kind {
		case CmdPut:
			r.kv[c.Key] = c.Value
		case CmdGet:
			out = r.kv[c.Key]
		case CmdSell:
			out = sellTicket(r.kv, c)
		}
		r.table[c.Client] = clientRec{seq: c.Seq, out: out}
		if reply && r.role == roleLeader {
			ctx.Send(c.Client, Reply{Seq: c.Seq, OK: true, Output: out})
		}
	}
}

// sellTicket applies a CmdSell to the store: the number of tickets sold so
// far lives under c.Key, and the stock's size travels in c.Value so that the
// state machine needs no configuration of its own.
func sellTicket(kv map[string]string, c Cmd) string {
	size, _ := strconv.Atoi(c.Value)
	sold, _ := strconv.Atoi(kv[c.Key])
	if sold >= size {
		return SoldOut
	}
	sold++
	kv[c.Key] = strconv.Itoa(sold)
	return kv[c.Key]
}

// Lookup reads key from the replica's applied store (for a CmdSell stock:
// how many tickets the log has sold), for inspection.
func (r *Replica) Lookup(key string) (string, bool) {
	v, ok := r.kv[key]
	return v, ok
}

func (r *Replica) replicas(ctx sim.Context) []sim.NodeID { return ctx.Nodes()[:r.p.N] }

func (r *Replica) toReplicas(ctx sim.Context, m sim.Message) {
	for _, id := range r.replicas(ctx) {
		ctx.Send(id, m)
	}
}
