package sim

// eventKind says what an event does when it fires.
type eventKind uint8

const (
	evDeliver eventKind = iota + 1
	evTimer
	evCrash
	evRestart
	evAction
)

// event is one entry of the queue. It is stored by value so the steady state
// of a run allocates nothing per event.
type event struct {
	at    Time
	seq   uint64
	kind  eventKind
	from  NodeID
	to    NodeID
	inc   uint32 // incarnation of the target node when scheduled (timers)
	timer TimerID
	msg   Message
	tag   any
	act   *action
}

type action struct {
	kind   string
	detail string
	fn     func()
}

func (e *event) before(o *event) bool {
	if e.at != o.at {
		return e.at < o.at
	}
	return e.seq < o.seq
}

// queue is a binary min-heap of events by (time, seq). Insertion sequence
// numbers are unique, so the order is total and ties are deterministic.
// It is written out rather than using container/heap to avoid boxing each
// event in an interface (an allocation per push).
type queue struct{ h []event }

func (q *queue) len() int { return len(q.h) }

func (q *queue) push(e event) {
	q.h = append(q.h, e)
	i := len(q.h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q.h[i].before(&q.h[p]) {
			break
		}
		q.h[i], q.h[p] = q.h[p], q.h[i]
		i = p
	}
}

func (q *queue) pop() event {
	top := q.h[0]
	last := len(q.h) - 1
	q.h[0] = q.h[last]
	q.h[last] = event{} // drop references for the GC
	q.h = q.h[:last]
	i := 0
	n := len(q.h)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && q.h[r].before(&q.h[l]) {
			m = r
		}
		if !q.h[m].before(&q.h[i]) {
			break
		}
		q.h[i], q.h[m] = q.h[m], q.h[i]
		i = m
	}
	return top
}
