package paxos

import (
	"encoding/binary"
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
	// Batch: as leader, propose the requests that arrive at one instant
	// together (Scenario.Batch).
	Batch bool
}

// Storage keys of a replica's durable state. Accepted entries and
// committed log entries are stored slotsPerChunk slots to a key (see
// chunkFile), so that a long run keeps a few hundred keys rather than one
// per slot; the ...Chunks keys hold how many chunks exist.
const (
	keyMPromised  = "m/acceptor/promised"
	keyMAccChunks = "m/acceptor/chunks"
	keyMAccPfx    = "m/acceptor/chunk/"
	keyMLogChunks = "m/log/chunks"
	keyMLogPfx    = "m/log/chunk/"
	keyMRound     = "m/proposer/round"
)

// slotsPerChunk is how many consecutive slots share one storage key. A
// write appends its record to the chunk's key where the Storage can
// (sim.Appender, as the simulator's does), else re-stores the chunk.
const slotsPerChunk = 256

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
	mtFlush                      // batching leader: propose the queued requests
)

// queued is a command waiting to be proposed (or committed) in a batch.
type queued struct {
	slot int
	cmd  Cmd
	text string
}

type clientRec struct {
	seq int
	out string
	ok  bool // in a clientTable's slice: the client has a record
}

// clientTable is each client's last applied command: a slice indexed by
// client id for the ids a world has (a few hundred at most), a map for
// any other (a test's made-up command may name any id). A replica looks
// it up at every request and every applied command.
type clientTable struct {
	small []clientRec
	other map[sim.NodeID]clientRec
}

// clientTableSmall bounds the ids clientTable keeps in its slice.
const clientTableSmall = 4096

func (t *clientTable) get(id sim.NodeID) (clientRec, bool) {
	if id >= 0 && id < clientTableSmall {
		if int(id) < len(t.small) && t.small[id].ok {
			return t.small[id], true
		}
		return clientRec{}, false
	}
	rec, ok := t.other[id]
	return rec, ok
}

func (t *clientTable) set(id sim.NodeID, rec clientRec) {
	if id >= 0 && id < clientTableSmall {
		for int(id) >= len(t.small) {
			t.small = append(t.small, clientRec{})
		}
		rec.ok = true
		t.small[id] = rec
		return
	}
	if t.other == nil {
		t.other = map[sim.NodeID]clientRec{}
	}
	t.other[id] = rec
}

// pending is a slot the leader proposed and awaits a quorum for.
type pending struct {
	cmd  Cmd
	text string   // cmd.String() if the client sent it, for MCommit
	at   sim.Time // when it was proposed: resent only a heartbeat later
	live bool
	acks nodeSet
}

// nodeSet is a set of node ids: a bitmask, with more words only for ids
// of 64 and above (a scenario has at most a few hundred replicas).
type nodeSet struct {
	low  uint64
	high []uint64
	n    int
}

// add puts id in the set.
func (s *nodeSet) add(id sim.NodeID) {
	if id < 0 {
		return // never a replica; no Multi-Paxos message comes from one
	}
	w, bit := int(id)/64, uint64(1)<<(uint(id)%64)
	p := &s.low
	if w > 0 {
		for len(s.high) < w {
			s.high = append(s.high, 0)
		}
		p = &s.high[w-1]
	}
	if *p&bit == 0 {
		*p |= bit
		s.n++
	}
}

// has reports whether id is in the set.
func (s *nodeSet) has(id sim.NodeID) bool {
	if id < 0 {
		return false
	}
	w, bit := int(id)/64, uint64(1)<<(uint(id)%64)
	if w == 0 {
		return s.low&bit != 0
	}
	return w-1 < len(s.high) && s.high[w-1]&bit != 0
}

// logSlot is one slot of the replica's log: committed or not yet known.
type logSlot struct {
	cmd Cmd
	ok  bool
}

// accSlot is one slot of the acceptor's state: accepted or not.
type accSlot struct {
	b   Ballot
	cmd Cmd
	ok  bool
}

// pageSlots is how many slots one page of a slotPages holds.
const pageSlots = 256

// slotPages is per-slot state indexed by slot, in fixed-size pages: growing
// it never copies (or makes the collector rescan) what is already there,
// as doubling one long slice would on every growth.
type slotPages[T any] [][]T

// at returns slot's element (slot >= 0), making room for it.
func (p *slotPages[T]) at(slot int) *T {
	i := slot / pageSlots
	for len(*p) <= i {
		*p = append(*p, nil)
	}
	if (*p)[i] == nil {
		(*p)[i] = make([]T, pageSlots)
	}
	return &(*p)[i][slot%pageSlots]
}

// get returns slot's element, or nil if nothing was ever set near it.
func (p slotPages[T]) get(slot int) *T {
	if slot < 0 {
		return nil
	}
	i := slot / pageSlots
	if i >= len(p) || p[i] == nil {
		return nil
	}
	return &p[i][slot%pageSlots]
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
	accepted slotPages[accSlot]
	maxAcc   int
	accFile  chunkFile

	// log and state machine: the committed log is durable; the store is
	// rebuilt from it on restart.
	log     slotPages[logSlot]
	logMax  int
	logFile chunkFile
	applied int // slots below applied are committed and applied
	kv      map[string]string
	table   clientTable

	// leadership
	role     int
	round    int64
	ballot   Ballot
	leader   sim.NodeID
	promises map[sim.NodeID]bool
	found    map[int]Entry
	prepFrom int
	next     int
	// pending holds the slots from pendBase on that await a quorum
	// (live); nil unless leading.
	pending  []pending
	pendBase int
	// pendArr is the array pending is a window of: the window slides
	// forward as its front settles and moves back to the front when it
	// reaches the end, so a pipelining leader does not reallocate it.
	pendArr []pending
	// proposed names the client commands in flight under this leadership
	// that are not yet applied (once applied, the client table answers
	// for them).
	proposed map[clientSeq]bool
	timer    sim.TimerID
	tick     sim.TimerID
	failures int
	// queue holds a batching leader's requests until flush fires, at the
	// same instant, after the deliveries already due then.
	queue []queued
	flush sim.TimerID
	// held keeps the requests that reach a candidate while a round of its
	// election is on (inRound): elected, it serves them; beaten or out of
	// time, it drops them (their clients time out and retry, as they would
	// after a refusal). A round is short, so a request is never served
	// long after its client gave up.
	held    []heldRequest
	inRound bool
	// chosen gathers the slots one MAccepteds chose (scratch).
	chosen []queued

	buf []byte // scratch for storage values and observation text
	box boxes  // the messages it sends often, boxed without an allocation each
}

type heldRequest struct {
	from sim.NodeID
	m    Request
}

// NewReplica returns a Multi-Paxos replica; Start recovers its durable state.
func NewReplica(p MultiParams) *Replica {
	return &Replica{p: p, quorum: Quorum(p.N, p.Bug), leader: -1, maxAcc: -1, logMax: -1,
		accFile: newChunkFile(keyMAccPfx, keyMAccChunks),
		logFile: newChunkFile(keyMLogPfx, keyMLogChunks)}
}

// Applied is the length of the replica's applied log prefix.
func (r *Replica) Applied() int { return r.applied }

// Leading reports whether the replica currently acts as leader.
func (r *Replica) Leading() bool { return r.role == roleLeader }

// Log returns the committed prefix of the log, for inspection.
func (r *Replica) Log() []Cmd {
	out := make([]Cmd, r.applied)
	for i := range out {
		out[i], _ = r.logged(i)
	}
	return out
}

// logged reports whether slot is committed, with its command.
func (r *Replica) logged(slot int) (Cmd, bool) {
	if l := r.log.get(slot); l != nil && l.ok {
		return l.cmd, true
	}
	return Cmd{}, false
}

// Start implements sim.Node.
func (r *Replica) Start(ctx sim.Context) {
	r.kv = map[string]string{}
	r.table = clientTable{}
	st := ctx.Storage()
	if r.p.Bug != VolatileAcceptor {
		if b, ok := st.Get(keyMPromised); ok {
			r.promised, _, _ = readBallot(b)
		}
		// A slot's later records overwrite its earlier ones, as its
		// later writes did; the highest slot is the acceptor's maxAcc.
		r.accFile.load(st, func(d *decoder) {
			s := d.int()
			b := Ballot{Round: d.i64(), Node: sim.NodeID(d.int())}
			c := d.cmd()
			if d.ok() {
				*r.accepted.at(s) = accSlot{b: b, cmd: c, ok: true}
				r.maxAcc = max(r.maxAcc, s)
			}
		})
	}
	if v, ok := sim.GetInt64(st, keyMRound); ok {
		r.round = v
	}
	if r.logFile.load(st, func(d *decoder) {
		s := d.int()
		c := d.cmd()
		if d.ok() {
			*r.log.at(s) = logSlot{cmd: c, ok: true}
			r.logMax = max(r.logMax, s)
		}
	}) {
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
	case mtFlush:
		if id == r.flush {
			r.flush = 0
			if r.role == roleLeader {
				r.proposeQueued(ctx)
			}
		}
	}
}

// stand starts phase 1 for every slot from the first one this replica has
// not applied.
func (r *Replica) stand(ctx sim.Context) {
	r.round++
	r.buf = binary.BigEndian.AppendUint64(r.buf[:0], uint64(r.round))
	ctx.Storage().Put(keyMRound, r.buf)
	r.role = roleCandidate
	r.ballot = Ballot{Round: r.round, Node: ctx.Self()}
	r.promises = map[sim.NodeID]bool{}
	r.found = map[int]Entry{}
	r.prepFrom = r.applied
	r.inRound = true
	ctx.Observe(ObsBallot, 0, r.ballot.String())
	r.toReplicas(ctx, MPrepare{B: r.ballot, From: r.prepFrom})
	ctx.Cancel(r.timer)
	r.timer = ctx.After(r.p.Timing.RoundTimeout, mtRound)
}

func (r *Replica) backoff(ctx sim.Context) {
	r.inRound, r.held = false, nil
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
	r.queue = r.queue[:0] // their clients retry
	r.held, r.inRound = nil, false
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
		r.commit(ctx, m.Slot, m.Cmd, m.text)
	case MAccepts:
		r.onAccepts(ctx, from, m)
	case MAccepteds:
		r.onAccepteds(ctx, from, m)
	case MCommits:
		for i, c := range m.Cmds {
			text := ""
			if i < len(m.texts) {
				text = m.texts[i]
			}
			r.learn(ctx, m.Slot+i, c, text)
		}
		r.commitLearned(ctx)
	case Heartbeat:
		r.onHeartbeat(ctx, from, m)
	case CatchUp:
		for s := m.From; s < r.applied && s < m.From+64; s++ {
			c, _ := r.logged(s)
			ctx.Send(from, r.box.commit.box(MCommit{Slot: s, Cmd: c}))
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
	r.setPromised(ctx, m.B)
	if from != ctx.Self() && r.ballot.Less(m.B) {
		r.stepDown(ctx, m.B)
	}
	var es []Entry
	for s := m.From; s <= r.maxAcc; s++ {
		if a := r.accepted.get(s); a != nil && a.ok {
			es = append(es, Entry{Slot: s, B: a.b, Cmd: a.cmd})
		}
	}
	ctx.Send(from, MPromise{B: m.B, From: m.From, Entries: es})
}

func (r *Replica) onAccept(ctx sim.Context, from sim.NodeID, m MAccept) {
	if m.B.Less(r.promised) {
		ctx.Send(from, MNack{B: m.B, Promised: r.promised})
		return
	}
	r.setPromised(ctx, m.B)
	*r.accepted.at(m.Slot) = accSlot{b: m.B, cmd: m.Cmd, ok: true}
	if m.Slot > r.maxAcc {
		r.maxAcc = m.Slot
	}
	if r.p.Bug != VolatileAcceptor {
		f := &r.accFile
		st := ctx.Storage()
		f.open(st, m.Slot)
		f.buf = binary.AppendVarint(f.buf, int64(m.Slot))
		f.buf = binary.AppendVarint(f.buf, m.B.Round)
		f.buf = binary.AppendVarint(f.buf, int64(m.B.Node))
		f.buf = appendCmdRecord(f.buf, m.Cmd)
		f.save(st)
	}
	if from == ctx.Self() {
		r.onAccepted(ctx, from, MAccepted{B: m.B, Slot: m.Slot})
	} else {
		r.follow(ctx, from, m.B)
		ctx.Send(from, r.box.accepted.box(MAccepted{B: m.B, Slot: m.Slot}))
	}
	if r.p.Bug == EagerLearner {
		r.commit(ctx, m.Slot, m.Cmd, "") // the bug: one accept is not a quorum
	}
}

// follow takes the sender of an accept at ballot b as the leader, and
// steps down if this replica was standing or leading at a lower ballot.
func (r *Replica) follow(ctx sim.Context, from sim.NodeID, b Ballot) {
	r.leader = from
	if r.role != roleFollower && r.ballot.Less(b) {
		r.stepDown(ctx, b)
	}
}

// setPromised promises b, durably unless the volatile-acceptor bug. The
// stored promise always equals r.promised, so an unchanged one is not
// written again.
func (r *Replica) setPromised(ctx sim.Context, b Ballot) {
	if b == r.promised {
		return
	}
	r.promised = b
	if r.p.Bug != VolatileAcceptor {
		r.buf = r.promised.appendTo(r.buf[:0])
		ctx.Storage().Put(keyMPromised, r.buf)
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
	r.pending = r.pending[:0]
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
		if _, done := r.logged(s); done {
			continue
		}
		c := Cmd{Kind: CmdNoop}
		if e, ok := r.found[s]; ok && r.p.Bug != NoAdopt {
			c = e.Cmd
		}
		r.propose(ctx, s, c, "")
	}
	r.heartbeat(ctx)
	held := r.held
	r.held, r.inRound = nil, false
	for _, h := range held {
		r.onRequest(ctx, h.from, h.m)
	}
}

func (r *Replica) propose(ctx sim.Context, slot int, c Cmd, text string) {
	*r.pendingSlot(slot) = pending{cmd: c, text: text, live: true, at: ctx.Now()}
	if c.Kind != CmdNoop {
		r.proposed[clientSeq{c.Client, c.Seq}] = true
	}
	m := MAccept{B: r.ballot, Slot: slot, Cmd: c}
	r.toOthers(ctx, r.box.accept.box(m))
	r.onAccept(ctx, ctx.Self(), m)
}

// pendingSlot returns slot's place in r.pending, making room for it.
func (r *Replica) pendingSlot(slot int) *pending {
	if len(r.pending) == 0 {
		r.pending, r.pendBase = r.pending[:0], slot
	} else if slot < r.pendBase {
		// A leader proposes slots in increasing order, so this does not
		// happen; it is here so that pending stays a plain set of slots.
		grown := make([]pending, r.pendBase-slot, r.pendBase-slot+len(r.pending))
		r.pending, r.pendBase = append(grown, r.pending...), slot
		r.pendArr = r.pending[:0]
	}
	for len(r.pending) <= slot-r.pendBase {
		if len(r.pending) == cap(r.pending) && len(r.pending) <= cap(r.pendArr)/2 {
			// The window reached the array's end with the front half
			// settled: move it back to the front rather than grow.
			r.pending = r.pendArr[:copy(r.pendArr[:cap(r.pendArr)], r.pending)]
		}
		c := cap(r.pending)
		r.pending = append(r.pending, pending{})
		if cap(r.pending) != c {
			r.pendArr = r.pending[:0] // a new array
		}
	}
	return &r.pending[slot-r.pendBase]
}

func (r *Replica) onAccepted(ctx sim.Context, from sim.NodeID, m MAccepted) {
	if r.role != roleLeader || m.B != r.ballot {
		return
	}
	if c, text, ok := r.ack(from, m.Slot); ok {
		commit := r.box.commit.box(MCommit{Slot: m.Slot, Cmd: c, text: text})
		for _, id := range r.replicas(ctx) {
			if id != ctx.Self() {
				ctx.Send(id, commit)
			}
		}
		r.commit(ctx, m.Slot, c, text)
	}
}

// ack records from's acceptance of a pending slot and reports whether
// that made a quorum, with the slot's command; the slot is then settled.
func (r *Replica) ack(from sim.NodeID, slot int) (Cmd, string, bool) {
	i := slot - r.pendBase
	if i < 0 || i >= len(r.pending) || !r.pending[i].live {
		return Cmd{}, "", false
	}
	p := &r.pending[i]
	p.acks.add(from)
	if p.acks.n < r.quorum {
		return Cmd{}, "", false
	}
	c, text := p.cmd, p.text
	*p = pending{}
	// Drop the settled prefix, so the slice does not grow with the log:
	// if the first slot settled, move past it without copying the rest
	// (a pipelining leader has hundreds pending), and once none is left
	// start again at the front.
	if i == 0 {
		k := 1
		for k < len(r.pending) && !r.pending[k].live {
			k++
		}
		if k == len(r.pending) {
			r.pending = r.pendArr[:0]
		} else {
			r.pending = r.pending[k:]
		}
		r.pendBase += k
	}
	return c, text, true
}

// heartbeat reassures followers and resends accepts that are still
// waiting for a quorum (their messages may have been lost).
func (r *Replica) heartbeat(ctx sim.Context) {
	hb := r.box.beat.box(Heartbeat{B: r.ballot, Commit: r.applied})
	for _, id := range r.replicas(ctx) {
		if id != ctx.Self() {
			ctx.Send(id, hb)
		}
	}
	for i := range r.pending {
		if !r.pending[i].live {
			continue
		}
		if ctx.Now()-r.pending[i].at < r.p.Timing.Heartbeat {
			// Resend only the slots that had a whole heartbeat interval to
			// be accepted: one proposed since the last tick is most likely
			// still on its way (a pipelining leader has hundreds of those).
			continue
		}
		p := r.pending[i] // a copy: sending never changes what is pending, but be sure
		var accept sim.Message
		for _, id := range r.replicas(ctx) {
			if !p.acks.has(id) {
				if accept == nil {
					accept = r.box.accept.box(MAccept{B: r.ballot, Slot: r.pendBase + i, Cmd: p.cmd})
				}
				ctx.Send(id, accept)
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
	if rec, ok := r.table.get(c.Client); ok && rec.seq >= c.Seq {
		if rec.seq == c.Seq {
			ctx.Send(from, r.box.reply.box(Reply{Seq: c.Seq, OK: true, Output: rec.out}))
		}
		return
	}
	if r.role == roleCandidate && r.inRound {
		// Refused, the client would wait out its whole timeout: its
		// request may have come only an instant before the election ends.
		r.held = append(r.held, heldRequest{from: from, m: m})
		return
	}
	if r.role != roleLeader {
		ctx.Send(from, r.box.reply.box(Reply{Seq: c.Seq, Leader: r.leader}))
		return
	}
	if r.proposed[clientSeq{c.Client, c.Seq}] {
		return // in flight: the reply comes when it is applied
	}
	for {
		if _, done := r.logged(r.next); !done {
			break
		}
		r.next++
	}
	if r.p.Batch {
		r.proposed[clientSeq{c.Client, c.Seq}] = true
		r.queue = append(r.queue, queued{cmd: c, text: m.text})
		if r.flush == 0 {
			r.flush = ctx.After(0, mtFlush)
		}
		return
	}
	r.next++
	r.propose(ctx, r.next-1, c, m.text)
}

// proposeQueued proposes a batching leader's queued requests in the next
// free slots, one MAccepts for each run of consecutive slots.
func (r *Replica) proposeQueued(ctx sim.Context) {
	q := r.queue
	for len(q) > 0 {
		for {
			if _, done := r.logged(r.next); !done {
				break
			}
			r.next++
		}
		// The run: as many queued commands as there are free slots in a row.
		n := 0
		for n < len(q) {
			if _, done := r.logged(r.next + n); done {
				break
			}
			n++
		}
		cmds := make([]Cmd, n)
		for i := range cmds {
			cmds[i] = q[i].cmd
			*r.pendingSlot(r.next + i) = pending{cmd: q[i].cmd, text: q[i].text, at: ctx.Now(), live: true}
		}
		m := MAccepts{B: r.ballot, Slot: r.next, Cmds: cmds}
		r.toOthers(ctx, m)
		r.onAccepts(ctx, ctx.Self(), m)
		r.next += n
		q = q[n:]
	}
	clear(r.queue)
	r.queue = r.queue[:0]
}

// onAccepts is onAccept for a run of slots, answered by one MAccepteds.
func (r *Replica) onAccepts(ctx sim.Context, from sim.NodeID, m MAccepts) {
	if m.B.Less(r.promised) {
		ctx.Send(from, MNack{B: m.B, Promised: r.promised})
		return
	}
	r.setPromised(ctx, m.B)
	durable := r.p.Bug != VolatileAcceptor
	f := &r.accFile
	st := ctx.Storage()
	for i, c := range m.Cmds {
		slot := m.Slot + i
		*r.accepted.at(slot) = accSlot{b: m.B, cmd: c, ok: true}
		if slot > r.maxAcc {
			r.maxAcc = slot
		}
		if durable {
			f.open(st, slot)
			f.dirty = true
			f.buf = binary.AppendVarint(f.buf, int64(slot))
			f.buf = binary.AppendVarint(f.buf, m.B.Round)
			f.buf = binary.AppendVarint(f.buf, int64(m.B.Node))
			f.buf = appendCmdRecord(f.buf, c)
		}
	}
	if f.dirty {
		f.save(st)
	}
	if from == ctx.Self() {
		r.onAccepteds(ctx, from, MAccepteds{B: m.B, Slot: m.Slot, N: len(m.Cmds)})
	} else {
		r.follow(ctx, from, m.B)
		ctx.Send(from, MAccepteds{B: m.B, Slot: m.Slot, N: len(m.Cmds)})
	}
	if r.p.Bug == EagerLearner {
		for i, c := range m.Cmds {
			r.commit(ctx, m.Slot+i, c, "") // the bug: one accept is not a quorum
		}
	}
}

// onAccepteds is onAccepted for a run of slots: the slots it completes a
// quorum for are committed with one MCommits per run of consecutive ones.
func (r *Replica) onAccepteds(ctx sim.Context, from sim.NodeID, m MAccepteds) {
	if r.role != roleLeader || m.B != r.ballot {
		return
	}
	chosen := r.chosen[:0]
	for slot := m.Slot; slot < m.Slot+m.N; slot++ {
		if c, text, ok := r.ack(from, slot); ok {
			chosen = append(chosen, queued{slot: slot, cmd: c, text: text})
		}
	}
	for rest := chosen; len(rest) > 0; {
		n := 1
		for n < len(rest) && rest[n].slot == rest[0].slot+n {
			n++
		}
		cm := MCommits{Slot: rest[0].slot, Cmds: make([]Cmd, n), texts: make([]string, n)}
		for i := range n {
			cm.Cmds[i], cm.texts[i] = rest[i].cmd, rest[i].text
		}
		var commit sim.Message = cm
		for _, id := range r.replicas(ctx) {
			if id != ctx.Self() {
				ctx.Send(id, commit)
			}
		}
		rest = rest[n:]
	}
	for _, q := range chosen {
		r.learn(ctx, q.slot, q.cmd, q.text)
	}
	r.commitLearned(ctx)
	clear(chosen)
	r.chosen = chosen[:0]
}

// --- learner and state machine ---

// commit learns that slot chose c; text is c.String() if a message
// brought it, or empty.
func (r *Replica) commit(ctx sim.Context, slot int, c Cmd, text string) {
	if r.learn(ctx, slot, c, text) {
		r.commitLearned(ctx)
	}
}

// commitLearned stores what learn logged and applies the log.
func (r *Replica) commitLearned(ctx sim.Context) {
	if r.logFile.dirty {
		r.logFile.save(ctx.Storage())
	}
	r.applyReady(ctx, true)
}

// learn logs that slot chose c, observes the decision and reports whether
// it was news; commitLearned then stores the log and applies it (learning
// a batch, it is called once for all).
func (r *Replica) learn(ctx sim.Context, slot int, c Cmd, text string) bool {
	if _, ok := r.logged(slot); ok {
		return false
	}
	*r.log.at(slot) = logSlot{cmd: c, ok: true}
	if slot > r.logMax {
		r.logMax = slot
	}
	f := &r.logFile
	f.open(ctx.Storage(), slot)
	f.buf = appendCmdRecord(binary.AppendVarint(f.buf, int64(slot)), c)
	f.dirty = true
	switch {
	case text != "":
	case c.Kind == CmdNoop || c.Kind == "":
		text = CmdNoop
	default:
		r.buf = c.appendText(r.buf[:0])
		text = string(r.buf)
	}
	ctx.Observe(ObsDecide, slot, text)
	return true
}

// applyReady applies the committed log in order. reply is false while a
// restarted replica rebuilds its store from the durable log.
func (r *Replica) applyReady(ctx sim.Context, reply bool) {
	for {
		c, ok := r.logged(r.applied)
		if !ok {
			return
		}
		r.applied++
		if c.Kind == CmdNoop {
			continue
		}
		// Applied, the command is the client table's business: a retry of
		// it is answered from there before proposed is consulted.
		delete(r.proposed, clientSeq{c.Client, c.Seq})
		rec, seen := r.table.get(c.Client)
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
		r.table.set(c.Client, clientRec{seq: c.Seq, out: out})
		if reply && r.role == roleLeader {
			ctx.Send(c.Client, r.box.reply.box(Reply{Seq: c.Seq, OK: true, Output: out}))
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

// toOthers sends m to every replica but this one. A leader's own acceptor
// takes its proposals by a call, not a message (as etcd raft's leader
// appends to its own log): a self-send is delivered at once and crosses no
// link, so the message would only have cost a trip through the event
// queue — a sixth of Multi-Paxos's messages.
func (r *Replica) toOthers(ctx sim.Context, m sim.Message) {
	for _, id := range r.replicas(ctx) {
		if id != ctx.Self() {
			ctx.Send(id, m)
		}
	}
}

// chunkFile keeps per-slot records in Storage, slotsPerChunk slots to a
// key: a record is appended to its chunk and the chunk stored again, and
// reading a chunk back replays its records in order, so a slot's last
// record wins exactly as its last write to a key of its own would. chunks
// (stored under countKey) is one more than the highest chunk written. The
// last chunk touched is kept in buf, so the common case, slots in
// increasing order, never reads Storage.
//
// Storage copies a value in, into the buffer the key already has when it
// is large enough, so a chunk that grows by a record at a time would be
// copied into a new buffer at nearly every write. Instead, the first write
// of a chunk (and the first that outgrows what it reserved) stores zeros
// of the size it reserves, as a disk file is preallocated, and then the
// records: the buffer is allocated once, or a few times for a chunk that
// outgrows it. Both writes happen in one handler, and only the second is
// ever read. After that, a Storage that appends (sim.Appender) is given
// just the new records, so a write copies its record and not the chunk.
type chunkFile struct {
	prefix, countKey string
	chunks           int
	cur              int    // chunk held in buf; -1 for none
	key              string // cur's key
	room             int    // bytes reserved under key; 0 if unknown
	saved            int    // key holds buf[:saved] (0: nothing known)
	dirty            bool   // buf holds records not yet saved
	buf              []byte
	num              [8]byte // scratch for the chunk count
}

// chunkBytes is the space reserved for a chunk at first: enough for a
// quarter of its records, each of a short command. A Storage that appends
// (sim.Appender) grows it in place from there.
const chunkBytes = slotsPerChunk * 8

// zeros reserves room in Storage (see chunkFile).
var zeros [chunkBytes]byte

func newChunkFile(prefix, countKey string) chunkFile {
	return chunkFile{prefix: prefix, countKey: countKey, cur: -1}
}

// open makes buf hold the chunk of slot (slot >= 0), ready to append.
func (f *chunkFile) open(st sim.Storage, slot int) {
	k := slot / slotsPerChunk
	if k == f.cur {
		return
	}
	if f.dirty {
		f.save(st) // a batch crossed into the next chunk
	}
	f.cur, f.key, f.room = k, f.prefix+strconv.Itoa(k), 0
	f.buf = f.buf[:0]
	if b, ok := st.Get(f.key); ok {
		f.buf = append(f.buf, b...)
	}
	f.saved = len(f.buf)
	if k >= f.chunks {
		f.chunks = k + 1
		binary.BigEndian.PutUint64(f.num[:], uint64(f.chunks))
		st.Put(f.countKey, f.num[:])
	}
}

// save stores the open chunk.
func (f *chunkFile) save(st sim.Storage) {
	f.dirty = false
	if a, ok := st.(sim.Appender); ok && f.saved > 0 {
		// The key holds buf[:saved]: add only the new records.
		a.Append(f.key, f.buf[f.saved:])
		f.saved = len(f.buf)
		return
	}
	f.saved = len(f.buf)
	if len(f.buf) > f.room {
		f.room = max(chunkBytes, 2*len(f.buf))
		if f.room <= len(zeros) {
			st.Put(f.key, zeros[:f.room])
		} else {
			st.Put(f.key, make([]byte, f.room))
		}
	}
	st.Put(f.key, f.buf)
}

// load replays every stored record through read, which decodes one
// record. It reports whether anything was stored.
func (f *chunkFile) load(st sim.Storage, read func(d *decoder)) bool {
	n, ok := sim.GetInt64(st, f.countKey)
	if !ok {
		return false
	}
	f.chunks = int(n)
	for k := 0; k < f.chunks; k++ {
		b, _ := st.Get(f.prefix + strconv.Itoa(k))
		d := decoder{b: b}
		for len(d.b) > 0 && d.ok() {
			read(&d)
		}
	}
	return true
}

// appendCmdRecord appends c in the compact form of the storage records:
// varints and length-prefixed strings (about a third of c.appendTo's
// fixed-width digest form, and each write re-stores its chunk).
func appendCmdRecord(b []byte, c Cmd) []byte {
	b = binary.AppendVarint(b, int64(c.Client))
	b = binary.AppendVarint(b, int64(c.Seq))
	for _, s := range [3]string{c.Kind, c.Key, c.Value} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// decoder reads storage records; after the first malformed field every
// read returns zero and ok reports false.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) ok() bool { return !d.bad }

func (d *decoder) i64() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.bad, d.b = true, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) int() int { return int(d.i64()) }

func (d *decoder) str() string {
	n, k := binary.Uvarint(d.b)
	if k <= 0 || uint64(len(d.b)-k) < n {
		d.bad, d.b = true, nil
		return ""
	}
	s := string(d.b[k : k+int(n)])
	d.b = d.b[k+int(n):]
	return s
}

func (d *decoder) cmd() Cmd {
	c := Cmd{Client: sim.NodeID(d.int()), Seq: d.int()}
	c.Kind = d.str()
	c.Key = d.str()
	c.Value = d.str()
	return c
}
