package trace

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// idTrace is a hand-written trace as the kernel writes it, with message
// ids: a send lost on the wire, a relay delivered twice (duplicated), an
// environment action, a timer, a crash and restart, decisions and a
// violation observation.
func idTrace() File {
	ev := func(i int, t int64, kind string, from, to int, msg, text string, id uint64, detail string) Event {
		return Event{Type: "event", Index: i, Time: t, Kind: kind, From: from, To: to, Msg: msg, Text: text, MsgID: id, Detail: detail}
	}
	const ms = 1000000
	return File{
		Header: Header{Type: "header", Version: "test", Protocol: "demo", Seed: 3},
		Events: []Event{
			ev(1, 0, "start", 0, 0, "", "", 0, ""),
			ev(2, 0, "start", 1, 1, "", "", 0, ""),
			ev(3, 0, "start", 2, 2, "", "", 0, ""),
			ev(4, 0, "send", 0, 1, "Order", "Order{attack}", 1, ""),
			ev(5, 0, "send", 0, 2, "Order", "Order{attack}", 2, ""),
			ev(6, 0, "drop", 0, 2, "Order", "Order{attack}", 2, "loss"),
			ev(7, 1*ms, "deliver", 0, 1, "Order", "Order{attack}", 1, ""),
			ev(8, 1*ms, "send", 1, 2, "Relay", "Relay{attack}", 3, ""),
			ev(9, 1*ms, "duplicate", 1, 2, "Relay", "Relay{attack}", 3, ""),
			ev(10, 3*ms/2, "partition", -1, -1, "", "", 0, "{0} | {1,2}"),
			ev(11, 2*ms, "deliver", 1, 2, "Relay", "Relay{attack}", 3, ""),
			ev(12, 2*ms, "timer", 0, 0, "", "", 0, ""),
			ev(13, 2*ms, "observe", 2, 2, "", "", 0, "decide[0]=attack"),
			ev(14, 3*ms, "deliver", 1, 2, "Relay", "Relay{attack}", 3, ""),
			ev(15, 3*ms, "observe", 1, 1, "", "", 0, "decide[0]=retreat"),
			ev(16, 3*ms, "observe", 2, 2, "", "", 0, "violation[0]=agreement: n1 decided retreat, n2 attack"),
			ev(17, 4*ms, "crash", 0, 0, "", "", 0, ""),
			ev(18, 5*ms, "restart", 0, 0, "", "", 0, ""),
		},
		Footer: Footer{Type: "footer", Hash: "00000000000000aa", End: 5 * ms, Reason: "quiescent"},
	}
}

func TestVectorClocksByHand(t *testing.T) {
	c := VectorClocks(idTrace())
	want := map[int]VClock{ // by event number
		1: {1, 0, 0}, 2: {0, 1, 0}, 3: {0, 0, 1},
		4: {2, 0, 0}, 5: {3, 0, 0},
		7:  {2, 2, 0}, // merged the send's {2,0,0}, then ticked
		8:  {2, 3, 0},
		11: {2, 3, 2},
		12: {4, 0, 0},
		13: {2, 3, 3},
		14: {2, 3, 4}, // the duplicate copy merges the same send again
		15: {2, 4, 0},
		16: {2, 3, 5},
		17: {5, 0, 0}, 18: {6, 0, 0}, // a restarted node keeps its clock
	}
	for i, got := range c {
		n := i + 1
		if w, ok := want[n]; ok {
			require.Equal(t, w, got, "event #%d", n)
		} else {
			require.Nil(t, got, "event #%d happens at no node", n)
		}
	}
	require.Equal(t, `{"n0":2,"n1":3,"n2":5}`, c[15].String())
	require.Equal(t, `{"n0":6}`, c[17].String())
}

func TestHappensBefore(t *testing.T) {
	c := VectorClocks(idTrace())
	at := func(n int) VClock { return c[n-1] }
	// A message chain: n0's send, n1's delivery, n1's relay, n2's delivery.
	require.True(t, HappensBefore(at(4), at(7)))
	require.True(t, HappensBefore(at(7), at(11)))
	require.True(t, HappensBefore(at(4), at(16)), "transitive")
	require.False(t, HappensBefore(at(16), at(4)))
	// The lost message links nothing: its send is concurrent with n1's
	// delivery of the other one, and n0's timer with n2's decision.
	require.True(t, Concurrent(at(5), at(7)))
	require.True(t, Concurrent(at(12), at(13)))
	require.True(t, Concurrent(at(15), at(16)), "n1 and n2 decided independently")
	require.False(t, Concurrent(at(4), at(4)), "an event is not concurrent with itself")
	// Events at no node are related to nothing.
	require.False(t, HappensBefore(at(6), at(16)))
	require.False(t, Concurrent(at(10), at(16)))
}

// TestVectorClocksOfAKernelRun checks the clocks' defining properties on a
// real run: every delivery follows its send, every node's events are
// totally ordered, and happens-before never contradicts the trace order.
func TestVectorClocksOfAKernelRun(t *testing.T) {
	f := sample(t)
	c := VectorClocks(f)
	send := sendOf(f.Events)
	lastAt := map[int]int{}
	delivers := 0
	for i, e := range f.Events {
		require.NotNil(t, c[i], "%s", e.Line())
		if e.Kind == "deliver" {
			delivers++
			require.GreaterOrEqual(t, send[i], 0)
			require.True(t, HappensBefore(c[send[i]], c[i]), "%s", e.Line())
		}
		node := e.To
		if e.Kind == "send" {
			node = e.From
		}
		if j, ok := lastAt[node]; ok {
			require.True(t, HappensBefore(c[j], c[i]))
			require.Equal(t, c[j][node]+1, c[i][node], "a node's own entry rises by one per event")
		}
		lastAt[node] = i
		for j := i + 1; j < len(c); j++ {
			require.False(t, HappensBefore(c[j], c[i]), "#%d cannot happen before #%d", j+1, i+1)
		}
	}
	require.Equal(t, 5, delivers)
}

// TestVectorClocksWithoutIDs: traces without message ids pair deliveries
// first in, first out, as the diagrams do.
func TestVectorClocksWithoutIDs(t *testing.T) {
	f := smallTrace()
	c := VectorClocks(f)
	send := sendOf(f.Events)
	require.Equal(t, 4, send[7], "n1's delivery pairs with n0's first send")
	require.Equal(t, 5, send[6], "the wire loss pairs with the send just made")
	require.True(t, HappensBefore(c[4], c[7]))
	require.True(t, HappensBefore(c[8], c[10]))
}
