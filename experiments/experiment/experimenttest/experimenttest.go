// Package experimenttest drives an experiment in tests as the CLI does,
// so that each experiment's tests check its own tables and errors rather
// than repeat how the CLI parses flags and runs a sweep.
package experimenttest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"simulate/experiments/experiment"
	"simulate/experiments/sweep"
)

// Flags are the flags of e's command named use (its main path or an
// alias), as the CLI gives them: e's own, bound to p, and the sweep's
// --runs and --workers; args are parsed into them.
func Flags(e experiment.Experiment, use string, p experiment.Params, args ...string) (*pflag.FlagSet, error) {
	fs := pflag.NewFlagSet(use, pflag.ContinueOnError)
	fs.Int("runs", e.Runs(), "")
	fs.Int("workers", 0, "")
	e.Flags(fs, p)
	return fs, fs.Parse(args)
}

// Finished is e's default parameters with args parsed into them by the
// command named use and finished (p must be an experiment.Finisher).
func Finished(t *testing.T, e experiment.Experiment, use string, args ...string) experiment.Params {
	t.Helper()
	p := e.New()
	fs, err := Flags(e, use, p, args...)
	require.NoError(t, err)
	require.NoError(t, p.(experiment.Finisher).Finish(fs))
	return p
}

// NumberedSweep runs runs numbered runs of p (an experiment.Numbered) as
// the CLI does, seeded seed: each record through JSON, then summarized
// by parameters of e read back from p's JSON, the sweep's seed set, as a
// merge of shards makes them. It returns the summary, the records as the
// runs returned them, and p's JSON.
func NumberedSweep(t *testing.T, e experiment.Experiment, p experiment.Params, seed uint64, runs int) (experiment.Output, []any, []byte) {
	t.Helper()
	var raw []json.RawMessage
	var recs []any
	for i := range runs {
		rec := p.(experiment.Numbered).RunNumber(seed, i)
		b, err := json.Marshal(rec)
		require.NoError(t, err)
		raw = append(raw, b)
		recs = append(recs, rec)
	}
	params, err := json.Marshal(p)
	require.NoError(t, err)
	fresh := e.New()
	require.NoError(t, json.Unmarshal(params, fresh))
	fresh.(experiment.Seeded).SetSeed(seed)
	out, err := fresh.Summarize(raw)
	require.NoError(t, err)
	return out, recs, params
}

// SweepSeeds validates p, runs it over seeds 1..runs on every core with
// run, and aggregates the outcomes with summarize, as a sweep of an
// experiment whose run is one seed over all its rows does.
func SweepSeeds[P interface{ Validate() error }, O, R any](t *testing.T, p P, runs int, run func(P, uint64) []O, summarize func(P, [][]O) ([]R, error)) []R {
	t.Helper()
	require.NoError(t, p.Validate())
	seeds := sweep.Map(runs, 0, func(i int) []O { return run(p, uint64(i+1)) }, nil)
	rows, err := summarize(p, seeds)
	require.NoError(t, err)
	return rows
}

// Validated is Finished's parameters and what their Validate says.
func Validated(t *testing.T, e experiment.Experiment, use string, args ...string) (experiment.Params, error) {
	t.Helper()
	p := Finished(t, e, use, args...)
	return p, p.Validate()
}

// RequireError requires err to be want, or nil when want is empty: a
// table of bad and good input shares one check.
func RequireError(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		require.NoError(t, err)
		return
	}
	require.EqualError(t, err, want)
}

// Case is one command line of a table of bad and good input: the command
// typed (the main path or an alias, which errors name), its arguments,
// and the error Validate gives ("" for none).
type Case struct {
	Use  string
	Args []string
	Want string
}

// RequireCases requires each case's parameters, finished as the CLI
// finishes them, to validate with the error the case wants; it returns
// the parameters, case by case, for further checks of the good ones.
func RequireCases(t *testing.T, e experiment.Experiment, cases ...Case) []experiment.Params {
	t.Helper()
	ps := make([]experiment.Params, len(cases))
	for i, c := range cases {
		p, err := Validated(t, e, c.Use, c.Args...)
		RequireError(t, err, c.Want)
		ps[i] = p
	}
	return ps
}

// RequireFormats requires format to render every input of want as want
// says: how a table prints its numbers, a case a line.
func RequireFormats[T comparable](t *testing.T, format func(T) string, want map[T]string) {
	t.Helper()
	for in, w := range want {
		require.Equal(t, w, format(in), "%v", in)
	}
}

// RequireInvalid requires the defaults to validate and every edit of
// them not to: the parameters a Validate refuses, an edit a line. A
// failure names the edit by its place in the list and shows the
// parameters.
func RequireInvalid[P interface{ Validate() error }](t *testing.T, defaults func() P, edits ...func(*P)) {
	t.Helper()
	require.NoError(t, defaults().Validate())
	for i, edit := range edits {
		p := defaults()
		edit(&p)
		require.Error(t, p.Validate(), "edit %d: %+v", i, p)
	}
}

// RequireRecorded requires p to record, as --out does, exactly want's
// JSON, and returns e's fresh parameters with the record read back into
// them, as a merge of shards reads them.
func RequireRecorded(t *testing.T, e experiment.Experiment, p experiment.Params, want any) experiment.Params {
	t.Helper()
	got, err := json.Marshal(p)
	require.NoError(t, err)
	wantJSON, err := json.Marshal(want)
	require.NoError(t, err)
	require.JSONEq(t, string(wantJSON), string(got))
	back := e.New()
	require.NoError(t, json.Unmarshal(got, back))
	return back
}

// RequireAlias requires e to have one alias, at path, whose short help
// says what it is an alias of and whose long help is e's with the
// alias's name, alias, for the main command's, use.
func RequireAlias(t *testing.T, e experiment.Experiment, use, alias, path string) {
	t.Helper()
	as := e.(experiment.Aliased).Aliases()
	require.Len(t, as, 1)
	require.Equal(t, path, as[0].Command)
	require.Contains(t, as[0].Short, "Alias of `simulate "+e.Command()+"`")
	require.True(t, strings.HasPrefix(e.Long(), use+" "))
	require.Equal(t, strings.TrimPrefix(e.Long(), use), strings.TrimPrefix(as[0].Long, alias))
}
