package stale

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/spf13/pflag"

	"simulate/experiments/experiment"
	"simulate/plot"
	"simulate/protocols/nakamoto"
	"simulate/report"
	"simulate/sim"
)

// registered is the experiment at `simulate nakamoto stale`; its --out
// files name the sweep "nakamoto-stale".
var registered = experiment.Spec[*cliParams]{
	ID:          "nakamoto-stale",
	Path:        "nakamoto stale",
	Summary:     "Stale rate against block interval and propagation delay, beside 1 - e^(-delay/interval) and the rates measured on Bitcoin and Ethereum",
	Help:        help,
	DefaultRuns: 8,
	Plot:        "also draw the stale rate against delay/interval, beside the formulas, to this .svg or .png file",
	Defaults:    func() *cliParams { return &cliParams{Command: NewCommand("stale", DefaultParams())} },
	Bind:        bindFlags,
}

func init() { experiment.Register(registered) }

// help is the command's help.
const help = `stale runs Nakamoto consensus on networks of miners and counts the blocks
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
draws the stale rate against d/T with error bars beside both formulas.`

// cliParams are the command's parameters: the rows as Command keeps them,
// and the flags of custom rows, which Finish turns into Rows once they
// are parsed.
type cliParams struct {
	Command[Config]
	intervals, delays []string
	miners, degree    int
}

// bindFlags binds p's fields to the command's flags.
func bindFlags(fs *pflag.FlagSet, p *cliParams) {
	fs.IntVar(&p.Blocks, "blocks", p.Blocks, "chain height each run mines to, per row")
	fs.StringSliceVar(&p.intervals, "interval", []string{"600s"}, "block intervals of custom rows, comma-separated (replaces the default rows)")
	fs.StringSliceVar(&p.delays, "delay", []string{"1s"}, "link delays of custom rows, comma-separated (replaces the default rows)")
	fs.IntVar(&p.miners, "miners", 50, "miners in custom rows")
	fs.IntVar(&p.degree, "degree", 0, "neighbours per miner in custom rows (0: a complete graph)")
}

// Finish implements experiment.Finisher: --interval or --delay replace
// the default rows by their cross product, which --miners and --degree
// shape (alone they are a mistake: they would change nothing).
func (p *cliParams) Finish(fs *pflag.FlagSet) error {
	custom := fs.Changed("interval") || fs.Changed("delay")
	if !custom && (fs.Changed("miners") || fs.Changed("degree")) {
		return fmt.Errorf("stale: --miners and --degree shape the rows of --interval and --delay; give those too")
	}
	if !custom {
		return nil
	}
	ts, err := ParseTimes("interval", p.intervals)
	if err != nil {
		return err
	}
	ds, err := ParseTimes("delay", p.delays)
	if err != nil {
		return err
	}
	if len(ts)*len(ds) > 100 {
		return fmt.Errorf("stale: %d intervals × %d delays is more than 100 rows", len(ts), len(ds))
	}
	p.Rows = customRows(ts, ds, p.miners, p.degree)
	return nil
}

// Command is what the parameters of a command that sweeps rows of chains
// C (stale's, throughput's) share: the sweep, embedded so that --out
// records exactly its JSON (old results files still merge); the
// command's name, which its errors name; and the sweep's seed, which its
// title names. The command adds the flags of its custom rows, Finish,
// Run and Summarize.
type Command[C interface{ Validate() error }] struct {
	Sweep[C]
	name string
	seed uint64
}

// NewCommand is command name's parameters, sweeping s.
func NewCommand[C interface{ Validate() error }](name string, s Sweep[C]) Command[C] {
	return Command[C]{Sweep: s, name: name}
}

// Validate implements experiment.Params, in the command's words:
// --blocks, named as the flag, then the rows.
func (c *Command[C]) Validate() error {
	if c.Blocks < 10 || c.Blocks > MaxBlocks {
		return fmt.Errorf("%s: --blocks %d: want 10 to %d", c.name, c.Blocks, MaxBlocks)
	}
	if err := c.Sweep.Validate(); err != nil {
		return fmt.Errorf("%s: %v", c.name, err)
	}
	return nil
}

// UnmarshalJSON decodes a recorded sweep into a zero Sweep, as it was
// decoded before the experiments moved onto package experiment, not over
// the defaults New fills in: json reuses a slice's elements, so a custom
// row would keep the Published of the default row it lands on (an
// omitempty field its JSON lacks).
func (c *Command[C]) UnmarshalJSON(b []byte) error { return experiment.DecodeFresh(b, &c.Sweep) }

// SetSeed implements experiment.Seeded: the title names the seed.
func (c *Command[C]) SetSeed(seed uint64) { c.seed = seed }

// Seed is the sweep's seed, for the title.
func (c *Command[C]) Seed() uint64 { return c.seed }

// Run implements experiment.Params: one seed, every row.
func (p *cliParams) Run(seed uint64) any { return RunSeed(p.Sweep, seed) }

// Summarize implements experiment.Params.
func (p *cliParams) Summarize(records []json.RawMessage) (experiment.Output, error) {
	rows, runs, err := experiment.SummarizeRows(p.Sweep, records, Summarize)
	if err != nil {
		return experiment.Output{}, err
	}
	fig := figure(rows)
	return experiment.Output{
		Tables: []report.Table{table(rows, p.Blocks, runs, p.Seed())},
		JSON:   map[string]any{"rows": rows, "blocks_per_run": p.Blocks, "runs": runs},
		Figure: &fig,
	}, nil
}

// ParseTimes reads the comma-separated durations of flag name, saying
// which one is not a duration.
func ParseTimes(name string, list []string) ([]sim.Time, error) {
	var out []sim.Time
	for _, s := range list {
		t, err := sim.ParseTime(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("--%s %q: not a duration", name, s)
		}
		out = append(out, t)
	}
	return out, nil
}

// customRows is the cross product of intervals and delays: blocks of one
// 250-byte transaction, links of the delay and unlimited bandwidth,
// miners on a complete graph or, with degree below miners-1, on a random
// graph of that degree.
func customRows(ts, ds []sim.Time, miners, degree int) []Config {
	topology := "complete graph"
	if degree == 0 || degree >= miners-1 {
		degree = max(miners-1, 1)
	} else {
		topology = fmt.Sprintf("degree %d", degree)
	}
	var rows []Config
	for _, t := range ts {
		for _, d := range ds {
			rows = append(rows, Config{Name: fmt.Sprintf("T=%s, delay %s", Seconds(t.Seconds()), Seconds(d.Seconds())),
				Group: fmt.Sprintf("T=%s, %d miners, %s", Seconds(t.Seconds()), miners, topology),
				Chain: Chain{Interval: t, BlockSize: nakamoto.HeaderSize + 250, TxSize: 250, Latency: d, Miners: miners, Degree: degree}})
		}
	}
	return rows
}

// table is the stale-rate table of rows: runs runs of blocks blocks per
// row from the sweep's seed.
func table(rows []Row, blocks, runs int, seed uint64) report.Table {
	t := report.Table{
		Title: fmt.Sprintf("Stale rate against block interval T and propagation delay d: %d runs × %d blocks per row, seed %d", runs, blocks, seed),
		Header: []string{"network", "T", "delay d", "to all nodes", "simulated", "± s.e.", "model 1-e^(-d/T)", "(sim-model)/s.e.",
			"d/(T+d)", "published"},
	}
	for _, r := range rows {
		var pub []string
		for _, x := range r.Published {
			pub = append(pub, Percent(x.Rate)+" "+x.Source)
		}
		published := "—"
		if len(pub) > 0 {
			published = strings.Join(pub, "; ")
		}
		t.Rows = append(t.Rows, []string{r.Name, Seconds(r.IntervalS), Seconds(r.DelayS), Seconds(r.PropagationS), Percent(r.Simulated),
			Percent(r.StdErr), Percent(r.Model), Z(r.Simulated, r.Model, r.StdErr), Percent(r.Renewal), published})
	}
	t.Notes = []string{
		"simulated: stale blocks over blocks mined, pooled over the runs; ± s.e. across runs. Blocks are full; each miner has an equal share of the hash power and follows the first-seen heaviest chain.",
		"delay d: the mean time a block takes to reach a miner, shortest-path hops times the per-hop time (latency + block size × 8 / bandwidth, store and forward), averaged over all pairs of miners with 0 for the finder (on a complete graph of n miners, (n-1)/n of the link delay): the integral ∫(1-f(t))dt of Decker and Wattenhofer's model, which the simulated flood takes exactly when links are idle. to all nodes: measured mean time until the last node had a main-chain block (about the diameter in hops); it would overstate the model.",
		"model: 1 - e^(-d/T), the chance that the network finds a competing block while this one propagates (Decker & Wattenhofer 2013). d/(T+d): the exact stale fraction of a complete graph with a constant delay and many small miners, where the main chain is a Poisson process with dead time d and each of its blocks is followed by Poisson(d/T) stale ones; the model counts the chance of at least one, so it overstates the stale rate by about (d/T)²/2 — see the complete-graph rows at d/T = 0.1 and 0.3.",
		"published: stale rates measured on the real chains. The rows that mimic them have delays like the propagation measured to public nodes (Bitcoin: mean 12.6 s in 2013, median 8.7 s in 2016; Ethereum: median 0.5-0.75 s in 2016). Measured rates below the model (Bitcoin, Litecoin, Dogecoin in 2016) mean miners reached each other faster than public nodes did, through relay networks, as in the 100 Mbit/s row; Ethereum's higher rate means its mean delay was longer than its median, as a long tail of slow peers makes it, which these idle, uniform links do not have.",
	}
	return t
}

// figure draws the simulated stale rate against d/T, each group of rows
// as points with error bars, beside the model and d/(T+d) as curves.
func figure(rows []Row) plot.Figure {
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

// Percent renders a rate for the tables: "1.69%", "0.053%" (three
// decimals below 0.1%, so a small rate does not print as 0.00%).
func Percent(x float64) string {
	if x != 0 && math.Abs(x) < 0.001 {
		return fmt.Sprintf("%.3f%%", 100*x)
	}
	return fmt.Sprintf("%.2f%%", 100*x)
}

// Seconds renders a time in seconds for the tables, with fewer decimals
// as it grows: "600 s", "5.88 s", "0.100 s".
func Seconds(s float64) string {
	switch {
	case s >= 100:
		return fmt.Sprintf("%.0f s", s)
	case s >= 1:
		return fmt.Sprintf("%.2f s", s)
	}
	return fmt.Sprintf("%.3f s", s)
}

// Z renders (simulated - reference) / standard error for the tables: "0"
// when the error is zero and they agree, "-" when it is zero and they
// differ (no finite z).
func Z(simulated, ref, se float64) string {
	if se == 0 {
		if simulated == ref {
			return "0"
		}
		return "-"
	}
	return fmt.Sprintf("%+.1f", (simulated-ref)/se)
}
