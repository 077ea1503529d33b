package scenario_test

import (
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"simulate/scenario"
	"simulate/search"
	"simulate/sim"
)

// coin is the smallest scenario: one node, no messages; the environment
// draws a value, and the property "small" breaks when it is above 2.
type coin struct{ Max int }

func (c *coin) Validate() error { return nil }
func (c *coin) Build(_ uint64, ch sim.Choices) scenario.World {
	v := ch.Intn("value", c.Max)
	return scenario.World{
		Config: sim.Config{Nodes: 1, New: func(sim.NodeID) sim.Node { return idle{} }},
		Properties: []scenario.Property{
			{Name: "small", Check: func(scenario.Run) error {
				if v > 2 {
					return errValue(v)
				}
				return nil
			}},
		},
		Coverage: []scenario.Sometimes{{Name: "non-zero", Hit: func(scenario.Run) bool { return v > 0 }}},
	}
}

type errValue int

func (e errValue) Error() string { return "value too large" }

type idle struct{}

func (idle) Start(sim.Context)                            {}
func (idle) Deliver(sim.Context, sim.NodeID, sim.Message) {}
func (idle) Fire(sim.Context, sim.TimerID, any)           {}

func TestCheckShrinksAndCounts(t *testing.T) {
	rep := scenario.Check(&coin{Max: 100}, 1, search.Config{Checks: 50, Seed: 1})
	require.True(t, rep.Failed)
	require.Equal(t, "small", rep.Property)
	require.Equal(t, 3, rep.Draws.Values()[0], "lowered to the smallest failing value")
	require.Equal(t, "small", rep.Counterexample.Violation.Property)

	rep = scenario.Check(&coin{Max: 3}, 1, search.Config{Checks: 50, Seed: 1})
	require.False(t, rep.Failed)
	require.Equal(t, []scenario.Count{{Name: "non-zero", Runs: rep.Coverage[0].Runs}}, rep.Coverage)
	require.Greater(t, rep.Coverage[0].Runs, 10)
}

func TestCheckOnlyIgnoresOtherProperties(t *testing.T) {
	rep := scenario.CheckOnly(&coin{Max: 100}, 1, search.Config{Checks: 50, Seed: 1}, []string{"other"})
	require.False(t, rep.Failed)
}

type proto struct{}

func (proto) Name() string                            { return "scenario-test-coin" }
func (proto) Summary() string                         { return "a coin" }
func (proto) New() scenario.Scenario                  { return &coin{Max: 10} }
func (proto) Flags(*pflag.FlagSet, scenario.Scenario) {}
func (proto) Bugs() []scenario.Bug                    { return nil }

func TestRegistry(t *testing.T) {
	scenario.Register(proto{})
	p, ok := scenario.Lookup("scenario-test-coin")
	require.True(t, ok)
	require.Equal(t, "a coin", p.Summary())
	require.Contains(t, scenario.Names(), "scenario-test-coin")
	require.Panics(t, func() { scenario.Register(proto{}) }, "a name registered twice is a programming error")
}

// Memo computes a run's judgement once, and again for another run.
func TestMemo(t *testing.T) {
	calls := 0
	f := scenario.Memo(func(r scenario.Run) uint64 { calls++; return r.Result.Hash })
	a := scenario.Run{World: sim.New(sim.Config{Nodes: 1, New: func(sim.NodeID) sim.Node { return nil }}), Result: sim.Result{Hash: 3}}
	b := scenario.Run{World: sim.New(sim.Config{Nodes: 1, New: func(sim.NodeID) sim.Node { return nil }}), Result: sim.Result{Hash: 5}}
	require.EqualValues(t, 3, f(a))
	require.EqualValues(t, 3, f(a))
	require.Equal(t, 1, calls)
	require.EqualValues(t, 5, f(b))
	require.Equal(t, 2, calls)
}
