// Package doublespend measures the double-spend race of the Bitcoin
// whitepaper's section 11 by running it: an attacker with hash share q
// races the honest chain through the nakamoto protocol's own miners, and
// the simulated success probability is printed beside the whitepaper's
// Poisson approximation and the exact value (Rosenfeld, "Analysis of
// hashrate-based double spending").
//
// The two published numbers differ: the whitepaper counts the attacker's
// blocks while the merchant waits as Poisson with mean z·q/p, as if the
// honest chain took exactly its expected time; in the real race the
// honest chain's time is random too, so the attacker's count is negative
// binomial, with more spread and a fatter tail. A faithful simulation
// lands on the exact value (q = 0.1, z = 5: 0.00178 against 0.00091).
package doublespend

import (
	"fmt"
	"math"

	"simulate/experiments/sweep"
	"simulate/protocols/nakamoto"
)

// Whitepaper is the attacker's success probability computed as the
// whitepaper's C code computes it: the attacker's progress while the
// merchant waits for z blocks is Poisson with λ = z·q/p, and from k blocks
// it catches up from z-k behind with probability (q/p)^(z-k).
func Whitepaper(q float64, z int) float64 {
	p := 1.0 - q
	lambda := float64(z) * (q / p)
	sum := 1.0
	for k := 0; k <= z; k++ {
		poisson := math.Exp(-lambda)
		for i := 1; i <= k; i++ {
			poisson *= lambda / float64(i)
		}
		sum -= poisson * (1 - math.Pow(q/p, float64(z-k)))
	}
	return sum
}

// Exact is the success probability of the race itself (Rosenfeld): while
// the honest miners find z blocks the attacker finds m with the negative
// binomial probability C(m+z-1, m) p^z q^m, then catches up from z-m
// behind with probability (q/p)^(z-m):
//
//	P = 1 - Σ_{m=0}^{z-1} C(m+z-1, m) (p^z q^m - p^m q^z),  P = 1 for z = 0.
func Exact(q float64, z int) float64 {
	p := 1.0 - q
	if q >= p || z == 0 {
		return 1
	}
	sum := 0.0
	for m := 0; m < z; m++ {
		lc := lchoose(m+z-1, m)
		sum += math.Exp(lc+float64(z)*math.Log(p)+float64(m)*math.Log(q)) - math.Exp(lc+float64(m)*math.Log(p)+float64(z)*math.Log(q))
	}
	return 1 - sum
}

func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// RequiredZ is the smallest z whose probability f(q, z) is below p.
func RequiredZ(f func(float64, int) float64, q, p float64) int {
	for z := 0; z < 100_000; z++ {
		if f(q, z) < p {
			return z
		}
	}
	return -1
}

// Margin is how far behind (beyond z) the attacker gives up: the smallest
// c with (q/p)^(c+1) at most 1e-4. Giving up z+c behind lowers the success
// probability by at most (q/p)^(z+c+1) (the chance to catch up from there),
// which is below 1e-4·(q/p)^z.
func Margin(q float64) int {
	r := q / (1 - q)
	c := 2
	for math.Pow(r, float64(c+1)) > 1e-4 {
		c++
	}
	return c
}

// Tilt chooses importance-sampling shares for the attacker: wait while the
// merchant waits, catch after. Catching up is a gambler's ruin whose
// zero-variance change of measure swaps q and p, so catch = p; wait is the
// share that minimises the estimator's second moment,
//
//	S(w) = Σ_m NB(m) · (q/w)^m (p/(1-w))^z · (q/p)^(2·max(z-m, 0)),
//
// over a grid (a choice of proposal: any choice leaves the estimate
// unbiased, a good one makes it precise).
func Tilt(q float64, z int) (wait, catch float64) {
	p := 1 - q
	if q >= p {
		return q, q
	}
	catch = p
	if z == 0 {
		return q, catch
	}
	best, bestS := q, math.Inf(1)
	for i := 1; i < 100; i++ {
		w := float64(i) / 100
		if w <= q*q {
			continue
		}
		s := logSecondMoment(q, z, w)
		if s < bestS {
			best, bestS = w, s
		}
	}
	return best, catch
}

func logSecondMoment(q float64, z int, w float64) float64 {
	p := 1 - q
	lz, _ := math.Lgamma(float64(z))
	acc := math.Inf(-1)
	for m := 0; m <= 30*z+400; m++ {
		lm, _ := math.Lgamma(float64(m + 1))
		lmz, _ := math.Lgamma(float64(m + z))
		t := lmz - lm - lz + float64(z)*math.Log(p) + float64(m)*math.Log(q)
		t += float64(m)*math.Log(q/w) + float64(z)*math.Log(p/(1-w))
		t += 2 * float64(max(z-m, 0)) * math.Log(q/p)
		acc = logAdd(acc, t)
	}
	return acc
}

func logAdd(a, b float64) float64 {
	if math.IsInf(a, -1) {
		return b
	}
	if b > a {
		a, b = b, a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// Options control a sweep of races.
type Options struct {
	// Runs per (q, z).
	Runs int
	// Workers run races in parallel (0: every core); results do not
	// depend on it.
	Workers int
	Seed    uint64
	// Plain turns importance sampling off (plain Monte Carlo).
	Plain bool
	// Honest is the number of honest miners sharing 1-q.
	Honest int
	// NeededRuns is the number of races per point of the second table,
	// whose points (z up to hundreds) cost far more per race.
	NeededRuns int
}

// DefaultOptions: 2000 importance-sampled races per point of the first
// table, 1000 per point of the second, 2 honest miners.
func DefaultOptions() Options { return Options{Runs: 2000, NeededRuns: 1000, Seed: 1, Honest: 2} }

// Validate reports what is wrong with o.
func (o Options) Validate() error {
	switch {
	case o.Runs < 2:
		return fmt.Errorf("runs must be at least 2, got %d", o.Runs)
	case o.NeededRuns < 2:
		return fmt.Errorf("needed-runs must be at least 2, got %d", o.NeededRuns)
	case o.Workers < 0:
		return fmt.Errorf("workers must not be negative, got %d", o.Workers)
	case o.Honest < 1 || o.Honest > 64:
		return fmt.Errorf("honest miners must be between 1 and 64, got %d", o.Honest)
	}
	return nil
}

// Estimate is a simulated success probability with its Monte-Carlo
// standard error.
type Estimate struct {
	Q         float64 `json:"q"`
	Z         int     `json:"z"`
	P         float64 `json:"p"`
	SE        float64 `json:"stderr"`
	Runs      int     `json:"runs"`
	Successes int     `json:"successes"`
	GaveUp    int     `json:"gave_up"`
	// WaitShare and CatchShare are the attacker's sampling shares (equal
	// to q without importance sampling).
	WaitShare  float64 `json:"wait_share"`
	CatchShare float64 `json:"catch_share"`
	// GiveUp is how far behind the attacker gives up; BiasBound bounds how
	// much that lowers P.
	GiveUp    int     `json:"give_up_behind"`
	BiasBound float64 `json:"truncation_bias_bound"`
}

// point is one (q, z) to estimate.
type point struct {
	q float64
	z int
}

func (o Options) race(pt point) nakamoto.Race {
	r := nakamoto.Race{Q: pt.q, Z: pt.z, Honest: o.Honest, GiveUp: pt.z + Margin(pt.q), NoHash: true}
	if !o.Plain {
		r.WaitShare, r.CatchShare = Tilt(pt.q, pt.z)
	}
	return r
}

// runSeed derives a run's seed from the sweep seed, the point and the run
// index, so adding points or runs never shifts another point's runs.
func runSeed(seed uint64, pt point, i int) uint64 {
	x := seed ^ math.Float64bits(pt.q)*0x9e3779b97f4a7c15 ^ uint64(pt.z)<<40 ^ uint64(i)
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// Simulate estimates the success probability at every point, running
// o.Runs races per point on o.Workers goroutines. The result does not
// depend on the number of workers.
func Simulate(o Options, pts ...[2]float64) []Estimate {
	points := make([]point, len(pts))
	races := make([]nakamoto.Race, len(pts))
	for i, p := range pts {
		points[i] = point{q: p[0], z: int(p[1])}
		races[i] = o.race(points[i])
	}
	outs := sweep.Map(len(points)*o.Runs, o.Workers, func(i int) nakamoto.Outcome {
		k, run := i/o.Runs, i%o.Runs
		return races[k].Run(runSeed(o.Seed, points[k], run))
	}, nil)
	est := make([]Estimate, len(points))
	for k, pt := range points {
		r := races[k]
		e := Estimate{Q: pt.q, Z: pt.z, Runs: o.Runs, WaitShare: r.WaitShare, CatchShare: r.CatchShare, GiveUp: r.GiveUp}
		if e.WaitShare == 0 {
			e.WaitShare, e.CatchShare = pt.q, pt.q
		}
		e.BiasBound = math.Pow(pt.q/(1-pt.q), float64(r.GiveUp+1))
		var sum, sum2 float64
		for _, out := range outs[k*o.Runs : (k+1)*o.Runs] {
			x := 0.0
			if out.Success {
				e.Successes++
				x = out.Weight
			}
			if out.GaveUp {
				e.GaveUp++
			}
			sum += x
			sum2 += float64(x * x) // float64(): no fused multiply-add, same bits on every machine
		}
		n := float64(o.Runs)
		e.P = sum / n
		v := (sum2 - float64(n*e.P*e.P)) / (n - 1)
		e.SE = math.Sqrt(math.Max(v, 0) / n)
		est[k] = e
	}
	return est
}

// Row is one line of the probability table.
type Row struct {
	Estimate
	Whitepaper float64 `json:"whitepaper"`
	Exact      float64 `json:"exact"`
}

// Needed is one line of the "z for P < threshold" table. The race is run
// at the whitepaper's z and at the exact z; Z is where the simulated
// log-probability crosses the threshold, interpolating linearly between
// the two (extrapolating past the exact z if its estimate is still above).
type Needed struct {
	Q            float64  `json:"q"`
	Z            int      `json:"z_simulated"`
	Whitepaper   int      `json:"z_whitepaper"`
	AtWhitepaper Estimate `json:"at_z_whitepaper"`
	Exact        int      `json:"z_exact"`
	AtExact      Estimate `json:"at_z_exact"`
}

// Result is the whole experiment.
type Result struct {
	Threshold     float64  `json:"threshold"`
	Probabilities []Row    `json:"probabilities"`
	Needed        []Needed `json:"needed"`
}

// Table1Qs and Table1Zs are the probability table's grid, as in the
// whitepaper; NeededQs the attacker shares of its second table.
var (
	Table1Qs = []float64{0.1, 0.3}
	Table1Zs = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	NeededQs = []float64{0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45}
)

// Run runs the experiment: success probabilities over Table1Qs × Table1Zs
// with o.Runs races each, and for each of NeededQs the z that brings the
// simulated probability below threshold, from o.NeededRuns races at the
// whitepaper's and at the exact z.
func Run(o Options, threshold float64) Result {
	res := Result{Threshold: threshold}
	var pts [][2]float64
	for _, q := range Table1Qs {
		for _, z := range Table1Zs {
			pts = append(pts, [2]float64{q, float64(z)})
		}
	}
	for _, e := range Simulate(o, pts...) {
		res.Probabilities = append(res.Probabilities, Row{Estimate: e, Whitepaper: Whitepaper(e.Q, e.Z), Exact: Exact(e.Q, e.Z)})
	}
	pts = pts[:0]
	for _, q := range NeededQs {
		zw, ze := RequiredZ(Whitepaper, q, threshold), RequiredZ(Exact, q, threshold)
		if zw >= ze {
			zw = ze - 1
		}
		pts = append(pts, [2]float64{q, float64(zw)}, [2]float64{q, float64(ze)})
	}
	o2 := o
	o2.Runs = o.NeededRuns
	est := Simulate(o2, pts...)
	for i, q := range NeededQs {
		a, b := est[2*i], est[2*i+1]
		res.Needed = append(res.Needed, Needed{Q: q, Z: crossing(a, b, threshold),
			Whitepaper: RequiredZ(Whitepaper, q, threshold), AtWhitepaper: a, Exact: RequiredZ(Exact, q, threshold), AtExact: b})
	}
	return res
}

// crossing is the least integer z at which the line through (a.Z, log a.P)
// and (b.Z, log b.P) is below log threshold.
func crossing(a, b Estimate, threshold float64) int {
	if a.P <= 0 || b.P <= 0 || b.P >= a.P {
		if b.P < threshold {
			return b.Z
		}
		return -1
	}
	slope := (math.Log(b.P) - math.Log(a.P)) / float64(b.Z-a.Z)
	z := float64(a.Z) + (math.Log(threshold)-math.Log(a.P))/slope
	zi := int(math.Floor(z)) + 1
	if zi < 0 {
		zi = 0
	}
	return zi
}
