package partition

import (
	"encoding/json"
	"fmt"
	"simulate/protocols/chain"
	"strings"

	"github.com/spf13/pflag"

	"simulate/experiments/experiment"
	"simulate/plot"
	"simulate/report"
	"simulate/scenario"
	"simulate/sim"
)

// registered is the experiment at `simulate nakamoto partition` (the
// sweep; `simulate nakamoto --partition` is a single run of the protocol
// and stays with it); its --out files name the sweep "nakamoto-partition".
var registered = experiment.Spec[*cliParams]{
	ID:          "nakamoto-partition",
	Path:        "nakamoto partition",
	Summary:     "Split the miners for a while, heal, and count the blocks and transactions the reorganisation throws away (CAP's AP side)",
	Help:        help,
	DefaultRuns: 200,
	Plot:        "also draw orphaned blocks against partition length, simulated beside the model, to this .svg or .png file",
	Defaults:    func() *cliParams { return &cliParams{Params: DefaultParams()} },
	Bind:        bindFlags,
}

func init() { experiment.Register(registered) }

// help is the command's help.
const help = `partition cuts a proof-of-work network in two at --start for each
--lengths in turn, side A holding each of --shares of the hash power.
Both sides keep mining — every miner stays available, the AP side of CAP
— and neither can see the other's blocks. At the heal every node asks its
neighbours across the cut for the blocks it missed (a block locator, as
Bitcoin's getheaders), and the side with less work reorganises onto the
heavier chain. Mining goes on --tail-blocks past the height expected at
the heal, and each run ends once every block has arrived.

For each partition length and split it prints, as means over --runs seeds
with their standard errors: the blocks orphaned at the heal beside the
simple model (each side mines a Poisson number of blocks, the side with
fewer loses them all: E[min(X, Y)] — a model, not a measurement); the
deepest reorganisation; the transactions in orphaned blocks (their
confirmations vanished) and those of them not in the winning chain (back
to the pool); the time from the heal until the last node left the losing
side's blocks; and the share of runs in which a transaction one side
held --k deep was on the losing branch: k confirmations are not final
while a partition lasts.

--format json prints one row per length and share; --plot FILE draws the
orphaned blocks against the partition length, simulated beside the model.`

// cliParams are the command's parameters: Params, embedded so that --out
// records exactly Params' JSON (old results files still merge), and
// --lengths as typed, which Finish parses into Lengths so that a bad one
// is named in the experiment's words.
type cliParams struct {
	Params
	lengths []string
}

// bindFlags binds p's fields to the command's flags.
func bindFlags(fs *pflag.FlagSet, p *cliParams) {
	var def []string
	for _, l := range p.Lengths {
		def = append(def, l.String())
	}
	fs.StringSliceVar(&p.lengths, "lengths", def, "partition lengths to sweep, comma-separated")
	fs.Float64SliceVar(&p.Shares, "shares", p.Shares, "side A's shares of the hash power to sweep, each in (0, 1)")
	fs.IntVar(&p.Miners, "miners", p.Miners, "number of miners, equal shares (side A is the first of them)")
	chain.LinkFlags(fs, &p.Degree, &p.Delay, &p.Bandwidth)
	scenario.TimeVar(fs, &p.Interval, "interval", "target block interval")
	fs.Float64Var(&p.TxRate, "tx-rate", p.TxRate, "transactions arriving per second")
	scenario.TimeVar(fs, &p.Start, "start", "when the partition begins")
	fs.IntVar(&p.TailBlocks, "tail-blocks", p.TailBlocks, "blocks mined past the height expected at the heal")
	fs.IntVar(&p.K, "k", p.K, "confirmation depth whose reversal is counted")
}

// Finish implements experiment.Finisher: --lengths, parsed.
func (p *cliParams) Finish(*pflag.FlagSet) error {
	p.Lengths = nil
	for _, s := range p.lengths {
		t, err := sim.ParseTime(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("nakamoto partition: --lengths %q: not a duration", s)
		}
		p.Lengths = append(p.Lengths, t)
	}
	return nil
}

// Validate implements experiment.Params, naming the flags.
func (p *cliParams) Validate() error {
	if err := p.Params.Validate(); err != nil {
		return fmt.Errorf("nakamoto partition: %s", flagWords(err.Error()))
	}
	return nil
}

// flagWords names the flags in Params.Validate's errors.
func flagWords(s string) string {
	for _, w := range []string{"lengths", "shares", "miners", "tail-blocks", "start", "degree", "delay", "bandwidth", "interval", "k must"} {
		if strings.HasPrefix(s, w) {
			return "--" + s
		}
	}
	return s
}

// Run implements experiment.Params: one seed, every length and share.
func (p *cliParams) Run(seed uint64) any { return RunSeed(p.Params, seed) }

// Summarize implements experiment.Params.
func (p *cliParams) Summarize(records []json.RawMessage) (experiment.Output, error) {
	rows, err := experiment.SummarizeSeeds(p.Params, records, Summarize)
	if err != nil {
		return experiment.Output{}, err
	}
	runs := 0
	for _, r := range rows {
		runs = max(runs, r.Runs+r.Unhealed)
	}
	fig := figure(rows)
	return experiment.Output{
		Tables: []report.Table{table(p.Params, rows, runs)},
		JSON:   map[string]any{"params": p.Params, "runs": runs, "rows": rows},
		Figure: &fig,
	}, nil
}

// table is the partition table of rows, runs seeds each.
func table(p Params, rows []Row, runs int) report.Table {
	pm := func(m, se float64, prec int) string { return fmt.Sprintf("%.*f ± %.*f", prec, m, prec, se) }
	t := report.Table{
		Title: fmt.Sprintf("Partition and heal: %d miners (degree %d, %s links), %s blocks, partition from %s; %d runs per row (mean ± s.e.)",
			p.Miners, p.Degree, chain.ShortTime(p.Delay), chain.ShortTime(p.Interval), chain.ShortTime(p.Start), runs),
		Header: []string{"partition", "side A share", "blocks orphaned", "model E[min(X,Y)]", "deepest reorg",
			"txs reversed", "txs back to pool", "converge after heal", fmt.Sprintf("runs with a %d-deep tx reversed", p.K)},
	}
	for _, r := range rows {
		conv := "-"
		if r.ConvergeRuns > 0 {
			conv = fmt.Sprintf("%s (%d runs)", pm(r.Converge, r.ConvergeSE, 0)+" s", r.ConvergeRuns)
		}
		if r.Diverged > 0 {
			conv += fmt.Sprintf("; %d runs never converged", r.Diverged)
		}
		length := chain.ShortTime(sim.Time(r.Length * float64(sim.Second)))
		if r.Unhealed > 0 {
			length += fmt.Sprintf(" (%d runs stopped before the heal)", r.Unhealed)
		}
		t.Rows = append(t.Rows, []string{length, fmt.Sprintf("%.2f", r.ShareA), pm(r.Orphaned, r.OrphanedSE, 2), fmt.Sprintf("%.2f", r.Model),
			pm(r.Deepest, r.DeepestSE, 2), pm(r.TxsReversed, r.TxsReversedSE, 0), pm(r.TxsReturned, r.TxsReturnedSE, 0), conv,
			fmt.Sprintf("%.1f%% ± %.1f%%", 100*r.KReversed, 100*r.KReversedSE)})
	}
	t.Notes = []string{
		"Both sides keep mining through the partition (the AP side of CAP); at the heal each node asks its neighbours across the cut for the blocks it missed, and the side with less work reorganises onto the heavier chain.",
		"blocks orphaned: blocks mined during the partition that ended off the main chain. model: each side mines a Poisson number of blocks (means share·T/interval and (1-share)·T/interval) and the side with fewer loses them all, E[min(X, Y)]; a model, not a measurement. It leaves out forks from propagation delay and races after the heal, so the simulation sits a little above it.",
		"deepest reorg: the most blocks one node dropped in a reorganisation after the heal. txs reversed: transactions in orphaned blocks, whose confirmations vanished; back to pool: those of them the winning chain did not hold at the heal, to be mined again.",
		"converge after heal: from the heal until the last node left the losing side's blocks, over the runs where some node had to. When both sides have the same work the next block decides, about one interval later.",
		fmt.Sprintf("The last column: runs in which a transaction honest nodes held %d deep on one side was on the branch that lost — %d confirmations are not final while a partition lasts.", p.K, p.K),
	}
	return t
}

// figure draws orphaned blocks against the partition length for each
// share, simulated (with standard errors) beside the model.
func figure(rows []Row) plot.Figure {
	f := plot.Figure{Title: "Partition and heal: blocks the losing side mined in vain", XLabel: "partition length (min)", YLabel: "blocks orphaned at the heal"}
	var shares []float64
	seen := map[float64]bool{}
	for _, r := range rows {
		if !seen[r.Share] {
			seen[r.Share] = true
			shares = append(shares, r.Share)
		}
	}
	for i, s := range shares {
		simS := plot.Series{Name: fmt.Sprintf("side A %.0f%%: simulated (± s.e.)", 100*s), Group: i + 1}
		model := plot.Series{Name: fmt.Sprintf("side A %.0f%%: model E[min(X,Y)]", 100*s), Dashed: true, Group: i + 1}
		for _, r := range rows {
			if r.Share != s {
				continue
			}
			x := r.Length / 60
			simS.X, simS.Y, simS.Err = append(simS.X, x), append(simS.Y, r.Orphaned), append(simS.Err, r.OrphanedSE)
			model.X, model.Y = append(model.X, x), append(model.Y, r.Model)
		}
		f.Series = append(f.Series, simS, model)
	}
	return f
}
