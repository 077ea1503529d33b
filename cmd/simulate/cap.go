package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"simulate/experiments/cap"
	"simulate/experiments/sweep"
	"simulate/network"
	"simulate/plot"
	"simulate/protocols/paxos"
	"simulate/report"
	"simulate/sim"
)

// capNote cites the course notes' story, in the help and under the table.
const capNote = `The course notes (course-notes.md, 一致性问题): "西单和中关村的两个电影院，都出售某电影票，票一共就一万张" — two cinemas sell one stock of 10,000 tickets; how does a clerk avoid overselling?`

func init() {
	commands = append(commands, func(g *globals) *cobra.Command {
		var sf sweepFlags
		var plotPath, latency, bug string
		var lengths []string
		p := cap.DefaultParams()
		cmd := &cobra.Command{
			Use:   "cap",
			Short: "CAP: two cinemas, one stock of tickets, a partition — refuse (CP) or oversell (AP)",
			Long: capNote + `

cap answers with the CAP theorem. Ticket offices (--offices, 2 by default)
sell one stock (--tickets, 10,000) to customers queueing at --windows
windows per office, --rate customers a second per office. At
--partition-start a partition cuts the first half of the offices
(rounded down; their customers with them) off from the rest, for each
--partition-length in turn. The defaults make the tickets run out just
after the partition begins, so overselling has a chance to show.

  CP  the offices replicate the stock through Multi-Paxos (a sale is a
      committed log entry). The side without a majority cannot sell: its
      customers give up after --deadline and count as refused. Customers
      arrive as a Poisson process (--rate a second at each office,
      whatever the windows are doing) and queue; patience runs from
      arrival. So a partition refuses every customer of the cut-off
      offices: about rate × length each, plus those who arrived less
      than a deadline before the cut or while the healed side catches
      up. With an
      even number of offices a tie-breaking replica, which sells nothing
      itself, sits on the majority side (with two: office 0 alone against
      office 1 and the tie-breaker).
  AP  every office sells from its own view, a G-counter of each office's
      sales exchanged every --gossip; it never refuses, and reconciles
      after the partition heals — when the merged counter shows how many
      tickets were sold twice.

Both run on the same seeds. The table gives, per partition length and
configuration, the customers refused (lost availability), the tickets
oversold (lost consistency) and whether the client history is
linearizable, checked with porcupine against a ticket counter whose sale
returns the next ticket number or "sold out" (a refused sale has an
unknown outcome: it may yet have taken a ticket). --bug plants a
Multi-Paxos teaching bug in CP: small-quorum lets both sides sell.

--format json prints one row per configuration and length (config,
partition_length in seconds, refused, oversold, linearizable, sold, with
standard errors); --plot FILE draws refused and oversold against the
partition length for both configurations.`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				var err error
				if p.Latency, err = network.ParseLatency(latency); err != nil {
					return badInput("--latency: %v", err)
				}
				if p.Bug, err = paxos.ParseBug(bug); err != nil {
					return badInput("--bug: %v", err)
				}
				p.Lengths = p.Lengths[:0]
				for _, s := range lengths {
					t, err := sim.ParseTime(strings.TrimSpace(s))
					if err != nil {
						return badInput("--partition-length %q: not a duration", s)
					}
					p.Lengths = append(p.Lengths, t)
				}
				if err := p.Validate(); err != nil {
					return badInput("%v", err)
				}
				if err := checkPlotPath(plotPath); err != nil {
					return err
				}
				recs, complete, err := runSweep(cmd, g, &sf, "cap", p, func(_ int, seed uint64) any {
					return cap.RunSeed(p, seed)
				})
				if err != nil || !complete {
					return err
				}
				raw, _ := json.Marshal(p)
				p, rows, err := capRows(raw, recs)
				if err != nil {
					return err
				}
				if err := writeCAP(cmd, g, p, rows); err != nil {
					return err
				}
				return writePlot(cmd, plotPath, capFigure(rows))
			},
		}
		sf.add(cmd, 8)
		fs := cmd.Flags()
		fs.IntVar(&p.Offices, "offices", p.Offices, "number of ticket offices (cinemas)")
		fs.IntVar(&p.Tickets, "tickets", p.Tickets, "the stock all offices share")
		fs.IntVar(&p.Windows, "windows", p.Windows, "ticket windows per office (customers served at once)")
		fs.Float64Var(&p.Rate, "rate", p.Rate, "customers arriving per second at each office")
		timeVar(fs, &p.Deadline, "deadline", p.Deadline, "a customer's patience: no answer by then and they are refused")
		timeVar(fs, &p.Gossip, "gossip", p.Gossip, "AP: how often offices exchange their sales counters")
		timeVar(fs, &p.PartitionStart, "partition-start", p.PartitionStart, "when the partition begins")
		var defLengths []string
		for _, l := range p.Lengths {
			defLengths = append(defLengths, l.String())
		}
		fs.StringSliceVar(&lengths, "partition-length", defLengths, "partition lengths to sweep, comma-separated (0 = no partition)")
		fs.StringVar(&latency, "latency", p.Latency.String(), "one-way message delay: 2ms, uniform:1ms,3ms, exponential:2ms, lognormal:2ms,0.5")
		fs.StringVar(&bug, "bug", "", "plant a Multi-Paxos teaching bug in CP (see simulate paxos --list-bugs)")
		fs.StringVar(&plotPath, "plot", "", "also draw refused and oversold against partition length to this .svg or .png file")
		return cmd
	})
	aggregators["cap"] = printCAP
}

// capRows decodes the sweep's parameters and records and aggregates them.
func capRows(params json.RawMessage, recs []sweep.Record) (cap.Params, []cap.Row, error) {
	p, seeds, err := decodeSweep[cap.Params, []cap.Outcome]("cap", params, recs)
	if err != nil {
		return p, nil, err
	}
	rows, err := cap.Summarize(p, seeds)
	if err != nil {
		return p, nil, badInput("%v", err)
	}
	return p, rows, nil
}

// printCAP is the aggregator `simulate merge` calls.
func printCAP(cmd *cobra.Command, g *globals, params json.RawMessage, recs []sweep.Record) error {
	p, rows, err := capRows(params, recs)
	if err != nil {
		return err
	}
	return writeCAP(cmd, g, p, rows)
}

func writeCAP(cmd *cobra.Command, g *globals, p cap.Params, rows []cap.Row) error {
	runs := 0
	if len(rows) > 0 {
		runs = rows[0].Runs
	}
	out := cmd.OutOrStdout()
	if g.format == "json" {
		return report.WriteJSON(out, map[string]any{"rows": rows, "params": p, "runs": runs})
	}
	minority, majority := p.Sides()
	split := fmt.Sprintf("offices %s | %s", officeList(minority), officeList(majority))
	if p.Offices%2 == 0 {
		split += " + tie-breaker (CP)"
	}
	t := report.Table{
		Title: fmt.Sprintf("CAP: %d offices sell %d tickets, %g customers/s each; partition %s from %v; %d runs per row (mean ± s.e.)",
			p.Offices, p.Tickets, p.Rate, split, p.PartitionStart, runs),
		Header: []string{"partition", "config", "refused (lost availability)", "oversold (lost consistency)", "linearizable", "sold", "tickets left at split"},
		Notes: []string{
			capNote,
			"CP: Multi-Paxos offices; a sale is a committed log entry, so the side without a majority cannot sell: its customers wait --deadline and are refused. Customers arrive as a Poisson process (--rate a second per office), independent of service, and queue; patience runs from arrival, so refused is every customer of the cut-off side during the partition (about rate × length per cut-off office), plus those who arrived less than a deadline before the cut or while the healed side catches up.",
			"AP: each office sells from its own G-counter, exchanged every --gossip; it never refuses. During a partition both sides sell the tickets they believe are left, so with two sides AP can oversell at most the tickets left at the split (plus a gossip period's worth): the last column is that ceiling.",
			"CP's sold can fall a few short of the stock: a sale that commits just after its customer gave up leaves a ticket nobody holds.",
			"Even without a partition AP can hand out a few tickets too many and repeat ticket numbers (its view lags a gossip period), so its history need not be linearizable; linearizable counts the runs porcupine accepted, a refused sale counting as one whose outcome is unknown.",
		},
	}
	if p.Bug != "" {
		t.Notes = append(t.Notes, fmt.Sprintf("Teaching bug in CP: %s.", p.Bug))
	}
	for i, r := range rows {
		lin := fmt.Sprintf("%s (%d of %d)", yesNo(r.Linearizable), r.LinearizableRuns, r.Runs)
		left := "—"
		if r.PartitionLength > 0 {
			left = fmt.Sprintf("%.0f", r.LeftAtSplit)
		}
		length := p.Lengths[i/len(cap.Configs)].String()
		if r.Incomplete > 0 {
			lin += fmt.Sprintf(", %d runs hit the time limit", r.Incomplete)
		}
		t.Rows = append(t.Rows, []string{length, r.Config, meanSE(r.Refused, r.RefusedSE), meanSE(r.Oversold, r.OversoldSE), lin,
			meanSE(r.Sold, r.SoldSE), left})
	}
	return report.Write(out, g.format, t)
}

func meanSE(m, se float64) string { return fmt.Sprintf("%.1f ± %.1f", m, se) }

func officeList(offices []int) string {
	s := make([]string, len(offices))
	for i, o := range offices {
		s[i] = fmt.Sprint(o)
	}
	return "{" + strings.Join(s, ",") + "}"
}

// capFigure plots refused and oversold (means over the runs; the table
// has their standard errors) against the partition length, for both
// configurations: lines, so the trade-off reads at a glance — refusals
// grow with the partition, overselling saturates at the tickets left.
func capFigure(rows []cap.Row) plot.Figure {
	f := plot.Figure{Title: "CAP: refuse (CP) or oversell (AP) while the cinemas cannot talk",
		XLabel: "partition length (s)", YLabel: "customers (mean over runs)"}
	for _, c := range cap.Configs {
		refused := plot.Series{Name: c + ": refused (lost availability)"}
		oversold := plot.Series{Name: c + ": oversold (lost consistency)", Dashed: true}
		for _, r := range rows {
			if r.Config != c {
				continue
			}
			refused.X, refused.Y = append(refused.X, r.PartitionLength), append(refused.Y, r.Refused)
			oversold.X, oversold.Y = append(oversold.X, r.PartitionLength), append(oversold.Y, r.Oversold)
		}
		f.Series = append(f.Series, refused, oversold)
	}
	return f
}
