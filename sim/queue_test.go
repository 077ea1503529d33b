package sim

import (
	"math/rand/v2"
	"sort"
	"testing"
)

// TestQueueOrdersEveryKindOfEvent mixes plain and tagged timers, timers
// with large incarnations and ids, and deliveries, and checks that they
// come out in (time, seq) order with their payloads intact, before and
// after a compaction.
func TestQueueOrdersEveryKindOfEvent(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	type want struct {
		at  Time
		seq uint64
		e   event
	}
	var q queue
	var all []want
	for seq := uint64(1); seq <= 5000; seq++ {
		var e event
		switch r.IntN(6) {
		case 0:
			e = event{kind: evTimer, to: int32(r.IntN(1000)), inc: uint32(r.IntN(5)), timer: TimerID(seq)}
		case 1:
			e = event{kind: evTimer, to: 3, inc: 1<<31 | 5, timer: TimerID(seq)} // a large incarnation
		case 2:
			e = event{kind: evTimer, to: 4, timer: TimerID(1<<55 + seq)} // the largest timer ids
		case 3:
			e = event{kind: evTimer, to: 5, timer: TimerID(seq), tag: int(seq)}
		case 4:
			e = event{kind: evCrash, to: int32(r.IntN(10))}
		default:
			e = event{kind: evDeliver, from: 1, to: 2, msgID: 1<<55 + seq}
		}
		at := Time(r.IntN(100))
		q.push(at, seq, &e)
		all = append(all, want{at, seq, e})
	}
	// Drop every third timer, as Cancel's sweep does.
	dead := func(e *event) bool { return e.kind == evTimer && e.timer%3 == 0 }
	q.compact(dead)
	kept := all[:0]
	for _, w := range all {
		if !dead(&w.e) {
			kept = append(kept, w)
		}
	}
	sort.Slice(kept, func(i, j int) bool {
		if kept[i].at != kept[j].at {
			return kept[i].at < kept[j].at
		}
		return kept[i].seq < kept[j].seq
	})
	for i, w := range kept {
		var e event
		at := q.pop(&e)
		if at != w.at || e != w.e {
			t.Fatalf("pop %d: got %v %+v, want %v %+v", i, at, e, w.at, w.e)
		}
	}
	if q.len() != 0 {
		t.Fatalf("%d events left", q.len())
	}
	free := map[int32]bool{}
	for _, f := range q.free {
		free[f] = true
	}
	if len(free) != len(q.slab) || len(q.free) != len(q.slab) {
		t.Fatalf("slab has %d slots, %d free after draining (%d distinct)", len(q.slab), len(q.free), len(free))
	}
}

// TestBeforeBitIsBefore pins the branchless comparison to the plain one,
// negative and extreme times and equal times included.
func TestBeforeBitIsBefore(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	times := []Time{-1 << 63, -5, -1, 0, 1, 5, 1<<63 - 1}
	pick := func() key {
		at := times[r.IntN(len(times))]
		if r.IntN(2) == 0 {
			at = Time(r.Int64())
		}
		return key{at: at, seqSlot: uint64(r.IntN(3)) << 62}
	}
	for i := 0; i < 100000; i++ {
		a, b := pick(), pick()
		want := 0
		if a.before(b) {
			want = 1
		}
		if got := a.beforeBit(b); got != want {
			t.Fatalf("%+v before %+v: beforeBit %d, before %d", a, b, got, want)
		}
	}
}
