package stale

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/sim"
)

// The tables' formatters keep small numbers readable: a rate below 0.1%
// gets a third decimal rather than printing as 0.00%, and z is "-" when
// there is no error to divide by but the numbers differ.
func TestFormatters(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Percent(0.0169), "1.69%"},
		{Percent(0.00053), "0.053%"},
		{Percent(0), "0.00%"},
		{Seconds(600), "600 s"},
		{Seconds(5.88), "5.88 s"},
		{Seconds(0.1), "0.100 s"},
		{Z(0.02, 0.01, 0.005), "+2.0"},
		{Z(0.01, 0.01, 0), "0"},
		{Z(0, 0.01, 0), "-"},
	} {
		require.Equal(t, c.want, c.got)
	}
}

// customRows is the cross product, intervals outermost, on a complete
// graph unless the degree leaves some pairs unconnected.
func TestCustomRows(t *testing.T) {
	rows := customRows([]sim.Time{600 * sim.Second, 60 * sim.Second}, []sim.Time{sim.Second, 6 * sim.Second}, 10, 0)
	require.Len(t, rows, 4)
	require.Equal(t, "T=600 s, delay 1.00 s", rows[0].Name)
	require.Equal(t, "T=60.00 s, delay 6.00 s", rows[3].Name)
	for _, r := range rows {
		require.True(t, r.Complete(), r.Name)
		require.Empty(t, r.Published)
		require.NoError(t, r.Validate())
	}
	rows = customRows([]sim.Time{600 * sim.Second}, []sim.Time{sim.Second}, 10, 3)
	require.Equal(t, 3, rows[0].Degree)
	require.Equal(t, "T=600 s, 10 miners, degree 3", rows[0].Group)
}

// ParseTimes names the flag and the value that is not a duration.
func TestParseTimes(t *testing.T) {
	ts, err := ParseTimes("delay", []string{"1s", " 250ms"})
	require.NoError(t, err)
	require.Equal(t, []sim.Time{sim.Second, 250 * sim.Millisecond}, ts)
	_, err = ParseTimes("delay", []string{"1s", "soon"})
	require.EqualError(t, err, `--delay "soon": not a duration`)
}
