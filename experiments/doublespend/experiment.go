package doublespend

import (
	"encoding/json"
	"fmt"
	"math"
	"sync"

	"github.com/spf13/pflag"

	"simulate/experiments/experiment"
	"simulate/experiments/stale"
	"simulate/plot"
	"simulate/report"
)

// registered is the experiment at `simulate nakamoto doublespend`,
// and at `simulate experiment double-spend`, the name the docs cite; the
// --out files of both name the sweep "nakamoto-doublespend".
var registered = experiment.Spec[*cliParams]{
	ID:          "nakamoto-doublespend",
	Path:        "nakamoto doublespend",
	Summary:     "The whitepaper's double-spend odds, simulated, against its Poisson approximation and the exact value",
	Help:        long("doublespend"),
	DefaultRuns: DefaultOptions().Runs,
	Plot:        "also draw P(success) against z — simulated, whitepaper, exact — to this .svg or .png file",
	Also: []experiment.Alias{{
		Command: "experiment double-spend",
		Short:   "Alias of `simulate nakamoto doublespend`: the whitepaper's double-spend odds, simulated",
		Long:    long("double-spend"),
	}},
	Defaults: func() *cliParams { return &cliParams{Named: experiment.NewNamed("doublespend", DefaultOptions())} },
	Bind:     bindFlags,
}

func init() { experiment.Register(registered) }

// long is the help of the command named use: the main one or its alias.
func long(use string) string {
	return use + ` runs the race of the Bitcoin whitepaper's section 11: an
attacker with hash share q pays a merchant, who waits for z confirmations,
while mining in private a chain that spends the same coins elsewhere, and
publishes it if it ever gets ahead. Every race runs through the nakamoto
protocol's miners (one attacker, --honest honest miners, the merchant)
with instant propagation.

It prints the simulated success probability with its standard error beside
the whitepaper's value (a Poisson approximation, computed with its C
code) and the exact one (Rosenfeld): for q = --q (0.1 and 0.3) over
z = 0..10, and the z a merchant needs for P < --threshold for
q = 0.10..0.45.

Each run races once at every point of the first table, and runs below
--needed-runs once at the two points per q of the second (long races);
so --runs is the number of races per point. Runs are independent and
resumable (--out, --resume) and can be split into shards (--shard k/n)
that simulate merge combines into the same table.

Small probabilities are estimated by importance sampling: the attacker
mines with a larger share and each race is weighted by its likelihood
ratio (--plain turns it off).`
}

// bindFlags binds p's fields to the command's flags.
func bindFlags(fs *pflag.FlagSet, p *cliParams) {
	o := &p.Options
	fs.IntVar(&o.NeededRuns, "needed-runs", o.NeededRuns, "runs that also race at the points of the confirmations-needed table (long races; 0: leave that table out)")
	fs.Float64SliceVar(&o.Qs, "q", o.Qs, "attacker shares of the probability table, each in (0, 0.5)")
	fs.BoolVar(&o.Plain, "plain", false, "plain Monte Carlo instead of importance sampling")
	fs.IntVar(&o.Honest, "honest", o.Honest, "honest miners sharing 1-q")
	fs.Float64Var(&o.Threshold, "threshold", o.Threshold, "the merchant's acceptable risk for the second table")
}

// cliParams are the command's parameters: Options under the name typed
// (doublespend, or the alias double-spend), which experiment.Named
// records, checks and names in errors; and the plan of the sweep, taken
// by its first run.
type cliParams struct {
	experiment.Named[Options, *Options]
	once sync.Once
	plan *Plan
}

// lastPlan is the plan built last, so that a sweep's runs and its summary
// (which the CLI makes from parameters decoded afresh, as a merge does)
// share one: building one takes about half a second, the long races'
// sampling shares. A plan is a pure function of the options and the seed,
// so which one is kept changes no output.
var lastPlan struct {
	sync.Mutex
	key  string
	plan *Plan
}

// planOf is NewPlan(o), built once for the same options and seed.
func planOf(o Options) *Plan {
	raw, err := json.Marshal(o)
	if err != nil {
		return NewPlan(o) // not reached: Options always marshals
	}
	key := fmt.Sprintf("%d %s", o.Seed, raw)
	lastPlan.Lock()
	defer lastPlan.Unlock()
	if lastPlan.plan == nil || lastPlan.key != key {
		lastPlan.key, lastPlan.plan = key, NewPlan(o)
	}
	return lastPlan.plan
}

// RunNumber implements experiment.Numbered: run number run of the sweep
// seeded seed, whose races take their seeds from the sweep's seed, the
// point and run (runSeed), as they did before the move.
func (p *cliParams) RunNumber(seed uint64, run int) any {
	p.once.Do(func() {
		o := p.Options
		o.Seed = seed
		p.plan = planOf(o)
	})
	return p.plan.RunOne(run)
}

// Run implements experiment.Params: run 0 of a sweep seeded seed. The CLI
// calls RunNumber instead.
func (p *cliParams) Run(seed uint64) any { return p.RunNumber(seed, 0) }

// output is `simulate nakamoto doublespend --format json`.
type output struct {
	Seed   uint64  `json:"seed"`
	Params Options `json:"params"`
	Result
}

// Summarize implements experiment.Params: the probability table, the
// confirmations table unless it has no rows (--needed-runs 0), the JSON
// document and the figure.
func (p *cliParams) Summarize(records []json.RawMessage) (experiment.Output, error) {
	recs, o, err := experiment.Records[Record](&p.Named, records)
	if err != nil {
		return experiment.Output{}, err
	}
	res, err := planOf(o).Aggregate(recs)
	if err != nil {
		return experiment.Output{}, err
	}
	out := output{Seed: o.Seed, Params: o, Result: res}
	t1, t2 := tables(out)
	ts := []report.Table{t1}
	if len(t2.Rows) > 0 {
		ts = append(ts, t2)
	}
	fig := figure(res)
	return experiment.Output{Tables: ts, JSON: out, Figure: &fig}, nil
}

// prob renders a probability: fixed point down to 0.001, scientific below.
func prob(p float64) string {
	switch {
	case p == 0:
		return "0"
	case p >= 0.001:
		return fmt.Sprintf("%.5f", p)
	}
	return fmt.Sprintf("%.3e", p)
}

// tables are the probability table and the confirmations table of o.
func tables(o output) (report.Table, report.Table) {
	res := o.Result
	method := "importance-sampled"
	if o.Params.Plain {
		method = "plain Monte Carlo"
	}
	t1 := report.Table{
		Name:   "probability",
		Title:  fmt.Sprintf("Double spend: attacker success probability, %d races per point (%s), seed %d", res.Runs, method, o.Seed),
		Header: []string{"q", "z", "simulated", "± s.e.", "whitepaper", "exact", "(sim-exact)/s.e."},
	}
	worst := 0.0
	for _, r := range res.Probabilities {
		t1.Rows = append(t1.Rows, []string{fmt.Sprintf("%.2f", r.Q), fmt.Sprint(r.Z), prob(r.P), prob(r.SE), prob(r.Whitepaper), prob(r.Exact), stale.Z(r.P, r.Exact, r.SE)})
		worst = math.Max(worst, r.BiasBound/math.Max(r.Exact, 1e-300))
	}
	t1.Notes = []string{
		"simulated: races run through the nakamoto protocol's miners. The attacker premines one block holding the conflicting spend, pays, mines in private and publishes once the merchant has z confirmations and its chain has more work; success means the merchant saw the payment reversed.",
		"whitepaper: section 11's C code. It counts the attacker's blocks while the merchant waits as Poisson with mean z·q/p, as if the honest chain took exactly its expected time.",
		"exact: Rosenfeld, P = 1 - sum_{m<z} C(m+z-1,m)(p^z q^m - p^m q^z). The honest chain's time is random too, so the attacker's count is negative binomial: more spread, a fatter tail, higher odds (q=0.1, z=5: 0.00178, not 0.00091). The simulation matches the exact value, not the approximation.",
		fmt.Sprintf("Truncation: the attacker gives up z+c blocks behind, c the least with (q/p)^(c+1) <= 1e-4; this lowers P by at most (q/p)^(z+c+1), here at most %.1e of the exact value.", worst),
	}
	if !o.Params.Plain {
		t1.Notes = append(t1.Notes, "Importance sampling: the attacker mines with share w while the merchant waits (w minimises the estimator's variance) and p while catching up (q and p swapped); each race counts with weight prod(true share/sampling share) over its blocks, so the mean stays unbiased and tiny probabilities get small errors.")
	}
	races := 0
	if len(res.Needed) > 0 {
		races = res.Needed[0].AtExact.Runs
	}
	t2 := report.Table{
		Name:   "confirmations",
		Title:  fmt.Sprintf("Confirmations z a merchant needs for P < %g, %d races per point", res.Threshold, races),
		Header: []string{"q", "z whitepaper", "simulated P there", "z exact", "simulated P there", "z simulated"},
	}
	for _, n := range res.Needed {
		zs := fmt.Sprint(n.Z)
		if n.Z < 0 {
			zs = "-"
		}
		t2.Rows = append(t2.Rows, []string{fmt.Sprintf("%.2f", n.Q),
			fmt.Sprint(n.Whitepaper), prob(n.AtWhitepaper.P) + " ± " + prob(n.AtWhitepaper.SE),
			fmt.Sprint(n.Exact), prob(n.AtExact.P) + " ± " + prob(n.AtExact.SE), zs})
	}
	t2.Notes = []string{
		"The whitepaper's z leaves the merchant exposed: the simulated race succeeds there far more often than the threshold allows.",
		"z simulated: where the simulated log P crosses the threshold, on the line through the two simulated points. Near the threshold P changes by well under its standard error per block when q >= 0.35, so that z is known to a few blocks; it stays far from the whitepaper's.",
	}
	return t1, t2
}

// figure draws P(success) against z on a log scale for each q: simulated
// points with error bars, the exact race and the whitepaper's Poisson
// approximation as lines.
func figure(res Result) plot.Figure {
	f := plot.Figure{Title: "Double spend: the attacker catches up from z blocks behind", XLabel: "confirmations z", YLabel: "P(attacker succeeds)", LogY: true, LegendBottom: true}
	var qs []float64
	for _, r := range res.Probabilities {
		if len(qs) == 0 || qs[len(qs)-1] != r.Q {
			qs = append(qs, r.Q)
		}
	}
	for i, q := range qs {
		sim := plot.Series{Name: fmt.Sprintf("q=%.2f simulated (± s.e.)", q), Group: i + 1}
		exact := plot.Series{Name: fmt.Sprintf("q=%.2f exact (Rosenfeld)", q), Group: i + 1}
		wp := plot.Series{Name: fmt.Sprintf("q=%.2f whitepaper", q), Dashed: true, Group: 7}
		for _, r := range res.Probabilities {
			if r.Q != q {
				continue
			}
			z := float64(r.Z)
			sim.X, sim.Y, sim.Err = append(sim.X, z), append(sim.Y, r.P), append(sim.Err, r.SE)
			exact.X, exact.Y = append(exact.X, z), append(exact.Y, r.Exact)
			wp.X, wp.Y = append(wp.X, z), append(wp.Y, r.Whitepaper)
		}
		f.Series = append(f.Series, sim, exact, wp)
	}
	return f
}
