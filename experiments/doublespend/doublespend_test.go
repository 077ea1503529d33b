package doublespend_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/experiments/doublespend"
)

// The whitepaper's printed table (section 11), q = 0.1 and q = 0.3.
func TestWhitepaperMatchesItsTable(t *testing.T) {
	q1 := []float64{1, 0.2045873, 0.0509779, 0.0131722, 0.0034552, 0.0009137, 0.0002428, 0.0000647, 0.0000173, 0.0000046, 0.0000012}
	for z, want := range q1 {
		require.InDelta(t, want, doublespend.Whitepaper(0.1, z), 5e-8, "q=0.1 z=%d", z)
	}
	q3 := map[int]float64{0: 1, 5: 0.1773523, 10: 0.0416605, 15: 0.0101008, 20: 0.0024804, 25: 0.0006132, 30: 0.0001522, 35: 0.0000379, 40: 0.0000095, 45: 0.0000024, 50: 0.0000006}
	for z, want := range q3 {
		require.InDelta(t, want, doublespend.Whitepaper(0.3, z), 5e-8, "q=0.3 z=%d", z)
	}
	// And its "P < 0.001" table.
	want := []int{5, 8, 11, 15, 24, 41, 89, 340}
	for i, q := range doublespend.NeededQs {
		require.Equal(t, want[i], doublespend.RequiredZ(doublespend.Whitepaper, q, 0.001), "q=%v", q)
	}
}

func TestExactValues(t *testing.T) {
	require.InDelta(t, 0.00178184, doublespend.Exact(0.1, 5), 1e-8)
	require.Equal(t, 1.0, doublespend.Exact(0.1, 0))
	require.InDelta(t, 0.2, doublespend.Exact(0.1, 1), 1e-12, "z=1: catch up from one behind, 1-(p-q)")
	require.Equal(t, 1.0, doublespend.Exact(0.6, 10), "a majority always wins")
	// Brute force: sum over the attacker's count while honest finds z.
	for _, q := range []float64{0.1, 0.3} {
		for z := 1; z <= 8; z++ {
			p := 1 - q
			sum := 0.0
			for m := 0; m < 400; m++ {
				nb := math.Exp(lchoose(m+z-1, m) + float64(z)*math.Log(p) + float64(m)*math.Log(q))
				catch := 1.0
				if m < z {
					catch = math.Pow(q/p, float64(z-m))
				}
				sum += nb * catch
			}
			require.InDelta(t, sum, doublespend.Exact(q, z), 1e-12, "q=%v z=%d", q, z)
		}
	}
}

func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// The simulated race lands on the exact value, within Monte-Carlo error,
// and far from the whitepaper's approximation where they differ.
func TestSimulationMatchesExactNotWhitepaper(t *testing.T) {
	o := doublespend.DefaultOptions()
	o.Runs = 1500
	est := doublespend.Simulate(o, [2]float64{0.1, 5}, [2]float64{0.3, 3}, [2]float64{0.1, 9}, [2]float64{0.2, 6})
	for _, e := range est {
		ex := doublespend.Exact(e.Q, e.Z)
		t.Logf("q=%.2f z=%d: simulated %.4g ± %.2g, exact %.4g, whitepaper %.4g", e.Q, e.Z, e.P, e.SE, ex, doublespend.Whitepaper(e.Q, e.Z))
		require.Positive(t, e.SE)
		require.InDelta(t, ex, e.P, 4*e.SE, "q=%v z=%d", e.Q, e.Z)
		require.Less(t, e.SE, 0.05*ex, "importance sampling keeps the error small")
	}
	e := est[0]
	require.Greater(t, (e.P-doublespend.Whitepaper(0.1, 5))/e.SE, 4.0, "the simulation tells the exact value from the approximation")
}

// Plain Monte Carlo (no importance sampling) agrees too where P is large.
func TestPlainMonteCarloMatchesExact(t *testing.T) {
	o := doublespend.DefaultOptions()
	o.Runs, o.Plain = 3000, true
	for _, e := range doublespend.Simulate(o, [2]float64{0.3, 2}, [2]float64{0.25, 4}) {
		require.InDelta(t, doublespend.Exact(e.Q, e.Z), e.P, 4*e.SE, "q=%v z=%d", e.Q, e.Z)
		require.Equal(t, e.Q, e.WaitShare)
	}
}

func TestSameResultForAnyWorkerCount(t *testing.T) {
	o := doublespend.DefaultOptions()
	o.Runs = 200
	o.Workers = 1
	a := doublespend.Simulate(o, [2]float64{0.3, 4}, [2]float64{0.1, 3})
	o.Workers = 3
	b := doublespend.Simulate(o, [2]float64{0.3, 4}, [2]float64{0.1, 3})
	require.Equal(t, a, b)
}

func TestMarginBoundsTruncation(t *testing.T) {
	for _, q := range []float64{0.1, 0.3, 0.45} {
		c := doublespend.Margin(q)
		require.LessOrEqual(t, math.Pow(q/(1-q), float64(c+1)), 1e-4)
		require.Greater(t, math.Pow(q/(1-q), float64(c)), 1e-4)
	}
}

func ExampleExact() {
	fmt.Printf("whitepaper %.5f, exact %.5f\n", doublespend.Whitepaper(0.1, 5), doublespend.Exact(0.1, 5))
	// Output: whitepaper 0.00091, exact 0.00178
}
