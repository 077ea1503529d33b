// Package selfish measures Eyal and Sirer's selfish mining ("Majority is
// not enough: Bitcoin mining is vulnerable", 2014) by running it: a pool
// with hash share α runs the Selfish strategy of the nakamoto protocol
// against honest miners, a γ share of whom mine on the pool's block when
// it matches theirs. The pool's simulated share of the main chain is
// printed beside the closed form, with the share α it would earn honestly,
// and the profitability threshold beside (1-γ)/(3-2γ).
package selfish

import (
	"fmt"
	"math"

	"simulate/experiments/sweep"
	"simulate/protocols/nakamoto"
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

// Options control the experiment.
type Options struct {
	// Runs per (α, γ), each mining Blocks blocks.
	Runs   int
	Blocks int
	// Honest is the number of honest miners sharing 1-α.
	Honest  int
	Workers int
	Seed    uint64
}

// DefaultOptions: 8 runs of 5000 blocks per point, 4 honest miners.
func DefaultOptions() Options { return Options{Runs: 8, Blocks: 5000, Honest: 4, Seed: 1} }

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
	}
	return nil
}

// Alphas and Gammas are the experiment's grid.
var (
	Alphas = []float64{0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45}
	Gammas = []float64{0, 0.5, 1}
)

// Row is the pool's revenue at one (α, γ): the mean over runs of its share
// of the main chain, with the standard error of that mean.
type Row struct {
	Alpha  float64 `json:"alpha"`
	Gamma  float64 `json:"gamma"`
	Sim    float64 `json:"simulated"`
	SE     float64 `json:"stderr"`
	Closed float64 `json:"closed_form"`
	Blocks int     `json:"blocks_per_run"`
	Runs   int     `json:"runs"`
}

// ThresholdRow compares the profitability threshold: Sim is where the
// simulated revenue minus α crosses zero, interpolated linearly between
// grid points (nil when it does not cross inside the grid).
type ThresholdRow struct {
	Gamma  float64  `json:"gamma"`
	Sim    *float64 `json:"simulated"`
	Closed float64  `json:"closed_form"`
	// Below is true when the simulated revenue beats α already at the
	// smallest α of the grid.
	Below bool `json:"below_grid"`
}

// Result is the whole experiment.
type Result struct {
	Rows       []Row          `json:"revenue"`
	Thresholds []ThresholdRow `json:"thresholds"`
}

func runSeed(seed uint64, k, i int) uint64 {
	x := seed ^ uint64(k)<<32 ^ uint64(i)
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// Simulate measures the pool's revenue at each (α, γ) point.
func Simulate(o Options, pts ...[2]float64) []Row {
	outs := sweep.Map(len(pts)*o.Runs, o.Workers, func(i int) float64 {
		k, run := i/o.Runs, i%o.Runs
		s := nakamoto.SelfishRun{Alpha: pts[k][0], Gamma: pts[k][1], Honest: o.Honest, Blocks: o.Blocks, NoHash: true}
		return s.Run(runSeed(o.Seed, k, run)).Relative()
	}, nil)
	rows := make([]Row, len(pts))
	for k, pt := range pts {
		var sum, sum2 float64
		for _, x := range outs[k*o.Runs : (k+1)*o.Runs] {
			sum += x
			sum2 += float64(x * x) // float64(): no fused multiply-add, same bits on every machine
		}
		n := float64(o.Runs)
		m := sum / n
		v := (sum2 - float64(n*m*m)) / (n - 1)
		rows[k] = Row{Alpha: pt[0], Gamma: pt[1], Sim: m, SE: math.Sqrt(math.Max(v, 0) / n), Closed: Closed(pt[0], pt[1]), Blocks: o.Blocks, Runs: o.Runs}
	}
	return rows
}

// Run runs the grid Alphas × Gammas and derives the thresholds.
func Run(o Options) Result {
	var pts [][2]float64
	for _, g := range Gammas {
		for _, a := range Alphas {
			pts = append(pts, [2]float64{a, g})
		}
	}
	res := Result{Rows: Simulate(o, pts...)}
	for gi, g := range Gammas {
		rows := res.Rows[gi*len(Alphas) : (gi+1)*len(Alphas)]
		t := ThresholdRow{Gamma: g, Closed: Threshold(g)}
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
	return res
}
