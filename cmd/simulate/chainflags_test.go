package main

import (
	"fmt"
	"path/filepath"
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
		{"--jitter", "1s", "--jitter 1s needs --jitter-steps of at least 2 (the extra delay is a drawn 0..steps-1 times the jitter), got 0"},
		{"--jitter-steps", "3", "--jitter-steps 3 need a jitter (the step of the extra delay), got none"},
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

// TestChainTraceReplays: a recorded run of each blockchain command (with
// jitter, and for nakamoto a partition and an eclipse too) replays byte
// for byte, and a run with --check-determinism agrees with itself.
func TestChainTraceReplays(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name          string
		traced, twice []string
	}{
		{"nakamoto",
			[]string{"nakamoto", "--blocks", "8", "--miners", "6", "--degree", "2", "--delay", "90s", "--jitter", "10s", "--jitter-steps", "3", "--seed", "4"},
			[]string{"nakamoto", "--blocks", "8", "--seed", "4"}},
		{"nakamoto partition and eclipse",
			[]string{"nakamoto", "--blocks", "12", "--miners", "8", "--degree", "3", "--partition", "0,1,2@30m..1h30m",
				"--eclipse", "5", "--jitter", "5s", "--jitter-steps", "3", "--seed", "3"},
			[]string{"nakamoto", "--preset", "simblock", "--miners", "60", "--blocks", "3", "--partition", "0.5@10m..40m"}},
		{"pos",
			[]string{"pos", "--blocks", "8", "--validators", "5", "--degree", "2", "--delay", "2s", "--jitter", "1s", "--jitter-steps", "3", "--seed", "4"},
			[]string{"pos", "--blocks", "8", "--seed", "4"}},
		{"poet",
			[]string{"poet", "--blocks", "8", "--validators", "5", "--degree", "2", "--delay", "3s", "--jitter", "1s", "--jitter-steps", "3", "--seed", "2"},
			[]string{"poet", "--blocks", "8", "--seed", "2"}},
		{"dpos",
			[]string{"dpos", "--nodes", "6", "--delegates", "4", "--degree", "5", "--blocks", "12", "--traitors", "2", "--strategy", "equivocate",
				"--slot", "1s", "--jitter", "500ms", "--jitter-steps", "4", "--seed", "3"},
			[]string{"dpos", "--blocks", "30", "--traitors", "3", "--strategy", "offline"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "run.jsonl")
			requireRun(t, append(c.traced, "--trace", path)...)
			requireReplayMatches(t, path)
			requireRun(t, append(c.twice, "--check-determinism")...)
		})
	}
}
