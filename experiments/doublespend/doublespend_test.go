package doublespend_test

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/experiments/doublespend"
	"simulate/experiments/sweep"
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

// records runs runs [from, to) of the plan on workers goroutines, through
// JSON as a results file holds them.
func records(t *testing.T, p *doublespend.Plan, from, to, workers int) []doublespend.Record {
	t.Helper()
	recs := sweep.Map(to-from, workers, func(i int) doublespend.Record { return p.RunOne(from + i) }, nil)
	raw, err := json.Marshal(recs)
	require.NoError(t, err)
	var back []doublespend.Record
	require.NoError(t, json.Unmarshal(raw, &back))
	return back
}

// Aggregating the runs' records lands on the exact value at every point of
// both tables, within 3 standard errors, and tells the exact value from the
// whitepaper's approximation.
func TestAggregateMatchesExactNotWhitepaper(t *testing.T) {
	o := doublespend.DefaultOptions()
	o.Runs, o.NeededRuns = 1500, 300
	if testing.Short() {
		o.Runs, o.NeededRuns = 400, 60
	}
	p := doublespend.NewPlan(o)
	res, err := p.Aggregate(records(t, p, 0, o.Runs, 0))
	require.NoError(t, err)
	require.Len(t, res.Probabilities, 2*len(doublespend.Table1Zs))
	require.Len(t, res.Needed, len(doublespend.NeededQs))
	check := func(e doublespend.Estimate, runs int) {
		t.Helper()
		ex := doublespend.Exact(e.Q, e.Z)
		require.Equal(t, runs, e.Runs)
		if e.Z == 0 {
			require.Equal(t, 1.0, e.P, "no confirmation: the premine wins at once")
			return
		}
		t.Logf("q=%.2f z=%d: simulated %.4g ± %.2g, exact %.4g (%+.1f s.e.), whitepaper %.4g", e.Q, e.Z, e.P, e.SE, ex, (e.P-ex)/e.SE, doublespend.Whitepaper(e.Q, e.Z))
		require.Positive(t, e.SE)
		require.InDelta(t, ex, e.P, 3*e.SE, "q=%v z=%d", e.Q, e.Z)
		// Importance sampling keeps the per-race coefficient of variation
		// below 2; plain Monte Carlo's is sqrt((1-P)/P), 357 at P = 7.9e-6.
		require.Less(t, e.SE*math.Sqrt(float64(e.Runs)), 2*ex, "q=%v z=%d: importance sampling keeps the error small", e.Q, e.Z)
	}
	for _, r := range res.Probabilities {
		check(r.Estimate, o.Runs)
		require.Equal(t, doublespend.Exact(r.Q, r.Z), r.Exact)
		require.Equal(t, doublespend.Whitepaper(r.Q, r.Z), r.Whitepaper)
	}
	for _, n := range res.Needed {
		check(n.AtWhitepaper, o.NeededRuns)
		check(n.AtExact, o.NeededRuns)
		require.Greater(t, n.AtWhitepaper.P, o.Threshold, "q=%v: the whitepaper's z leaves the merchant exposed", n.Q)
	}
	e := res.Probabilities[5]
	require.Equal(t, doublespend.Point{Q: 0.1, Z: 5}, doublespend.Point{Q: e.Q, Z: e.Z})
	require.Greater(t, (e.P-doublespend.Whitepaper(0.1, 5))/e.SE, 4.0, "the simulation tells the exact value from the approximation")
}

// Plain Monte Carlo (no importance sampling) agrees too where P is large.
func TestPlainMonteCarloMatchesExact(t *testing.T) {
	o := doublespend.DefaultOptions()
	o.Runs, o.Plain, o.NeededRuns, o.Qs = 3000, true, 0, []float64{0.3}
	if testing.Short() {
		o.Runs = 800
	}
	res := doublespend.Run(o)
	require.Empty(t, res.Needed)
	for _, r := range res.Probabilities[1:6] {
		require.InDelta(t, r.Exact, r.P, 3*r.SE, "q=%v z=%d", r.Q, r.Z)
		require.Equal(t, r.Q, r.WaitShare)
	}
}

// The records of two halves of the runs, computed apart (as two shards
// would, on other worker counts), aggregate to exactly the result of one
// sweep; a record that does not fit the plan is an error.
func TestSplitRunsAggregateIdentically(t *testing.T) {
	o := doublespend.DefaultOptions()
	o.Runs, o.NeededRuns, o.Threshold = 60, 20, 0.01
	p := doublespend.NewPlan(o)
	whole, err := p.Aggregate(records(t, p, 0, 60, 1))
	require.NoError(t, err)
	recs := append(records(t, p, 0, 30, 3), records(t, p, 30, 60, 2)...)
	split, err := p.Aggregate(recs)
	require.NoError(t, err)
	require.Equal(t, whole, split)
	require.Equal(t, whole, doublespend.Run(o), "Run is RunOne then Aggregate")
	require.Equal(t, 20, whole.Needed[0].AtExact.Runs, "only runs below NeededRuns race the long races")

	_, err = p.Aggregate(recs[25:])
	require.ErrorContains(t, err, "run 0", "run 0 must race at the needed points")
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

// A sweep split over two machines: each runs its own runs and keeps the
// records; anyone holding all the records, in run order, aggregates them.
func ExamplePlan_Aggregate() {
	o := doublespend.DefaultOptions()
	o.Runs, o.Qs, o.NeededRuns = 400, []float64{0.3}, 0
	p := doublespend.NewPlan(o)
	var recs []doublespend.Record
	for run := 0; run < 200; run++ { // machine 1
		recs = append(recs, p.RunOne(run))
	}
	for run := 200; run < 400; run++ { // machine 2
		recs = append(recs, p.RunOne(run))
	}
	res, _ := p.Aggregate(recs)
	r := res.Probabilities[5]
	fmt.Printf("q=%.1f z=%d: simulated %.2f ± %.2f, exact %.2f, whitepaper %.2f\n", r.Q, r.Z, r.P, r.SE, r.Exact, r.Whitepaper)
	// Output: q=0.3 z=5: simulated 0.20 ± 0.01, exact 0.20, whitepaper 0.18
}
