package selfish_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/experiments/selfish"
)

func TestClosedFormAtThresholdIsFair(t *testing.T) {
	for _, g := range []float64{0, 0.25, 0.5, 0.75} {
		a := selfish.Threshold(g)
		require.InDelta(t, a, selfish.Closed(a, g), 1e-12, "at the threshold selfish mining pays exactly α (γ=%v)", g)
	}
	require.InDelta(t, 1.0/3, selfish.Threshold(0), 1e-15)
	require.InDelta(t, 0.25, selfish.Threshold(0.5), 1e-15)
}

// The pool's simulated revenue matches Eyal and Sirer's closed form.
func TestRevenueMatchesClosedForm(t *testing.T) {
	o := selfish.DefaultOptions()
	o.Runs, o.Blocks = 8, 3000
	rows := selfish.Simulate(o, [2]float64{0.3, 0}, [2]float64{0.35, 0.5}, [2]float64{0.25, 1}, [2]float64{0.1, 0})
	for _, r := range rows {
		t.Logf("α=%.2f γ=%.1f: simulated %.4f ± %.4f, closed form %.4f", r.Alpha, r.Gamma, r.Sim, r.SE, r.Closed)
		require.Positive(t, r.SE)
		require.InDelta(t, r.Closed, r.Sim, 4*r.SE, "α=%v γ=%v", r.Alpha, r.Gamma)
	}
	// Below the threshold the pool loses; above it, it gains.
	require.Less(t, rows[3].Sim, 0.1)
	require.Greater(t, rows[1].Sim, 0.35)
}

func TestSameResultForAnyWorkerCount(t *testing.T) {
	o := selfish.DefaultOptions()
	o.Runs, o.Blocks, o.Workers = 4, 300, 1
	a := selfish.Simulate(o, [2]float64{0.3, 0.5})
	o.Workers = 4
	require.Equal(t, a, selfish.Simulate(o, [2]float64{0.3, 0.5}))
}

func ExampleClosed() {
	fmt.Printf("α=1/3, γ=0: %.4f\n", selfish.Closed(1.0/3, 0))
	// Output: α=1/3, γ=0: 0.3333
}
