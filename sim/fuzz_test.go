package sim_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/sim"
)

// FuzzParseTime: every flag that takes a duration goes through ParseTime;
// it never panics, and a time it accepts prints back to the same time.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"250ms", "10s", "1h30m", "30d", "-5", "0", "9223372036854775807", "106751d", "1e3s", "d", "-1d", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := sim.ParseTime(s)
		if err != nil || v == sim.Never {
			return
		}
		again, err := sim.ParseTime(v.String())
		require.NoError(t, err, "%q printed as %q", s, v.String())
		require.Equal(t, v, again)
	})
}

// FuzzParseSchedule: any input either fails with an error or round-trips
// through FormatSchedule.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"", "0=1", "3=2,7=1", "1=1,1=2", "x", "5=-1", "99999999=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := sim.ParseSchedule(s)
		if err != nil {
			return
		}
		again, err := sim.ParseSchedule(sim.FormatSchedule(v))
		if err != nil {
			t.Fatalf("%q: formatted schedule does not parse: %v", s, err)
		}
		if sim.FormatSchedule(again) != sim.FormatSchedule(v) {
			t.Fatalf("%q: round trip changed the schedule", s)
		}
	})
}
