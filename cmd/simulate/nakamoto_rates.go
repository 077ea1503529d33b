package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/spf13/cobra"

	"simulate/experiments/stale"
	"simulate/experiments/sweep"
	"simulate/experiments/throughput"
	"simulate/plot"
	"simulate/protocols/nakamoto"
	"simulate/report"
	"simulate/sim"
)

// `simulate nakamoto stale` and `simulate nakamoto throughput`: the
// proof-of-work rate experiments, both sweeps over seeds (runSweep), so
// they run in parallel, resume, shard and merge like every experiment.

func init() {
	nakamotoCommands = append(nakamotoCommands, newStaleCommand, newThroughputCommand)
	aggregators["nakamoto-stale"] = printStale
	aggregators["nakamoto-throughput"] = printThroughput
}

// parseTimes reads a comma-separated list of durations for flag name.
func parseTimes(name string, list []string) ([]sim.Time, error) {
	var out []sim.Time
	for _, s := range list {
		t, err := sim.ParseTime(strings.TrimSpace(s))
		if err != nil {
			return nil, badInput("--%s %q: not a duration", name, s)
		}
		out = append(out, t)
	}
	return out, nil
}

// percent renders a rate for the tables: "1.69%", "0.053%".
func percent(x float64) string {
	if x != 0 && math.Abs(x) < 0.001 {
		return fmt.Sprintf("%.3f%%", 100*x)
	}
	return fmt.Sprintf("%.2f%%", 100*x)
}

// seconds renders a time in seconds for the tables.
func seconds(s float64) string {
	switch {
	case s >= 100:
		return fmt.Sprintf("%.0f s", s)
	case s >= 1:
		return fmt.Sprintf("%.2f s", s)
	}
	return fmt.Sprintf("%.3f s", s)
}

// ratesZ is (simulated - reference) / standard error, "-" when the error
// is zero and they differ.
func ratesZ(sim, ref, se float64) string {
	if se == 0 {
		if sim == ref {
			return "0"
		}
		return "-"
	}
	return fmt.Sprintf("%+.1f", (sim-ref)/se)
}

// byteWords renders a block size: "1 MB", "8 kB", "24720 B".
func byteWords(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%d MB", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%d kB", n/1000)
	}
	return fmt.Sprintf("%d B", n)
}

// --- simulate nakamoto stale ---

func newStaleCommand(g *globals) *cobra.Command {
	var sf sweepFlags
	var plotPath string
	var intervals, delays []string
	var miners, degree int
	p := stale.DefaultParams()
	cmd := &cobra.Command{
		Use:   "stale",
		Short: "Stale rate against block interval and propagation delay, beside 1 - e^(-delay/interval) and the rates measured on Bitcoin and Ethereum",
		Long: `stale runs Nakamoto consensus on networks of miners and counts the blocks
left off the main chain because a competitor was found while they were
still propagating. Blocks are kept full (transactions are offered at 20
times what blocks hold), so a block takes latency + size/bandwidth per hop.

Beside each simulated stale rate (stale blocks over blocks mined, pooled
over --runs seeds, with its standard error) it prints Decker and
Wattenhofer's model 1 - e^(-d/T), T the block interval and d the mean time
a block takes to reach a miner: hops on the shortest path times the
per-hop time, averaged over all pairs of miners (0 for the finder). That
mean is the integral the model's exponent holds; the time until the last
node has the block, also printed, is about the graph's diameter in hops
and would overstate it. The formula d/(T+d) is the exact stale fraction
of the model's own network (a complete graph with a constant delay and
many small miners); the model, the chance that a block meets at least one
competitor, overstates it by about (d/T)²/2.

The default rows: that complete graph at d/T = 0.01, 0.03, 0.1 and 0.3;
Bitcoin-like networks (600 s, 1 MB, 50 miners with 8 neighbours, 100 ms
links) from a relay network's 100 Mbit/s down to the bandwidth that gives
2013's propagation times; Ethereum-like networks (15 s, 25 kB blocks);
Litecoin- and Dogecoin-like ones (150 s and 60 s, 8 kB blocks). Rows that
mimic a chain print its published stale rate: Decker and Wattenhofer 2013
(Bitcoin 1.69%), Gervais et al. 2016 (Bitcoin 0.41%, Litecoin 0.273%,
Dogecoin 0.619%, Ethereum 6.8%).

--interval and --delay replace the rows by their cross product: --miners
miners (default 50) on a complete graph, or with --degree neighbours each
on a random graph, whose every link takes the delay.

--format json prints one row per network with the keys name, group,
interval_s, delay_s, hop_s, propagation_s, simulated, stderr, model,
model_renewal, published (a list of {rate, source}), runs, blocks_mined,
stale_blocks, block_size, miners, degree, complete_graph. --plot FILE
draws the stale rate against d/T with error bars beside both formulas.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			custom := cmd.Flags().Changed("interval") || cmd.Flags().Changed("delay")
			if !custom && (cmd.Flags().Changed("miners") || cmd.Flags().Changed("degree")) {
				return badInput("stale: --miners and --degree shape the rows of --interval and --delay; give those too")
			}
			if custom {
				ts, err := parseTimes("interval", intervals)
				if err != nil {
					return err
				}
				ds, err := parseTimes("delay", delays)
				if err != nil {
					return err
				}
				if len(ts)*len(ds) > 100 {
					return badInput("stale: %d intervals × %d delays is more than 100 rows", len(ts), len(ds))
				}
				p.Rows = customStaleRows(ts, ds, miners, degree)
			}
			if p.Blocks < 10 || p.Blocks > stale.MaxBlocks {
				return badInput("stale: --blocks %d: want 10 to %d", p.Blocks, stale.MaxBlocks)
			}
			if err := p.Validate(); err != nil {
				return badInput("stale: %v", err)
			}
			if err := checkPlotPath(plotPath); err != nil {
				return err
			}
			recs, complete, err := runSweep(cmd, g, &sf, "nakamoto-stale", p, func(_ int, seed uint64) any {
				return stale.RunSeed(p, seed)
			})
			if err != nil || !complete {
				return err
			}
			raw, _ := json.Marshal(p)
			p, rows, err := staleRows(raw, recs)
			if err != nil {
				return err
			}
			if err := writeStale(cmd, g, p, rows); err != nil {
				return err
			}
			return writePlot(cmd, plotPath, staleFigure(rows))
		},
	}
	sf.add(cmd, 8)
	fs := cmd.Flags()
	fs.IntVar(&p.Blocks, "blocks", p.Blocks, "chain height each run mines to, per row")
	fs.StringSliceVar(&intervals, "interval", []string{"600s"}, "block intervals of custom rows, comma-separated (replaces the default rows)")
	fs.StringSliceVar(&delays, "delay", []string{"1s"}, "link delays of custom rows, comma-separated (replaces the default rows)")
	fs.IntVar(&miners, "miners", 50, "miners in custom rows")
	fs.IntVar(&degree, "degree", 0, "neighbours per miner in custom rows (0: a complete graph)")
	fs.StringVar(&plotPath, "plot", "", "also draw the stale rate against delay/interval, beside the formulas, to this .svg or .png file")
	return cmd
}

// customStaleRows is the cross product of intervals and delays: blocks of
// one 250-byte transaction, links of the delay and unlimited bandwidth.
func customStaleRows(ts, ds []sim.Time, miners, degree int) []stale.Config {
	topology := "complete graph"
	if degree == 0 || degree >= miners-1 {
		degree = max(miners-1, 1)
	} else {
		topology = fmt.Sprintf("degree %d", degree)
	}
	var rows []stale.Config
	for _, t := range ts {
		for _, d := range ds {
			rows = append(rows, stale.Config{Name: fmt.Sprintf("T=%s, delay %s", seconds(t.Seconds()), seconds(d.Seconds())),
				Group:    fmt.Sprintf("T=%s, %d miners, %s", seconds(t.Seconds()), miners, topology),
				Interval: t, BlockSize: nakamoto.HeaderSize + 250, TxSize: 250, Latency: d, Miners: miners, Degree: degree})
		}
	}
	return rows
}

// staleRows decodes the sweep's parameters and records and aggregates them.
func staleRows(params json.RawMessage, recs []sweep.Record) (stale.Params, []stale.Row, error) {
	p, seeds, err := decodeSweep[stale.Params, []stale.Outcome]("stale", params, recs)
	if err != nil {
		return p, nil, err
	}
	rows, err := stale.Summarize(p, seeds)
	if err != nil {
		return p, nil, badInput("%v", err)
	}
	return p, rows, nil
}

// printStale is the aggregator `simulate merge` calls.
func printStale(cmd *cobra.Command, g *globals, params json.RawMessage, recs []sweep.Record) error {
	p, rows, err := staleRows(params, recs)
	if err != nil {
		return err
	}
	return writeStale(cmd, g, p, rows)
}

func writeStale(cmd *cobra.Command, g *globals, p stale.Params, rows []stale.Row) error {
	runs := 0
	if len(rows) > 0 {
		runs = rows[0].Runs
	}
	out := cmd.OutOrStdout()
	if g.format == "json" {
		return report.WriteJSON(out, map[string]any{"rows": rows, "blocks_per_run": p.Blocks, "runs": runs})
	}
	t := report.Table{
		Title: fmt.Sprintf("Stale rate against block interval T and propagation delay d: %d runs × %d blocks per row, seed %d", runs, p.Blocks, g.seed),
		Header: []string{"network", "T", "delay d", "to all nodes", "simulated", "± s.e.", "model 1-e^(-d/T)", "(sim-model)/s.e.",
			"d/(T+d)", "published"},
	}
	for _, r := range rows {
		var pub []string
		for _, x := range r.Published {
			pub = append(pub, percent(x.Rate)+" "+x.Source)
		}
		published := "—"
		if len(pub) > 0 {
			published = strings.Join(pub, "; ")
		}
		t.Rows = append(t.Rows, []string{r.Name, seconds(r.IntervalS), seconds(r.DelayS), seconds(r.PropagationS), percent(r.Simulated),
			percent(r.StdErr), percent(r.Model), ratesZ(r.Simulated, r.Model, r.StdErr), percent(r.Renewal), published})
	}
	t.Notes = []string{
		"simulated: stale blocks over blocks mined, pooled over the runs; ± s.e. across runs. Blocks are full; each miner has an equal share of the hash power and follows the first-seen heaviest chain.",
		"delay d: the mean time a block takes to reach a miner, shortest-path hops times the per-hop time (latency + block size × 8 / bandwidth, store and forward), averaged over all pairs of miners with 0 for the finder (on a complete graph of n miners, (n-1)/n of the link delay): the integral ∫(1-f(t))dt of Decker and Wattenhofer's model, which the simulated flood takes exactly when links are idle. to all nodes: measured mean time until the last node had a main-chain block (about the diameter in hops); it would overstate the model.",
		"model: 1 - e^(-d/T), the chance that the network finds a competing block while this one propagates (Decker & Wattenhofer 2013). d/(T+d): the exact stale fraction of a complete graph with a constant delay and many small miners, where the main chain is a Poisson process with dead time d and each of its blocks is followed by Poisson(d/T) stale ones; the model counts the chance of at least one, so it overstates the stale rate by about (d/T)²/2 — see the complete-graph rows at d/T = 0.1 and 0.3.",
		"published: stale rates measured on the real chains. The rows that mimic them have delays like the propagation measured to public nodes (Bitcoin: mean 12.6 s in 2013, median 8.7 s in 2016; Ethereum: median 0.5-0.75 s in 2016). Measured rates below the model (Bitcoin, Litecoin, Dogecoin in 2016) mean miners reached each other faster than public nodes did, through relay networks, as in the 100 Mbit/s row; Ethereum's higher rate means its mean delay was longer than its median, as a long tail of slow peers makes it, which these idle, uniform links do not have.",
	}
	return report.Write(out, g.format, t)
}

// staleFigure draws the simulated stale rate against d/T, each group of
// rows as points with error bars, beside the model and d/(T+d) as curves.
func staleFigure(rows []stale.Row) plot.Figure {
	f := plot.Figure{Title: "Stale blocks: simulated against 1 - e^(-d/T)", XLabel: "delay / interval (d/T)", YLabel: "stale rate"}
	var groups []string
	byGroup := map[string]*plot.Series{}
	pub := plot.Series{Name: "published (measured)", Group: 7}
	hi := 0.0
	for _, r := range rows {
		x := r.DelayS / r.IntervalS
		hi = math.Max(hi, x)
		s, ok := byGroup[r.Group]
		if !ok {
			groups = append(groups, r.Group)
			s = &plot.Series{Name: r.Group + " (± s.e.)", Group: len(groups)}
			byGroup[r.Group] = s
		}
		s.X, s.Y, s.Err = append(s.X, x), append(s.Y, r.Simulated), append(s.Err, r.StdErr)
		for _, p := range r.Published {
			pub.X, pub.Y, pub.Err = append(pub.X, x), append(pub.Y, p.Rate), append(pub.Err, 0)
		}
	}
	for _, gname := range groups {
		f.Series = append(f.Series, *byGroup[gname])
	}
	if len(pub.X) > 0 {
		f.Series = append(f.Series, pub)
	}
	model := plot.Series{Name: "model 1 - e^(-d/T)", Group: 5}
	renewal := plot.Series{Name: "d/(T+d), complete graph", Dashed: true, Group: 6}
	const steps = 100
	for i := 0; i <= steps; i++ {
		x := hi * 1.05 * float64(i) / steps
		model.X, model.Y = append(model.X, x), append(model.Y, -math.Expm1(-x))
		renewal.X, renewal.Y = append(renewal.X, x), append(renewal.Y, x/(1+x))
	}
	f.Series = append(f.Series, model, renewal)
	return f
}

// --- simulate nakamoto throughput ---

func newThroughputCommand(g *globals) *cobra.Command {
	var sf sweepFlags
	var intervals, sizes []string
	var txSize int
	p := throughput.DefaultParams()
	cmd := &cobra.Command{
		Use:   "throughput",
		Short: "Transactions per second from block size and interval, simulated beside the formula and Bitcoin's published 7 tx/s",
		Long: `throughput runs Nakamoto consensus with more transactions offered than
blocks can hold (20 times), so every block leaves full, and measures the
transactions on the final main chain per second of mining, pooled over
--runs seeds with its standard error. Beside it: the formula, the
transactions a block holds divided by the block interval, and the
published figure where there is one (Croman et al. 2016: Bitcoin's
maximum is 3.3-7 tx/s, 7 for 250-byte transactions and 3.3 for 500-byte
ones; 4 MB blocks would give at most 27 tx/s).

The default rows: Bitcoin (1 MB every 600 s) with 250- and 500-byte
transactions, 4 MB blocks, Bitcoin Cash's 32 MB, Litecoin's 1 MB every
150 s and an Ethereum-like chain (224 transfers of 110 bytes every 15 s),
each on 50 miners with 8 neighbours and 100 ms, 20 Mbit/s links. The
formula counts every block, the chain only its main chain: the simulated
throughput falls short of it by the stale rate, also printed, which big
blocks and short intervals raise.

--block-size and --interval replace the rows by their cross product, with
--tx-size bytes per transaction.

--format json prints one row per chain with the keys name, interval_s,
block_size, tx_size, txs_per_block, tps_simulated, stderr, tps_formula,
published ({tps, source} or null), stale_rate, stale_stderr, runs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			custom := cmd.Flags().Changed("interval") || cmd.Flags().Changed("block-size")
			if !custom && cmd.Flags().Changed("tx-size") {
				return badInput("throughput: --tx-size shapes the rows of --block-size and --interval; give those too")
			}
			if custom {
				ts, err := parseTimes("interval", intervals)
				if err != nil {
					return err
				}
				var bs []int
				for _, s := range sizes {
					var b int
					if _, err := fmt.Sscan(strings.TrimSpace(s), &b); err != nil {
						return badInput("--block-size %q: not a number of bytes", s)
					}
					bs = append(bs, b)
				}
				if len(ts)*len(bs) > 100 {
					return badInput("throughput: %d intervals × %d block sizes is more than 100 rows", len(ts), len(bs))
				}
				p.Rows = customThroughputRows(ts, bs, txSize)
			}
			if p.Blocks < 10 || p.Blocks > stale.MaxBlocks {
				return badInput("throughput: --blocks %d: want 10 to %d", p.Blocks, stale.MaxBlocks)
			}
			if err := p.Validate(); err != nil {
				return badInput("throughput: %v", err)
			}
			recs, complete, err := runSweep(cmd, g, &sf, "nakamoto-throughput", p, func(_ int, seed uint64) any {
				return throughput.RunSeed(p, seed)
			})
			if err != nil || !complete {
				return err
			}
			raw, _ := json.Marshal(p)
			p, rows, err := throughputRows(raw, recs)
			if err != nil {
				return err
			}
			return writeThroughput(cmd, g, p, rows)
		},
	}
	sf.add(cmd, 8)
	fs := cmd.Flags()
	fs.IntVar(&p.Blocks, "blocks", p.Blocks, "chain height each run mines to, per row")
	fs.StringSliceVar(&intervals, "interval", []string{"600s"}, "block intervals of custom rows, comma-separated (replaces the default rows)")
	fs.StringSliceVar(&sizes, "block-size", []string{"1000000"}, "block sizes in bytes of custom rows, comma-separated (replaces the default rows)")
	fs.IntVar(&txSize, "tx-size", 250, "transaction size in bytes of custom rows")
	return cmd
}

// customThroughputRows is the cross product of intervals and block sizes
// on the experiment's common network.
func customThroughputRows(ts []sim.Time, bs []int, txSize int) []throughput.Config {
	def := throughput.DefaultParams().Rows[0]
	var rows []throughput.Config
	for _, t := range ts {
		for _, b := range bs {
			c := def
			c.Name, c.Interval, c.BlockSize, c.TxSize, c.Published = fmt.Sprintf("%s every %s", byteWords(b), seconds(t.Seconds())), t, b, txSize, nil
			rows = append(rows, c)
		}
	}
	return rows
}

// throughputRows decodes the sweep's parameters and records and
// aggregates them.
func throughputRows(params json.RawMessage, recs []sweep.Record) (throughput.Params, []throughput.Row, error) {
	p, seeds, err := decodeSweep[throughput.Params, []throughput.Outcome]("throughput", params, recs)
	if err != nil {
		return p, nil, err
	}
	rows, err := throughput.Summarize(p, seeds)
	if err != nil {
		return p, nil, badInput("%v", err)
	}
	return p, rows, nil
}

// printThroughput is the aggregator `simulate merge` calls.
func printThroughput(cmd *cobra.Command, g *globals, params json.RawMessage, recs []sweep.Record) error {
	p, rows, err := throughputRows(params, recs)
	if err != nil {
		return err
	}
	return writeThroughput(cmd, g, p, rows)
}

func writeThroughput(cmd *cobra.Command, g *globals, p throughput.Params, rows []throughput.Row) error {
	runs := 0
	if len(rows) > 0 {
		runs = rows[0].Runs
	}
	out := cmd.OutOrStdout()
	if g.format == "json" {
		return report.WriteJSON(out, map[string]any{"rows": rows, "blocks_per_run": p.Blocks, "runs": runs})
	}
	t := report.Table{
		Title:  fmt.Sprintf("Throughput from block size and interval: %d runs × %d blocks per row, seed %d", runs, p.Blocks, g.seed),
		Header: []string{"chain", "block", "interval", "tx size", "txs/block", "simulated tx/s", "± s.e.", "formula tx/s", "(sim-formula)/s.e.", "stale rate", "published"},
	}
	for _, r := range rows {
		pub := "—"
		if r.Published != nil {
			pub = fmt.Sprintf("%g tx/s %s", r.Published.TPS, r.Published.Source)
		}
		t.Rows = append(t.Rows, []string{r.Name, byteWords(r.BlockSize), seconds(r.IntervalS), fmt.Sprintf("%d B", r.TxSize), fmt.Sprint(r.TxsPerBlock),
			fmt.Sprintf("%.3f", r.TPSSimulated), fmt.Sprintf("%.3f", r.StdErr), fmt.Sprintf("%.3f", r.TPSFormula),
			ratesZ(r.TPSSimulated, r.TPSFormula, r.StdErr), percent(r.StaleRate) + " ± " + percent(r.StaleStdErr), pub})
	}
	t.Notes = []string{
		"simulated: transactions on the final main chain over the time mining ran (to the last block), pooled over the runs; ± s.e. across runs. Transactions are offered at 20 times the capacity, so every block is full.",
		"formula: (block size - 80-byte header) / tx size transactions per block, over the interval. It counts every block mined; stale blocks hold transactions the main chain mines again, so the simulated throughput is the formula times (1 - stale rate), up to the runs' Poisson noise.",
		"published: Croman et al., On Scaling Decentralized Blockchains (2016): Bitcoin's maximum throughput is 3.3-7 tx/s (7 for 250-byte transactions, 3.3 for the 500-byte average), and 4 MB blocks would give at most 27 tx/s.",
		"network: 50 miners with 8 neighbours each, 100 ms links of 20 Mbit/s; a 32 MB block takes 13 s a hop.",
	}
	return report.Write(out, g.format, t)
}
