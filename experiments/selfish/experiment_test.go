package selfish

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/experiments/experiment/experimenttest"
	"simulate/sim"
)

// Bad input names the command the user typed, the alias included.
func TestValidateNamesTheCommand(t *testing.T) {
	ps := experimenttest.RequireCases(t, registered,
		experimenttest.Case{Use: "selfish", Args: []string{"--runs", "1"}, Want: "selfish: --runs must be at least 2, got 1"},
		experimenttest.Case{Use: "selfish-mining", Args: []string{"--delay", "11m"}, Want: "selfish-mining: --delay must be between 0 and the block interval (10m0s), got 11m0s"},
		experimenttest.Case{Use: "selfish-mining", Args: []string{"--alpha", "0.3,0.2"}, Want: "selfish-mining: --alpha: want increasing shares, got 0.2 after 0.3"},
		experimenttest.Case{Use: "selfish", Args: []string{"--delay", "30s"}},
	)
	require.Equal(t, 30*sim.Second, ps[3].(*cliParams).Options.Delay)
}

// The alias's help is the main command's with its own name.
func TestAliases(t *testing.T) {
	experimenttest.RequireAlias(t, registered, "selfish", "selfish-mining", "experiment selfish-mining")
	require.True(t, strings.HasPrefix(registered.Long(), "selfish runs a pool"))
}

// A run by number is the record the command wrote before it moved onto
// package experiment (RunOne with the sweep's seed), so old results files
// still merge; the summary has the revenue and threshold tables, the
// seed in the title and the JSON, and a figure with a line per γ.
func TestSummarize(t *testing.T) {
	const seed = 3
	p := experimenttest.Finished(t, registered, "selfish", "--runs", "2", "--blocks", "60", "--alpha", "0.1,0.4", "--gamma", "0,1")
	require.NoError(t, p.Validate())
	o := p.(*cliParams).Options
	o.Seed = seed
	out, recs, params := experimenttest.NumberedSweep(t, registered, p, seed, 2)
	for i, rec := range recs {
		require.Equal(t, RunOne(o, i), rec, "run %d", i)
	}
	require.JSONEq(t, `{"blocks":60,"honest":4,"delay":0,"alphas":[0.1,0.4],"gammas":[0,1]}`, string(params))
	require.Len(t, out.Tables, 2)
	require.Equal(t, "revenue", out.Tables[0].Name)
	require.Contains(t, out.Tables[0].Title, "2 runs × 60 blocks per point, seed 3")
	require.Len(t, out.Tables[0].Rows, 4)
	require.Equal(t, "thresholds", out.Tables[1].Name)
	require.Len(t, out.Tables[1].Rows, 2)
	doc, err := json.Marshal(out.JSON)
	require.NoError(t, err)
	require.Contains(t, string(doc), `"seed":3,"params":{"blocks":60`)
	require.Len(t, out.Figure.Series, 5, "simulated and analytic per γ, and honest mining")
}

// The thresholds table says where the crossing is: below the grid, at an
// interpolated α, or nowhere in it; and the notes say whether blocks
// propagate instantly.
func TestTables(t *testing.T) {
	x := 0.3
	o := output{Seed: 1, Params: Options{Alphas: []float64{0.1, 0.4}}, Result: Result{Runs: 2, Blocks: 100,
		Thresholds: []ThresholdRow{{Gamma: 1, Below: true}, {Gamma: 0.5, Sim: &x, Analytic: 0.25}, {Gamma: 0, Analytic: Threshold(0)}}}}
	t1, t2 := tables(o)
	require.Equal(t, [][]string{{"1.0", "< 0.10", "0.000"}, {"0.5", "0.300", "0.250"}, {"0.0", "not within the grid", "0.333"}}, t2.Rows)
	require.Contains(t, t1.Notes[len(t1.Notes)-1], "Blocks propagate instantly")
	o.Delay = 2 * sim.Minute
	t1, _ = tables(o)
	require.Contains(t, t1.Title, "propagation delay 2m0s")
	require.Contains(t, t1.Notes[len(t1.Notes)-1], "Every link takes 2m0s (20% of the 10-minute interval)")
}
