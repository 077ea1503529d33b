package throughput

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/experiments/experiment/experimenttest"
	"simulate/protocols/chain"
	"simulate/sim"
)

// Block sizes print as the chain commands' flags would be typed in words
// (chain.SizeWords): "1 MB", "8 kB", "24720 B".
func TestByteWords(t *testing.T) {
	experimenttest.RequireFormats(t, chain.SizeWords, map[int]string{1_000_000: "1 MB", 32_000_000: "32 MB", 8000: "8 kB", 24720: "24720 B", 1_500_000: "1500 kB", 80: "80 B"})
}

// customRows puts every interval × block size on the common network of
// the default rows, with no published figure: a custom row is no real
// chain.
func TestCustomRows(t *testing.T) {
	rows := customRows([]sim.Time{60 * sim.Second}, []int{1_000_000, 2_000_000}, 500)
	require.Len(t, rows, 2)
	def := DefaultParams().Rows[0]
	for _, r := range rows {
		require.Nil(t, r.Published)
		require.Equal(t, 500, r.TxSize)
		require.Equal(t, def.Miners, r.Miners)
		require.Equal(t, def.Latency, r.Latency)
	}
	require.Equal(t, "2 MB every 60.00 s", rows[1].Name)
}
