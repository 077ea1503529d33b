package nakamoto_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/protocols/nakamoto"
)

// FuzzParseSplit: --partition never panics, a split it accepts either
// fails the scenario's validation with an error or runs, and a valid one
// prints back to the same split.
func FuzzParseSplit(f *testing.F) {
	for _, s := range []string{"0.3@1h..2h", "30%@10m..40m", "0,1,2@1h..2h", "@..", "0.5@2h..1h", "NaN%@1s..2s", "1e9%@0..1", "-1@1s..2s", "0,,1@1s..2s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := nakamoto.ParseSplit(s)
		if err != nil {
			return
		}
		sc := nakamoto.DefaultScenario()
		sc.Miners, sc.Degree, sc.Blocks = 6, 3, 2
		sc.Partition = p
		if sc.Validate() != nil {
			return
		}
		again, err := nakamoto.ParseSplit(p.String())
		require.NoError(t, err, "%q printed as %q", s, p.String())
		require.Equal(t, p, again)
	})
}
