package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"simulate/experiments/partition"
	"simulate/experiments/sweep"
	"simulate/plot"
	"simulate/report"
	"simulate/sim"
)

// `simulate nakamoto partition`: split the miners for a while, heal, and
// count what the reorganisation threw away — the AP side of CAP.

func init() {
	nakamotoCommands = append(nakamotoCommands, newNakamotoPartitionCommand)
	aggregators["nakamoto-partition"] = printNakamotoPartition
}

func newNakamotoPartitionCommand(g *globals) *cobra.Command {
	var sf sweepFlags
	var plotPath string
	var lengths []string
	p := partition.DefaultParams()
	cmd := &cobra.Command{
		Use:   "partition",
		Short: "Split the miners for a while, heal, and count the blocks and transactions the reorganisation throws away (CAP's AP side)",
		Long: `partition cuts a proof-of-work network in two at --start for each
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
orphaned blocks against the partition length, simulated beside the model.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p.Lengths = p.Lengths[:0]
			for _, s := range lengths {
				t, err := sim.ParseTime(strings.TrimSpace(s))
				if err != nil {
					return badInput("nakamoto partition: --lengths %q: not a duration", s)
				}
				p.Lengths = append(p.Lengths, t)
			}
			if err := p.Validate(); err != nil {
				return badInput("nakamoto partition: %s", partitionFlagWords(err.Error()))
			}
			if err := checkPlotPath(plotPath); err != nil {
				return err
			}
			recs, complete, err := runSweep(cmd, g, &sf, "nakamoto-partition", p, func(_ int, seed uint64) any {
				return partition.RunSeed(p, seed)
			})
			if err != nil || !complete {
				return err
			}
			raw, _ := json.Marshal(p)
			p, rows, err := nakamotoPartitionRows(raw, recs)
			if err != nil {
				return err
			}
			if err := writeNakamotoPartition(cmd, g, p, rows); err != nil {
				return err
			}
			return writePlot(cmd, plotPath, nakamotoPartitionFigure(rows))
		},
	}
	sf.add(cmd, 200)
	fs := cmd.Flags()
	var def []string
	for _, l := range p.Lengths {
		def = append(def, l.String())
	}
	fs.StringSliceVar(&lengths, "lengths", def, "partition lengths to sweep, comma-separated")
	fs.Float64SliceVar(&p.Shares, "shares", p.Shares, "side A's shares of the hash power to sweep, each in (0, 1)")
	fs.IntVar(&p.Miners, "miners", p.Miners, "number of miners, equal shares (side A is the first of them)")
	fs.IntVar(&p.Degree, "degree", p.Degree, "neighbours per node in the random peer-to-peer graph")
	timeVar(fs, &p.Delay, "delay", p.Delay, "latency of every link")
	fs.Int64Var(&p.Bandwidth, "bandwidth", p.Bandwidth, "link bandwidth in bits per second (0: unlimited)")
	timeVar(fs, &p.Interval, "interval", p.Interval, "target block interval")
	fs.Float64Var(&p.TxRate, "tx-rate", p.TxRate, "transactions arriving per second")
	timeVar(fs, &p.Start, "start", p.Start, "when the partition begins")
	fs.IntVar(&p.TailBlocks, "tail-blocks", p.TailBlocks, "blocks mined past the height expected at the heal")
	fs.IntVar(&p.K, "k", p.K, "confirmation depth whose reversal is counted")
	fs.StringVar(&plotPath, "plot", "", "also draw orphaned blocks against partition length, simulated beside the model, to this .svg or .png file")
	return cmd
}

// partitionFlagWords names the flags in the experiment's errors.
func partitionFlagWords(s string) string {
	for _, w := range []string{"lengths", "shares", "miners", "tail-blocks", "start", "degree", "delay", "bandwidth", "interval", "k must"} {
		if strings.HasPrefix(s, w) {
			return "--" + s
		}
	}
	return s
}

// nakamotoPartitionRows decodes the sweep's parameters and records and
// aggregates them.
func nakamotoPartitionRows(params json.RawMessage, recs []sweep.Record) (partition.Params, []partition.Row, error) {
	p, seeds, err := decodeSweep[partition.Params, []partition.Outcome]("nakamoto partition", params, recs)
	if err != nil {
		return p, nil, err
	}
	rows, err := partition.Summarize(p, seeds)
	if err != nil {
		return p, nil, badInput("%v", err)
	}
	return p, rows, nil
}

// printNakamotoPartition is the aggregator `simulate merge` calls.
func printNakamotoPartition(cmd *cobra.Command, g *globals, params json.RawMessage, recs []sweep.Record) error {
	p, rows, err := nakamotoPartitionRows(params, recs)
	if err != nil {
		return err
	}
	return writeNakamotoPartition(cmd, g, p, rows)
}

func writeNakamotoPartition(cmd *cobra.Command, g *globals, p partition.Params, rows []partition.Row) error {
	out := cmd.OutOrStdout()
	runs := 0
	for _, r := range rows {
		runs = max(runs, r.Runs+r.Unhealed)
	}
	if g.format == "json" {
		return report.WriteJSON(out, map[string]any{"params": p, "runs": runs, "rows": rows})
	}
	pm := func(m, se float64, prec int) string { return fmt.Sprintf("%.*f ± %.*f", prec, m, prec, se) }
	t := report.Table{
		Title: fmt.Sprintf("Partition and heal: %d miners (degree %d, %s links), %s blocks, partition from %s; %d runs per row (mean ± s.e.)",
			p.Miners, p.Degree, shortTime(p.Delay), shortTime(p.Interval), shortTime(p.Start), runs),
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
		length := shortTime(sim.Time(r.Length * float64(sim.Second)))
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
	return report.Write(out, g.format, t)
}

// nakamotoPartitionFigure draws orphaned blocks against the partition
// length for each share, simulated (with standard errors) beside the
// model.
func nakamotoPartitionFigure(rows []partition.Row) plot.Figure {
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
