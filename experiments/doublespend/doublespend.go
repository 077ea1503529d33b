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
//
// The experiment is a sweep: a run (one seed index) races once at every
// point of the grid (Plan.RunOne) and records per point the sufficient
// statistics of its races; Plan.Aggregate adds the records of any set of
// runs up, in run order, into the estimates — so runs can be spread over
// processes or machines and merged, with the same result bit for bit.
package doublespend

import (
	"fmt"
	"math"

	"simulate/experiments/experiment"
	"simulate/experiments/sweep"
	"simulate/protocols/nakamoto"
	"simulate/sim"
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

// Options control the experiment. Runs, Workers and Seed say how to sweep
// it and are not part of what a results file records as its parameters
// (the sweep header records runs and seed itself).
type Options struct {
	// Sweep's Runs is the number of runs; each races once at every point
	// of the probability table, so it is also the races per point.
	experiment.Sweep
	// Qs are the attacker shares of the probability table, each raced at
	// z = 0..10 (Table1Qs: the whitepaper's 0.1 and 0.3).
	Qs []float64 `json:"qs"`
	// Plain turns importance sampling off (plain Monte Carlo).
	Plain bool `json:"plain"`
	// Honest is the number of honest miners sharing 1-q.
	Honest int `json:"honest"`
	// NeededRuns: runs 0..NeededRuns-1 also race at the points of the
	// "z needed for P < Threshold" table, whose races (z up to hundreds)
	// cost far more; 0 leaves that table out.
	NeededRuns int     `json:"needed_runs"`
	Threshold  float64 `json:"threshold"`
}

// DefaultOptions: 2000 importance-sampled races per point of the
// probability table, 1000 per point of the second table for P < 0.001, 2
// honest miners.
func DefaultOptions() Options {
	return Options{Sweep: experiment.Sweep{Runs: 2000, Seed: 1}, NeededRuns: 1000, Honest: 2, Threshold: 0.001, Qs: append([]float64(nil), Table1Qs...)}
}

// Validate reports what is wrong with o.
func (o Options) Validate() error {
	switch {
	case o.Runs < 2:
		return fmt.Errorf("runs must be at least 2, got %d", o.Runs)
	case o.NeededRuns != 0 && o.NeededRuns < 2:
		return fmt.Errorf("needed-runs must be 0 (no second table) or at least 2, got %d", o.NeededRuns)
	case o.Workers < 0:
		return fmt.Errorf("workers must not be negative, got %d", o.Workers)
	case o.Honest < 1 || o.Honest > 64:
		return fmt.Errorf("honest miners must be between 1 and 64, got %d", o.Honest)
	case !(o.Threshold > 0 && o.Threshold < 0.5):
		return fmt.Errorf("threshold %v: want a probability in (0, 0.5)", o.Threshold)
	case len(o.Qs) == 0 || len(o.Qs) > 10:
		return fmt.Errorf("q: want 1 to 10 attacker shares, got %d", len(o.Qs))
	}
	return experiment.Distinct("q", o.Qs, func(q float64) bool { return q > 0 && q < 0.5 }, "want an attacker share in (0, 0.5)")
}

// Point is one (q, z) the experiment races at.
type Point struct {
	Q float64 `json:"q"`
	Z int     `json:"z"`
}

// Stats are the sufficient statistics of the races at one point: sums
// over races, so the records of any set of runs add up to the estimate
// (Aggregate). A failed race adds 0 to both sums of weights.
type Stats struct {
	Races int `json:"races"`
	// SumW is the sum of the successful races' importance weights (their
	// count without importance sampling); SumW2 the sum of their squares.
	SumW      float64 `json:"sum_w,omitempty"`
	SumW2     float64 `json:"sum_w2,omitempty"`
	Successes int     `json:"successes,omitempty"`
	GaveUp    int     `json:"gave_up,omitempty"`
}

// Record is what one run contributes: its races at every point of the
// probability table (Plan.Table order) and, in runs below NeededRuns, at
// every point of the second table (Plan.Needed order).
type Record struct {
	Table  []Stats `json:"table"`
	Needed []Stats `json:"needed,omitempty"`
}

// Plan is the experiment's grid with each point's race, importance-sampling
// shares chosen. Choosing them takes milliseconds per point (long races
// take longer), so a sweep builds the plan once and runs every run from it.
type Plan struct {
	o      Options
	table  []planned
	needed []planned
}

type planned struct {
	pt   Point
	race nakamoto.Race
	// zw and ze, on the second table: the whitepaper's and the exact z.
	zw, ze int
}

// NewPlan lays out the grid: o.Qs × Table1Zs, then for each of NeededQs
// the whitepaper's z and the exact z for P < o.Threshold (the whitepaper's
// lowered by one where the two agree, so the line through the two
// simulated points has a slope).
func NewPlan(o Options) *Plan {
	p := &Plan{o: o}
	for _, q := range o.Qs {
		for _, z := range Table1Zs {
			pt := Point{Q: q, Z: z}
			p.table = append(p.table, planned{pt: pt, race: o.race(pt)})
		}
	}
	if o.NeededRuns > 0 {
		for _, q := range NeededQs {
			zw, ze := RequiredZ(Whitepaper, q, o.Threshold), RequiredZ(Exact, q, o.Threshold)
			at := zw
			if at >= ze {
				at = ze - 1
			}
			for _, z := range []int{at, ze} {
				pt := Point{Q: q, Z: z}
				p.needed = append(p.needed, planned{pt: pt, race: o.race(pt), zw: zw, ze: ze})
			}
		}
	}
	return p
}

// Table lists the points of the probability table, in record order.
func (p *Plan) Table() []Point { return points(p.table) }

// Needed lists the points of the second table, in record order: per q of
// NeededQs, the point at the whitepaper's z, then the one at the exact z.
func (p *Plan) Needed() []Point { return points(p.needed) }

func points(ps []planned) []Point {
	out := make([]Point, len(ps))
	for i, x := range ps {
		out[i] = x.pt
	}
	return out
}

func (o Options) race(pt Point) nakamoto.Race {
	r := nakamoto.Race{Q: pt.Q, Z: pt.Z, Honest: o.Honest, GiveUp: pt.Z + Margin(pt.Q), NoHash: true}
	if !o.Plain {
		r.WaitShare, r.CatchShare = Tilt(pt.Q, pt.Z)
	}
	return r
}

// runSeed derives a race's seed from the sweep seed, the point and the run
// index, so adding points or runs never shifts another point's races: a
// seed per point (keyed by q and z, through sim.RunSeed), then run i of
// that point's stream, so sweeps from different seeds share no races.
func runSeed(seed uint64, pt Point, i int) uint64 {
	point := sim.RunSeed(sim.RunSeed(seed, math.Float64bits(pt.Q)), uint64(pt.Z))
	return sim.RunSeed(point, uint64(i))
}

// RunOne runs run number run of the sweep: one race at every point of the
// probability table and, if run < NeededRuns, one at every point of the
// second table. It depends only on the options and run, never on which
// other runs ran or where.
func (p *Plan) RunOne(run int) Record {
	rec := Record{Table: p.raceAll(p.table, run)}
	if run < p.o.NeededRuns {
		rec.Needed = p.raceAll(p.needed, run)
	}
	return rec
}

func (p *Plan) raceAll(ps []planned, run int) []Stats {
	out := make([]Stats, len(ps))
	for i, x := range ps {
		o := x.race.Run(runSeed(p.o.Seed, x.pt, run))
		s := Stats{Races: 1}
		if o.Success {
			s.Successes = 1
			s.SumW = o.Weight
			s.SumW2 = float64(o.Weight * o.Weight) // float64(): no fused multiply-add, same bits on every machine
		}
		if o.GaveUp {
			s.GaveUp = 1
		}
		out[i] = s
	}
	return out
}

// Estimate is a simulated success probability with its Monte-Carlo
// standard error.
type Estimate struct {
	Q  float64 `json:"q"`
	Z  int     `json:"z"`
	P  float64 `json:"simulated"`
	SE float64 `json:"stderr"`
	// Runs is the number of races at this point: one per run that raced
	// here.
	Runs      int `json:"runs"`
	Successes int `json:"successes"`
	GaveUp    int `json:"gave_up"`
	// WaitShare and CatchShare are the attacker's sampling shares (equal
	// to q without importance sampling).
	WaitShare  float64 `json:"wait_share"`
	CatchShare float64 `json:"catch_share"`
	// GiveUp is how far behind the attacker gives up; BiasBound bounds how
	// much that lowers P.
	GiveUp    int     `json:"give_up_behind"`
	BiasBound float64 `json:"truncation_bias_bound"`
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
	Runs          int      `json:"runs"`
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

// Aggregate turns the records of runs 0..len(recs)-1, in run order, into
// the result: per point it adds the runs' statistics up in that order, so
// the same records give the same bits however they were computed (on how
// many workers, in how many shards). It fails if a record does not fit the
// plan.
func (p *Plan) Aggregate(recs []Record) (Result, error) {
	table := make([]Stats, len(p.table))
	needed := make([]Stats, len(p.needed))
	for run, r := range recs {
		wantNeeded := 0
		if run < p.o.NeededRuns {
			wantNeeded = len(p.needed)
		}
		if len(r.Table) != len(p.table) || len(r.Needed) != wantNeeded {
			return Result{}, fmt.Errorf("run %d: record has %d+%d points, the plan %d+%d", run, len(r.Table), len(r.Needed), len(p.table), wantNeeded)
		}
		add(table, r.Table)
		add(needed, r.Needed)
	}
	res := Result{Threshold: p.o.Threshold, Runs: len(recs)}
	for i, x := range p.table {
		e := estimate(x, table[i])
		res.Probabilities = append(res.Probabilities, Row{Estimate: e, Whitepaper: Whitepaper(e.Q, e.Z), Exact: Exact(e.Q, e.Z)})
	}
	for i := 0; i+1 < len(p.needed); i += 2 {
		x := p.needed[i]
		a, b := estimate(x, needed[i]), estimate(p.needed[i+1], needed[i+1])
		res.Needed = append(res.Needed, Needed{Q: x.pt.Q, Z: crossing(a, b, p.o.Threshold),
			Whitepaper: x.zw, AtWhitepaper: a, Exact: x.ze, AtExact: b})
	}
	return res, nil
}

func add(sum, s []Stats) {
	for i, x := range s {
		sum[i].Races += x.Races
		sum[i].SumW += x.SumW
		sum[i].SumW2 += x.SumW2
		sum[i].Successes += x.Successes
		sum[i].GaveUp += x.GaveUp
	}
}

// estimate is the mean of the races' weighted successes and its standard
// error.
func estimate(x planned, s Stats) Estimate {
	r := x.race
	e := Estimate{Q: x.pt.Q, Z: x.pt.Z, Runs: s.Races, Successes: s.Successes, GaveUp: s.GaveUp,
		WaitShare: r.WaitShare, CatchShare: r.CatchShare, GiveUp: r.GiveUp}
	if e.WaitShare == 0 {
		e.WaitShare, e.CatchShare = x.pt.Q, x.pt.Q
	}
	e.BiasBound = math.Pow(x.pt.Q/(1-x.pt.Q), float64(r.GiveUp+1))
	if s.Races == 0 {
		return e
	}
	n := float64(s.Races)
	e.P = s.SumW / n
	if s.Races > 1 {
		v := (s.SumW2 - float64(n*e.P*e.P)) / (n - 1)
		e.SE = math.Sqrt(math.Max(v, 0) / n)
	}
	return e
}

// Run runs the whole sweep in this process (o.Runs runs on o.Workers
// goroutines) and aggregates it: what `simulate nakamoto doublespend`
// prints, without a results file.
func Run(o Options) Result {
	p := NewPlan(o)
	recs := sweep.Map(o.Runs, o.Workers, p.RunOne, nil)
	res, _ := p.Aggregate(recs) // the plan's own records always fit
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
