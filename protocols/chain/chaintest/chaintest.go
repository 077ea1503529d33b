// Package chaintest holds the test helpers that the chain protocols
// (nakamoto, pos, poet, dpos) share: each of their test files used to carry
// its own copy of the run helper, the golden-file check, the same-seed test
// and the table of invalid scenarios. One copy here means a fix to how a
// golden file is read or a run is built reaches every protocol at once.
//
// It is imported by tests only; nothing in the protocols depends on it.
package chaintest

import (
	"fmt"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"simulate/internal/goldenfile"
	"simulate/scenario"
	"simulate/search"
	"simulate/sim"
)

// Run is what every chain protocol's built run offers: its statistics,
// judged from the finished simulation's result.
type Run[St any] interface {
	Stats(res sim.Result) St
}

// Runner returns the run helper of a protocol's tests: it validates a
// scenario, builds it with a seed, runs the world that world returns for
// the built run, and returns the run's statistics, the raw result and the
// built run. The protocols differ only in how a built run becomes a world
// (a Config field, or a World method), so that is the caller's part.
func Runner[S interface {
	Validate() error
	Build(seed uint64) R
}, R Run[St], St any](world func(R) *sim.World) func(t testing.TB, s S, seed uint64) (St, sim.Result, R) {
	return func(t testing.TB, s S, seed uint64) (St, sim.Result, R) {
		t.Helper()
		require.NoError(t, s.Validate())
		r := s.Build(seed)
		res := world(r).Run()
		return r.Stats(res), res, r
	}
}

// Golden requires got to equal testdata/name, the pinned output of one run:
// a change means the protocol's (or the kernel's) behaviour changed and
// recorded traces no longer replay. With UPDATE_GOLDEN set it first
// rewrites the file from got.
func Golden(t testing.TB, name, got string) {
	t.Helper()
	goldenfile.Check(t, name, got)
}

// SameSeedSameRun requires determinism from run: seed 3 twice gives the
// same trace hash, and seed 4 a different one (so the seed is used).
func SameSeedSameRun(t testing.TB, run func(seed uint64) sim.Result) {
	t.Helper()
	a, b, c := run(3), run(3), run(4)
	require.Equal(t, a.Hash, b.Hash)
	require.NotEqual(t, a.Hash, c.Hash)
}

// SameSeed is SameSeedSameRun for scenario s run by a protocol's run
// helper (see Runner).
func SameSeed[S, St, R any](t testing.TB, run func(testing.TB, S, uint64) (St, sim.Result, R), s S) {
	t.Helper()
	SameSeedSameRun(t, func(seed uint64) sim.Result {
		_, res, _ := run(t, s, seed)
		return res
	})
}

// GoldenRun requires the line that pins one run to equal testdata/name:
// res's trace hash, events and messages sent, then fields (the
// protocol's own measures, "height=20 made=21 ...") and the first 16
// digits of the tip's hash. See Golden.
func GoldenRun(t testing.TB, name string, res sim.Result, fields, tip string) {
	t.Helper()
	Golden(t, name, fmt.Sprintf("%s events=%d sent=%d %s tip=%s\n", res.HashString(), res.Events, res.Sent, fields, tip[:16]))
}

// Finds requires the search of sc (checks runs, seed 1) to find a
// violation of property, shrunk to at most draws non-zero draws.
func Finds(t testing.TB, sc scenario.Scenario, checks int, property string, draws int) {
	t.Helper()
	require.NoError(t, sc.Validate())
	rep := scenario.Check(sc, 1, search.Config{Checks: checks, Seed: 1})
	require.True(t, rep.Failed)
	require.Equal(t, property, rep.Counterexample.Violation.Property)
	require.LessOrEqual(t, rep.Draws.NonZero(), draws)
}

// Holds requires the search of sc (checks runs, seed 1) to find nothing.
func Holds(t testing.TB, sc scenario.Scenario, checks int) {
	t.Helper()
	require.False(t, scenario.Check(sc, 1, search.Config{Checks: checks, Seed: 1}).Failed)
}

// RejectsEach requires Validate to fail for the default scenario changed by
// each of bad, and to pass for the default scenario itself.
func RejectsEach[S interface{ Validate() error }](t testing.TB, def func() S, bad []func(*S)) {
	t.Helper()
	for i, f := range bad {
		s := def()
		f(&s)
		require.Error(t, s.Validate(), "case %d", i)
	}
	require.NoError(t, def().Validate())
}

// Parsed looks up the registered protocol name, makes its scenario (the
// search's scenario when search is set, the run's otherwise), and parses
// args into it with the protocol's own flags, as the CLI would. It returns
// the scenario as the protocol's registered type R, not yet validated.
func Parsed[R scenario.Scenario](t testing.TB, name string, search bool, args ...string) R {
	t.Helper()
	p, ok := scenario.Lookup(name)
	require.True(t, ok, "%s registers itself", name)
	s := p.New()
	if search {
		s = scenario.NewSearch(p)
	}
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	p.Flags(fs, s)
	require.NoError(t, fs.Parse(args))
	return s.(R)
}

// Reachable returns how many nodes of the graph g (each node's neighbours)
// node 0 reaches: len(g) when g is connected.
func Reachable(g [][]sim.NodeID) int {
	seen := map[sim.NodeID]bool{0: true}
	stack := []sim.NodeID{0}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, y := range g[x] {
			if !seen[y] {
				seen[y] = true
				stack = append(stack, y)
			}
		}
	}
	return len(seen)
}
