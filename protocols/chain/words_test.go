package chain

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/sim"
)

// Tables round times and sizes for people.
func TestWords(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{ShortTime(15 * sim.Second), "15s"},
		{ShortTime(1500 * sim.Millisecond), "1.5s"},
		{ShortTime(10*sim.Minute + 300*sim.Millisecond), "10m0s"},
		{ShortTime(1234567 * sim.Nanosecond), "1.235ms"},
		{ShortTime(90*sim.Minute + 400*sim.Millisecond), "1h30m0s"},
		{ShortTime(1234 * sim.Millisecond), "1.23s"},
		{SizeWords(64_000), "64 kB"},
		{SizeWords(1_000_000), "1 MB"},
		{SizeWords(250), "250 B"},
	} {
		require.Equal(t, c.want, c.got)
	}
}

// The producer table: one row per node, the z column, and the coin-age
// columns only when given.
func TestProducerTable(t *testing.T) {
	tb := ProducerTable("Validators", []int{3, 1}, []float64{0.5, 0.5}, "stake share", nil, nil)
	require.Len(t, tb.Rows, 2)
	require.Equal(t, []string{"node", "stake share", "blocks", "share of blocks", "z"}, tb.Header)
	require.Equal(t, "0.7500", tb.Rows[0][3])
	tb = ProducerTable("Validators", []int{3, 1}, []float64{0.5, 0.5}, "stake share", []float64{1, 2}, []float64{0.1, 0.2})
	require.Len(t, tb.Header, 7)
	require.Len(t, tb.Notes, 2)
}
