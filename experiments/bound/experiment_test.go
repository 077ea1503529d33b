package bound

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/experiments/experiment"
	"simulate/experiments/experiment/experimenttest"
	"simulate/protocols/generals"
	"simulate/sim"
)

// flags returns the command's parameters after parsing args and
// finishing them, as the CLI does.
func flags(t *testing.T, args ...string) (*cliParams, error) {
	t.Helper()
	p := registered.New().(*cliParams)
	fs, err := experimenttest.Flags(registered, "byzantine-bound", p, args...)
	require.NoError(t, err)
	return p, p.Finish(fs)
}

// --algorithms takes generals.ParseAlgorithm's words in any case, in the
// order given; a word that is no algorithm names the flag, and an empty
// list is left for Validate.
func TestFinishParsesAlgorithms(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []generals.Algorithm
		err  string
	}{
		{args: nil, want: []generals.Algorithm{generals.OM, generals.SM}},
		{args: []string{"--algorithms", "SM,om"}, want: []generals.Algorithm{generals.SM, generals.OM}},
		{args: []string{"--algorithms", "sm"}, want: []generals.Algorithm{generals.SM}},
		{args: []string{"--algorithms", "pbft"}, err: `--algorithms: algorithm "pbft": want om or sm`},
		{args: []string{"--algorithms", ""}, err: "no algorithm to sweep"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			p, err := flags(t, c.args...)
			if err == nil {
				err = p.Validate()
			}
			if c.err != "" {
				require.EqualError(t, err, c.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, p.Algorithms)
		})
	}
}

// --out files record the parameters as the Params' JSON, as they did
// before the experiment was registered, so files written then still
// merge; decoding refuses a grid no sweep could have recorded.
func TestRecordedParams(t *testing.T) {
	p, err := flags(t, "--algorithms", "sm", "--max-generals", "6")
	require.NoError(t, err)
	p.SetSeed(9)
	want := DefaultParams()
	want.MaxN, want.Algorithms = 6, []generals.Algorithm{generals.SM}
	back := experimenttest.RequireRecorded(t, registered, p, want).(*cliParams)
	require.Equal(t, want, back.Params)

	bad := registered.New().(*cliParams)
	require.EqualError(t, json.Unmarshal([]byte(`{"min_generals":3,"max_generals":1,"min_traitors":1,"max_traitors":3,"algorithms":["om"]}`), bad),
		"generals 3..1: want 2 ≤ min ≤ max ≤ 64")
}

// Summarize, given a sweep's records in run order, prints what bound.Run
// computes for the same seed: each run's seed is derived from the sweep's,
// so the worst cases name seeds that replay them.
func TestSummarizeMatchesRun(t *testing.T) {
	p, err := flags(t, "--max-generals", "6")
	require.NoError(t, err)
	const runs, seed = 12, 5
	want := Run(p.Params, runs, seed, 1, nil)
	var records []json.RawMessage
	for i := range runs {
		raw, err := json.Marshal(p.Run(sim.RunSeed(seed, uint64(i))))
		require.NoError(t, err)
		records = append(records, raw)
	}
	p.SetSeed(seed)
	out, err := p.Summarize(records)
	require.NoError(t, err)
	require.Equal(t, want, out.JSON)
	require.Len(t, out.Tables, 1)
	require.Equal(t, want.Table(), out.Tables[0])
	worst := 0
	for _, r := range want.Rows {
		if r.Worst != nil {
			worst++
		}
	}
	require.Positive(t, worst, "the grid has rows below the bound, whose worst cases name seeds")

	_, err = p.Summarize([]json.RawMessage{records[0], []byte(`[]`)})
	var bad *experiment.RecordError
	require.ErrorAs(t, err, &bad)
	require.Equal(t, 1, bad.Index)
}
