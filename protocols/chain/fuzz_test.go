package chain_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/protocols/chain"
)

// FuzzParseSchedule: --schedule of the chain protocols never panics, and
// what it accepts formats to a schedule that parses to the same draws.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"", "3=1,17=950", "0=0", "1=-1", "x=1", "5", "2=3,2=4", "99999999999=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := chain.ParseSchedule(s)
		if err != nil {
			return
		}
		text := chain.FormatSchedule(v)
		again, err := chain.ParseSchedule(text)
		require.NoError(t, err, "%q formatted as %q", s, text)
		require.Equal(t, text, chain.FormatSchedule(again))
	})
}
