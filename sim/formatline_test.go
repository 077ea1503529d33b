package sim_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/sim"
)

// Issue 18: a printed trace's time column ("%10s") slipped once times
// passed 10 ms with a fraction (11.891878ms is 11 characters), and the
// index column past event 9999. Every line of a log's text keeps its kind
// column at one position.
func TestLogTextKeepsColumnsAligned(t *testing.T) {
	for _, tc := range []struct {
		name  string
		index []int
		times []sim.Time
	}{
		{"past 10 ms", []int{1, 2, 3}, []sim.Time{sim.Millisecond, 9891878, 11891878}},
		{"past a minute", []int{1, 2}, []sim.Time{0, 61*sim.Second + 123456789}},
		{"past event 9999", []int{9999, 10000, 123456}, []sim.Time{0, 1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := &sim.Log{}
			for i := range tc.index {
				log.Record(sim.TraceEvent{Index: tc.index[i], Time: tc.times[i], Kind: sim.TraceStart, To: 1})
			}
			lines := strings.Split(strings.TrimSuffix(log.Text(), "\n"), "\n")
			require.Len(t, lines, len(tc.index))
			at := strings.Index(lines[0], "start")
			for _, l := range lines {
				require.Equal(t, at, strings.Index(l, "start"), "%q", lines)
			}
		})
	}
	// A short trace prints as it always did.
	require.Equal(t, "#1            0s  start     n1", sim.FormatLine(1, 0, sim.TraceStart, 0, 1, "", 0, ""))
}
