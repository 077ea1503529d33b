package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/scenario"
)

// TestChainFlagErrorsNameTheFlag: the four blockchain commands share the
// workload and network flags and their checks
// (chain.Workload, chain.Links), so a bad value gets the same one-line
// error naming the flag, whichever command it was given to.
func TestChainFlagErrorsNameTheFlag(t *testing.T) {
	t.Parallel()
	cases := []struct{ flag, value, want string }{
		{"--degree", "0", "--degree must be between 1 and %s-1 (%d), got 0"},
		{"--delay", "-1s", "--delay must not be negative, got -1s"},
		{"--bandwidth", "-5", "--bandwidth must not be negative, got -5"},
		{"--jitter", "-1s", "--jitter must not be negative, got -1s"},
		{"--jitter-steps", "-1", "--jitter-steps must not be negative, got -1"},
		{"--block-size", "5", "--block-size must be at least 80 bytes (a header), got 5"},
		{"--tx-size", "0", "--tx-size must be positive, got 0"},
		{"--tx-rate", "-1", "--tx-rate must be between 0 and 1e6 per second, got -1"},
	}
	for _, p := range []struct {
		cmd, nodes string
		n          int
	}{{"nakamoto", "miners", 16}, {"pos", "validators", 16}, {"dpos", "nodes", 32}, {"poet", "validators", 16}} {
		for _, c := range cases {
			want := c.want
			if c.flag == "--degree" {
				want = fmt.Sprintf(want, p.nodes, p.n-1)
			}
			out, errOut, code := cli(p.cmd, c.flag, c.value)
			require.Equal(t, 2, code, "%s %s %s: %s", p.cmd, c.flag, c.value, errOut)
			require.Empty(t, out)
			prefix := p.cmd
			if _, registered := scenario.Lookup(p.cmd); registered {
				prefix = "run " + p.cmd // the generic run command's words
			}
			require.Equal(t, "simulate: "+prefix+": "+want+"\n", errOut)
		}
	}
}
