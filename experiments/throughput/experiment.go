package throughput

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"simulate/experiments/experiment"
	"simulate/experiments/stale"
	"simulate/protocols/chain"
	"simulate/report"
	"simulate/sim"
)

// registered is the experiment at `simulate nakamoto throughput`; its
// --out files name the sweep "nakamoto-throughput".
var registered = experiment.Spec[*cliParams]{
	ID:          "nakamoto-throughput",
	Path:        "nakamoto throughput",
	Summary:     "Transactions per second from block size and interval, simulated beside the formula and Bitcoin's published 7 tx/s",
	Help:        help,
	DefaultRuns: 8,
	Defaults:    func() *cliParams { return &cliParams{Command: stale.NewCommand("throughput", DefaultParams())} },
	Bind:        bindFlags,
}

func init() { experiment.Register(registered) }

// help is the command's help.
const help = `throughput runs Nakamoto consensus with more transactions offered than
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
published ({tps, source} or null), stale_rate, stale_stderr, runs.`

// cliParams are the command's parameters: the rows as stale.Command
// keeps them (and checks, decodes and titles them, as stale's), and the
// flags of custom rows, which Finish turns into Rows once they are
// parsed.
type cliParams struct {
	stale.Command[Config]
	intervals, sizes []string
	txSize           int
}

// bindFlags binds p's fields to the command's flags.
func bindFlags(fs *pflag.FlagSet, p *cliParams) {
	fs.IntVar(&p.Blocks, "blocks", p.Blocks, "chain height each run mines to, per row")
	fs.StringSliceVar(&p.intervals, "interval", []string{"600s"}, "block intervals of custom rows, comma-separated (replaces the default rows)")
	fs.StringSliceVar(&p.sizes, "block-size", []string{"1000000"}, "block sizes in bytes of custom rows, comma-separated (replaces the default rows)")
	fs.IntVar(&p.txSize, "tx-size", 250, "transaction size in bytes of custom rows")
}

// Finish implements experiment.Finisher: --interval or --block-size
// replace the default rows by their cross product, which --tx-size shapes
// (alone it is a mistake: it would change nothing).
func (p *cliParams) Finish(fs *pflag.FlagSet) error {
	custom := fs.Changed("interval") || fs.Changed("block-size")
	if !custom && fs.Changed("tx-size") {
		return fmt.Errorf("throughput: --tx-size shapes the rows of --block-size and --interval; give those too")
	}
	if !custom {
		return nil
	}
	ts, err := stale.ParseTimes("interval", p.intervals)
	if err != nil {
		return err
	}
	var bs []int
	for _, s := range p.sizes {
		var b int
		if _, err := fmt.Sscan(strings.TrimSpace(s), &b); err != nil {
			return fmt.Errorf("--block-size %q: not a number of bytes", s)
		}
		bs = append(bs, b)
	}
	if len(ts)*len(bs) > 100 {
		return fmt.Errorf("throughput: %d intervals × %d block sizes is more than 100 rows", len(ts), len(bs))
	}
	p.Rows = customRows(ts, bs, p.txSize)
	return nil
}

// Run implements experiment.Params: one seed, every row.
func (p *cliParams) Run(seed uint64) any { return RunSeed(p.Sweep, seed) }

// Summarize implements experiment.Params.
func (p *cliParams) Summarize(records []json.RawMessage) (experiment.Output, error) {
	rows, runs, err := experiment.SummarizeRows(p.Sweep, records, Summarize)
	if err != nil {
		return experiment.Output{}, err
	}
	return experiment.Output{
		Tables: []report.Table{table(rows, p.Blocks, runs, p.Seed())},
		JSON:   map[string]any{"rows": rows, "blocks_per_run": p.Blocks, "runs": runs},
	}, nil
}

// customRows is the cross product of intervals and block sizes on the
// experiment's common network.
func customRows(ts []sim.Time, bs []int, txSize int) []Config {
	def := DefaultParams().Rows[0]
	var rows []Config
	for _, t := range ts {
		for _, b := range bs {
			c := def
			c.Name, c.Interval, c.BlockSize, c.TxSize, c.Published = fmt.Sprintf("%s every %s", chain.SizeWords(b), stale.Seconds(t.Seconds())), t, b, txSize, nil
			rows = append(rows, c)
		}
	}
	return rows
}

// table is the throughput table of rows: runs runs of blocks blocks per
// row from the sweep's seed.
func table(rows []Row, blocks, runs int, seed uint64) report.Table {
	t := report.Table{
		Title:  fmt.Sprintf("Throughput from block size and interval: %d runs × %d blocks per row, seed %d", runs, blocks, seed),
		Header: []string{"chain", "block", "interval", "tx size", "txs/block", "simulated tx/s", "± s.e.", "formula tx/s", "(sim-formula)/s.e.", "stale rate", "published"},
	}
	for _, r := range rows {
		pub := "—"
		if r.Published != nil {
			pub = fmt.Sprintf("%g tx/s %s", r.Published.TPS, r.Published.Source)
		}
		t.Rows = append(t.Rows, []string{r.Name, chain.SizeWords(r.BlockSize), stale.Seconds(r.IntervalS), fmt.Sprintf("%d B", r.TxSize), fmt.Sprint(r.TxsPerBlock),
			fmt.Sprintf("%.3f", r.TPSSimulated), fmt.Sprintf("%.3f", r.StdErr), fmt.Sprintf("%.3f", r.TPSFormula),
			stale.Z(r.TPSSimulated, r.TPSFormula, r.StdErr), stale.Percent(r.StaleRate) + " ± " + stale.Percent(r.StaleStdErr), pub})
	}
	t.Notes = []string{
		"simulated: transactions on the final main chain over the time mining ran (to the last block), pooled over the runs; ± s.e. across runs. Transactions are offered at 20 times the capacity, so every block is full.",
		"formula: (block size - 80-byte header) / tx size transactions per block, over the interval. It counts every block mined; stale blocks hold transactions the main chain mines again, so the simulated throughput is the formula times (1 - stale rate), up to the runs' Poisson noise.",
		"published: Croman et al., On Scaling Decentralized Blockchains (2016): Bitcoin's maximum throughput is 3.3-7 tx/s (7 for 250-byte transactions, 3.3 for the 500-byte average), and 4 MB blocks would give at most 27 tx/s.",
		"network: 50 miners with 8 neighbours each, 100 ms links of 20 Mbit/s; a 32 MB block takes 13 s a hop.",
	}
	return t
}
