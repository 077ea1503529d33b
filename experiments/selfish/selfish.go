// Package selfish measures Eyal and Sirer's selfish mining ("Majority is
// not enough: Bitcoin mining is vulnerable", 2014) by running it: a pool
// with hash share α runs the Selfish strategy of the nakamoto protocol
// against honest miners, a γ share of whom mine on the pool's block when
// it matches theirs. The pool's simulated share of the main chain is
// printed beside the analytic value, with the share α it would earn
// honestly, and the profitability threshold beside (1-γ)/(3-2γ).
//
// The experiment is a sweep: RunOne runs one seed index over the whole
// (α, γ) grid and returns the pool's blocks per point, Aggregate turns the
// records of any set of runs, in run order, into the table — so runs can
// be spread over processes or machines and merged.
//
// Eyal and Sirer's model has no propagation delay: a published block
// reaches everyone at once. Options.Delay gives every link a latency to
// show what real delays do to the curve.
package selfish

import (
	"fmt"
	"math"

	"simulate/experiments/experiment"
	"simulate/experiments/sweep"
	"simulate/protocols/nakamoto"
	"simulate/sim"
)

// Closed is Eyal and Sirer's relative revenue of a selfish pool:
//
//	R = [α(1-α)²(4α+γ(1-2α)) - α³] / [1 - α(1+(2-α)α)].
func Closed(alpha, gamma float64) float64 {
	a := alpha
	return (a*(1-a)*(1-a)*(4*a+gamma*(1-2*a)) - a*a*a) / (1 - a*(1+(2-a)*a))
}

// Threshold is the smallest pool share for which selfish mining pays
// more than honest mining: (1-γ)/(3-2γ).
func Threshold(gamma float64) float64 { return (1 - gamma) / (3 - 2*gamma) }

// Options control the experiment. Runs, Workers and Seed say how to sweep
// it and are not part of what a results file records as its parameters.
type Options struct {
	// Sweep's Runs is the number of runs; each mines Blocks blocks at
	// every (α, γ) point.
	experiment.Sweep
	Blocks int `json:"blocks"`
	// Honest is the number of honest miners sharing 1-α.
	Honest int `json:"honest"`
	// Delay is the latency of every link (0: Eyal and Sirer's instant
	// propagation). The block interval is 10 minutes.
	Delay sim.Time `json:"delay"`
	// Alphas (increasing) and Gammas are the grid.
	Alphas []float64 `json:"alphas"`
	Gammas []float64 `json:"gammas"`
}

// Alphas and Gammas are the default grid.
var (
	Alphas = []float64{0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45}
	Gammas = []float64{0, 0.5, 1}
)

// Interval is the mean block interval of the runs.
const Interval = 600 * sim.Second

// DefaultOptions: 8 runs of 5000 blocks per point, 4 honest miners,
// instant propagation, the grid Alphas × Gammas.
func DefaultOptions() Options {
	return Options{Sweep: experiment.Sweep{Runs: 8, Seed: 1}, Blocks: 5000, Honest: 4,
		Alphas: append([]float64(nil), Alphas...), Gammas: append([]float64(nil), Gammas...)}
}

// Validate reports what is wrong with o.
func (o Options) Validate() error {
	switch {
	case o.Runs < 2:
		return fmt.Errorf("runs must be at least 2, got %d", o.Runs)
	case o.Blocks < 10 || o.Blocks > 10_000_000:
		return fmt.Errorf("blocks must be between 10 and 10000000, got %d", o.Blocks)
	case o.Honest < 1 || o.Honest > 64:
		return fmt.Errorf("honest miners must be between 1 and 64, got %d", o.Honest)
	case o.Workers < 0:
		return fmt.Errorf("workers must not be negative, got %d", o.Workers)
	case o.Delay < 0 || o.Delay > Interval:
		return fmt.Errorf("delay must be between 0 and the block interval (%v), got %v", Interval, o.Delay)
	case len(o.Alphas) == 0 || len(o.Alphas) > 50:
		return fmt.Errorf("alpha: want 1 to 50 pool shares, got %d", len(o.Alphas))
	case len(o.Gammas) == 0 || len(o.Gammas) > 10:
		return fmt.Errorf("gamma: want 1 to 10 values, got %d", len(o.Gammas))
	}
	for i, a := range o.Alphas {
		if !(a > 0 && a < 0.5) {
			return fmt.Errorf("alpha %v: want a pool share in (0, 0.5)", a)
		}
		if i > 0 && a <= o.Alphas[i-1] {
			return fmt.Errorf("alpha: want increasing shares, got %v after %v", a, o.Alphas[i-1])
		}
	}
	return experiment.Distinct("gamma", o.Gammas, func(g float64) bool { return g >= 0 && g <= 1 }, "want a share in [0, 1]")
}

// Point is one (α, γ) of the grid.
type Point struct {
	Alpha float64 `json:"alpha"`
	Gamma float64 `json:"gamma"`
}

// Points lists the grid in record order: γ by γ, α increasing within each.
func (o Options) Points() []Point {
	var pts []Point
	for _, g := range o.Gammas {
		for _, a := range o.Alphas {
			pts = append(pts, Point{Alpha: a, Gamma: g})
		}
	}
	return pts
}

// Revenue is the final main chain of one run at one point: the pool's
// blocks and all blocks.
type Revenue struct {
	Pool  int `json:"pool"`
	Total int `json:"total"`
}

// Relative is the pool's relative revenue, its share of the main chain.
func (r Revenue) Relative() float64 {
	if r.Total == 0 {
		return 0
	}
	return float64(r.Pool) / float64(r.Total)
}

// Record is what one run contributes: the revenue at every point, in
// Points order.
type Record []Revenue

// runSeed derives the seed of run i at point k: a seed per point from the
// sweep seed, then run i of that point's stream (sim.RunSeed), so sweeps
// from different seeds share no runs.
func runSeed(seed uint64, k, i int) uint64 {
	return sim.RunSeed(sim.RunSeed(seed, uint64(k)), uint64(i))
}

// RunOne runs run number run of the sweep: Blocks blocks at every point,
// each from a seed derived from o.Seed, the point's index and run. It
// depends only on o and run.
func RunOne(o Options, run int) Record {
	pts := o.Points()
	rec := make(Record, len(pts))
	for k, pt := range pts {
		s := nakamoto.SelfishRun{Alpha: pt.Alpha, Gamma: pt.Gamma, Honest: o.Honest, Blocks: o.Blocks, Delay: o.Delay, NoHash: true}
		r := s.Run(runSeed(o.Seed, k, run))
		rec[k] = Revenue{Pool: r.Pool, Total: r.Total}
	}
	return rec
}

// Row is the pool's revenue at one (α, γ): the mean over runs of its share
// of the main chain, with the standard error of that mean, beside Eyal and
// Sirer's value (which assumes instant propagation).
type Row struct {
	Alpha    float64 `json:"alpha"`
	Gamma    float64 `json:"gamma"`
	Sim      float64 `json:"simulated"`
	SE       float64 `json:"stderr"`
	Analytic float64 `json:"analytic"`
	Blocks   int     `json:"blocks_per_run"`
	Runs     int     `json:"runs"`
}

// ThresholdRow compares the profitability threshold: Sim is where the
// simulated revenue minus α crosses zero, interpolated linearly between
// grid points (nil when it does not cross inside the grid).
type ThresholdRow struct {
	Gamma    float64  `json:"gamma"`
	Sim      *float64 `json:"simulated"`
	Analytic float64  `json:"analytic"`
	// Below is true when the simulated revenue beats α already at the
	// smallest α of the grid.
	Below bool `json:"below_grid"`
}

// Result is the whole experiment.
type Result struct {
	Runs       int            `json:"runs"`
	Blocks     int            `json:"blocks_per_run"`
	Delay      sim.Time       `json:"delay_ns"`
	Rows       []Row          `json:"revenue"`
	Thresholds []ThresholdRow `json:"thresholds"`
}

// Aggregate turns the records of runs 0..len(recs)-1, in run order, into
// the table and the thresholds. The sums run in that order, so the same
// records give the same bits however they were computed. It fails if a
// record does not fit o's grid.
func Aggregate(o Options, recs []Record) (Result, error) {
	pts := o.Points()
	sum, sum2 := make([]float64, len(pts)), make([]float64, len(pts))
	for run, r := range recs {
		if len(r) != len(pts) {
			return Result{}, fmt.Errorf("run %d: record has %d points, the grid %d", run, len(r), len(pts))
		}
		for k, rev := range r {
			x := rev.Relative()
			sum[k] += x
			sum2[k] += float64(x * x) // float64(): no fused multiply-add, same bits on every machine
		}
	}
	res := Result{Runs: len(recs), Blocks: o.Blocks, Delay: o.Delay}
	n := float64(len(recs))
	for k, pt := range pts {
		row := Row{Alpha: pt.Alpha, Gamma: pt.Gamma, Analytic: Closed(pt.Alpha, pt.Gamma), Blocks: o.Blocks, Runs: len(recs)}
		if len(recs) > 0 {
			row.Sim = sum[k] / n
		}
		if len(recs) > 1 {
			v := (sum2[k] - float64(n*row.Sim*row.Sim)) / (n - 1)
			row.SE = math.Sqrt(math.Max(v, 0) / n)
		}
		res.Rows = append(res.Rows, row)
	}
	na := len(o.Alphas)
	for gi, g := range o.Gammas {
		rows := res.Rows[gi*na : (gi+1)*na]
		t := ThresholdRow{Gamma: g, Analytic: Threshold(g)}
		if rows[0].Sim > rows[0].Alpha {
			t.Below = true
		} else {
			for i := 1; i < len(rows); i++ {
				d0, d1 := rows[i-1].Sim-rows[i-1].Alpha, rows[i].Sim-rows[i].Alpha
				if d0 <= 0 && d1 > 0 {
					x := rows[i-1].Alpha + (rows[i].Alpha-rows[i-1].Alpha)*(-d0)/(d1-d0)
					t.Sim = &x
					break
				}
			}
		}
		res.Thresholds = append(res.Thresholds, t)
	}
	return res, nil
}

// Run runs the whole sweep in this process (o.Runs runs on o.Workers
// goroutines) and aggregates it.
func Run(o Options) Result {
	recs := sweep.Map(o.Runs, o.Workers, func(run int) Record { return RunOne(o, run) }, nil)
	res, _ := Aggregate(o, recs) // RunOne's records always fit
	return res
}
