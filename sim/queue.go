package sim

import (
	"math"
	"math/bits"
	"unsafe"

	"simulate/internal/prefetch"
)

// eventKind says what an event does when it fires.
type eventKind uint8

const (
	evDeliver eventKind = iota + 1
	evTimer
	evCrash
	evRestart
	evAction
)

// event is one scheduled happening. Events live in a slab and the heap
// orders small (time, seq, slot) keys, so sifting moves 16 bytes rather
// than the whole event, and the steady state allocates nothing.
type event struct {
	kind  eventKind
	inc   uint32 // incarnation of the target node when scheduled (timers)
	from  int32
	to    int32
	timer TimerID
	msgID uint64 // which send this delivery belongs to (traces only)
	msg   Message
	tag   any // a timer's tag, or an environment action's *action
}

// What an event carries beyond its time and kind, as the slab stores it:
// 32 bytes, half a cache line, so at large queues twice as many pending
// payloads stay in the cache and one payload never straddles two lines.
// A timer's incarnation and a delivery's sender share aux, its timer id
// and send id share id (the event's kind rides in id's top byte: no run
// numbers 2^56 timers or messages), and its tag, message or action share
// val (a message goes back to Message when popped).
type payload struct {
	to  int32
	aux uint32
	id  uint64
	val any
}

type action struct {
	kind   string
	detail string
	fn     func()
}

// key is what the heap orders: 16 bytes, so that a node's two children
// fill half a cache line (see queue.h). The insertion sequence number and
// a slab slot share one word: the sequence in the high 40 bits (a
// trillion events a run) keeps the order, the slot in the low 24 bits (16
// million pending events) finds the event.
//
// Keys were 24 bytes once, and a plain timer (no tag) rode whole in its
// key so that it never read the slab. Two children of 24 bytes straddle
// two cache lines at three levels out of four, and the descent of a pop
// is where a large queue's time goes; at 16 bytes every level reads one
// line and the heap is a third smaller, which paid more than the slab
// read it costs a plain timer (the slab entry of the next event is
// prefetched while the current one runs).
type key struct {
	at      Time
	seqSlot uint64
}

const (
	slotBits = 24
	maxSlots = 1 << slotBits

	// A payload's id keeps the event's kind in its top byte.
	kindShift = 56
	idMask    = 1<<kindShift - 1
)

func (k key) slot() int32 { return int32(k.seqSlot & (maxSlots - 1)) }

func (k key) before(o key) bool {
	if k.at != o.at {
		return k.at < o.at
	}
	return k.seqSlot < o.seqSlot
}

// beforeBit is before as 0 or 1, computed without a branch: (at, seqSlot)
// is compared as one 128-bit number (the time's sign bit flipped so that
// unsigned order is signed order) by a subtraction's borrow. Choosing the
// smaller child on a heap's way down is a coin toss no branch predictor
// can learn; a mispredicted branch there costs more than the whole
// arithmetic, and the bare heap loop pays it at every level.
func (k key) beforeBit(o key) int {
	const sign = 1 << 63
	_, b := bits.Sub64(k.seqSlot, o.seqSlot, 0)
	_, b = bits.Sub64(uint64(k.at)^sign, uint64(o.at)^sign, b)
	return int(b)
}

// branchlessBelow is how deep into the heap pop picks the smaller child
// without a branch. Near the root the keys sit in the L1 cache and the
// branch's coin toss is all that costs; deeper, where a level is a cache
// miss, a predicted branch lets the processor start loading the next level
// before the comparison is done, which measured faster than waiting for it
// (1,024 keys, 24 KiB: the best of 2^10, 2^13 and 2^15 at 100,000 and
// 1,000,000 pending; branchless all the way down was 2-3x slower there).
const branchlessBelow = 1 << 10

// queue orders events by (time, seq). Insertion sequence numbers are
// unique, so the order is total and ties are deterministic.
//
// It is a small binary heap in front of a radix heap. The radix part
// keeps each key in a level by how far its time is from a base time: the
// position of the highest bit in which they differ. Every key in a lower
// level comes before every key in a higher one, so a push is an append,
// and only when the heap in front runs dry is the lowest level split
// around its least time into the levels below it; the front takes the
// lowest levels, up to frontMax keys. A key only ever moves to a lower
// level, each move part of a sequential pass, and the binary heap a pop
// descends stays about a thousand keys in the first-level cache, where a
// binary heap of every pending event was a cache miss at each of its
// lower levels from 100,000 events on (and at 10,000 Nakamoto nodes,
// 40,000 pending events, that descent was a third of the run). The
// front is spilled back to the levels when pushes swell it (a block's
// wave of deliveries), so it stays small.
//
// The levels' arrays pass from level to level as the base moves on (a
// split writes the largest of its parts back into the level's own
// array, and emptied arrays are kept for the next level that needs
// one), so a run holds about twice its pending keys, not an array grown
// for its busiest moment at every level. A run that declares its burst
// (Config.Pending, reserve) keeps one heap of every event instead, in
// one array sized for it: at OM(m)'s million orders the levels held a
// fifth more memory.
//
// It is written out rather than using container/heap to avoid boxing each
// entry in an interface (an allocation per push).
type queue struct {
	// h is the front: a binary heap rooted at h[1] of the keys at levels
	// up to frontLevel (and any key timed before base, which no level
	// can hold). Every key in levels comes after every key in h.
	h []key
	// base is the radix base, as ord gives times: every key in levels is
	// at or after it. levels[l] holds the keys whose ord(at)^base has its
	// highest bit at position l-1 (level 0: at base itself), each level
	// rooted at index 1 like h so that a level can become the front.
	base       uint64
	frontLevel int
	levels     [65][]key
	far        int // keys in levels
	// spillAt is the size past which pushes into the front spill it
	// (twice what refill left there, and at least twice frontMax).
	spillAt int
	// arrays are the levels' arrays handed back when they emptied.
	arrays [][]key
	// slab holds the payloads; free is a stack of the slots handed back,
	// the latest on top. It is a dense array of its own rather than a list
	// linked through the free entries: taking a slot from a linked list
	// reads the entry to learn the next one, and when a flood of sends
	// takes many slots in a row, freed long ago and out of the cache, each
	// of those reads was a cache miss waiting on the one before (Nakamoto
	// at 10,000 nodes spent about a tenth of its time there). The stack's
	// top is in the cache, and the entry is only written. That alone only
	// moved the time (the write to a cold line held up the stores behind
	// it), so push also prefetches the entry the next push will write,
	// and its line is on its way while the handler runs on. free's
	// capacity follows the slab's, so freeing never allocates (a slice
	// grown by append as a burst of a million events drained copied
	// itself several times over).
	slab []payload
	free []int32
}

// release hands slot back, dropping its references for the GC.
func (q *queue) release(slot int32) {
	q.slab[slot] = payload{}
	q.free = append(q.free, slot)
}

// The heap starts at h[1] (h[0] is never used), so the children of i are
// 2i and 2i+1: with 16-byte keys and an array that starts on a cache
// line (the runtime places every array of 1 KiB or more on one), a
// node's two children always share one line, and each level of a pop's
// descent reads one line (a heap rooted at 0, as the bare loop's is,
// straddles two lines at every other level).

func (q *queue) len() int { return max(len(q.h)-1, 0) + q.far }

// frontMax is about how many keys the front heap takes from the levels
// (16 KiB: half the first-level cache).
const frontMax = 1024

// size is how many keys level l holds (past its unused index 0).
func (q *queue) size(l int) int { return max(len(q.levels[l])-1, 0) }

// ord maps a time to an unsigned number in the same order.
func ord(t Time) uint64 { return uint64(t) ^ 1<<63 }

// reserve sizes the queue for n pending events (at most maxSlots), so
// that a known burst is allocated once rather than by doubling, each
// outgrown copy held until the next collection.
func (q *queue) reserve(n int) {
	n = min(n, maxSlots)
	q.slab = make([]payload, 0, n)
	q.free = make([]int32, 0, n)
	if n > frontMax {
		// One heap of every event, in one array sized for the burst: the
		// levels would hold a burst spread over a few times in several
		// arrays, about a fifth more memory at OM(m)'s scale, and such a
		// run is the burst and little else.
		q.h = make([]key, 1, n+1)
		q.frontLevel, q.spillAt = len(q.levels)-1, math.MaxInt
	}
}

// peek returns the time of the next event.
func (q *queue) peek() Time {
	if len(q.h) <= 1 {
		q.refill()
	}
	return q.h[1].at
}

// pushKey queues k: in its level, or in the front if its level is the
// front's (or it comes before base).
func (q *queue) pushKey(k key) {
	if x := ord(k.at); x >= q.base {
		if l := bits.Len64(x ^ q.base); l > q.frontLevel {
			q.levels[l] = q.appendLevel(q.levels[l], k)
			q.far++
			return
		}
	}
	if len(q.h) == 0 {
		q.h = make([]key, 1, 64)
		q.spillAt = max(q.spillAt, 2*frontMax+1)
	}
	q.h = append(grow(q.h), k)
	q.up(len(q.h) - 1)
	if len(q.h) > q.spillAt {
		q.spill()
	}
}

// appendLevel appends k to level s, which starts with its unused index 0.
func (q *queue) appendLevel(s []key, k key) []key {
	if len(s) == 0 {
		s = q.takeArray(0)
	}
	if len(s) == cap(s) {
		old := s
		s = grow(s)
		q.keepArray(old) // outgrown: for another level
	}
	return append(s, k)
}

// takeArray returns an array with room for n keys for a level that was
// empty, with its unused index 0: the smallest that fits of those the
// levels handed back (giveBack, appendLevel), or a new one.
func (q *queue) takeArray(n int) []key {
	best := -1
	for i, a := range q.arrays {
		if cap(a) <= n {
			continue
		}
		// Pushes to come (n = 0): the largest; a known size: the
		// smallest that fits.
		if best < 0 || (n == 0) == (cap(a) > cap(q.arrays[best])) {
			best = i
		}
	}
	if best < 0 {
		return make([]key, 1, max(2*n+2, 16))
	}
	a := q.arrays[best]
	last := len(q.arrays) - 1
	q.arrays[best], q.arrays[last] = q.arrays[last], nil
	q.arrays = q.arrays[:last]
	return a[:1]
}

// keepArray keeps a, emptied, for takeArray: up to maxArrays of them,
// the largest.
func (q *queue) keepArray(a []key) {
	if cap(a) == 0 {
		return
	}
	if len(q.arrays) < maxArrays {
		q.arrays = append(q.arrays, a[:0])
		return
	}
	small := 0
	for i, b := range q.arrays {
		if cap(b) < cap(q.arrays[small]) {
			small = i
		}
	}
	if cap(a) > cap(q.arrays[small]) {
		q.arrays[small] = a[:0]
	}
}

// maxArrays is how many emptied arrays the queue keeps.
const maxArrays = 16

// giveBack hands level l's array, now empty, back for takeArray.
func (q *queue) giveBack(l int) {
	q.keepArray(q.levels[l])
	q.levels[l] = nil
}

// spill moves the front back to the levels, around its least key as the
// new base, and takes the front afresh: a burst pushed into the front
// (a block's wave of deliveries) would otherwise make it a binary heap
// of the whole burst. The front's least key shares every bit above
// frontLevel with base, so no key in the levels changes level.
func (q *queue) spill() {
	m := ord(q.h[1].at)
	if m < q.base {
		return // a key timed before base (rare): the front stays a heap
	}
	q.base = m
	for _, k := range q.h[1:] {
		l := bits.Len64(ord(k.at) ^ m)
		q.levels[l] = q.appendLevel(q.levels[l], k)
	}
	q.far += len(q.h) - 1
	q.h = q.h[:1]
	q.refill()
}

// bigLevel is the size (1 MiB of keys) above which level 0 becomes the
// front by handing over its array rather than by copying its keys.
const bigLevel = 1 << 16

// split splits level low around m, its least time (last its greatest),
// into the levels below. The level's own array keeps the keys of the
// level that gets the most of them (one time alone: all of them),
// written in place behind the read; the others take arrays of the size
// they need (takeArray). A large level spread over a few times is then
// held once and a half at most, not copied into arrays grown by
// doubling, and a run's arrays pass from level to level as its base
// moves on rather than each level growing its own.
func (q *queue) split(low int, m, last uint64) {
	ks := q.levels[low]
	var count [len(q.levels)]int
	if m == last {
		count[0] = len(ks) - 1
	} else {
		for _, k := range ks[1:] {
			count[bits.Len64(ord(k.at)^m)]++
		}
	}
	big := 0
	for l, c := range count {
		if c > count[big] {
			big = l
		}
	}
	for l, c := range count {
		if l == big || c == 0 {
			continue
		}
		q.levels[l] = q.takeArray(c) // the level is empty: it is below low
	}
	w := 1
	for _, k := range ks[1:] {
		if l := bits.Len64(ord(k.at) ^ m); l == big {
			ks[w] = k
			w++
		} else {
			q.levels[l] = append(q.levels[l], k)
		}
	}
	q.keepArray(q.levels[big])
	q.levels[big], q.levels[low] = ks[:w], nil
}

// refill fills the empty front from the levels: it splits the lowest
// level around its least time, the new base, into the levels below, and
// takes the lowest levels as the front, at least level 0 and as many
// more as fit frontMax keys.
func (q *queue) refill() {
	if q.far == 0 {
		return
	}
	low := 0
	for len(q.levels[low]) <= 1 {
		low++
	}
	if low > 0 {
		ks := q.levels[low]
		m := ord(ks[1].at)
		last := m
		for _, k := range ks[2:] {
			x := ord(k.at)
			m = min(m, x)
			last = max(last, x)
		}
		q.base = m
		q.split(low, m, last)
	}
	top, n := 0, q.size(0)
	for top < len(q.levels)-1 && n+q.size(top+1) <= frontMax {
		top++
		n += q.size(top)
	}
	q.frontLevel = top
	q.far -= n
	q.spillAt = 2*max(n, frontMax) + 1
	if n == q.size(0) && n > bigLevel {
		// A large level 0 alone, whose keys share one time: its array
		// becomes the front.
		q.keepArray(q.h)
		q.h, q.levels[0] = q.levels[0], nil
	} else {
		if len(q.h) == 0 {
			q.h = make([]key, 1, 2*frontMax+2)
		}
		for l := 0; l <= top; l++ {
			if len(q.levels[l]) > 1 {
				q.h = append(q.h, q.levels[l][1:]...)
				q.giveBack(l)
			}
		}
	}
	for i := (len(q.h) - 1) / 2; i >= 1; i-- {
		q.down(i)
	}
}

// The kernel pushes through three doors, one for each shape of event,
// each taking its fields as arguments: a 64-byte event passed by value
// goes through the stack, and copying it there stalled on store
// forwarding (two thirds of the time of setting a timer).

// pushTimer queues timer of node to (at incarnation inc) with its tag.
func (q *queue) pushTimer(at Time, seq uint64, to int32, inc uint32, timer TimerID, tag any) {
	q.pushSlab(at, seq, payload{to: to, aux: inc, id: uint64(evTimer)<<kindShift | uint64(timer), val: tag})
}

// pushDeliver queues the delivery of msg (send msgID) from from to to.
func (q *queue) pushDeliver(at Time, seq uint64, from, to int32, msgID uint64, msg Message) {
	p := payload{to: to, aux: uint32(from), id: uint64(evDeliver)<<kindShift | msgID}
	if msg != nil {
		p.val = msg
	}
	q.pushSlab(at, seq, p)
}

// push queues any event; the environment's (crashes, restarts, actions)
// come this way.
func (q *queue) push(at Time, seq uint64, e *event) {
	switch e.kind {
	case evTimer:
		q.pushTimer(at, seq, e.to, e.inc, e.timer, e.tag)
	case evDeliver:
		q.pushDeliver(at, seq, e.from, e.to, e.msgID, e.msg)
	default:
		q.pushSlab(at, seq, payload{to: e.to, aux: e.inc, id: uint64(e.kind)<<kindShift | uint64(e.timer), val: e.tag})
	}
}

// pushSlab queues the event whose payload is p.
func (q *queue) pushSlab(at Time, seq uint64, p payload) {
	var slot int32
	if n := len(q.free) - 1; n >= 0 {
		slot = q.free[n]
		q.free = q.free[:n]
		q.slab[slot] = p
		if n > 0 {
			// The slot the next push takes (see free).
			prefetch.Line(unsafe.Pointer(&q.slab[q.free[n-1]]))
		}
	} else {
		if len(q.slab) >= maxSlots {
			panic("sim: more than 16,777,216 events pending at once")
		}
		slot = int32(len(q.slab))
		q.slab = append(grow(q.slab), p)
		if cap(q.free) < cap(q.slab) {
			q.free = make([]int32, 0, cap(q.slab))
		}
	}
	q.pushKey(key{at: at, seqSlot: seq<<slotBits | uint64(slot)})
}

// grow returns s with room for one more element, doubling its capacity
// when it is full. append grows a large slice by only a quarter, so a
// queue that fills to a million events at once (OM(3)'s last round)
// copied and allocated about five times its final size; doubling copies
// it about once.
func grow[T any](s []T) []T {
	if len(s) < cap(s) {
		return s
	}
	g := make([]T, len(s), max(2*cap(s), 64))
	copy(g, s)
	return g
}

// up sifts the key at i toward the root.
func (q *queue) up(i int) {
	h := q.h
	for i > 1 {
		p := i / 2
		if !h[i].before(h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

// pop removes the next event, unpacks it into e and returns its time.
// Filling in the caller's event, rather than returning one, matters: a
// returned 64-byte struct is copied through the stack with wide loads
// right after its fields were stored narrow, and each such copy stalls
// on store forwarding (it measured ~10% of a pop).
func (q *queue) pop(e *event) Time {
	if len(q.h) <= 1 {
		q.refill()
	}
	h := q.h
	top := h[1]
	last := len(h) - 1
	x := h[last]
	h = h[:last]
	q.h = h
	// Bottom-up deletion (Floyd): walk the hole at the root down to a leaf
	// along the smaller children — one comparison per level, branchless
	// near the root (see branchlessBelow) — then sift the
	// former last key up from there. The last key nearly always belongs
	// near the bottom, so this does about half the comparisons of sifting
	// it down from the root, and those comparisons are the unpredictable
	// branches that dominate a pop.
	if last > 1 {
		i := 1
		for {
			l := 2 * i
			if l >= last {
				break
			}
			m := l
			if r := l + 1; r < last {
				if l < branchlessBelow {
					m += h[r].beforeBit(h[l])
				} else if h[r].before(h[l]) {
					m = r
				}
			}
			h[i] = h[m]
			i = m
		}
		for i > 1 {
			p := i / 2
			if !x.before(h[p]) {
				break
			}
			h[i] = h[p]
			i = p
		}
		h[i] = x
		// Start fetching the payload of the event that will most likely
		// be popped next. Its slab entry was written long ago, so at large
		// queues reading it is a cache miss; issued now, the miss overlaps
		// with this event's handler instead of stalling the next pop. A
		// plain load would not do: it holds up the instructions behind it
		// until it completes, and measured no faster than none.
		prefetch.Line(unsafe.Pointer(&q.slab[h[1].slot()]))
	}
	slot := top.slot()
	q.event(slot, e)
	q.release(slot)
	return top.at
}

// event unpacks the payload in slot into e.
func (q *queue) event(slot int32, e *event) {
	p := &q.slab[slot]
	if kind := eventKind(p.id >> kindShift); kind == evDeliver {
		msg, _ := p.val.(Message)
		*e = event{kind: kind, to: p.to, from: int32(p.aux), msgID: p.id & idMask, msg: msg}
	} else {
		*e = event{kind: kind, to: p.to, inc: p.aux, timer: TimerID(p.id & idMask), tag: p.val}
	}
}

// compact removes every queued event for which dead returns true and
// restores the heap order.
func (q *queue) compact(dead func(e *event) bool) {
	var e event
	keep := func(ks []key) []key {
		kept := ks[:min(len(ks), 1)]
		for _, k := range ks[min(len(ks), 1):] {
			if q.event(k.slot(), &e); dead(&e) {
				q.release(k.slot())
				continue
			}
			kept = append(kept, k)
		}
		return kept
	}
	q.h = keep(q.h)
	for i := (len(q.h) - 1) / 2; i >= 1; i-- {
		q.down(i)
	}
	q.far = 0
	for l := range q.levels {
		q.levels[l] = keep(q.levels[l])
		q.far += q.size(l)
	}
}

// down sifts the key at i toward the leaves.
func (q *queue) down(i int) {
	h := q.h
	n := len(h)
	for {
		l := 2 * i
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h[r].before(h[l]) {
			m = r
		}
		if !h[m].before(h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
