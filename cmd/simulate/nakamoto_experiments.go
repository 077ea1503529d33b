package main

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/spf13/cobra"

	"simulate/experiments/doublespend"
	"simulate/experiments/selfish"
	"simulate/experiments/sweep"
	"simulate/plot"
	"simulate/report"
)

// The sweep names of the two experiments, recorded in results files and
// looked up by `simulate merge`; the aliases under `simulate experiment`
// write the same files.
const (
	doubleSpendSweep = "nakamoto-doublespend"
	selfishSweep     = "nakamoto-selfish"
)

func init() {
	nakamotoCommands = append(nakamotoCommands, newNakamotoDoubleSpendCommand, newNakamotoSelfishCommand)
	experimentCommands = append(experimentCommands, newDoubleSpendCommand, newSelfishCommand)
	aggregators[doubleSpendSweep] = printDoubleSpend
	aggregators[selfishSweep] = printSelfish
}

// --- simulate nakamoto doublespend (alias: simulate experiment double-spend) ---

func newNakamotoDoubleSpendCommand(g *globals) *cobra.Command {
	return doubleSpendCommand(g, "doublespend",
		"The whitepaper's double-spend odds, simulated, against its Poisson approximation and the exact value")
}

// newDoubleSpendCommand is `simulate experiment double-spend`, kept
// because the docs cite it.
func newDoubleSpendCommand(g *globals) *cobra.Command {
	return doubleSpendCommand(g, "double-spend", "Alias of `simulate nakamoto doublespend`: the whitepaper's double-spend odds, simulated")
}

func doubleSpendCommand(g *globals, use, short string) *cobra.Command {
	var sf sweepFlags
	var plotPath string
	o := doublespend.DefaultOptions()
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long: use + ` runs the race of the Bitcoin whitepaper's section 11: an
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
ratio (--plain turns it off).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Runs, o.Workers, o.Seed = sf.runs, sf.workers, g.seed
			if err := o.Validate(); err != nil {
				return badInput("%s: --%s", use, err)
			}
			if err := checkPlotPath(plotPath); err != nil {
				return err
			}
			if err := sf.validate(); err != nil {
				return err // before the plan, which takes a moment
			}
			plan := doublespend.NewPlan(o)
			recs, complete, err := runSweep(cmd, g, &sf, doubleSpendSweep, o, func(run int, _ uint64) any {
				return plan.RunOne(run)
			})
			if err != nil || !complete {
				return err
			}
			raw, _ := json.Marshal(o)
			out, err := doubleSpendOutputOf(raw, g.seed, recs, plan)
			if err != nil {
				return err
			}
			if err := writeDoubleSpend(cmd, g, out); err != nil {
				return err
			}
			return writePlot(cmd, plotPath, doubleSpendFigure(out.Result))
		},
	}
	sf.add(cmd, o.Runs)
	fs := cmd.Flags()
	fs.StringVar(&plotPath, "plot", "", "also draw P(success) against z — simulated, whitepaper, exact — to this .svg or .png file")
	fs.IntVar(&o.NeededRuns, "needed-runs", o.NeededRuns, "runs that also race at the points of the confirmations-needed table (long races; 0: leave that table out)")
	fs.Float64SliceVar(&o.Qs, "q", o.Qs, "attacker shares of the probability table, each in (0, 0.5)")
	fs.BoolVar(&o.Plain, "plain", false, "plain Monte Carlo instead of importance sampling")
	fs.IntVar(&o.Honest, "honest", o.Honest, "honest miners sharing 1-q")
	fs.Float64Var(&o.Threshold, "threshold", o.Threshold, "the merchant's acceptable risk for the second table")
	return cmd
}

// doubleSpendOutput is `simulate nakamoto doublespend --format json`.
type doubleSpendOutput struct {
	Seed   uint64              `json:"seed"`
	Params doublespend.Options `json:"params"`
	doublespend.Result
}

// doubleSpendOutputOf aggregates double-spend records decoded from JSON,
// as a results file holds them, so a sweep and a merge of its shards
// print the same. plan, if not nil, is the plan of params (building one
// takes a fraction of a second: the long races' sampling shares).
func doubleSpendOutputOf(params json.RawMessage, seed uint64, recs []sweep.Record, plan *doublespend.Plan) (doubleSpendOutput, error) {
	o, rs, err := decodeSweep[doublespend.Options, doublespend.Record]("double-spend", params, recs)
	if err != nil {
		return doubleSpendOutput{}, err
	}
	o.Runs, o.Seed = len(recs), seed
	if err := o.Validate(); err != nil {
		return doubleSpendOutput{}, badInput("double-spend parameters: %v", err)
	}
	if plan == nil {
		plan = doublespend.NewPlan(o)
	}
	res, err := plan.Aggregate(rs)
	if err != nil {
		return doubleSpendOutput{}, badInput("double-spend: %v", err)
	}
	return doubleSpendOutput{Seed: o.Seed, Params: o, Result: res}, nil
}

// printDoubleSpend is the aggregator `simulate merge` runs on the shards.
func printDoubleSpend(cmd *cobra.Command, g *globals, params json.RawMessage, recs []sweep.Record) error {
	out, err := doubleSpendOutputOf(params, g.seed, recs, nil)
	if err != nil {
		return err
	}
	return writeDoubleSpend(cmd, g, out)
}

func writeDoubleSpend(cmd *cobra.Command, g *globals, o doubleSpendOutput) error {
	w := cmd.OutOrStdout()
	if g.format == "json" {
		return report.WriteJSON(w, o)
	}
	t1, t2 := doubleSpendTables(o)
	if err := report.Write(w, g.format, t1); err != nil {
		return err
	}
	if len(t2.Rows) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	return report.Write(w, g.format, t2)
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

func zscore(sim, ref, se float64) string {
	if se == 0 {
		if sim == ref {
			return "0"
		}
		return "-"
	}
	return fmt.Sprintf("%+.1f", (sim-ref)/se)
}

func doubleSpendTables(o doubleSpendOutput) (report.Table, report.Table) {
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
		t1.Rows = append(t1.Rows, []string{fmt.Sprintf("%.2f", r.Q), fmt.Sprint(r.Z), prob(r.P), prob(r.SE), prob(r.Whitepaper), prob(r.Exact), zscore(r.P, r.Exact, r.SE)})
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

// --- simulate nakamoto selfish (alias: simulate experiment selfish-mining) ---

func newNakamotoSelfishCommand(g *globals) *cobra.Command {
	return selfishCommand(g, "selfish", "Eyal and Sirer's selfish mining: a pool's revenue, simulated, against the analytic value")
}

// newSelfishCommand is `simulate experiment selfish-mining`, kept because
// the docs cite it.
func newSelfishCommand(g *globals) *cobra.Command {
	return selfishCommand(g, "selfish-mining", "Alias of `simulate nakamoto selfish`: Eyal and Sirer's selfish mining, simulated")
}

func selfishCommand(g *globals, use, short string) *cobra.Command {
	var sf sweepFlags
	var plotPath string
	o := selfish.DefaultOptions()
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long: use + ` runs a pool with hash share α that keeps its blocks
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
shards (--shard k/n) that simulate merge combines into the same table.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Runs, o.Workers, o.Seed = sf.runs, sf.workers, g.seed
			if err := o.Validate(); err != nil {
				return badInput("%s: --%s", use, err)
			}
			if err := checkPlotPath(plotPath); err != nil {
				return err
			}
			recs, complete, err := runSweep(cmd, g, &sf, selfishSweep, o, func(run int, _ uint64) any {
				return selfish.RunOne(o, run)
			})
			if err != nil || !complete {
				return err
			}
			raw, _ := json.Marshal(o)
			out, err := selfishOutputOf(raw, g.seed, recs)
			if err != nil {
				return err
			}
			if err := writeSelfish(cmd, g, out); err != nil {
				return err
			}
			return writePlot(cmd, plotPath, selfishFigure(out.Result))
		},
	}
	sf.add(cmd, o.Runs)
	fs := cmd.Flags()
	fs.StringVar(&plotPath, "plot", "", "also draw the pool's revenue against α — simulated beside the analytic value — to this .svg or .png file")
	fs.IntVar(&o.Blocks, "blocks", o.Blocks, "blocks mined per run at each (α, γ)")
	fs.IntVar(&o.Honest, "honest", o.Honest, "honest miners sharing 1-α")
	timeVar(fs, &o.Delay, "delay", o.Delay, "latency of every link (0: instant, as Eyal and Sirer assume; the block interval is 10m)")
	fs.Float64SliceVar(&o.Alphas, "alpha", o.Alphas, "the pool's hash shares, increasing, each in (0, 0.5)")
	fs.Float64SliceVar(&o.Gammas, "gamma", o.Gammas, "shares γ of honest power that mine on the pool's block in a tie, each in [0, 1]")
	return cmd
}

// selfishOutput is `simulate nakamoto selfish --format json`.
type selfishOutput struct {
	Seed   uint64          `json:"seed"`
	Params selfish.Options `json:"params"`
	selfish.Result
}

// selfishOutputOf aggregates selfish-mining records decoded from JSON.
func selfishOutputOf(params json.RawMessage, seed uint64, recs []sweep.Record) (selfishOutput, error) {
	o, rs, err := decodeSweep[selfish.Options, selfish.Record]("selfish-mining", params, recs)
	if err != nil {
		return selfishOutput{}, err
	}
	o.Runs, o.Seed = len(recs), seed
	if err := o.Validate(); err != nil {
		return selfishOutput{}, badInput("selfish-mining parameters: %v", err)
	}
	res, err := selfish.Aggregate(o, rs)
	if err != nil {
		return selfishOutput{}, badInput("selfish-mining: %v", err)
	}
	return selfishOutput{Seed: o.Seed, Params: o, Result: res}, nil
}

// printSelfish is the aggregator `simulate merge` runs on the shards.
func printSelfish(cmd *cobra.Command, g *globals, params json.RawMessage, recs []sweep.Record) error {
	out, err := selfishOutputOf(params, g.seed, recs)
	if err != nil {
		return err
	}
	return writeSelfish(cmd, g, out)
}

func writeSelfish(cmd *cobra.Command, g *globals, o selfishOutput) error {
	w := cmd.OutOrStdout()
	if g.format == "json" {
		return report.WriteJSON(w, o)
	}
	t1, t2 := selfishTables(o)
	if err := report.Write(w, g.format, t1); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return report.Write(w, g.format, t2)
}

func selfishTables(o selfishOutput) (report.Table, report.Table) {
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
			fmt.Sprintf("%.4f", r.Analytic), zscore(r.Sim, r.Analytic, r.SE), fmt.Sprintf("%.2f", r.Alpha), pays})
	}
	t1.Notes = []string{
		"analytic: Eyal and Sirer's closed form (2014), R = [α(1-α)²(4α+γ(1-2α)) - α³] / [1 - α(1+(2-α)α)], for blocks that reach everyone at once.",
		"simulated: the pool's blocks over all blocks of the final main chain, averaged over runs. Each honest miner, when the pool matches its block, switches to the pool's with probability γ, so a γ share of the honest power mines on it in expectation.",
	}
	if res.Delay > 0 {
		t1.Notes = append(t1.Notes, fmt.Sprintf("Every link takes %v (%.0f%% of the 10-minute interval), which the analytic model leaves out, so a gap to it well beyond the standard error is the delay's effect: honest miners fork each other and waste work, which pays a large pool; and the pool's matching block reaches the honest miners late, so a small pool with γ near 1 wins fewer races.", res.Delay, 100*res.Delay.Seconds()/selfish.Interval.Seconds()))
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

// doubleSpendFigure draws P(success) against z on a log scale for each q:
// simulated points with error bars, the exact race and the whitepaper's
// Poisson approximation as lines.
func doubleSpendFigure(res doublespend.Result) plot.Figure {
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

// selfishFigure draws the selfish pool's relative revenue against α for
// each γ, simulated beside Eyal and Sirer's analytic value, with honest
// mining's α as the line to beat.
func selfishFigure(res selfish.Result) plot.Figure {
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
