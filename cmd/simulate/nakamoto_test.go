package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNakamotoRealPoWShowsLeadingZeros(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("nakamoto", "--blocks", "3", "--miners", "4", "--degree", "2", "--real-pow", "--pow-bits", "12", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var o struct {
		Blocks []struct {
			Zeros int    `json:"leading_zero_bits"`
			Hash  string `json:"hash"`
		} `json:"blocks"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &o))
	require.Len(t, o.Blocks, 3)
	for _, b := range o.Blocks {
		require.GreaterOrEqual(t, b.Zeros, 12)
		require.True(t, strings.HasPrefix(b.Hash, "000"), b.Hash)
	}
}

func TestNakamotoBadInputExit2(t *testing.T) {
	t.Parallel()
	requireBadInput(t, [][]string{
		{"nakamoto", "--miners", "0"},
		{"nakamoto", "--degree", "16"},
		{"nakamoto", "--interval", "0s"},
		{"nakamoto", "--interval", "soon"},
		{"nakamoto", "--block-size", "10"},
		{"nakamoto", "--delay", "-1s"},
		{"nakamoto", "--blocks", "5", "--duration", "1h"},
		{"nakamoto", "--real-pow", "--pow-bits", "60"},
		{"nakamoto", "--retarget", "1"},
		{"nakamoto", "--bug", "nope"},
		{"nakamoto", "--schedule", "x=y"},
		{"nakamoto", "--tx-rate", "-1"},
		{"check", "nakamoto", "--checks", "0"},
		{"experiment", "double-spend", "--runs", "1"},
		{"experiment", "double-spend", "--threshold", "2"},
		{"experiment", "selfish-mining", "--blocks", "0"},
		{"experiment", "selfish-mining", "--honest", "0"},
	})
}

func TestNakamotoDurationAndJSON(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("nakamoto", "--duration", "3h", "--miners", "8", "--delay", "30s", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var o struct {
		Stats struct {
			Elapsed float64 `json:"elapsed_s"`
			Height  int     `json:"height"`
		} `json:"stats"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &o))
	require.Equal(t, 3*3600.0, o.Stats.Elapsed)
	require.Greater(t, o.Stats.Height, 5)
}

func TestNakamotoTraceReplays(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "run.jsonl")
	_, errOut, code := cli("nakamoto", "--blocks", "8", "--miners", "6", "--degree", "2", "--delay", "90s", "--jitter", "10s", "--jitter-steps", "3", "--seed", "4", "--trace", path)
	require.Equal(t, 0, code, errOut)
	out, errOut, code := cli("replay", path)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "matches")
	_, errOut, code = cli("nakamoto", "--blocks", "8", "--seed", "4", "--check-determinism")
	require.Equal(t, 0, code, errOut)
}

// The check finds the teaching bug, prints a replay command, and that
// command reproduces the violation.
func TestCheckNakamoto(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("check", "nakamoto", "--checks", "30")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "no property broke in 30 runs")
	require.Regexp(t, `a fork\s*│\s*[1-9]`, out, "the search forks the chain")

	out, errOut, code = cli("check", "nakamoto", "--checks", "200", "--bug", "ignore-forks")
	require.Equal(t, 1, code, errOut)
	m := regexp.MustCompile(`(?m)^replay: simulate (.*)$`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	args := strings.Fields(m[1])
	out, errOut, code = cli(args...)
	require.Equal(t, 1, code, "the replayed run breaks the property too: %s", errOut)
	require.Regexp(t, "VIOLATED (agreement|common-prefix)", out)
	require.Regexp(t, `all nodes on one tip\s*│\s*no`, out)
}

func TestExperimentsSmall(t *testing.T) {
	t.Parallel()
	a, errOut, code := cli("experiment", "double-spend", "--runs", "40", "--needed-runs", "10", "--workers", "1", "--format", "csv")
	require.Equal(t, 0, code, errOut)
	b, _, _ := cli("experiment", "double-spend", "--runs", "40", "--needed-runs", "10", "--workers", "2", "--format", "csv")
	require.Equal(t, a, b, "output does not depend on --workers")
	require.Contains(t, a, "q,z,simulated")

	a, errOut, code = cli("experiment", "selfish-mining", "--runs", "2", "--blocks", "200", "--workers", "1")
	require.Equal(t, 0, code, errOut)
	b, _, _ = cli("experiment", "selfish-mining", "--runs", "2", "--blocks", "200", "--workers", "2")
	require.Equal(t, a, b)
	require.Contains(t, a, "(1-γ)/(3-2γ)")
}

// The preset sets SimBlock's benchmark; flags given explicitly apply on
// top of it.
func TestNakamotoSimBlockPreset(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("nakamoto", "--preset", "simblock", "--miners", "100", "--blocks", "5", "--format", "json")
	require.Equal(t, 0, code, errOut)
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
	require.NoError(t, json.Unmarshal([]byte(out), &o))
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
	out, errOut, code = cli("nakamoto", "--preset", "simblock", "--miners", "50", "--blocks", "3", "--delay", "1s", "--degree", "6")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "50 miners, 10m0s interval, 535 kB blocks, degree 6, delay 1s, unlimited bandwidth")
}

func TestNakamotoEclipse(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("nakamoto", "--miners", "4", "--degree", "3", "--blocks", "150", "--eclipse", "3", "--eclipse-delay", "10m", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var o struct {
		Stats struct {
			Eclipse struct {
				Victim   int     `json:"victim"`
				Mined    int     `json:"mined"`
				Wasted   int     `json:"wasted"`
				Reversed int     `json:"reversed_confirmations"`
				Delay    float64 `json:"delay_s"`
			} `json:"eclipse"`
		} `json:"stats"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &o))
	e := o.Stats.Eclipse
	require.Equal(t, 3, e.Victim)
	require.Equal(t, 600.0, e.Delay)
	require.Greater(t, e.Wasted, e.Mined/4, "a victim 10 minutes behind wastes much of its work")
	require.Greater(t, e.Reversed, 0)

	out, errOut, code = cli("nakamoto", "--blocks", "10", "--eclipse", "2")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "n2, 6.2% of the hash power, every message to it 2m0s late")
	require.Contains(t, out, "victim's blocks wasted")
}

func TestNakamotoPartitionAndEclipseReplay(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "run.jsonl")
	_, errOut, code := cli("nakamoto", "--blocks", "12", "--miners", "8", "--degree", "3", "--partition", "0,1,2@30m..1h30m",
		"--eclipse", "5", "--jitter", "5s", "--jitter-steps", "3", "--seed", "3", "--trace", path)
	require.Equal(t, 0, code, errOut)
	out, errOut, code := cli("replay", path)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "matches")
	_, errOut, code = cli("nakamoto", "--preset", "simblock", "--miners", "60", "--blocks", "3", "--partition", "0.5@10m..40m", "--check-determinism")
	require.Equal(t, 0, code, errOut)
}

func TestNakamotoNewFlagsBadInputExit2(t *testing.T) {
	t.Parallel()
	requireBadInput(t, [][]string{
		{"nakamoto", "--preset", "bitcoin"},
		{"nakamoto", "--partition", "half"},
		{"nakamoto", "--partition", "1.5@1h..2h"},
		{"nakamoto", "--partition", "0.3@2h..1h"},
		{"nakamoto", "--partition", "0,99@1h..2h"},
		{"nakamoto", "--partition", "0.3@1h..later"},
		{"nakamoto", "--eclipse", "99"},
		{"nakamoto", "--eclipse", "1", "--eclipse-delay", "-1s"},
		{"nakamoto", "--eclipse-delay", "1m"},
		{"nakamoto", "--regions", "mars"},
		{"nakamoto", "--outbound", "16"},
		{"nakamoto", "--bug", "no-such-bug"},
	})
}

// With --partition the check searches for a run that does not converge
// after the heal; the teaching bug that skips the exchange at the heal
// fails, and the printed replay command shows the split network.
func TestCheckNakamotoPartition(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("check", "nakamoto", "--partition", "0.4@20m..1h", "--checks", "30")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "no property broke in 30 runs")

	out, errOut, code = cli("check", "nakamoto", "--partition", "0.4@20m..1h", "--checks", "30", "--bug", "no-reannounce-on-heal")
	require.Equal(t, 1, code, errOut)
	require.Contains(t, errOut, "lighter chain")
	m := regexp.MustCompile(`(?m)^replay: simulate (.*)$`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	// The bug needs no drawn delay: the schedule is empty, '' in the shell.
	out, errOut, code = cli(strings.Fields(strings.ReplaceAll(m[1], "--schedule ''", ""))...)
	require.Equal(t, 1, code, errOut)
	require.Contains(t, out, "VIOLATED convergence")
	require.Regexp(t, `all nodes on one tip\s*│\s*no`, out)
	require.Contains(t, out, "never: some nodes stayed on a lighter chain")

	_, errOut, code = cli("check", "nakamoto", "--partition", "0.4@2h..1h")
	require.Equal(t, 2, code, errOut)
}
