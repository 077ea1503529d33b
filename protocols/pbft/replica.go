package pbft

import (
	"fmt"
	"hash/fnv"
	"maps"
	"simulate/check"
	"slices"
	"sort"
	"strconv"
	"strings"

	"simulate/sim"
)

// The teaching bugs: each switch breaks one thing PBFT's safety rests on,
// so that search has something to find.
const (
	// BugSmallQuorum uses quorums of f+1 instead of 2f+1: two quorums need
	// not share an honest replica.
	BugSmallQuorum = "small-quorum"
	// BugUncheckedNewView accepts a new-view from the new primary without
	// checking its view-change certificates or recomputing its pre-prepares.
	BugUncheckedNewView = "unchecked-new-view"
	// BugAmnesia makes a restarted replica ignore its durable Storage and
	// come back empty, free to contradict what it promised before its crash.
	BugAmnesia = "amnesia"
)

// BugInfo describes a teaching bug switch for people: what it breaks, and
// what a run needs besides the switch for the break to show.
type BugInfo struct {
	Name string
	// Description is one line: the mistake the switch plants.
	Description string
	// Needs names, with the flags that give it, what a run must have for
	// the bug to show; "" when the switch alone is enough.
	Needs string
	// NeedsCrashes: the bug shows only in runs with crash-restarts.
	NeedsCrashes bool
}

// BugInfos lists the teaching bug switches, in the order of Bugs: the
// data behind `simulate pbft --list-bugs`.
var BugInfos = []BugInfo{
	{Name: BugSmallQuorum, Description: "quorums of f+1 instead of 2f+1: two quorums need not share an honest replica"},
	{Name: BugUncheckedNewView, Description: "backups install a new-view without checking its view changes or recomputing its pre-prepares"},
	{Name: BugAmnesia, Description: "a restarted replica ignores its durable storage and comes back empty, free to contradict itself",
		Needs: "crash-restarts: --crash ID@FROM..TO for a run, --crashes N for check pbft", NeedsCrashes: true},
}

// Bugs lists the teaching bug switches' names.
var Bugs = bugNames()

func bugNames() []string {
	names := make([]string, len(BugInfos))
	for i, b := range BugInfos {
		names[i] = b.Name
	}
	return names
}

// BugNeedsCrashes reports whether teaching bug name shows only in runs
// with crash-restarts, so that a search for it without any is pointless.
func BugNeedsCrashes(name string) bool {
	for _, b := range BugInfos {
		if b.Name == name {
			return b.NeedsCrashes
		}
	}
	return false
}

// Params are what every node of a run knows about the system.
type Params struct {
	// N is the number of replicas, ids 0 .. N-1; clients follow them.
	N int
	// F is the number of faults the replicas are built to tolerate,
	// (N-1)/3: the most PBFT can promise with N replicas.
	F int
	// K is the checkpoint interval: a checkpoint after every K executed
	// sequence numbers.
	K int
	// L is the log window: a sequence number is accepted only in
	// (stable, stable+L], so the log holds at most L entries.
	L int
	// ViewTimeout is the base view-change timeout; it doubles with every
	// view change that does not lead to progress.
	ViewTimeout sim.Time
	// ClientTimeout is how long a client waits before broadcasting its
	// request to every replica.
	ClientTimeout sim.Time
	// StatusInterval is how often a replica that is behind asks its peers.
	StatusInterval sim.Time
	// Bug is a teaching bug switch, or "".
	Bug string
}

// Quorum is the size of a prepare, commit, checkpoint and view-change
// quorum: 2f+1 when N = 3f+1. In general it is the smallest q with
// 2q-N >= F+1, so two quorums share an honest replica, capped at N-F so a
// quorum forms without the F faulty. F is (N-1)/3, the most N replicas can
// survive: put 1 traitor among 3 replicas (F = 0, quorum 2) and two quorums
// share only the traitor — the 3f+1 bound.
func (p Params) Quorum() int {
	if p.Bug == BugSmallQuorum {
		return p.F + 1
	}
	q := (p.N + p.F + 2) / 2
	if p.N-p.F < q {
		q = p.N - p.F
	}
	return q
}

// Weak is f+1: enough replicas that at least one is honest (a client's
// matching replies, joining a view change).
func (p Params) Weak() int { return p.F + 1 }

// Primary is the primary of view v.
func (p Params) Primary(v int) sim.NodeID { return sim.NodeID(v % p.N) }

func (p Params) isReplica(id sim.NodeID) bool { return id >= 0 && int(id) < p.N }

type entry struct {
	pp         *PrePrepare
	prepares   map[string]map[sim.NodeID]Prepare
	commits    map[string]map[sim.NodeID]bool
	myPrepare  *Prepare
	sentCommit bool
	prepared   bool
	committed  bool
}

type clientRec struct {
	ts     int
	result string
}

type timerKind int

const (
	viewTimer timerKind = iota + 1
	statusTimer
	probeTimer
)

// Replica is an honest PBFT replica.
type Replica struct {
	p  Params
	id sim.NodeID

	view      int
	active    bool // false while waiting for the new-view of view
	vcCount   int  // view changes since the last execution: the timer's doubling
	nextSeq   int  // as primary: the last sequence number assigned
	log       map[int]*entry
	certs     map[int]PreparedCert // highest-view prepared certificate per sequence number
	committed map[int]Request      // committed, maybe not yet executed
	executed  map[int]Request      // what it executed at each number above the stable checkpoint
	// heard gathers Executed claims for numbers it has not executed:
	// number → digest → who claimed it.
	heard      map[int]map[string]map[sim.NodeID]bool
	lastExec   int
	chain      uint64
	clients    map[sim.NodeID]clientRec
	stable     int
	proof      []Checkpoint
	ckpts      map[int]map[sim.NodeID]Checkpoint
	vcs        map[int]map[sim.NodeID]ViewChange
	myVC       *ViewChange
	myVCs      map[int]ViewChange // every view change sent since the last new view, for retransmission
	lastNV     *NewView
	sentNV     map[int]bool
	pending    map[string]Request // known requests not yet executed
	assigned   map[string]bool    // as primary: proposed in this view
	future     []buffered         // messages for a view not yet installed
	ahead      map[sim.NodeID]int // per replica, the latest view it sent a message of that this replica has not reached
	acked      map[sim.NodeID]int // per replica, the highest sequence number it showed it has, in this view
	late       map[int]*lateEntry // sequence numbers committed in a view before this replica's, learned late
	probeOn    bool
	vcTimer    sim.TimerID
	statusOn   bool
	maxSeen    int
	maxLog     int
	skipSeq    bool // traitor knob: the primary skips a sequence number each time
	installed  int  // views installed through a new-view
	ckptsTaken int

	// Durable state (see durable.go): the promises written to Storage, and
	// what a restarted replica still has to win back before it may send a
	// view change.
	promised   map[int]promise
	recovering bool
	dirtyLog   bool
	dirtyState bool
	savedView  [3]int
	disk       []byte // persist's encoding buffer
	diskSeqs   []int  // persist's sorted sequence numbers
}

type buffered struct {
	from sim.NodeID
	msg  sim.Message
}

// NewReplica returns honest replica id.
func NewReplica(p Params, id sim.NodeID) *Replica {
	return &Replica{p: p, id: id}
}

// View is the replica's current view.
func (r *Replica) View() int { return r.view }

// LastExecuted is the highest sequence number the replica has executed.
func (r *Replica) LastExecuted() int { return r.lastExec }

// StableCheckpoint is the replica's last stable checkpoint.
func (r *Replica) StableCheckpoint() int { return r.stable }

// LogSize is the number of sequence numbers the replica keeps log entries
// or certificates for; checkpoints bound it by the window L.
func (r *Replica) LogSize() int {
	n := len(r.log)
	for s := range r.certs {
		if _, ok := r.log[s]; !ok {
			n++
		}
	}
	return n
}

// MaxLogSize is the largest LogSize the replica reached.
func (r *Replica) MaxLogSize() int { return r.maxLog }

// Start implements sim.Node.
func (r *Replica) Start(ctx sim.Context) {
	r.active = true
	r.log = map[int]*entry{}
	r.certs = map[int]PreparedCert{}
	r.committed = map[int]Request{}
	r.executed = map[int]Request{}
	r.heard = map[int]map[string]map[sim.NodeID]bool{}
	r.clients = map[sim.NodeID]clientRec{}
	r.ckpts = map[int]map[sim.NodeID]Checkpoint{}
	r.vcs = map[int]map[sim.NodeID]ViewChange{}
	r.sentNV = map[int]bool{}
	r.myVCs = map[int]ViewChange{}
	r.pending = map[string]Request{}
	r.assigned = map[string]bool{}
	r.ahead = map[sim.NodeID]int{}
	r.acked = map[sim.NodeID]int{}
	r.late = map[int]*lateEntry{}
	r.chain = fnvOffset
	r.promised = map[int]promise{}
	if r.p.Bug != BugAmnesia && r.recover(ctx) {
		r.resume(ctx)
		r.track(ctx)
	}
}

// Deliver implements sim.Node.
func (r *Replica) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	switch m := msg.(type) {
	case Request:
		r.onRequest(ctx, from, m)
	case PrePrepare:
		r.onPrePrepare(ctx, from, m)
	case Prepare:
		r.onPrepare(ctx, from, m)
	case Commit:
		r.onCommit(ctx, from, m)
	case Checkpoint:
		r.onCheckpoint(ctx, m)
	case ViewChange:
		r.onViewChange(ctx, from, m)
	case NewView:
		r.onNewView(ctx, m)
	case Status:
		r.onStatus(ctx, from, m)
	case Executed:
		r.onExecuted(ctx, from, m)
	case Recover:
		r.onRecover(ctx, from, m)
	case RecoverReply:
		r.onRecoverReply(ctx, from, m)
	}
	r.track(ctx)
}

// Fire implements sim.Node.
func (r *Replica) Fire(ctx sim.Context, id sim.TimerID, tag any) {
	switch tag {
	case viewTimer:
		if id != r.vcTimer {
			return
		}
		r.vcTimer = 0
		if !r.active || len(r.pending) > 0 {
			r.startViewChange(ctx, r.view+1)
		}
	case probeTimer:
		r.probeOn = false
		if r.idle() {
			st := Status{View: r.view, Active: r.active, LastExec: r.lastExec, Stable: r.stable, Probe: true}
			for _, id := range r.unacked() {
				ctx.Send(id, st)
			}
		}
	case statusTimer:
		r.statusOn = false
		if r.behind() {
			st := Status{View: r.view, Active: r.active, LastExec: r.lastExec, Stable: r.stable}
			r.broadcast(ctx, st)
			if !r.active && r.myVC != nil {
				// Retransmit the view change: replicas that lost it may
				// need it to join, or to reach a quorum.
				r.broadcast(ctx, *r.myVC)
			}
			if r.needEvidence() {
				r.broadcast(ctx, Recover{Stable: r.stable})
			}
		}
	}
	r.track(ctx)
}

// track keeps the bookkeeping every event may change: the log-size high
// water mark and the status timer of a replica that is behind.
func (r *Replica) track(ctx sim.Context) {
	if n := r.LogSize(); n > r.maxLog {
		r.maxLog = n
	}
	if r.behind() && !r.statusOn {
		r.statusOn = true
		ctx.After(r.p.StatusInterval, statusTimer)
	}
	if !r.probeOn && r.idle() && len(r.unacked()) > 0 {
		r.probeOn = true
		ctx.After(r.p.StatusInterval, probeTimer)
	}
	r.persist(ctx)
}

func (r *Replica) behind() bool {
	return !r.active || r.maxSeen > r.lastExec || r.needEvidence() || r.leftBehind()
}

// idle: nothing to do and nothing to wait for — no request pending, not
// behind, in an installed view.
func (r *Replica) idle() bool { return r.active && len(r.pending) == 0 && !r.behind() }

// unacked lists, in id order, the replicas that have not shown this one,
// in its view, that they reached what it executed. An idle replica probes
// them every StatusInterval (Status with Probe; they answer with their own
// status, which brings them the new-view, log entries and checkpoint they
// lack): a replica that was cut off or down while the others went on would
// otherwise wait, idle, for traffic that may never come, since PBFT sends
// nothing when there is nothing to order. It is Castro and Liskov's
// periodic status (TOCS 2002 §7.2), sent only while a peer may be behind,
// so an idle, healthy group stays silent.
func (r *Replica) unacked() []sim.NodeID {
	var ids []sim.NodeID
	for i := 0; i < r.p.N; i++ {
		id := sim.NodeID(i)
		if id != r.id && r.acked[id] < r.lastExec {
			ids = append(ids, id)
		}
	}
	return ids
}

// ack records that replica id showed, in this replica's view, that it has
// sequence number seq.
func (r *Replica) ack(id sim.NodeID, view, seq int) {
	if view == r.view && r.p.isReplica(id) && seq > r.acked[id] {
		r.acked[id] = seq
	}
}

// leftBehind reports whether f+1 replicas — at least one of them honest —
// sent this replica normal-case messages of views later than its own: the
// others moved on without it. It happens to a replica that was down or cut
// off while a view change ran: it comes back active in the old view, and
// nobody resends a new-view unprompted. Castro and Liskov's replicas learn
// of later views the same way (OSDI '99 §4.5.2, TOCS 2002 §4.5.2: f+1
// messages for later views, so one correct replica is there) and fetch
// what they missed by retransmission (TOCS 2002 §7.2, status messages): a
// replica that is left behind sends Status, its peers answer with the
// new-view that began their view — the view-change certificate, checked
// like any other (checkNewView) before it is installed — and, once it is in
// that view, with the log entries and checkpoint it lacks. The f+1 rule
// keeps a lone traitor from sending an honest replica asking forever for
// a view that does not exist.
func (r *Replica) leftBehind() bool {
	n := 0
	for _, v := range r.ahead {
		if v > r.view {
			n++
		}
	}
	return n >= r.p.Weak()
}

func (r *Replica) broadcast(ctx sim.Context, m sim.Message) {
	for i := 0; i < r.p.N; i++ {
		if sim.NodeID(i) != r.id {
			ctx.Send(sim.NodeID(i), m)
		}
	}
}

func (r *Replica) inWindow(seq int) bool { return seq > r.stable && seq <= r.stable+r.p.L }

func (r *Replica) seen(seq int) {
	if seq > r.maxSeen && seq <= r.stable+r.p.L {
		r.maxSeen = seq
	}
}

func (r *Replica) entry(seq int) *entry {
	e := r.log[seq]
	if e == nil {
		e = &entry{prepares: map[string]map[sim.NodeID]Prepare{}, commits: map[string]map[sim.NodeID]bool{}}
		r.log[seq] = e
	}
	return e
}

// buffer keeps a message of a view this replica has not installed yet.
func (r *Replica) buffer(from sim.NodeID, m sim.Message, view int) bool {
	if view > r.view && r.p.isReplica(from) && view > r.ahead[from] {
		r.ahead[from] = view
	}
	if view > r.view || (view == r.view && !r.active) {
		if len(r.future) < 4*r.p.N*r.p.L {
			r.future = append(r.future, buffered{from, m})
		}
		return true
	}
	return false
}

// --- normal case ---

func (r *Replica) onRequest(ctx sim.Context, from sim.NodeID, req Request) {
	if req.IsNull() || !req.valid(r.p) {
		return
	}
	if rec, ok := r.clients[req.Client]; ok && req.TS <= rec.ts {
		if req.TS == rec.ts {
			ctx.Send(req.Client, Reply{View: r.view, TS: rec.ts, Result: rec.result})
		}
		return
	}
	d := req.Digest()
	if _, ok := r.pending[d]; !ok {
		r.pending[d] = req
	}
	if !r.active {
		return
	}
	if r.p.Primary(r.view) == r.id {
		r.propose(ctx, req)
		return
	}
	if from == req.Client {
		ctx.Send(r.p.Primary(r.view), req) // relay to the primary, and watch it
	}
	r.armViewTimer(ctx)
}

func (r *Replica) propose(ctx sim.Context, req Request) {
	d := req.Digest()
	if r.assigned[d] || r.nextSeq+1 > r.stable+r.p.L {
		return
	}
	if rec, ok := r.clients[req.Client]; ok && req.TS <= rec.ts {
		return
	}
	r.assigned[d] = true
	r.nextSeq++
	if r.skipSeq {
		r.nextSeq++
		if r.nextSeq > r.stable+r.p.L {
			r.nextSeq = r.stable + r.p.L
		}
	}
	pp := PrePrepare{View: r.view, Seq: r.nextSeq, Req: req}
	pp.Sig = ctx.Sign(pp.payload())
	r.broadcast(ctx, pp)
	r.acceptPrePrepare(ctx, pp)
}

// proposePending proposes, in a deterministic order, every pending
// request not yet assigned in this view.
func (r *Replica) proposePending(ctx sim.Context) {
	if !r.active || r.p.Primary(r.view) != r.id {
		return
	}
	for _, req := range r.sortedPending() {
		r.propose(ctx, req)
	}
}

func (r *Replica) sortedPending() []Request {
	reqs := make([]Request, 0, len(r.pending))
	for _, req := range r.pending {
		reqs = append(reqs, req)
	}
	sort.Slice(reqs, func(i, j int) bool {
		if reqs[i].Client != reqs[j].Client {
			return reqs[i].Client < reqs[j].Client
		}
		return reqs[i].TS < reqs[j].TS
	})
	return reqs
}

func (r *Replica) onPrePrepare(ctx sim.Context, from sim.NodeID, pp PrePrepare) {
	if r.buffer(from, pp, pp.View) {
		return
	}
	if pp.View < r.view {
		r.latePrePrepare(ctx, pp)
		return
	}
	if pp.View != r.view || !r.inWindow(pp.Seq) {
		return
	}
	if !r.genuine(pp) {
		return
	}
	r.ack(from, pp.View, pp.Seq)
	r.acceptPrePrepare(ctx, pp)
}

func (r *Replica) acceptPrePrepare(ctx sim.Context, pp PrePrepare) {
	e := r.entry(pp.Seq)
	if e.pp != nil {
		return // one pre-prepare per (view, sequence number): a second one is the primary equivocating
	}
	if pr, ok := r.promised[pp.Seq]; ok && pr.ppView == pp.View && pr.ppDigest != pp.Req.Digest() {
		return // durable promise: accepted another request here in this view before a crash
	}
	r.seen(pp.Seq)
	e.pp = &pp
	r.promise(pp.Seq, func(pr *promise) { pr.ppView, pr.ppDigest = pp.View, pp.Req.Digest() })
	if !pp.Req.IsNull() {
		if rec, ok := r.clients[pp.Req.Client]; !ok || pp.Req.TS > rec.ts {
			r.pending[pp.Req.Digest()] = pp.Req
		}
		r.armViewTimer(ctx)
	}
	if r.p.Primary(r.view) != r.id {
		p := Prepare{View: r.view, Seq: pp.Seq, Digest: pp.Req.Digest(), Replica: r.id}
		p.Sig = ctx.Sign(p.payload())
		e.myPrepare = &p
		r.addPrepare(e, p)
		r.broadcast(ctx, p)
	}
	if done, ok := r.executed[pp.Seq]; ok && done.Digest() == pp.Req.Digest() {
		// This replica executed that request there already, in an
		// earlier view: it committed, so no other request can commit at
		// that number in any view, and this replica's commit in this
		// view vouches for nothing new. It sends it at once instead of
		// waiting to prepare again, because a replica that is behind may
		// need it: with f silent replicas every quorum needs every
		// correct one, and a round that waits on a lost prepare for a
		// number the others have long executed may never end.
		c := Commit{View: r.view, Seq: pp.Seq, Digest: pp.Req.Digest()}
		e.sentCommit = true
		r.addCommit(e, r.id, c)
		r.broadcast(ctx, c)
	}
	r.checkPrepared(ctx, pp.Seq)
}

func (r *Replica) addPrepare(e *entry, p Prepare) {
	m := e.prepares[p.Digest]
	if m == nil {
		m = map[sim.NodeID]Prepare{}
		e.prepares[p.Digest] = m
	}
	m[p.Replica] = p
}

func (r *Replica) onPrepare(ctx sim.Context, from sim.NodeID, p Prepare) {
	if r.buffer(from, p, p.View) {
		return
	}
	if p.View != r.view || !r.inWindow(p.Seq) || !r.p.isReplica(p.Replica) || p.Replica == r.p.Primary(p.View) {
		return
	}
	if !p.signed() {
		return
	}
	r.seen(p.Seq)
	r.ack(from, p.View, p.Seq)
	r.addPrepare(r.entry(p.Seq), p)
	r.checkPrepared(ctx, p.Seq)
}

func (r *Replica) checkPrepared(ctx sim.Context, seq int) {
	e := r.log[seq]
	if e == nil || e.pp == nil || e.prepared {
		return
	}
	d := e.pp.Req.Digest()
	if len(e.prepares[d]) < r.p.Quorum()-1 {
		return
	}
	e.prepared = true
	cert := PreparedCert{PP: *e.pp}
	for _, id := range slices.Sorted(maps.Keys(e.prepares[d])) {
		if len(cert.Prepares) == r.p.Quorum()-1 {
			break
		}
		cert.Prepares = append(cert.Prepares, e.prepares[d][id])
	}
	r.certs[seq] = cert
	r.promise(seq, func(pr *promise) { pr.prepView, pr.prepDigest = r.view, d })
	if !e.sentCommit {
		c := Commit{View: r.view, Seq: seq, Digest: d}
		e.sentCommit = true
		r.addCommit(e, r.id, c)
		r.broadcast(ctx, c)
	}
	r.checkCommitted(ctx, seq)
}

func (r *Replica) addCommit(e *entry, from sim.NodeID, c Commit) {
	m := e.commits[c.Digest]
	if m == nil {
		m = map[sim.NodeID]bool{}
		e.commits[c.Digest] = m
	}
	m[from] = true
}

func (r *Replica) onCommit(ctx sim.Context, from sim.NodeID, c Commit) {
	if r.buffer(from, c, c.View) {
		return
	}
	if c.View < r.view {
		r.lateCommit(ctx, from, c)
		return
	}
	if c.View != r.view || !r.inWindow(c.Seq) || !r.p.isReplica(from) {
		return
	}
	r.seen(c.Seq)
	r.ack(from, c.View, c.Seq)
	r.addCommit(r.entry(c.Seq), from, c)
	r.checkCommitted(ctx, c.Seq)
}

func (r *Replica) checkCommitted(ctx sim.Context, seq int) {
	e := r.log[seq]
	if e == nil || !e.prepared || e.committed {
		return
	}
	d := e.pp.Req.Digest()
	if len(e.commits[d]) < r.p.Quorum() {
		return
	}
	e.committed = true
	if _, ok := r.committed[seq]; !ok && seq > r.lastExec {
		r.committed[seq] = e.pp.Req
		ctx.Observe(check.KindCommit, seq, d)
	}
	r.execute(ctx)
}

// execute runs committed requests in sequence order, with no holes.
func (r *Replica) execute(ctx sim.Context) {
	progressed := false
	for {
		req, ok := r.committed[r.lastExec+1]
		if !ok {
			break
		}
		s := r.lastExec + 1
		delete(r.committed, s)
		r.apply(ctx, s, req)
		progressed = true
	}
	if progressed {
		r.vcCount = 0
		r.disarmViewTimer(ctx)
		r.armViewTimer(ctx)
	}
}

func (r *Replica) apply(ctx sim.Context, s int, req Request) {
	r.lastExec = s
	r.executed[s] = req
	delete(r.heard, s)
	r.dirtyState = true
	r.chain = fnvString(r.chain, strconv.Itoa(s)+"="+req.Digest())
	if !req.IsNull() {
		delete(r.pending, req.Digest())
		rec := r.clients[req.Client]
		if req.TS > rec.ts {
			rec = clientRec{ts: req.TS, result: fmt.Sprintf("seq %d", s)}
			r.clients[req.Client] = rec
		}
		if req.TS == rec.ts {
			ctx.Send(req.Client, Reply{View: r.view, TS: rec.ts, Result: rec.result})
		}
	}
	if s%r.p.K == 0 {
		ck := Checkpoint{Seq: s, State: r.snapshot(), Replica: r.id}
		ck.Sig = ctx.Sign(ck.payload())
		r.ckptsTaken++
		r.broadcast(ctx, ck)
		r.onCheckpoint(ctx, ck)
	}
}

// --- checkpoints and garbage collection ---

// snapshot encodes the service state: a hash chain over everything
// executed and each client's last request and reply, in client order.
func (r *Replica) snapshot() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%016x", r.chain)
	ids := make([]sim.NodeID, 0, len(r.clients))
	for id := range r.clients {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		rec := r.clients[id]
		fmt.Fprintf(&b, ";c%d=%d:%s", id, rec.ts, rec.result)
	}
	return b.String()
}

func (r *Replica) restore(state string) bool {
	parts := strings.Split(state, ";")
	chain, err := strconv.ParseUint(parts[0], 16, 64)
	if err != nil {
		return false
	}
	clients := map[sim.NodeID]clientRec{}
	for _, p := range parts[1:] {
		var id, ts int
		var result string
		eq := strings.IndexByte(p, '=')
		colon := strings.IndexByte(p, ':')
		if !strings.HasPrefix(p, "c") || eq < 0 || colon < eq {
			return false
		}
		id, err1 := strconv.Atoi(p[1:eq])
		ts, err2 := strconv.Atoi(p[eq+1 : colon])
		result = p[colon+1:]
		if err1 != nil || err2 != nil {
			return false
		}
		clients[sim.NodeID(id)] = clientRec{ts: ts, result: result}
	}
	r.chain, r.clients = chain, clients
	return true
}

func (r *Replica) onCheckpoint(ctx sim.Context, ck Checkpoint) {
	if ck.Seq < r.stable || (ck.Seq == r.stable && !r.needProof()) || ck.Seq%r.p.K != 0 || !r.p.isReplica(ck.Replica) {
		return
	}
	if !ck.signed() {
		return
	}
	m := r.ckpts[ck.Seq]
	if m == nil {
		m = map[sim.NodeID]Checkpoint{}
		r.ckpts[ck.Seq] = m
	}
	m[ck.Replica] = ck
	if ck.Seq > r.maxSeen {
		r.maxSeen = ck.Seq
	}
	var proof []Checkpoint
	for _, id := range slices.Sorted(maps.Keys(m)) {
		if m[id].State == ck.State {
			proof = append(proof, m[id])
		}
	}
	if len(proof) >= r.p.Quorum() {
		r.makeStable(ctx, ck.Seq, proof[:r.p.Quorum()], ck.State)
		r.proposePending(ctx) // the window moved
	}
}

// makeStable records a stable checkpoint, adopts its state if this replica
// is behind it (state transfer), and discards everything at or below it.
func (r *Replica) makeStable(ctx sim.Context, seq int, proof []Checkpoint, state string) {
	if seq == r.stable && r.needProof() {
		r.proof = proof // a restarted replica wins back the proof it could not keep
		r.resumeViewChange(ctx)
		return
	}
	if seq <= r.stable {
		return
	}
	r.dirtyState, r.dirtyLog = true, true
	if r.lastExec < seq {
		if !r.restore(state) {
			return
		}
		r.lastExec = seq
		for d, req := range r.pending {
			if rec, ok := r.clients[req.Client]; ok && req.TS <= rec.ts {
				delete(r.pending, d)
			}
		}
	}
	r.stable, r.proof = seq, proof
	forgetThrough(r.log, seq)
	forgetThrough(r.certs, seq)
	forgetThrough(r.committed, seq)
	forgetThrough(r.executed, seq)
	forgetThrough(r.heard, seq)
	forgetThrough(r.ckpts, seq)
	forgetThrough(r.late, seq)
	forgetThrough(r.promised, seq)
	if r.nextSeq < seq {
		r.nextSeq = seq
	}
	r.execute(ctx)
	r.resumeViewChange(ctx)
}

// --- view change ---

func (r *Replica) timeout() sim.Time {
	n := r.vcCount
	if n > 10 {
		n = 10
	}
	return r.p.ViewTimeout << uint(n)
}

// armViewTimer starts the view-change timer if something is waiting: a
// request not yet executed, or a new view. A replica waiting for a new view
// starts the timer only once a quorum wants that view too — otherwise a
// replica that timed out early would race ahead through views alone,
// always one step in front of the others, and never meet them.
func (r *Replica) armViewTimer(ctx sim.Context) {
	if r.vcTimer != 0 || (r.active && len(r.pending) == 0) {
		return
	}
	if !r.active && len(r.vcs[r.view]) < r.p.Quorum() {
		return
	}
	r.vcTimer = ctx.After(r.timeout(), viewTimer)
}

func (r *Replica) disarmViewTimer(ctx sim.Context) {
	if r.vcTimer != 0 {
		ctx.Cancel(r.vcTimer)
		r.vcTimer = 0
	}
}

func (r *Replica) startViewChange(ctx sim.Context, w int) {
	if w <= r.view {
		return
	}
	r.view, r.active = w, false
	r.vcCount++
	r.disarmViewTimer(ctx)
	if r.needEvidence() {
		// A restarted replica that cannot show the certificates it had
		// must not send a view change that leaves them out: it moves to
		// the view, asks its peers, and sends the view change once it has
		// them back (resumeViewChange).
		r.myVC = nil
		r.broadcast(ctx, Recover{Stable: r.stable})
		ctx.Observe(ObsViewChange, w, r.timeout().String())
		return
	}
	r.sendViewChange(ctx, w, true)
}

// sendViewChange signs and broadcasts this replica's view change for w;
// observe says whether the view change begins here (it was observed
// already when a recovered replica sends it late).
func (r *Replica) sendViewChange(ctx sim.Context, w int, observe bool) {
	vc := ViewChange{View: w, Stable: r.stable, Proof: r.proof, Replica: r.id}
	for _, s := range slices.Sorted(maps.Keys(r.certs)) {
		vc.Prepared = append(vc.Prepared, r.certs[s])
	}
	vc.Sig = ctx.Sign(vc.payload())
	r.myVC = &vc
	r.myVCs[w] = vc
	r.broadcast(ctx, vc)
	if observe {
		ctx.Observe(ObsViewChange, w, r.timeout().String())
	}
	r.addViewChange(ctx, vc)
}

func (r *Replica) onViewChange(ctx sim.Context, from sim.NodeID, vc ViewChange) {
	if vc.Replica != from || !vc.signed() {
		return
	}
	if vc.View < r.view || (vc.View == r.view && r.active) {
		// The sender is behind: show it how this view began.
		if r.lastNV != nil && r.active {
			ctx.Send(from, *r.lastNV)
		}
		return
	}
	if !r.validViewChange(vc) {
		return
	}
	r.addViewChange(ctx, vc)
}

func (r *Replica) addViewChange(ctx sim.Context, vc ViewChange) {
	m := r.vcs[vc.View]
	if m == nil {
		m = map[sim.NodeID]ViewChange{}
		r.vcs[vc.View] = m
	}
	m[vc.Replica] = vc
	// Join rule: f+1 replicas want a view later than this one, so at least
	// one honest replica does; go with the smallest such view rather than
	// wait for a timer.
	latest := map[sim.NodeID]int{}
	for w, vs := range r.vcs {
		if w <= r.view {
			continue
		}
		for id := range vs {
			if w > latest[id] {
				latest[id] = w
			}
		}
	}
	if len(latest) >= r.p.Weak() {
		r.startViewChange(ctx, minValue(latest))
	}
	if !r.active && r.p.Primary(r.view) == r.id {
		r.tryNewView(ctx)
	}
	r.armViewTimer(ctx)
}

func (r *Replica) validCheckpointProof(stable int, proof []Checkpoint) bool {
	if stable == 0 {
		return len(proof) == 0
	}
	seen := map[sim.NodeID]bool{}
	for _, c := range proof {
		if c.Seq != stable || c.State != proof[0].State || seen[c.Replica] || !r.p.isReplica(c.Replica) || !c.signed() {
			return false
		}
		seen[c.Replica] = true
	}
	return len(seen) >= r.p.Quorum()
}

func (r *Replica) validCert(c PreparedCert, view, stable int) bool {
	pp := c.PP
	if pp.View >= view || pp.Seq <= stable || pp.Seq > stable+r.p.L {
		return false
	}
	if !r.genuine(pp) {
		return false
	}
	seen := map[sim.NodeID]bool{}
	for _, p := range c.Prepares {
		if p.View != pp.View || p.Seq != pp.Seq || p.Digest != pp.Req.Digest() || seen[p.Replica] ||
			!r.p.isReplica(p.Replica) || p.Replica == r.p.Primary(pp.View) || !p.signed() {
			return false
		}
		seen[p.Replica] = true
	}
	return len(seen) >= r.p.Quorum()-1
}

func (r *Replica) validViewChange(vc ViewChange) bool {
	if !r.validCheckpointProof(vc.Stable, vc.Proof) {
		return false
	}
	seqs := map[int]bool{}
	for _, c := range vc.Prepared {
		if seqs[c.PP.Seq] || !r.validCert(c, vc.View, vc.Stable) {
			return false
		}
		seqs[c.PP.Seq] = true
	}
	return true
}

// computeO derives the new view's pre-prepares from a quorum of view
// changes: for every sequence number above the highest stable checkpoint
// up to the highest prepared one, the request of the prepared certificate
// with the highest view, or the null request where there is none.
func computeO(p Params, w int, vcs []ViewChange) (minS int, proof []Checkpoint, state string, o []PrePrepare) {
	maxS := 0
	best := map[int]PreparedCert{}
	for _, vc := range vcs {
		if vc.Stable > minS {
			minS, proof = vc.Stable, vc.Proof
		}
	}
	for _, vc := range vcs {
		for _, c := range vc.Prepared {
			s := c.PP.Seq
			if s <= minS {
				continue
			}
			if s > maxS {
				maxS = s
			}
			if b, ok := best[s]; !ok || c.PP.View > b.PP.View {
				best[s] = c
			}
		}
	}
	if len(proof) > 0 {
		state = proof[0].State
	}
	for s := minS + 1; s <= maxS; s++ {
		pp := PrePrepare{View: w, Seq: s}
		if c, ok := best[s]; ok {
			pp.Req = c.PP.Req
		}
		o = append(o, pp)
	}
	return minS, proof, state, o
}

func (r *Replica) tryNewView(ctx sim.Context) {
	w := r.view
	if r.sentNV[w] || len(r.vcs[w]) < r.p.Quorum() {
		return
	}
	var vcs []ViewChange
	if r.myVC != nil && r.myVC.View == w {
		vcs = append(vcs, *r.myVC)
	}
	for _, id := range slices.Sorted(maps.Keys(r.vcs[w])) {
		if len(vcs) == r.p.Quorum() {
			break
		}
		if id != r.id {
			vcs = append(vcs, r.vcs[w][id])
		}
	}
	if len(vcs) < r.p.Quorum() {
		return
	}
	r.sentNV[w] = true
	_, _, _, o := computeO(r.p, w, vcs)
	for i := range o {
		o[i].Sig = ctx.Sign(o[i].payload())
	}
	nv := NewView{View: w, ViewChanges: vcs, PrePrepares: o}
	nv.Sig = ctx.Sign(nv.payload())
	r.broadcast(ctx, nv)
	r.installNewView(ctx, nv)
}

// checkNewView is what a backup verifies before it installs a new view:
// the new primary signed it, it rests on a quorum of valid view changes
// from distinct replicas, and its pre-prepares are exactly the ones those
// view changes imply. The unchecked-new-view bug stops after the first.
func (r *Replica) checkNewView(nv NewView) bool {
	if nv.Sig.Signer() != r.p.Primary(nv.View) || !nv.Sig.Verify(nv.payload()) {
		return false
	}
	for _, pp := range nv.PrePrepares {
		if pp.View != nv.View || !r.genuine(pp) {
			return false
		}
	}
	if r.p.Bug == BugUncheckedNewView {
		return true
	}
	seen := map[sim.NodeID]bool{}
	for _, vc := range nv.ViewChanges {
		if vc.View != nv.View || seen[vc.Replica] || !r.p.isReplica(vc.Replica) ||
			!vc.signed() || !r.validViewChange(vc) {
			return false
		}
		seen[vc.Replica] = true
	}
	if len(seen) < r.p.Quorum() {
		return false
	}
	_, _, _, o := computeO(r.p, nv.View, nv.ViewChanges)
	if len(o) != len(nv.PrePrepares) {
		return false
	}
	for i := range o {
		if o[i].Seq != nv.PrePrepares[i].Seq || o[i].Req.Digest() != nv.PrePrepares[i].Req.Digest() {
			return false
		}
	}
	return true
}

func (r *Replica) onNewView(ctx sim.Context, nv NewView) {
	if nv.View < r.view || (nv.View == r.view && r.active) {
		return
	}
	if !r.checkNewView(nv) {
		return
	}
	r.installNewView(ctx, nv)
}

func (r *Replica) installNewView(ctx sim.Context, nv NewView) {
	w := nv.View
	r.view, r.active = w, true
	r.lastNV = &nv
	r.myVC = nil
	r.installed++
	clear(r.acked) // what the others showed in the old view says nothing of this one
	r.disarmViewTimer(ctx)
	for v := range r.vcs {
		if v <= w {
			delete(r.vcs, v)
		}
	}
	for v := range r.myVCs {
		if v <= w {
			delete(r.myVCs, v)
		}
	}
	minS, proof, state, _ := computeO(r.p, w, nv.ViewChanges)
	if minS > r.stable && r.validCheckpointProof(minS, proof) {
		r.makeStable(ctx, minS, proof, state)
	}
	r.log = map[int]*entry{}
	r.assigned = map[string]bool{}
	maxS := r.stable
	ctx.Observe(ObsNewView, w, fmt.Sprintf("n%d", r.p.Primary(w)))
	for _, pp := range nv.PrePrepares {
		if pp.Seq > maxS {
			maxS = pp.Seq
		}
		if !r.inWindow(pp.Seq) {
			continue
		}
		if !pp.Req.IsNull() {
			r.assigned[pp.Req.Digest()] = true
		}
		r.acceptPrePrepare(ctx, pp)
	}
	r.nextSeq = maxS
	if r.lastExec > r.nextSeq {
		r.nextSeq = r.lastExec
	}
	r.proposePending(ctx)
	r.armViewTimer(ctx)
	// Messages of this view that arrived before its new-view.
	future := r.future
	r.future = nil
	for _, b := range future {
		r.Deliver(ctx, b.from, b.msg)
	}
}

// --- catching up ---

// lateEntry gathers, for one sequence number, what a replica in a later
// view hears of an earlier view's decision there: the primary's signed
// pre-prepares and, per (view, digest), who committed.
type lateEntry struct {
	pps     map[int]PrePrepare
	commits map[int]map[string]map[sim.NodeID]bool
}

func (r *Replica) lateEntryFor(seq int) *lateEntry {
	if r.active || seq <= r.lastExec || !r.inWindow(seq) {
		return nil
	}
	e := r.late[seq]
	if e == nil {
		e = &lateEntry{pps: map[int]PrePrepare{}, commits: map[int]map[string]map[sim.NodeID]bool{}}
		r.late[seq] = e
	}
	return e
}

// genuine reports whether pp is what the primary of its view signed, over
// a genuine client request (or the null request): the check every
// pre-prepare passes before a replica acts on it, whether it arrives alone,
// inside a prepared certificate or inside a new view.
func (r *Replica) genuine(pp PrePrepare) bool {
	return pp.Sig.Signer() == r.p.Primary(pp.View) && pp.Sig.Verify(pp.payload()) && pp.Req.valid(r.p)
}

func (r *Replica) latePrePrepare(ctx sim.Context, pp PrePrepare) {
	if !r.genuine(pp) {
		return
	}
	if e := r.lateEntryFor(pp.Seq); e != nil {
		if _, ok := e.pps[pp.View]; !ok {
			e.pps[pp.View] = pp
		}
		r.lateCheck(ctx, pp.Seq, pp.View, pp.Req.Digest())
	}
}

func (r *Replica) lateCommit(ctx sim.Context, from sim.NodeID, c Commit) {
	if !r.p.isReplica(from) {
		return
	}
	if e := r.lateEntryFor(c.Seq); e != nil {
		byDigest := e.commits[c.View]
		if byDigest == nil {
			byDigest = map[string]map[sim.NodeID]bool{}
			e.commits[c.View] = byDigest
		}
		if byDigest[c.Digest] == nil {
			byDigest[c.Digest] = map[sim.NodeID]bool{}
		}
		byDigest[c.Digest][from] = true
		r.lateCheck(ctx, c.Seq, c.View, c.Digest)
	}
}

// lateCheck executes a request that committed in an earlier view, once
// this replica holds the primary's pre-prepare and a quorum of commits for
// it from distinct replicas. It is safe without this replica's own
// prepared certificate: f+1 of those commits come from honest replicas,
// each prepared, so the request is committed in the sense of Castro and
// Liskov's predicate committed(m, v, n) (OSDI '99 §4.2), and no other
// request can commit at that number. It lets a replica that went alone
// into a view change — it may not return to the old view, having promised
// so in its view change — still execute what the others decided there.
//
// The commits it counts are the late ones and those its log gathered in
// that view before it left it (its own among them): a commit that arrives
// just after the replica's view timer fired completes the certificate it
// had all but finished.
func (r *Replica) lateCheck(ctx sim.Context, seq, view int, d string) {
	e := r.late[seq]
	pp, ok := e.pps[view]
	voters := len(e.commits[view][d])
	if le := r.log[seq]; le != nil && le.pp != nil && le.pp.View == view {
		if !ok {
			pp, ok = *le.pp, true // accepted before this replica left the view
		}
		for id := range le.commits[d] {
			if !e.commits[view][d][id] {
				voters++
			}
		}
	}
	if !ok || pp.Req.Digest() != d || voters < r.p.Quorum() {
		return
	}
	delete(r.late, seq)
	if _, done := r.committed[seq]; done || seq <= r.lastExec {
		return
	}
	r.committed[seq] = pp.Req
	ctx.Observe(check.KindCommit, seq, d)
	r.execute(ctx)
}

func (r *Replica) onStatus(ctx sim.Context, from sim.NodeID, st Status) {
	if !r.p.isReplica(from) {
		return
	}
	if st.View >= r.view {
		// It executed that far, in this view or in a view change past it.
		r.ack(from, r.view, st.LastExec)
	}
	if st.Probe || (!st.Answer && r.active && st.View == r.view && r.unprepared(st.LastExec)) {
		// Answer a probe; and answer a replica that is behind when this
		// one lacks the prepares of a number it is stuck at: our status
		// makes it resend them (below), and our commit is what it lacks.
		ctx.Send(from, Status{View: r.view, Active: r.active, LastExec: r.lastExec, Stable: r.stable, Answer: true})
	}
	if r.active && r.lastNV != nil && (st.View < r.view || (st.View == r.view && !st.Active)) {
		ctx.Send(from, *r.lastNV)
	}
	if !st.Active {
		// It is collecting view changes: resend ours for its view, and our
		// latest if it is later, which may make it join us.
		if vc, ok := r.myVCs[st.View]; ok {
			ctx.Send(from, vc)
		}
		if !r.active && r.myVC != nil && r.myVC.View > st.View {
			ctx.Send(from, *r.myVC)
		}
	}
	if r.stable > st.LastExec || r.stable > st.Stable {
		for _, c := range r.proof {
			ctx.Send(from, c)
		}
	}
	// What we executed after its last executed number and our stable
	// checkpoint: with f+1 such claims it executes them (onExecuted).
	for _, s := range slices.Sorted(maps.Keys(r.executed)) {
		if s > st.LastExec {
			ctx.Send(from, Executed{Seq: s, Req: r.executed[s]})
		}
	}
	if !st.Probe && r.active && st.View > r.view && st.LastExec < r.lastExec {
		// It went on to a view change alone, or with too few to make the
		// view change happen: it cannot come back to this view (its view
		// change promised not to), but what committed here is a fact it
		// may learn — the pre-prepare and our commit (see lateCheck).
		// In answer to a probe, or to its own status: stable
		// checkpoints would bring it the state too, but with f silent
		// replicas none can become stable without it.
		for _, s := range slices.Sorted(maps.Keys(r.log)) {
			if e := r.log[s]; s > st.LastExec && e.pp != nil && e.committed {
				ctx.Send(from, *e.pp)
				ctx.Send(from, Commit{View: r.view, Seq: s, Digest: e.pp.Req.Digest()})
			}
		}
	}
	if !r.active || st.View != r.view {
		return
	}
	for _, s := range slices.Sorted(maps.Keys(r.log)) {
		e := r.log[s]
		// What it executed it needs no more of, unless this replica
		// still does: a replica that executed a number in an earlier view
		// takes part in this view's round for it only if it hears our
		// prepare, and its commit is what we lack.
		if s <= st.LastExec && (e.committed || s <= r.lastExec) {
			continue
		}
		if e.pp != nil {
			ctx.Send(from, *e.pp)
		}
		if e.myPrepare != nil {
			ctx.Send(from, *e.myPrepare)
		}
		if e.sentCommit {
			ctx.Send(from, Commit{View: r.view, Seq: s, Digest: e.pp.Req.Digest()})
		}
	}
}

// unprepared reports whether this replica holds a pre-prepare it has not
// prepared at a number after exec.
func (r *Replica) unprepared(exec int) bool {
	for s, e := range r.log {
		if s > exec && e.pp != nil && !e.prepared {
			return true
		}
	}
	return false
}

// onExecuted counts a replica's claim that it executed a request at a
// number this replica has not executed; f+1 matching claims from distinct
// replicas commit it here (see Executed).
func (r *Replica) onExecuted(ctx sim.Context, from sim.NodeID, m Executed) {
	if !r.p.isReplica(from) || from == r.id || m.Seq <= r.lastExec || !r.inWindow(m.Seq) || !m.Req.valid(r.p) {
		return
	}
	if _, ok := r.committed[m.Seq]; ok {
		return
	}
	d := m.Req.Digest()
	byDigest := r.heard[m.Seq]
	if byDigest == nil {
		byDigest = map[string]map[sim.NodeID]bool{}
		r.heard[m.Seq] = byDigest
	}
	if byDigest[d] == nil {
		byDigest[d] = map[sim.NodeID]bool{}
	}
	byDigest[d][from] = true
	if len(byDigest[d]) < r.p.Weak() {
		return
	}
	delete(r.heard, m.Seq)
	r.committed[m.Seq] = m.Req
	ctx.Observe(check.KindCommit, m.Seq, d)
	r.execute(ctx)
}

// --- helpers ---

const fnvOffset uint64 = 14695981039346656037

func fnvString(h uint64, s string) uint64 {
	f := fnv.New64a()
	var b [8]byte
	for i := range b {
		b[i] = byte(h >> (8 * i))
	}
	f.Write(b[:])
	f.Write([]byte(s))
	return f.Sum64()
}

func minValue(m map[sim.NodeID]int) int {
	first := true
	v := 0
	for _, x := range m {
		if first || x < v {
			v, first = x, false
		}
	}
	return v
}

// forgetThrough deletes every sequence number at or below seq from m: a
// stable checkpoint at seq makes the per-number state behind it garbage, and
// each of the replica's per-number maps is pruned the same way.
func forgetThrough[V any](m map[int]V, seq int) {
	for s := range m {
		if s <= seq {
			delete(m, s)
		}
	}
}
