package network

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/sim"
)

// TestPCTZeroIsBenignAndLevelsReorder: with every PCT draw 0 the delays
// are those of the plain network (zero is boring); a sender drawn a higher
// level is overtaken by the others; a change point demotes the sender of
// that message to the lowest priority from then on.
func TestPCTZeroIsBenignAndLevelsReorder(t *testing.T) {
	lat := Uniform(sim.Millisecond, sim.Millisecond)
	pct := &PCT{Depth: 2, Levels: 3, Step: 10 * sim.Millisecond, Horizon: 5}
	for _, tc := range []struct {
		name string
		// values are the draws in order: the change point, then each
		// sender's level on its first message (one-bucket latency draws nothing).
		values []int
		want   []sim.Time // delays of messages from 0, 1, 0, 1
	}{
		{"all zero", nil, []sim.Time{1, 1, 1, 1}},
		{"sender 0 low priority", []int{0, 2}, []sim.Time{21, 1, 21, 1}},
		{"change at message 2 demotes sender 1", []int{2}, []sim.Time{1, 31, 1, 31}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			net := MustNew(2, Options{Latency: lat, PCT: pct})
			c := &sim.ReplayChoices{Values: tc.values}
			var got []sim.Time
			for _, from := range []sim.NodeID{0, 1, 0, 1} {
				f := net.Route(sim.Link{From: from, To: 1 - from, Choices: c})
				got = append(got, f.Delay/sim.Millisecond)
			}
			require.Equal(t, tc.want, got)
		})
	}
}
