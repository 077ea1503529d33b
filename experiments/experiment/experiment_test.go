package experiment_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"simulate/experiments/experiment"
	"simulate/report"
)

// coin is a toy experiment: each run flips a seeded coin; the summary is
// the share of heads.
type coin struct{}

type coinParams struct {
	Bias uint64 `json:"bias"`
}

func (coin) Name() string           { return "coin" }
func (coin) Command() string        { return "coin" }
func (coin) Short() string          { return "flip coins" }
func (coin) Long() string           { return "flip coins" }
func (coin) Runs() int              { return 10 }
func (coin) Plots() bool            { return false }
func (coin) New() experiment.Params { return &coinParams{Bias: 2} }
func (coin) Flags(fs *pflag.FlagSet, p experiment.Params) {
	fs.Uint64Var(&p.(*coinParams).Bias, "bias", 2, "one in bias flips is heads")
}
func (p *coinParams) Validate() error {
	if p.Bias == 0 {
		return errors.New("bias 0: want at least 1")
	}
	return nil
}
func (p *coinParams) Run(seed uint64) any { return seed%p.Bias == 0 }
func (p *coinParams) Summarize(records []json.RawMessage) (experiment.Output, error) {
	heads, err := experiment.Decode[bool](records)
	if err != nil {
		return experiment.Output{}, err
	}
	n := 0
	for _, h := range heads {
		if h {
			n++
		}
	}
	return experiment.Output{
		Tables: []report.Table{{Header: []string{"heads", "runs"}, Rows: [][]string{{fmt.Sprint(n), fmt.Sprint(len(heads))}}}},
		JSON:   map[string]int{"heads": n, "runs": len(heads)},
	}, nil
}

func init() { experiment.Register(coin{}) }

func TestRegistry(t *testing.T) {
	e, ok := experiment.Lookup("coin")
	require.True(t, ok)
	require.Contains(t, experiment.All(), experiment.Experiment(e))
	require.Panics(t, func() { experiment.Register(coin{}) }, "a name registered twice is a programming error")
}

func TestSummarizeDecodesRecords(t *testing.T) {
	e, _ := experiment.Lookup("coin")
	p := e.New()
	var recs []json.RawMessage
	for seed := range uint64(4) {
		b, err := json.Marshal(p.Run(seed))
		require.NoError(t, err)
		recs = append(recs, b)
	}
	out, err := p.Summarize(recs)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"heads": 2, "runs": 4}, out.JSON)

	recs[2] = json.RawMessage(`"damaged"`)
	_, err = p.Summarize(recs)
	var bad *experiment.RecordError
	require.ErrorAs(t, err, &bad)
	require.Equal(t, 2, bad.Index, "the error names the record that did not decode")
}

// TestSpec: a Spec answers the Experiment interface from its fields, takes
// --plot only when it says what the figure draws, and binds its flags to
// the parameters its Defaults made.
func TestSpec(t *testing.T) {
	s := experiment.Spec[*coinParams]{
		ID: "spec-coin", Path: "experiment spec-coin", Summary: "flip", Help: "flip coins", DefaultRuns: 3,
		Also:     []experiment.Alias{{Command: "spec-coin"}},
		Defaults: func() *coinParams { return &coinParams{Bias: 2} },
		Bind: func(fs *pflag.FlagSet, p *coinParams) {
			fs.Uint64Var(&p.Bias, "bias", p.Bias, "one in bias flips is heads")
		},
	}
	var e experiment.Experiment = s
	require.Equal(t, []string{"spec-coin", "experiment spec-coin", "flip", "flip coins"}, []string{e.Name(), e.Command(), e.Short(), e.Long()})
	require.Equal(t, 3, e.Runs())
	require.False(t, e.Plots(), "no --plot help, no figure")
	require.Equal(t, []experiment.Alias{{Command: "spec-coin"}}, e.(experiment.Aliased).Aliases())

	s.Plot = "draw heads"
	require.True(t, experiment.Experiment(s).Plots())
	require.Equal(t, "draw heads", experiment.Experiment(s).(experiment.PlotUsage).PlotUsage())

	p := e.New()
	fs := pflag.NewFlagSet("spec-coin", pflag.ContinueOnError)
	e.Flags(fs, p)
	require.NoError(t, fs.Parse([]string{"--bias", "5"}))
	require.Equal(t, &coinParams{Bias: 5}, p)
	require.NotSame(t, p, e.New(), "every New is fresh")
}

// Fresh makes Defaults of a function returning parameters by value: equal
// parameters, but never the same ones, so that flags bound to one command's
// parameters leave another's alone.
func TestFresh(t *testing.T) {
	defaults := experiment.Fresh(func() coinParams { return coinParams{Bias: 2} })
	a, b := defaults(), defaults()
	require.Equal(t, &coinParams{Bias: 2}, a)
	require.NotSame(t, a, b)
}

// flips are options that check their own sweep, as doublespend's and
// selfish's do.
type flips struct {
	experiment.Sweep
	Bias int `json:"bias"`
}

func (f flips) Validate() error {
	if f.Runs < 2 {
		return fmt.Errorf("runs must be at least 2, got %d", f.Runs)
	}
	return nil
}

// Named takes --runs and --workers into the options, names the command
// typed in errors, records only the options' own fields, and hands
// Summarize the options its runs ran with: as many runs as records and
// the sweep's seed.
func TestNamed(t *testing.T) {
	n := experiment.NewNamed("flip", flips{Bias: 3})
	fs := pflag.NewFlagSet("flip-alias", pflag.ContinueOnError)
	fs.Int("runs", 0, "")
	fs.Int("workers", 0, "")
	require.NoError(t, fs.Parse([]string{"--runs", "1", "--workers", "2"}))
	require.NoError(t, n.Finish(fs))
	require.Equal(t, 2, n.Options.Workers)
	require.EqualError(t, n.Validate(), "flip-alias: --runs must be at least 2, got 1")

	b, err := json.Marshal(n)
	require.NoError(t, err)
	require.JSONEq(t, `{"bias":3}`, string(b))
	back := experiment.NewNamed("flip", flips{Bias: 9, Sweep: experiment.Sweep{Runs: 5}})
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, flips{Bias: 3}, back.Options, "decoded into zero options, not over the defaults")

	back.SetSeed(7)
	recs, o, err := experiment.Records[bool](&back, []json.RawMessage{[]byte("true"), []byte("false")})
	require.NoError(t, err)
	require.Equal(t, []bool{true, false}, recs)
	require.Equal(t, experiment.Sweep{Runs: 2, Seed: 7}, o.Sweep)
	_, _, err = experiment.Records[bool](&back, []json.RawMessage{[]byte("true")})
	require.EqualError(t, err, "parameters: runs must be at least 2, got 1")
}

// SummarizeRows counts the runs its rows pool: every record, or none when
// there is no row.
func TestSummarizeRows(t *testing.T) {
	records := []json.RawMessage{[]byte("[1]"), []byte("[2]"), []byte("[3]")}
	sum := func(rows int, seeds [][]int) ([]int, error) { return make([]int, rows), nil }
	rows, runs, err := experiment.SummarizeRows(1, records, sum)
	require.NoError(t, err)
	require.Equal(t, []int{0}, rows)
	require.Equal(t, 3, runs)
	_, runs, err = experiment.SummarizeRows(0, records, sum)
	require.NoError(t, err)
	require.Zero(t, runs)
}
