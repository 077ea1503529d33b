package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNakamotoRealPoWShowsLeadingZeros(t *testing.T) {
	t.Parallel()
	var o struct {
		Blocks []struct {
			Zeros int    `json:"leading_zero_bits"`
			Hash  string `json:"hash"`
		} `json:"blocks"`
	}
	requireJSON(t, &o, "nakamoto", "--blocks", "3", "--miners", "4", "--degree", "2", "--real-pow", "--pow-bits", "12")
	require.Len(t, o.Blocks, 3)
	for _, b := range o.Blocks {
		require.GreaterOrEqual(t, b.Zeros, 12)
		require.True(t, strings.HasPrefix(b.Hash, "000"), b.Hash)
	}
}

func TestNakamotoDurationAndJSON(t *testing.T) {
	t.Parallel()
	s := requireStats[struct {
		Elapsed float64 `json:"elapsed_s"`
		Height  int     `json:"height"`
	}](t, "nakamoto", "--duration", "3h", "--miners", "8", "--delay", "30s")
	require.Equal(t, 3*3600.0, s.Elapsed)
	require.Greater(t, s.Height, 5)
}

// The check finds the teaching bug, prints a replay command, and that
// command reproduces the violation.
func TestCheckNakamoto(t *testing.T) {
	t.Parallel()
	out := requireCheckPasses(t, "check", "nakamoto", "--checks", "30")
	require.Regexp(t, `a fork\s*│\s*[1-9]`, out, "the search forks the chain")

	c := requireCounterexampleReplays(t, "check", "nakamoto", "--checks", "200", "--bug", "ignore-forks")
	require.Regexp(t, "VIOLATED (agreement|common-prefix)", c.replayOut)
	require.Regexp(t, `all nodes on one tip\s*│\s*no`, c.replayOut)
}

// TestExperimentsSmall: the proof-of-work experiments under the names the
// docs cite print the same with 1 or 2 workers, and from two shards merged.
func TestExperimentsSmall(t *testing.T) {
	t.Parallel()
	ds := requireSameForWorkersAndShards(t, "csv", "experiment", "double-spend", "--runs", "40", "--needed-runs", "10")
	require.Contains(t, ds, "q,z,simulated")
	sm := requireSameForWorkersAndShards(t, "table", "experiment", "selfish-mining", "--runs", "2", "--blocks", "200")
	require.Contains(t, sm, "(1-γ)/(3-2γ)")
}

// The preset sets SimBlock's benchmark; flags given explicitly apply on
// top of it.
func TestNakamotoSimBlockPreset(t *testing.T) {
	t.Parallel()
	var o struct {
		Scenario struct {
			Miners    int `json:"miners"`
			Blocks    int `json:"blocks"`
			BlockSize int `json:"block_size"`
			Outbound  int `json:"outbound"`
			Regions   *struct {
				Names []string `json:"names"`
			} `json:"regions"`
		} `json:"scenario"`
		Stats struct {
			Height int     `json:"height"`
			P50    float64 `json:"propagation_p50_s"`
			P90    float64 `json:"propagation_p90_s"`
			P100   float64 `json:"propagation_p100_s"`
		} `json:"stats"`
	}
	requireJSON(t, &o, "nakamoto", "--preset", "simblock", "--miners", "100", "--blocks", "5")
	require.Equal(t, 100, o.Scenario.Miners)
	require.Equal(t, 5, o.Scenario.Blocks)
	require.Equal(t, 535000, o.Scenario.BlockSize)
	require.Equal(t, 8, o.Scenario.Outbound, "the push relay's outbound connections (SimBlock's relay draws its own)")
	require.NotNil(t, o.Scenario.Regions)
	require.Len(t, o.Scenario.Regions.Names, 6)
	require.Equal(t, 5, o.Stats.Height)
	require.Greater(t, o.Stats.P90, o.Stats.P50)
	require.GreaterOrEqual(t, o.Stats.P100, o.Stats.P90)
	require.Greater(t, o.Stats.P50, 0.0)

	// --delay replaces the regions with uniform links; --degree the
	// outbound graph.
	out := requireRun(t, "nakamoto", "--preset", "simblock", "--miners", "50", "--blocks", "3", "--delay", "1s", "--degree", "6")
	require.Contains(t, out, "50 miners, 10m0s interval, 535 kB blocks, degree 6, delay 1s, unlimited bandwidth")
}

func TestNakamotoEclipse(t *testing.T) {
	t.Parallel()
	e := requireStats[struct {
		Eclipse struct {
			Victim   int     `json:"victim"`
			Mined    int     `json:"mined"`
			Wasted   int     `json:"wasted"`
			Reversed int     `json:"reversed_confirmations"`
			Delay    float64 `json:"delay_s"`
		} `json:"eclipse"`
	}](t, "nakamoto", "--miners", "4", "--degree", "3", "--blocks", "150", "--eclipse", "3", "--eclipse-delay", "10m").Eclipse
	require.Equal(t, 3, e.Victim)
	require.Equal(t, 600.0, e.Delay)
	require.Greater(t, e.Wasted, e.Mined/4, "a victim 10 minutes behind wastes much of its work")
	require.Greater(t, e.Reversed, 0)

	out := requireRun(t, "nakamoto", "--blocks", "10", "--eclipse", "2")
	require.Contains(t, out, "n2, 6.2% of the hash power, every message to it 2m0s late")
	require.Contains(t, out, "victim's blocks wasted")
}

// With --partition the check searches for a run that does not converge
// after the heal; the teaching bug that skips the exchange at the heal
// fails, and the printed replay command shows the split network.
func TestCheckNakamotoPartition(t *testing.T) {
	t.Parallel()
	requireCheckPasses(t, "check", "nakamoto", "--partition", "0.4@20m..1h", "--checks", "30")

	out, errOut, code := cli("check", "nakamoto", "--partition", "0.4@20m..1h", "--checks", "30", "--bug", "no-reannounce-on-heal")
	require.Equal(t, 1, code, errOut)
	require.Contains(t, errOut, "lighter chain")
	// The bug needs no drawn delay: the schedule is empty, '' in the shell.
	out, errOut, code = cli(strings.Fields(strings.ReplaceAll(replayCommand(t, out), "--schedule ''", ""))...)
	require.Equal(t, 1, code, errOut)
	require.Contains(t, out, "VIOLATED convergence")
	require.Regexp(t, `all nodes on one tip\s*│\s*no`, out)
	require.Contains(t, out, "never: some nodes stayed on a lighter chain")

	_, errOut, code = cli("check", "nakamoto", "--partition", "0.4@2h..1h")
	require.Equal(t, 2, code, errOut)
}
