package trace_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/trace"
)

// n0 tells n1 something that n1 observes; meanwhile n2 and n3 chat. The
// slice of n1's observation keeps n0's send, the delivery and the crash
// of n3 (a fault), and leaves the chatter out.
func TestCausalSliceKeepsThePastOnly(t *testing.T) {
	evs := []trace.Event{
		{Kind: "start", From: 0, To: 0},                  // 0 kept: n0's past
		{Kind: "start", From: 1, To: 1},                  // 1 kept: n1's own past
		{Kind: "start", From: 2, To: 2},                  // 2
		{Kind: "send", From: 2, To: 3, MsgID: 1},         // 3 chatter
		{Kind: "send", From: 0, To: 1, MsgID: 2},         // 4 kept
		{Kind: "deliver", From: 2, To: 3, MsgID: 1},      // 5 chatter
		{Kind: "crash", From: 3, To: 3},                  // 6 kept: a fault
		{Kind: "deliver", From: 0, To: 1, MsgID: 2},      // 7 kept
		{Kind: "observe", From: 1, To: 1, Detail: "x=1"}, // 8 the target
		{Kind: "observe", From: 2, To: 2, Detail: "y=1"}, // 9 after
	}
	for i := range evs {
		evs[i].Index = i + 1
	}
	require.Equal(t, []int{8}, trace.Suspects(evs, "agreement: n1 saw x=1"))
	require.Equal(t, []int{9}, trace.Suspects(evs, "something broke"), "no node named: the last observation")
	require.Equal(t, []int{0, 1, 4, 6, 7, 8}, trace.CausalSlice(evs, []int{8}))
}
