package sim

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"unsafe"

	"simulate/internal/prefetch"
)

// Model is a network: it decides the fate of every message when it is sent.
// Implementations live in package network; they draw only from l.Choices.
type Model interface {
	Route(l Link) Fate
}

// A Warmer is a Model that can start loading what routing a message from
// a node will read, before that node's next event: at thousands of nodes
// a sender's link state is a cache miss at the start of every relay. The
// kernel calls Warm, in worlds of prefetchFrom nodes or more, for the node
// of the event after the current one. It must change no value.
type Warmer interface {
	Warm(from NodeID)
}

// Link describes one message on its way, as seen by a Model.
type Link struct {
	From, To NodeID
	Now      Time
	Msg      Message
	Choices  Choices
}

// Fate is a Model's verdict on one message. The zero Fate delivers one copy
// immediately.
type Fate struct {
	Drop      bool
	Reason    string // why it was dropped ("loss", "partition", ...), for traces
	Delay     Time
	Duplicate bool
	DupDelay  Time
}

// FixedDelay is the simplest Model: every message arrives after D, in order.
type FixedDelay struct{ D Time }

// Route implements Model.
func (f FixedDelay) Route(Link) Fate { return Fate{Delay: f.D} }

// Config describes one run.
type Config struct {
	// Nodes is the number of nodes; their ids are 0 .. Nodes-1.
	Nodes int
	// New builds node id, at start and again on every restart (the rebuilt
	// node finds its durable state in ctx.Storage()).
	New func(id NodeID) Node
	// Network decides message fates; nil means FixedDelay{Millisecond}.
	Network Model
	// Choices is the environment's nondeterminism; nil means Boring.
	Choices Choices
	// Seed derives each node's private random stream.
	Seed uint64
	// Limit stops the run at this virtual time; 0 means no limit.
	Limit Time
	// MaxEvents stops the run after this many events; 0 means no limit.
	MaxEvents int
	// Stop, if set, is checked after every event; the run ends when it holds.
	Stop func(w *World) bool
	// Tracer, if set, receives every event as it happens.
	Tracer Tracer
	// Probe, if set, receives every Context.Probe: a measurement a node
	// reports to an observer outside the simulated world.
	Probe func(Probe)
	// NoHash turns off the running trace hash (only benchmarks want this).
	NoHash bool
	// Pending, if set, is how many events the run may have queued at
	// once: the queue is sized for them up front, as one heap. A
	// protocol that queues a known burst (OM(m)'s last round: about a
	// million orders) then allocates its queue once, instead of growing
	// it and holding each outgrown copy until the next collection. It
	// changes nothing else: the order of events is the same.
	Pending int
	// Observations, if set, is about how many observations the run will
	// make: the list is sized for them up front (up to maxObservationsHint;
	// beyond it, and beyond the hint, it grows by doubling as before). A
	// run that observes every command on every replica otherwise spends a
	// third of its allocations copying the list as it grows.
	Observations int
}

// maxObservationsHint caps Config.Observations' up-front allocation
// (56 MB of observations).
const maxObservationsHint = 1 << 20

// Counters count what happened in a run.
type Counters struct {
	Events     int `json:"events"`
	Sent       int `json:"sent"`
	Delivered  int `json:"delivered"`
	Dropped    int `json:"dropped"`
	Duplicated int `json:"duplicated"`
	Timers     int `json:"timers"`
	Crashes    int `json:"crashes"`
	Restarts   int `json:"restarts"`
}

// StopReason says why a run ended.
type StopReason string

// The reasons a run ends.
const (
	StopQuiescent StopReason = "quiescent" // no event left
	StopLimit     StopReason = "limit"     // the time limit was reached
	StopPredicate StopReason = "predicate" // Config.Stop held
	StopMaxEvents StopReason = "max-events"
)

// Result is what a run returns.
type Result struct {
	Counters
	Observations []Observation
	Hash         uint64
	End          Time
	Reason       StopReason
}

// HashString renders the trace hash as 16 hex digits.
func (r Result) HashString() string { return fmt.Sprintf("%016x", r.Hash) }

// nodeState is two 64-byte cache lines: the first holds what a delivery
// reads (node, ctx, crashed) and the node's random stream, the second that
// stream's generator, so that at thousands of nodes neither an event nor
// a draw chases pointers to memory elsewhere.
type nodeState struct {
	node    Node
	ctx     nodeCtx
	rng     rand.Rand // drawing from pcg
	crashed bool
	inc     uint32
	storage memStorage
	pcg     rand.PCG
	_       [48]byte
}

// World is one simulated run. Build it with New, schedule environment events
// (crashes, partitions) with At, CrashAt and RestartAt, then call Run once.
type World struct {
	cfg       Config
	net       Model
	warmer    Warmer // net, if it is one and the world is large
	choices   Choices
	nodes     []nodeState
	ids       []NodeID
	q         queue
	seq       uint64
	now       Time
	nextTimer TimerID
	cancelled map[TimerID]struct{}
	counters  Counters
	obs       []Observation
	hash      uint64
	buf       []byte
	obsBuf    []byte
	index     int
	msgs      uint64
	lastEvent Time // time of the last event that happened (not of a void timer)
	ran       bool
}

// New builds a world from cfg. It panics on a programming error in cfg
// (no nodes, no constructor); user input is validated before it gets here.
func New(cfg Config) *World {
	if cfg.Nodes <= 0 || cfg.New == nil {
		panic("sim: Config needs Nodes > 0 and a New function")
	}
	w := &World{
		cfg:       cfg,
		net:       cfg.Network,
		choices:   cfg.Choices,
		nodes:     make([]nodeState, cfg.Nodes),
		ids:       make([]NodeID, cfg.Nodes),
		cancelled: make(map[TimerID]struct{}),
		hash:      fnvOffset,
		buf:       make([]byte, 0, 256),
	}
	if cfg.Pending > 0 {
		w.q.reserve(cfg.Pending)
	}
	if cfg.Observations > 0 {
		w.obs = make([]Observation, 0, min(cfg.Observations, maxObservationsHint))
	}
	if w.net == nil {
		w.net = FixedDelay{D: Millisecond}
	}
	if w.choices == nil {
		w.choices = Boring{}
	}
	for i := range w.nodes {
		id := NodeID(i)
		w.ids[i] = id
		st := &w.nodes[i]
		st.ctx = nodeCtx{w: w, id: id}
		st.storage = memStorage{}
		st.pcg = *nodeStream(cfg.Seed, id)
		st.rng = *rand.New(&st.pcg)
	}
	return w
}

// Now is the current virtual time.
func (w *World) Now() Time { return w.now }

// Choices is the run's environment source, for models and fault plans.
func (w *World) Choices() Choices { return w.choices }

// Nodes lists the node ids.
func (w *World) Nodes() []NodeID { return w.ids }

// Node returns node id's current state machine, for inspection by tests.
func (w *World) Node(id NodeID) Node { return w.nodes[id].node }

// Crashed reports whether node id is down.
func (w *World) Crashed(id NodeID) bool { return w.nodes[id].crashed }

// Observations returns what nodes have observed so far. Do not modify it.
func (w *World) Observations() []Observation { return w.obs }

// Pending is the number of queued events (cancelled timers included until
// they are swept out).
func (w *World) Pending() int { return w.q.len() }

// Counters returns the counts so far.
func (w *World) Counters() Counters { return w.counters }

// At schedules an environment action (a partition, a heal, a loss window) at
// time t. kind and detail appear in the trace; fn runs when the time comes.
func (w *World) At(t Time, kind, detail string, fn func()) {
	w.push(t, &event{kind: evAction, tag: &action{kind: kind, detail: detail, fn: fn}})
}

// CrashAt schedules node id to crash at time t: it loses everything but its
// Storage, its timers are void and messages to it are dropped.
func (w *World) CrashAt(t Time, id NodeID) { w.push(t, &event{kind: evCrash, to: int32(id)}) }

// RestartAt schedules node id to restart at time t, rebuilt by Config.New
// around its surviving Storage. Restarting a running node does nothing.
func (w *World) RestartAt(t Time, id NodeID) { w.push(t, &event{kind: evRestart, to: int32(id)}) }

func (w *World) push(at Time, e *event) {
	w.seq++
	w.q.push(at, w.seq, e)
}

// Run executes the world until quiescence, the time limit, MaxEvents or the
// Stop predicate, and returns the result. A World runs once.
func (w *World) Run() Result {
	if w.ran {
		panic("sim: World.Run called twice")
	}
	w.ran = true
	for i := range w.nodes {
		st := &w.nodes[i]
		st.node = w.cfg.New(NodeID(i))
		w.record(TraceStart, NodeID(i), NodeID(i), nil, 0, 0, "")
		st.node.Start(&st.ctx)
	}
	reason := StopQuiescent
	if w.cfg.Stop != nil && w.cfg.Stop(w) {
		return w.result(StopPredicate)
	}
	ahead := len(w.nodes) >= prefetchFrom
	if ahead {
		w.warmer, _ = w.net.(Warmer)
	}
	for w.q.len() > 0 {
		if w.cfg.Limit > 0 && w.q.peek() > w.cfg.Limit {
			w.now = w.cfg.Limit
			reason = StopLimit
			break
		}
		if w.cfg.MaxEvents > 0 && w.counters.Events >= w.cfg.MaxEvents {
			reason = StopMaxEvents
			break
		}
		var e event
		w.now = w.q.pop(&e)
		if ahead {
			w.prefetchNext()
		}
		w.step(&e)
		if w.cfg.Stop != nil && w.cfg.Stop(w) {
			reason = StopPredicate
			break
		}
	}
	return w.result(reason)
}

// prefetchNext starts loading what the next events will read, while this
// one runs: at thousands of nodes a node's state is a cache miss by the
// time an event reaches it. Which node an event happens at is in its slab
// entry, so the prefetches form a pipeline along the front heap's top tiers,
// each stage reading only what the stage before asked for an event ago:
// the slab entries of the heap's third tier (h[4..7]); the kernel state
// of the nodes of its second tier (h[2], h[3]), read from their entries;
// and the node itself of the likely next event (h[1]), from its kernel
// state — its first two lines, since a node that first receives a block
// reads past its first line — and, if the network is a Warmer, what
// routing that node's sends will read. Dropping either of the first two
// stages measured slower at 10,000 Nakamoto nodes, and so did issuing
// each prefetch as its own call (prefetch.Four takes four). It changes
// no value, only how soon later reads are served.
//
// Below prefetchFrom nodes the nodes' state stays in the cache and the
// prefetches would only cost time (about 5% of an event at 100 nodes).
func (w *World) prefetchNext() {
	q := &w.q
	h := q.h
	if len(h) < 8 {
		return
	}
	slab := q.slab
	prefetch.Four(unsafe.Pointer(&slab[h[4].slot()]), unsafe.Pointer(&slab[h[5].slot()]),
		unsafe.Pointer(&slab[h[6].slot()]), unsafe.Pointer(&slab[h[7].slot()]))
	nodes := w.nodes
	a, b := uint(slab[h[2].slot()].to), uint(slab[h[3].slot()].to)
	if a < uint(len(nodes)) && b < uint(len(nodes)) {
		prefetch.Four(unsafe.Pointer(&nodes[a]), unsafe.Pointer(&nodes[a].pcg), unsafe.Pointer(&nodes[b]), unsafe.Pointer(&nodes[b].pcg))
	}
	if i := uint(slab[h[1].slot()].to); i < uint(len(nodes)) {
		if p := (*[2]unsafe.Pointer)(unsafe.Pointer(&nodes[i].node))[1]; p != nil {
			prefetch.Lines(p)
		}
		if w.warmer != nil {
			w.warmer.Warm(NodeID(i))
		}
	}
}

// prefetchFrom is the number of nodes from which the kernel prefetches
// the next events' node state (prefetchNext): 2,048 nodes' kernel state
// alone is 256 kB.
const prefetchFrom = 2048

func (w *World) result(r StopReason) Result {
	end := w.lastEvent
	if r == StopLimit {
		end = w.cfg.Limit
	}
	return Result{Counters: w.counters, Observations: w.obs, Hash: w.hash, End: end, Reason: r}
}

func (w *World) step(e *event) {
	from, to := NodeID(e.from), NodeID(e.to)
	switch e.kind {
	case evDeliver:
		st := &w.nodes[to]
		if st.crashed {
			w.counters.Events++
			w.counters.Dropped++
			w.record(TraceDrop, from, to, e.msg, e.msgID, 0, "crashed")
			return
		}
		w.counters.Events++
		w.counters.Delivered++
		w.record(TraceDeliver, from, to, e.msg, e.msgID, 0, "")
		st.node.Deliver(&st.ctx, from, e.msg)
	case evTimer:
		if len(w.cancelled) > 0 {
			if _, ok := w.cancelled[e.timer]; ok {
				delete(w.cancelled, e.timer)
				return
			}
		}
		st := &w.nodes[to]
		if st.crashed || st.inc != e.inc {
			return // the timer died with the node
		}
		w.counters.Events++
		w.counters.Timers++
		w.record(TraceTimer, to, to, nil, 0, e.timer, "")
		st.node.Fire(&st.ctx, e.timer, e.tag)
	case evCrash:
		st := &w.nodes[to]
		if st.crashed {
			return
		}
		w.counters.Events++
		w.counters.Crashes++
		st.crashed = true
		st.node = nil
		w.record(TraceCrash, to, to, nil, 0, 0, "")
	case evRestart:
		st := &w.nodes[to]
		if !st.crashed {
			return
		}
		w.counters.Events++
		w.counters.Restarts++
		st.crashed = false
		st.inc++
		st.node = w.cfg.New(to)
		w.record(TraceRestart, to, to, nil, 0, 0, "")
		st.node.Start(&st.ctx)
	case evAction:
		w.counters.Events++
		act := e.tag.(*action)
		w.record(TraceKind(act.kind), -1, -1, nil, 0, 0, act.detail)
		if act.fn != nil {
			act.fn()
		}
	}
}

// record folds one event into the running hash and hands it to the tracer.
func (w *World) record(kind TraceKind, from, to NodeID, msg Message, msgID uint64, timer TimerID, detail string) {
	w.recordDetail(kind, from, to, msg, msgID, timer, detail, nil)
}

// recordDetail is record with the detail given either as a string or as
// bytes (detailBytes, when not nil). Observations pass bytes so that a run
// without a tracer formats no strings; both forms hash alike.
func (w *World) recordDetail(kind TraceKind, from, to NodeID, msg Message, msgID uint64, timer TimerID, detail string, detailBytes []byte) {
	w.index++
	w.lastEvent = w.now
	if !w.cfg.NoHash {
		code := kindCode(kind)
		h := fold(w.hash, uint64(w.now), code)
		h = fold(h, uint64(int64(from))<<32^uint64(uint32(to)), uint64(timer)^msgID)
		// A message's contents are hashed once, when it is sent; its
		// delivery, drop or duplicate names it by its send's id, which
		// the send folded in beside the contents.
		if code == codeSend {
			b := msg.AppendDigest(w.buf[:0])
			h = foldBytes(h, b)
			w.buf = b
		}
		if detailBytes != nil {
			h = foldBytes(h, detailBytes)
		} else if detail != "" {
			h = foldString(h, detail)
		}
		w.hash = h
	}
	if w.cfg.Tracer != nil {
		if detailBytes != nil {
			detail = string(detailBytes)
		}
		w.cfg.Tracer.Record(TraceEvent{Index: w.index, Time: w.now, Kind: kind, From: from, To: to, Msg: msg, MsgID: msgID, Timer: timer, Detail: detail})
	}
}

// send routes msg through the network and schedules its delivery.
func (w *World) send(from, to NodeID, msg Message) {
	if to < 0 || int(to) >= len(w.nodes) {
		panic(fmt.Sprintf("sim: node %d sent to unknown node %d", from, to))
	}
	w.counters.Sent++
	w.msgs++
	id := w.msgs
	w.record(TraceSend, from, to, msg, id, 0, "")
	f := w.net.Route(Link{From: from, To: to, Now: w.now, Msg: msg, Choices: w.choices})
	if f.Drop {
		w.counters.Dropped++
		w.record(TraceDrop, from, to, msg, id, 0, f.Reason)
		return
	}
	w.seq++
	w.q.pushDeliver(w.now+f.Delay, w.seq, int32(from), int32(to), id, msg)
	if f.Duplicate {
		w.counters.Duplicated++
		w.record(TraceDuplicate, from, to, msg, id, 0, "")
		w.seq++
		w.q.pushDeliver(w.now+f.DupDelay, w.seq, int32(from), int32(to), id, msg)
	}
}

// nodeCtx is the Context of one node; it lives inside the World so handing
// it to a handler allocates nothing.
type nodeCtx struct {
	w  *World
	id NodeID
}

func (c *nodeCtx) Self() NodeID    { return c.id }
func (c *nodeCtx) Nodes() []NodeID { return c.w.ids }
func (c *nodeCtx) Now() Time       { return c.w.now }
func (c *nodeCtx) Rand() *rand.Rand {
	return &c.w.nodes[c.id].rng
}
func (c *nodeCtx) Storage() Storage { return c.w.nodes[c.id].storage }

func (c *nodeCtx) Send(to NodeID, msg Message) { c.w.send(c.id, to, msg) }

func (c *nodeCtx) After(d Time, tag any) TimerID {
	if d < 0 {
		d = 0
	}
	w := c.w
	w.nextTimer++
	id := w.nextTimer
	w.seq++
	w.q.pushTimer(w.now+d, w.seq, int32(c.id), w.nodes[c.id].inc, id, tag)
	return id
}

func (c *nodeCtx) Cancel(id TimerID) {
	w := c.w
	if id == 0 || id > w.nextTimer {
		return
	}
	w.cancelled[id] = struct{}{}
	// Cancelled timers stay queued until their time comes (lazy deletion
	// keeps Cancel O(1)). When they outnumber the live events, sweep them
	// out so a protocol that re-arms timers often does not grow the queue
	// without bound; the (time, seq) order is total, so this cannot change
	// what happens next.
	if len(w.cancelled) > 1024 && len(w.cancelled) > w.q.len()/2 {
		w.q.compact(func(e *event) bool {
			_, dead := w.cancelled[e.timer]
			return e.kind == evTimer && dead
		})
		clear(w.cancelled) // every cancelled timer still queued is gone; the rest had fired
	}
}

func (c *nodeCtx) Probe(kind ProbeKind, a, b int64) {
	if p := c.w.cfg.Probe; p != nil {
		p(Probe{Time: c.w.now, Node: c.id, Kind: kind, A: a, B: b})
	}
}

func (c *nodeCtx) Observe(kind string, slot int, value string) {
	w := c.w
	o := Observation{Time: w.now, Node: c.id, Kind: kind, Slot: slot, Value: value}
	w.obs = append(w.obs, o)
	// "kind[slot]=value", built in a reused buffer: no allocation unless a
	// tracer wants the text.
	b := append(w.obsBuf[:0], kind...)
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(slot), 10)
	b = append(b, "]="...)
	b = append(b, value...)
	w.obsBuf = b
	w.recordDetail(TraceObserve, c.id, c.id, nil, 0, 0, "", b)
}

func (c *nodeCtx) Sign(payload []byte) Signature {
	return Signature{signer: c.id, mac: signMAC(c.id, payload), ok: true}
}
