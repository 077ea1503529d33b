package sweep

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMapSameResultForAnyWorkerCount(t *testing.T) {
	sq := func(i int) int { return i * i }
	want := Map(100, 1, sq, nil)
	for _, w := range []int{0, 2, 3, 16, 200} {
		calls := 0
		got := Map(100, w, sq, func(int, int) { calls++ })
		require.Equal(t, want, got)
		require.Equal(t, 100, calls)
	}
	require.Empty(t, Map(0, 4, sq, nil))
}
