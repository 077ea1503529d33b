package pbft_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/protocols/pbft"
)

// FuzzParsers: pbft's --partition, --crash and --schedule never panic, and what
// they accept prints back to the same value.
func FuzzParsers(f *testing.F) {
	for _, s := range []string{"1,2@100ms..300ms", "0@0..1ns", "@..", "1@2s..1s", "3=1,17=950", "", "x=1", "1@-1s..1s", "2@10ms..20ms", "-1@0..1ms", "1@5ms..5ms"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := pbft.ParsePartition(s); err == nil {
			again, err := pbft.ParsePartition(p.String())
			require.NoError(t, err, "%q printed as %q", s, p.String())
			require.Equal(t, p, again)
		}
		if c, err := pbft.ParseCrash(s); err == nil {
			again, err := pbft.ParseCrash(c.String())
			require.NoError(t, err, "%q printed as %q", s, c.String())
			require.Equal(t, c, again)
		}
		if v, err := pbft.ParseSchedule(s); err == nil {
			text := pbft.FormatSchedule(v)
			again, err := pbft.ParseSchedule(text)
			require.NoError(t, err, "%q formatted as %q", s, text)
			require.Equal(t, text, pbft.FormatSchedule(again))
		}
	})
}
