package sim_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/sim"
)

func TestScheduleRoundTrip(t *testing.T) {
	v := []int{0, 3, 0, 0, 1}
	require.Equal(t, "1=3,4=1", sim.FormatSchedule(v))
	got, err := sim.ParseSchedule("1=3,4=1")
	require.NoError(t, err)
	require.Equal(t, v, got)
}

func TestScheduleRejects(t *testing.T) {
	for _, s := range []string{"1=1,1=2", "x", "1", "-1=2", "2=-1", "20000000=1", "1=2,,3=4"} {
		_, err := sim.ParseSchedule(s)
		require.Error(t, err, s)
	}
	_, err := sim.ParseSchedule("1=1,1=2") // which one would win is a guess
	require.ErrorContains(t, err, "draw 1 is given twice")
}
