package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/sim"
)

// ticker sets one timer per entry of delays.
type ticker struct{ delays []sim.Time }

func (t *ticker) Start(ctx sim.Context) {
	for _, d := range t.delays {
		ctx.After(d, nil)
	}
}
func (t *ticker) Deliver(sim.Context, sim.NodeID, sim.Message) {}
func (t *ticker) Fire(sim.Context, sim.TimerID, any)           {}

// flaky returns a run function whose n-th call (from 1) sets the timers
// delays(n): a stand-in for a protocol that reads something outside the
// simulated world.
func flaky(delays func(call int) []sim.Time) func(sim.Tracer) sim.Result {
	calls := 0
	return func(tr sim.Tracer) sim.Result {
		calls++
		d := delays(calls)
		return sim.New(sim.Config{Nodes: 1, New: func(sim.NodeID) sim.Node { return &ticker{delays: d} }, Tracer: tr}).Run()
	}
}

// TestCheckDeterminismNamesFirstDivergentEvent plants nondeterminism and
// checks --check-determinism reports the first event where the runs part,
// both when it keeps whole logs (with --trace) and when it keeps only
// per-event digests (without).
func TestCheckDeterminismNamesFirstDivergentEvent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		delays func(call int) []sim.Time
		want   []string
	}{
		{"same", func(int) []sim.Time { return []sim.Time{1, 2, 3} }, nil},
		{"second run differs", func(call int) []sim.Time {
			if call == 2 {
				return []sim.Time{1, 5, 3}
			}
			return []sim.Time{1, 2, 3}
		}, []string{"at event 3:", `2ns  timer`, `3ns  timer`}},
		{"second run longer", func(call int) []sim.Time {
			if call == 2 {
				return []sim.Time{1, 2, 3, 4}
			}
			return []sim.Time{1, 2, 3}
		}, []string{"at event 5:", `"" vs`, `4ns  timer`}},
		{"every run differs", func(call int) []sim.Time { return []sim.Time{1, sim.Time(call)} }, []string{"at event 3:"}},
	}
	for _, c := range cases {
		for _, withTrace := range []bool{false, true} {
			g := &globals{checkDeterminism: true}
			if withTrace {
				g.trace = filepath.Join(t.TempDir(), "run.trace")
			}
			_, err := execute(g, "test", map[string]int{}, flaky(c.delays))
			if c.want == nil {
				require.NoError(t, err, "%s, trace %v", c.name, withTrace)
				continue
			}
			require.Error(t, err, "%s, trace %v", c.name, withTrace)
			require.IsType(t, findingError{}, err)
			for _, w := range c.want {
				require.Contains(t, err.Error(), w, "%s, trace %v", c.name, withTrace)
			}
			require.True(t, strings.HasPrefix(err.Error(), "nondeterminism:"))
		}
	}
}
