package selfish

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/pflag"

	"simulate/experiments/experiment"
	"simulate/experiments/stale"
	"simulate/plot"
	"simulate/report"
	"simulate/scenario"
)

// registered is the experiment at `simulate nakamoto selfish`, and
// at `simulate experiment selfish-mining`, the name the docs cite; the
// --out files of both name the sweep "nakamoto-selfish".
var registered = experiment.Spec[*cliParams]{
	ID:          "nakamoto-selfish",
	Path:        "nakamoto selfish",
	Summary:     "Eyal and Sirer's selfish mining: a pool's revenue, simulated, against the analytic value",
	Help:        long("selfish"),
	DefaultRuns: DefaultOptions().Runs,
	Plot:        "also draw the pool's revenue against α — simulated beside the analytic value — to this .svg or .png file",
	Also: []experiment.Alias{{
		Command: "experiment selfish-mining",
		Short:   "Alias of `simulate nakamoto selfish`: Eyal and Sirer's selfish mining, simulated",
		Long:    long("selfish-mining"),
	}},
	Defaults: func() *cliParams { return &cliParams{Named: experiment.NewNamed("selfish", DefaultOptions())} },
	Bind:     bindFlags,
}

func init() { experiment.Register(registered) }

// long is the help of the command named use: the main one or its alias.
func long(use string) string {
	return use + ` runs a pool with hash share α that keeps its blocks
private and publishes them only to orphan honest blocks (Eyal and Sirer,
"Majority is not enough"), against honest miners of whom a γ share mine on
the pool's block when it matches theirs. Every run goes through the
nakamoto protocol's miners, --blocks blocks at every (α, γ) of the grid
(--alpha × --gamma).

It prints the pool's share of the main chain, simulated with its standard
error, beside Eyal and Sirer's analytic value and beside α, what honest
mining would pay; and the share above which selfish mining pays, beside
(1-γ)/(3-2γ).

The analytic model has no propagation delay, and neither do the runs by
default. --delay gives every link a latency (the block interval is 10
minutes) to show how real delays change the curve.

Runs are independent and resumable (--out, --resume) and can be split into
shards (--shard k/n) that simulate merge combines into the same table.`
}

// bindFlags binds p's fields to the command's flags.
func bindFlags(fs *pflag.FlagSet, p *cliParams) {
	o := &p.Options
	fs.IntVar(&o.Blocks, "blocks", o.Blocks, "blocks mined per run at each (α, γ)")
	fs.IntVar(&o.Honest, "honest", o.Honest, "honest miners sharing 1-α")
	scenario.TimeVar(fs, &o.Delay, "delay", "latency of every link (0: instant, as Eyal and Sirer assume; the block interval is 10m)")
	fs.Float64SliceVar(&o.Alphas, "alpha", o.Alphas, "the pool's hash shares, increasing, each in (0, 0.5)")
	fs.Float64SliceVar(&o.Gammas, "gamma", o.Gammas, "shares γ of honest power that mine on the pool's block in a tie, each in [0, 1]")
}

// cliParams are the command's parameters: Options under the name typed
// (selfish, or the alias selfish-mining), which experiment.Named records,
// checks and names in errors.
type cliParams struct {
	experiment.Named[Options, *Options]
}

// RunNumber implements experiment.Numbered: run number run of the sweep
// seeded seed, each point's run seeded from the sweep's seed, the point
// and run (runSeed), as before the move.
func (p *cliParams) RunNumber(seed uint64, run int) any {
	o := p.Options
	o.Seed = seed
	return RunOne(o, run)
}

// Run implements experiment.Params: run 0 of a sweep seeded seed. The CLI
// calls RunNumber instead.
func (p *cliParams) Run(seed uint64) any { return p.RunNumber(seed, 0) }

// output is `simulate nakamoto selfish --format json`.
type output struct {
	Seed   uint64  `json:"seed"`
	Params Options `json:"params"`
	Result
}

// Summarize implements experiment.Params: the revenue table, the
// thresholds table, the JSON document and the figure.
func (p *cliParams) Summarize(records []json.RawMessage) (experiment.Output, error) {
	recs, o, err := experiment.Records[Record](&p.Named, records)
	if err != nil {
		return experiment.Output{}, err
	}
	res, err := Aggregate(o, recs)
	if err != nil {
		return experiment.Output{}, err
	}
	out := output{Seed: o.Seed, Params: o, Result: res}
	t1, t2 := tables(out)
	fig := figure(res)
	return experiment.Output{Tables: []report.Table{t1, t2}, JSON: out, Figure: &fig}, nil
}

// tables are the revenue table and the profitability-threshold table of o.
func tables(o output) (report.Table, report.Table) {
	res := o.Result
	title := fmt.Sprintf("Selfish mining: the pool's relative revenue, %d runs × %d blocks per point, seed %d", res.Runs, res.Blocks, o.Seed)
	if res.Delay > 0 {
		title += fmt.Sprintf(", propagation delay %v", res.Delay)
	}
	t1 := report.Table{
		Name:   "revenue",
		Title:  title,
		Header: []string{"α", "γ", "simulated", "± s.e.", "analytic", "(sim-analytic)/s.e.", "honest (α)", "selfish pays"},
	}
	for _, r := range res.Rows {
		pays := "no"
		if r.Sim > r.Alpha {
			pays = "yes"
		}
		t1.Rows = append(t1.Rows, []string{fmt.Sprintf("%.2f", r.Alpha), fmt.Sprintf("%.1f", r.Gamma), fmt.Sprintf("%.4f", r.Sim), fmt.Sprintf("%.4f", r.SE),
			fmt.Sprintf("%.4f", r.Analytic), stale.Z(r.Sim, r.Analytic, r.SE), fmt.Sprintf("%.2f", r.Alpha), pays})
	}
	t1.Notes = []string{
		"analytic: Eyal and Sirer's closed form (2014), R = [α(1-α)²(4α+γ(1-2α)) - α³] / [1 - α(1+(2-α)α)], for blocks that reach everyone at once.",
		"simulated: the pool's blocks over all blocks of the final main chain, averaged over runs. Each honest miner, when the pool matches its block, switches to the pool's with probability γ, so a γ share of the honest power mines on it in expectation.",
	}
	if res.Delay > 0 {
		t1.Notes = append(t1.Notes, fmt.Sprintf("Every link takes %v (%.0f%% of the 10-minute interval), which the analytic model leaves out, so a gap to it well beyond the standard error is the delay's effect: honest miners fork each other and waste work, which pays a large pool; and the pool's matching block reaches the honest miners late, so a small pool with γ near 1 wins fewer races.", res.Delay, 100*res.Delay.Seconds()/Interval.Seconds()))
	} else {
		t1.Notes = append(t1.Notes, "Blocks propagate instantly, as the analytic model assumes; --delay gives every link a latency to see how real delays change the curve.")
	}
	t2 := report.Table{
		Name:   "thresholds",
		Title:  "Profitability threshold: the least α for which selfish mining beats honest mining",
		Header: []string{"γ", "simulated", "analytic (1-γ)/(3-2γ)"},
	}
	for _, th := range res.Thresholds {
		v := "not within the grid"
		switch {
		case th.Below:
			v = fmt.Sprintf("< %.2f", o.Params.Alphas[0])
		case th.Sim != nil:
			v = fmt.Sprintf("%.3f", *th.Sim)
		}
		t2.Rows = append(t2.Rows, []string{fmt.Sprintf("%.1f", th.Gamma), v, fmt.Sprintf("%.3f", th.Analytic)})
	}
	t2.Notes = []string{"simulated: where the simulated revenue minus α changes sign, interpolated linearly between grid points. Below (1-γ)/(3-2γ) the orphaned honest blocks do not make up for the pool's own blocks lost in races; above it they do."}
	return t1, t2
}

// figure draws the selfish pool's relative revenue against α for each γ,
// simulated beside Eyal and Sirer's analytic value, with honest mining's
// α as the line to beat.
func figure(res Result) plot.Figure {
	title := "Selfish mining: the pool's share of the main chain"
	if res.Delay > 0 {
		title += fmt.Sprintf(" (propagation delay %v)", res.Delay)
	}
	f := plot.Figure{Title: title, XLabel: "pool's hash share α", YLabel: "relative revenue"}
	gammas := []float64{}
	seen := map[float64]bool{}
	for _, r := range res.Rows {
		if !seen[r.Gamma] {
			seen[r.Gamma] = true
			gammas = append(gammas, r.Gamma)
		}
	}
	honest := plot.Series{Name: "honest mining (revenue = α)", Dashed: true, Group: 7}
	for i, gm := range gammas {
		sim := plot.Series{Name: fmt.Sprintf("γ=%.1f simulated (± s.e.)", gm), Group: i + 1}
		analytic := plot.Series{Name: fmt.Sprintf("γ=%.1f analytic", gm), Group: i + 1}
		for _, r := range res.Rows {
			if r.Gamma != gm {
				continue
			}
			sim.X, sim.Y, sim.Err = append(sim.X, r.Alpha), append(sim.Y, r.Sim), append(sim.Err, r.SE)
			analytic.X, analytic.Y = append(analytic.X, r.Alpha), append(analytic.Y, r.Analytic)
			if gm == gammas[0] {
				honest.X, honest.Y = append(honest.X, r.Alpha), append(honest.Y, r.Alpha)
			}
		}
		f.Series = append(f.Series, sim, analytic)
	}
	f.Series = append(f.Series, honest)
	return f
}
