package trace

import (
	"strconv"
	"strings"
)

// VClock is a vector clock: entry i counts the events of node i that
// happen before, or are, the event it belongs to. It turns a trace's total
// order — the order one simulated run happened to pick — into the partial
// order of causality that every run with the same message flow shares, which
// is what ShiViz draws and what "could this have happened the other way
// round?" questions need.
type VClock []int

// Get returns node n's entry (0 beyond the clock's length).
func (c VClock) Get(n int) int {
	if n < 0 || n >= len(c) {
		return 0
	}
	return c[n]
}

// LessEq reports whether every entry of c is at most d's.
func (c VClock) LessEq(d VClock) bool {
	for i, v := range c {
		if v > d.Get(i) {
			return false
		}
	}
	return true
}

// HappensBefore reports whether the event with clock a happens before the
// event with clock b (Lamport's →): a ≤ b entrywise and a ≠ b. Events
// without a clock (nil) are related to nothing.
func HappensBefore(a, b VClock) bool {
	if a == nil || b == nil {
		return false
	}
	return a.LessEq(b) && !b.LessEq(a)
}

// Concurrent reports whether neither of two clocked events happens before
// the other: no message chain links them, so some run could order them
// either way.
func Concurrent(a, b VClock) bool {
	if a == nil || b == nil {
		return false
	}
	return !HappensBefore(a, b) && !HappensBefore(b, a) && !equal(a, b)
}

func equal(a, b VClock) bool { return a.LessEq(b) && b.LessEq(a) }

// String renders the clock as a JSON object of its non-zero entries in node
// order, e.g. {"n0":3,"n2":1}: the form ShiViz and GoVector read.
func (c VClock) String() string {
	var b strings.Builder
	b.WriteByte('{')
	first := true
	for i, v := range c {
		if v == 0 {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(`"n`)
		b.WriteString(strconv.Itoa(i))
		b.WriteString(`":`)
		b.WriteString(strconv.Itoa(v))
	}
	b.WriteByte('}')
	return b.String()
}

// VectorClocks computes a vector clock for every event of f, in event order,
// from the kernel's message ids (MsgID links each delivery to its send):
//
//   - a send ticks the sender;
//   - a delivery merges the send's clock into the receiver's, then ticks it;
//   - start, timer, observation, crash and restart tick their node (a
//     restarted node keeps its clock: its durable state carries its past);
//   - environment actions (From = -1) and the network's own verdicts (drop,
//     duplicate) happen at no node and get nil.
//
// Traces written before message ids existed are paired first in, first
// out per link and message text, as the diagrams do.
func VectorClocks(f File) []VClock {
	n := 0
	for _, e := range f.Events {
		n = max(n, e.From+1, e.To+1)
	}
	send := sendOf(f.Events)
	cur := make([]VClock, n) // each node's latest clock
	for i := range cur {
		cur[i] = make(VClock, n)
	}
	out := make([]VClock, len(f.Events))
	for i, e := range f.Events {
		node := e.To
		switch e.Kind {
		case "send":
			node = e.From
		case "deliver":
			if s := send[i]; s >= 0 && out[s] != nil {
				for j, v := range out[s] {
					cur[node][j] = max(cur[node][j], v)
				}
			}
		case "start", "timer", "observe", "crash", "restart":
		default: // drop, duplicate, environment actions
			continue
		}
		if node < 0 || node >= n {
			continue
		}
		cur[node][node]++
		out[i] = append(VClock(nil), cur[node]...)
	}
	return out
}

// sendOf returns, for each delivery, drop or duplicate, the position of its
// send in evs, and -1 everywhere else (and where no send is found). With
// message ids the link is exact; without them a delivery takes the oldest
// copy in flight on its link, a drop at send time the one just sent, and a
// drop at a crashed node the oldest.
func sendOf(evs []Event) []int {
	out := make([]int, len(evs))
	byID := map[uint64]int{}
	type key struct {
		from, to int
		text     string
	}
	pending := map[key][]int{}
	for i, e := range evs {
		out[i] = -1
		if e.MsgID != 0 {
			switch e.Kind {
			case "send":
				byID[e.MsgID] = i
			case "deliver", "drop", "duplicate":
				if s, ok := byID[e.MsgID]; ok {
					out[i] = s
				}
			}
			continue
		}
		k := key{e.From, e.To, e.Text}
		q := pending[k]
		switch e.Kind {
		case "send":
			pending[k] = append(q, i)
		case "duplicate":
			if len(q) > 0 {
				out[i] = q[len(q)-1]
				pending[k] = append(q, q[len(q)-1])
			}
		case "deliver":
			if len(q) > 0 {
				out[i], pending[k] = q[0], q[1:]
			}
		case "drop":
			if len(q) == 0 {
				break
			}
			if e.Detail == "crashed" {
				out[i], pending[k] = q[0], q[1:]
			} else {
				out[i], pending[k] = q[len(q)-1], q[:len(q)-1]
			}
		}
	}
	return out
}
