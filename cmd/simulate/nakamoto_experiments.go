package main

import (
	"fmt"
	"math"

	"github.com/spf13/cobra"

	"simulate/experiments/doublespend"
	"simulate/experiments/selfish"
	"simulate/plot"
	"simulate/report"
)

// --- simulate experiment double-spend ---

func newDoubleSpendCommand(g *globals) *cobra.Command {
	o := doublespend.DefaultOptions()
	var dsPlot string
	threshold := 0.001
	cmd := &cobra.Command{
		Use:   "double-spend",
		Short: "The whitepaper's double-spend odds, simulated, against its Poisson approximation and the exact value",
		Long: `double-spend runs the race of the Bitcoin whitepaper's section 11: an
attacker with hash share q pays a merchant, who waits for z confirmations,
while mining in private a chain that spends the same coins elsewhere, and
publishes it if it ever gets ahead. Every race runs through the nakamoto
protocol's miners (one attacker, 2 honest miners, the merchant) with
instant propagation.

It prints the simulated success probability with its standard error beside
the whitepaper's value (a Poisson approximation, computed with its C
code) and the exact one (Rosenfeld): for q = 0.1 and 0.3 over z = 0..10,
and the z a merchant needs for P < --threshold for q = 0.10..0.45.

Small probabilities are estimated by importance sampling: the attacker
mines with a larger share and each race is weighted by its likelihood
ratio (--plain turns it off).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Seed = g.seed
			if err := o.Validate(); err != nil {
				return badInput("double-spend: --%s", err)
			}
			if !(threshold > 0 && threshold < 0.5) {
				return badInput("double-spend: --threshold %v: want a probability in (0, 0.5)", threshold)
			}
			if err := checkPlotPath(dsPlot); err != nil {
				return err
			}
			res := doublespend.Run(o, threshold)
			out := cmd.OutOrStdout()
			if g.format == "json" {
				if err := report.WriteJSON(out, res); err != nil {
					return err
				}
				return writePlot(cmd, dsPlot, doubleSpendFigure(res))
			}
			t1, t2 := doubleSpendTables(o, res)
			if err := report.Write(out, g.format, t1); err != nil {
				return err
			}
			fmt.Fprintln(out)
			if err := report.Write(out, g.format, t2); err != nil {
				return err
			}
			return writePlot(cmd, dsPlot, doubleSpendFigure(res))
		},
	}
	cmd.Flags().StringVar(&dsPlot, "plot", "", "also draw P(success) against z — simulated, whitepaper, exact — to this .svg or .png file")
	cmd.Flags().IntVar(&o.Runs, "runs", o.Runs, "races per (q, z) point of the probability table")
	cmd.Flags().IntVar(&o.NeededRuns, "needed-runs", o.NeededRuns, "races per point of the confirmations-needed table (long races)")
	cmd.Flags().IntVar(&o.Workers, "workers", 0, "parallel races (default: every core); results do not depend on it")
	cmd.Flags().BoolVar(&o.Plain, "plain", false, "plain Monte Carlo instead of importance sampling")
	cmd.Flags().IntVar(&o.Honest, "honest", o.Honest, "honest miners sharing 1-q")
	cmd.Flags().Float64Var(&threshold, "threshold", threshold, "the merchant's acceptable risk for the second table")
	return cmd
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

func doubleSpendTables(o doublespend.Options, res doublespend.Result) (report.Table, report.Table) {
	method := "importance-sampled"
	if o.Plain {
		method = "plain Monte Carlo"
	}
	t1 := report.Table{
		Title:  fmt.Sprintf("Double spend: attacker success probability, %d races per point (%s), seed %d", o.Runs, method, o.Seed),
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
	if !o.Plain {
		t1.Notes = append(t1.Notes, "Importance sampling: the attacker mines with share w while the merchant waits (w minimises the estimator's variance) and p while catching up (q and p swapped); each race counts with weight prod(true share/sampling share) over its blocks, so the mean stays unbiased and tiny probabilities get small errors.")
	}
	t2 := report.Table{
		Title:  fmt.Sprintf("Confirmations z a merchant needs for P < %g, %d races per point", res.Threshold, o.NeededRuns),
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

// --- simulate experiment selfish-mining ---

func newSelfishCommand(g *globals) *cobra.Command {
	o := selfish.DefaultOptions()
	var smPlot string
	cmd := &cobra.Command{
		Use:   "selfish-mining",
		Short: "Eyal and Sirer's selfish mining: a pool's revenue, simulated, against the closed form",
		Long: `selfish-mining runs a pool with hash share α that keeps its blocks
private and publishes them only to orphan honest blocks (Eyal and Sirer,
"Majority is not enough"), against honest miners of whom a γ share mine on
the pool's block when it matches theirs. Every run goes through the
nakamoto protocol's miners with instant propagation.

It prints the pool's share of the main chain, simulated with its standard
error, beside the closed form and beside α, what honest mining would pay;
and the share above which selfish mining pays, beside (1-γ)/(3-2γ).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Seed = g.seed
			if err := o.Validate(); err != nil {
				return badInput("selfish-mining: --%s", err)
			}
			if err := checkPlotPath(smPlot); err != nil {
				return err
			}
			res := selfish.Run(o)
			out := cmd.OutOrStdout()
			if g.format == "json" {
				if err := report.WriteJSON(out, res); err != nil {
					return err
				}
				return writePlot(cmd, smPlot, selfishFigure(res))
			}
			t1, t2 := selfishTables(o, res)
			if err := report.Write(out, g.format, t1); err != nil {
				return err
			}
			fmt.Fprintln(out)
			if err := report.Write(out, g.format, t2); err != nil {
				return err
			}
			return writePlot(cmd, smPlot, selfishFigure(res))
		},
	}
	cmd.Flags().StringVar(&smPlot, "plot", "", "also draw the pool's revenue against α — simulated beside the closed form — to this .svg or .png file")
	cmd.Flags().IntVar(&o.Runs, "runs", o.Runs, "runs per (α, γ) point")
	cmd.Flags().IntVar(&o.Blocks, "blocks", o.Blocks, "blocks mined per run")
	cmd.Flags().IntVar(&o.Honest, "honest", o.Honest, "honest miners sharing 1-α")
	cmd.Flags().IntVar(&o.Workers, "workers", 0, "parallel runs (default: every core); results do not depend on it")
	return cmd
}

func selfishTables(o selfish.Options, res selfish.Result) (report.Table, report.Table) {
	t1 := report.Table{
		Title:  fmt.Sprintf("Selfish mining: the pool's relative revenue, %d runs × %d blocks per point, seed %d", o.Runs, o.Blocks, o.Seed),
		Header: []string{"α", "γ", "simulated", "± s.e.", "closed form", "(sim-closed)/s.e.", "honest (α)", "selfish pays"},
	}
	for _, r := range res.Rows {
		pays := "no"
		if r.Sim > r.Alpha {
			pays = "yes"
		}
		t1.Rows = append(t1.Rows, []string{fmt.Sprintf("%.2f", r.Alpha), fmt.Sprintf("%.1f", r.Gamma), fmt.Sprintf("%.4f", r.Sim), fmt.Sprintf("%.4f", r.SE),
			fmt.Sprintf("%.4f", r.Closed), zscore(r.Sim, r.Closed, r.SE), fmt.Sprintf("%.2f", r.Alpha), pays})
	}
	t1.Notes = []string{
		"closed form: R = [α(1-α)²(4α+γ(1-2α)) - α³] / [1 - α(1+(2-α)α)] (Eyal and Sirer 2014).",
		"simulated: the pool's blocks over all blocks of the final main chain, averaged over runs. Each honest miner, when the pool matches its block, switches to the pool's with probability γ, so a γ share of the honest power mines on it in expectation.",
	}
	t2 := report.Table{
		Title:  "Profitability threshold: the least α for which selfish mining beats honest mining",
		Header: []string{"γ", "simulated", "closed form (1-γ)/(3-2γ)"},
	}
	for _, th := range res.Thresholds {
		v := "not within the grid"
		switch {
		case th.Below:
			v = fmt.Sprintf("< %.2f", selfish.Alphas[0])
		case th.Sim != nil:
			v = fmt.Sprintf("%.3f", *th.Sim)
		}
		t2.Rows = append(t2.Rows, []string{fmt.Sprintf("%.1f", th.Gamma), v, fmt.Sprintf("%.3f", th.Closed)})
	}
	t2.Notes = []string{"simulated: where the simulated revenue minus α changes sign, interpolated linearly between grid points."}
	return t1, t2
}

// doubleSpendFigure draws P(success) against z on a log scale for each q:
// simulated points with error bars, the exact race and the whitepaper's
// Poisson approximation as lines.
func doubleSpendFigure(res doublespend.Result) plot.Figure {
	f := plot.Figure{Title: "Double spend: the attacker catches up from z blocks behind", XLabel: "confirmations z", YLabel: "P(attacker succeeds)", LogY: true, LegendBottom: true}
	for i, q := range doublespend.Table1Qs {
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
// each γ, simulated beside Eyal and Sirer's closed form, with honest
// mining's α as the line to beat.
func selfishFigure(res selfish.Result) plot.Figure {
	f := plot.Figure{Title: "Selfish mining: the pool's share of the main chain", XLabel: "pool's hash share α", YLabel: "relative revenue"}
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
		closed := plot.Series{Name: fmt.Sprintf("γ=%.1f closed form", gm), Group: i + 1}
		for _, r := range res.Rows {
			if r.Gamma != gm {
				continue
			}
			sim.X, sim.Y, sim.Err = append(sim.X, r.Alpha), append(sim.Y, r.Sim), append(sim.Err, r.SE)
			closed.X, closed.Y = append(closed.X, r.Alpha), append(closed.Y, r.Closed)
			if gm == gammas[0] {
				honest.X, honest.Y = append(honest.X, r.Alpha), append(honest.Y, r.Alpha)
			}
		}
		f.Series = append(f.Series, sim, closed)
	}
	f.Series = append(f.Series, honest)
	return f
}
