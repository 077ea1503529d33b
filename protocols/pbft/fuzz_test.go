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
		if p, again, ok := reparse(t, s, pbft.ParsePartition, (*pbft.Partition).String); ok {
			require.Equal(t, p, again)
		}
		if c, again, ok := reparse(t, s, pbft.ParseCrash, pbft.CrashRestart.String); ok {
			require.Equal(t, c, again)
		}
		if v, again, ok := reparse(t, s, pbft.ParseSchedule, pbft.FormatSchedule); ok {
			require.Equal(t, pbft.FormatSchedule(v), pbft.FormatSchedule(again))
		}
	})
}

// reparse parses s and, when it is accepted, requires what it prints as to
// parse too: ok says s was accepted, and again is the value read back, for
// the caller to compare as its type allows.
func reparse[T any](t *testing.T, s string, parse func(string) (T, error), format func(T) string) (v, again T, ok bool) {
	t.Helper()
	v, err := parse(s)
	if err != nil {
		return v, again, false
	}
	text := format(v)
	again, err = parse(text)
	require.NoError(t, err, "%q printed as %q", s, text)
	return v, again, true
}
