package network_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/network"
)

// FuzzParseLatency: --latency never panics, and a model it accepts prints
// back to the same model.
func FuzzParseLatency(f *testing.F) {
	for _, s := range []string{"10ms", "constant:10ms", "uniform:5ms,50ms", "exp:20ms", "exponential:20ms+5ms", "lognormal:30ms,0.5", "lognormal:30ms,0.5+1ms", "uniform:50ms,5ms", ":", "lognormal:1s,NaN", "uniform:,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := network.ParseLatency(s)
		if err != nil {
			return
		}
		again, err := network.ParseLatency(l.String())
		require.NoError(t, err, "%q printed as %q", s, l.String())
		require.Equal(t, l, again)
	})
}
