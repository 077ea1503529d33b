package doublespend

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/experiments/experiment"
	"simulate/experiments/experiment/experimenttest"
)

// prob keeps tiny probabilities readable: five decimals down to 0.001,
// scientific below, and a plain 0.
func TestProb(t *testing.T) {
	experimenttest.RequireFormats(t, prob, map[float64]string{
		0:          "0",
		1:          "1.00000",
		0.00178184: "0.00178",
		0.001:      "0.00100",
		0.00091:    "9.100e-04",
		1.2e-7:     "1.200e-07",
	})
}

// Bad input names the command the user typed, the alias included, and
// --runs is checked by the experiment (at least 2 for a standard error).
func TestValidateNamesTheCommand(t *testing.T) {
	experimenttest.RequireCases(t, registered,
		experimenttest.Case{Use: "doublespend", Args: []string{"--runs", "1"}, Want: "doublespend: --runs must be at least 2, got 1"},
		experimenttest.Case{Use: "double-spend", Args: []string{"--runs", "0"}, Want: "double-spend: --runs must be at least 2, got 0"},
		experimenttest.Case{Use: "double-spend", Args: []string{"--q", "0.6"}, Want: "double-spend: --q 0.6: want an attacker share in (0, 0.5)"},
		experimenttest.Case{Use: "doublespend", Args: []string{"--workers", "-1"}, Want: "doublespend: --workers must not be negative, got -1"},
		experimenttest.Case{Use: "doublespend"},
	)
}

// The alias's help is the main command's with its own name and a short
// line saying what it is an alias of.
func TestAliases(t *testing.T) {
	experimenttest.RequireAlias(t, registered, "doublespend", "double-spend", "experiment double-spend")
	require.True(t, strings.HasPrefix(registered.Long(), "doublespend runs the race"))
}

// smallSweep runs a small sweep as the CLI does: options from flags, each
// run by number, the records decoded into parameters read back from
// their JSON, the sweep's seed set, then summarized.
func smallSweep(t *testing.T, seed uint64, runs int, args ...string) (experiment.Output, []Record) {
	t.Helper()
	p := experimenttest.Finished(t, registered, "doublespend", args...)
	require.NoError(t, p.Validate())
	out, rs, _ := experimenttest.NumberedSweep(t, registered, p, seed, runs)
	recs := make([]Record, len(rs))
	for i, r := range rs {
		recs[i] = r.(Record)
	}
	return out, recs
}

// A run by number is the record the command wrote before it moved onto
// package experiment (Plan.RunOne with the sweep's seed), so old results
// files still merge with new ones; the confirmations table is printed
// only when runs race at its points.
func TestSummarize(t *testing.T) {
	out, recs := smallSweep(t, 7, 3, "--runs", "3", "--needed-runs", "2", "--q", "0.2", "--threshold", "0.01")
	o := DefaultOptions()
	o.Seed, o.NeededRuns, o.Qs, o.Threshold = 7, 2, []float64{0.2}, 0.01
	plan := NewPlan(o)
	for i, r := range recs {
		require.Equal(t, plan.RunOne(i), r, "run %d", i)
	}
	require.Len(t, recs[1].Needed, 2*len(NeededQs))
	require.Empty(t, recs[2].Needed, "run 2 is not below --needed-runs")

	require.Len(t, out.Tables, 2)
	require.Equal(t, "probability", out.Tables[0].Name)
	require.Contains(t, out.Tables[0].Title, "3 races per point (importance-sampled), seed 7")
	require.Len(t, out.Tables[0].Rows, len(Table1Zs))
	require.Equal(t, "confirmations", out.Tables[1].Name)
	require.Contains(t, out.Tables[1].Title, "P < 0.01, 2 races per point")
	require.Len(t, out.Tables[1].Rows, len(NeededQs))
	doc, err := json.Marshal(out.JSON)
	require.NoError(t, err)
	require.Contains(t, string(doc), `"seed":7,"params":{"qs":[0.2],"plain":false,"honest":2,"needed_runs":2,"threshold":0.01}`)
	require.NotNil(t, out.Figure)
	require.Len(t, out.Figure.Series, 3, "simulated, exact and whitepaper for the one q")

	out, _ = smallSweep(t, 1, 2, "--runs", "2", "--needed-runs", "0", "--plain")
	require.Len(t, out.Tables, 1, "--needed-runs 0 leaves the confirmations table out")
	require.Contains(t, out.Tables[0].Title, "(plain Monte Carlo), seed 1")
}

// Recorded options decode as they did before the move, into zero
// Options: a field the record lacks stays zero instead of taking New's
// default, and a summary of records that do not fit the options fails.
func TestRecordedParams(t *testing.T) {
	p := registered.New()
	require.NoError(t, json.Unmarshal([]byte(`{"qs":[0.2],"needed_runs":0,"threshold":0.01}`), p))
	require.Equal(t, Options{Qs: []float64{0.2}, Threshold: 0.01}, p.(*cliParams).Options)
	_, err := p.Summarize([]json.RawMessage{[]byte(`{"table":[]}`), []byte(`{"table":[]}`)})
	require.ErrorContains(t, err, "parameters: honest miners must be between 1 and 64")

	p = registered.New()
	_, err = p.Summarize([]json.RawMessage{[]byte(`{"table":[]}`), []byte(`"damaged"`)})
	var bad *experiment.RecordError
	require.ErrorAs(t, err, &bad)
	require.Equal(t, 1, bad.Index)
}
