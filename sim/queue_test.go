package sim

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
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

// TestQueueMatchesSortedOrder drives the queue as a run does — pushes at
// and after the current time (bursts at one time, near and far timers, a
// few into the past), pops, and sweeps of cancelled timers — and checks
// every pop against the (time, seq) order of a plain sorted list, across
// the front heap's refills and spills.
func TestQueueMatchesSortedOrder(t *testing.T) {
	seeds := uint64(12)
	if testing.Short() || raceEnabled {
		seeds = 2
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		r := rand.New(rand.NewPCG(seed, 99))
		var q queue
		if seed%4 == 0 {
			q.reserve(5000)
		}
		type item struct {
			at  Time
			seq uint64
		}
		var ref []item
		var seq uint64
		now := Time(0)
		push := func(at Time) {
			seq++
			q.pushTimer(at, seq, 0, 0, TimerID(seq), nil)
			it := item{at, seq}
			i, _ := slices.BinarySearchFunc(ref, it, func(a, b item) int {
				if a.at != b.at {
					return cmp.Compare(a.at, b.at)
				}
				return cmp.Compare(a.seq, b.seq)
			})
			ref = slices.Insert(ref, i, it)
		}
		for step := 0; step < 30000; step++ {
			switch op := r.IntN(100); {
			case op < 50:
				switch r.IntN(6) {
				case 0:
					push(now) // at the current time
				case 1:
					push(now + Time(r.IntN(1<<40))) // far
				case 2:
					if r.IntN(50) == 0 {
						push(now - Time(r.IntN(1000))) // into the past
					} else {
						push(now + Time(r.IntN(10)))
					}
				case 3:
					if r.IntN(40) == 0 { // a burst past frontMax: at one time, or spread
						at, spread := now+Time(r.IntN(1_000_000))*Time(r.IntN(2)), r.IntN(2) == 0
						for range frontMax + r.IntN(3*frontMax) {
							if spread {
								push(now + Time(r.IntN(1_000_000)))
							} else {
								push(at)
							}
						}
					}
				default:
					push(now + Time(r.IntN(1_000_000)))
				}
			case op < 99:
				if len(ref) == 0 {
					continue
				}
				require.Equal(t, len(ref), q.len())
				require.Equal(t, ref[0].at, q.peek())
				var e event
				at := q.pop(&e)
				require.Equal(t, ref[0].at, at, "seed %d step %d", seed, step)
				require.Equal(t, TimerID(ref[0].seq), e.timer, "seed %d step %d", seed, step)
				ref = ref[1:]
				now = max(now, at)
			default:
				gone := uint64(r.IntN(7) + 2)
				q.compact(func(e *event) bool { return uint64(e.timer)%gone == 0 })
				ref = slices.DeleteFunc(ref, func(it item) bool { return it.seq%gone == 0 })
				require.Equal(t, len(ref), q.len())
			}
		}
	}
}

// TestQueueLargeLevelBecomesTheFront: a level of more keys than bigLevel,
// all due at one time, becomes the front whole and still comes out in
// push order, before the later keys and after the earlier ones.
func TestQueueLargeLevelBecomesTheFront(t *testing.T) {
	var q queue
	var seq uint64
	push := func(at Time) {
		seq++
		q.pushTimer(at, seq, 0, 0, TimerID(seq), nil)
	}
	push(5)
	for range bigLevel + 100 {
		push(1_000)
	}
	push(2_000)
	push(7)
	want := []Time{5, 7}
	for range bigLevel + 100 {
		want = append(want, 1_000)
	}
	want = append(want, 2_000)
	var prev TimerID
	for i, at := range want {
		var e event
		require.Equal(t, at, q.pop(&e), "pop %d", i)
		if at == 1_000 {
			require.Greater(t, e.timer, prev, "pop %d: push order within one time", i)
			prev = e.timer
		}
	}
	require.Zero(t, q.len())
}
