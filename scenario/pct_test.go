package scenario_test

import (
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"simulate/network"
	"simulate/scenario"
	"simulate/sim"
)

// --pct DEPTH sets a PCT strategy of that depth with the protocol's step
// and horizon; 0 turns it off; anything but a depth 0-10 is refused.
func TestPCTFlag(t *testing.T) {
	var p *network.PCT
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	scenario.PCTVar(fs, &p, 5*sim.Millisecond, 400)
	require.NoError(t, fs.Parse([]string{"--pct", "3"}))
	require.Equal(t, &network.PCT{Depth: 3, Levels: 4, Step: 5 * sim.Millisecond, Horizon: 400}, p)
	require.Equal(t, "3", fs.Lookup("pct").Value.String())
	require.NoError(t, fs.Set("pct", "0"))
	require.Nil(t, p)
	for _, bad := range []string{"-1", "11", "x", "2.5", " 2"} {
		require.Error(t, fs.Set("pct", bad), bad)
	}
}
