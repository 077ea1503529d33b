package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/spf13/cobra"

	"simulate/experiments/nines"
	"simulate/experiments/sweep"
	"simulate/plot"
	"simulate/report"
)

// ninesRow is one measured system in `simulate nines --format json`.
type ninesRow struct {
	System               string   `json:"system"`
	Nodes                int      `json:"nodes"`
	Quorum               int      `json:"quorum"`
	Availability         float64  `json:"availability"`
	StdErr               float64  `json:"stderr"`
	Nines                *float64 `json:"nines"` // null when no request failed (infinite nines)
	Downtime             float64  `json:"downtime_minutes_per_year"`
	AnalyticAvailability float64  `json:"analytic_availability"`
	AnalyticDowntime     float64  `json:"analytic_downtime_minutes_per_year"`
	Requests             int      `json:"requests"`
	Failures             int      `json:"failures"`
}

func init() {
	commands = append(commands, func(g *globals) *cobra.Command {
		var sf sweepFlags
		var plotPath string
		p := nines.DefaultParams()
		cmd := &cobra.Command{
			Use:   "nines",
			Short: "The availability nines: the exact table, and how replication buys nines, measured",
			Long: `nines prints the course notes' availability table with exact downtimes
(0.999 is 525.6 minutes a year; the notes round it to 500), then measures
by simulation how replication buys nines. Every node fails and recovers
with exponential times (mean --mtbf up, --mttr down); a client sends a
request every --interval for --horizon; a request counts as answered if a
quorum of replicas replies within --deadline. Beside each measured figure
is the analytic one: at least k of n independent nodes up, each up with
probability MTBF/(MTBF+MTTR).`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				if err := p.Validate(); err != nil {
					return badInput("%v", err)
				}
				if err := checkPlotPath(plotPath); err != nil {
					return err
				}
				recs, complete, err := runSweep(cmd, g, &sf, "nines", p, func(_ int, seed uint64) any {
					out := make([]nines.Outcome, len(nines.Systems))
					for i, s := range nines.Systems {
						out[i] = nines.Run(s, p, seed, nil)
					}
					return out
				})
				if err != nil || !complete {
					return err
				}
				raw, _ := json.Marshal(p)
				if err := printNines(cmd, g, raw, recs); err != nil {
					return err
				}
				return writePlot(cmd, plotPath, ninesFigure(p, recs))
			},
		}
		sf.add(cmd, 10)
		cmd.Flags().StringVar(&plotPath, "plot", "", "also draw nines against replicas, measured beside analytic, to this .svg or .png file")
		fs := cmd.Flags()
		timeVar(fs, &p.MTBF, "mtbf", p.MTBF, "mean time between failures of one node")
		timeVar(fs, &p.MTTR, "mttr", p.MTTR, "mean time to repair one node")
		timeVar(fs, &p.Interval, "interval", p.Interval, "time between client requests")
		timeVar(fs, &p.Deadline, "deadline", p.Deadline, "a request is answered if a quorum replies within this")
		timeVar(fs, &p.Horizon, "horizon", p.Horizon, "simulated time per run")
		return cmd
	})
	aggregators["nines"] = printNines
}

// ninesMeasured aggregates the records per system: mean availability and
// its standard error.
func ninesMeasured(recs []sweep.Record) (means, ses []float64, err error) {
	fractions := make([][]float64, len(nines.Systems))
	for _, r := range recs {
		var outs []nines.Outcome
		if err := json.Unmarshal(r.Result, &outs); err != nil || len(outs) != len(nines.Systems) {
			return nil, nil, badInput("run %d: malformed nines result", r.Run)
		}
		for i, o := range outs {
			if o.Requests > 0 {
				fractions[i] = append(fractions[i], float64(o.Answered)/float64(o.Requests))
			}
		}
	}
	for i := range nines.Systems {
		m, se := nines.MeanSE(fractions[i])
		means, ses = append(means, m), append(ses, se)
	}
	return means, ses, nil
}

// ninesFigure plots nines against the number of replicas: measured points
// with error bars, and the analytic curves of both quorum rules.
func ninesFigure(p nines.Params, recs []sweep.Record) plot.Figure {
	means, ses, _ := ninesMeasured(recs)
	up := p.NodeUp()
	f := plot.Figure{Title: "Replication buys nines", XLabel: "replicas", YLabel: "nines = -log10(1 - availability)"}
	var mx, my, me []float64
	for i, s := range nines.Systems {
		if means[i] >= 1 {
			continue // no failed request: infinitely many nines, nothing to draw
		}
		mx = append(mx, float64(s.Nodes))
		my = append(my, nines.Nines(means[i]))
		me = append(me, ses[i]/((1-means[i])*math.Ln10))
	}
	maj := plot.Series{Name: "majority quorum, analytic", Dashed: true}
	bft := plot.Series{Name: "2f+1 of 3f+1, analytic", Dashed: true}
	for n := 1; n <= 7; n += 2 {
		maj.X = append(maj.X, float64(n))
		maj.Y = append(maj.Y, nines.Nines(nines.QuorumAvailability(n, n/2+1, up)))
	}
	for f := 0; f <= 2; f++ {
		n := 3*f + 1
		bft.X = append(bft.X, float64(n))
		bft.Y = append(bft.Y, nines.Nines(nines.QuorumAvailability(n, 2*f+1, up)))
	}
	f.Series = []plot.Series{{Name: "measured (± s.e.)", X: mx, Y: my, Err: me}, maj, bft}
	return f
}

func printNines(cmd *cobra.Command, g *globals, params json.RawMessage, recs []sweep.Record) error {
	var p nines.Params
	if err := json.Unmarshal(params, &p); err != nil {
		return badInput("nines parameters: %v", err)
	}
	rows := make([]ninesRow, len(nines.Systems))
	means, ses, err := ninesMeasured(recs)
	if err != nil {
		return err
	}
	for _, r := range recs {
		var outs []nines.Outcome
		_ = json.Unmarshal(r.Result, &outs)
		for i, o := range outs {
			rows[i].Requests += o.Requests
			rows[i].Failures += o.Failures
		}
	}
	up := p.NodeUp()
	for i, s := range nines.Systems {
		a, se := means[i], ses[i]
		an := nines.QuorumAvailability(s.Nodes, s.Quorum, up)
		rows[i] = ninesRow{System: s.Name, Nodes: s.Nodes, Quorum: s.Quorum, Availability: a, StdErr: se,
			Nines: finite(nines.Nines(a)), Downtime: (1 - a) * nines.MinutesPerYear, AnalyticAvailability: an,
			AnalyticDowntime: (1 - an) * nines.MinutesPerYear, Requests: rows[i].Requests, Failures: rows[i].Failures}
	}
	out := cmd.OutOrStdout()
	table := nines.Table()
	if g.format == "json" {
		return report.WriteJSON(out, map[string]any{"table": table, "systems": rows, "params": p, "runs": len(recs)})
	}
	t1 := report.Table{
		Title:  "Availability and downtime (the course notes' table, exact)",
		Header: []string{"availability", "nines", "downtime min/year", "notes say", "class of product"},
		Notes:  []string{"A year has 525,600 minutes, so 0.999 allows 525.6 minutes of downtime; the notes round it to 500 (and the others likewise)."},
	}
	for _, r := range table {
		t1.Rows = append(t1.Rows, []string{fmt.Sprint(r.Availability), fmt.Sprint(r.Nines), trimFloat(r.DowntimeMinutes), trimFloat(r.NotesMinutes), r.Product})
	}
	if err := report.Write(out, g.format, t1); err != nil {
		return err
	}
	fmt.Fprintln(out)
	t2 := report.Table{
		Title: fmt.Sprintf("Replication buys nines: %d simulated runs of %v each, MTBF %v, MTTR %v (one node up %.5f)", len(recs), p.Horizon, p.MTBF, p.MTTR, up),
		Header: []string{"system", "nodes", "quorum", "measured availability", "± s.e.", "nines", "downtime min/year",
			"analytic availability", "analytic nines", "analytic downtime"},
		Notes: []string{
			"Measured: the fraction of client requests a quorum answered within the deadline, averaged over runs (± one standard error).",
			"Analytic: P(at least k of n nodes up) with each node up MTBF/(MTBF+MTTR) of the time, independently.",
			"Rare outages make high nines noisy: with few runs a system may see no failed request at all (nines ∞); add --runs.",
		},
	}
	for _, r := range rows {
		t2.Rows = append(t2.Rows, []string{r.System, fmt.Sprint(r.Nodes), fmt.Sprint(r.Quorum), fmt.Sprintf("%.7f", r.Availability),
			fmt.Sprintf("%.7f", r.StdErr), nines.FormatNines(r.Availability), fmt.Sprintf("%.2f", r.Downtime),
			fmt.Sprintf("%.7f", r.AnalyticAvailability), nines.FormatNines(r.AnalyticAvailability), fmt.Sprintf("%.2f", r.AnalyticDowntime)})
	}
	return report.Write(out, g.format, t2)
}

// trimFloat prints a float without trailing zeros.
func trimFloat(f float64) string {
	s := fmt.Sprintf("%.6f", f)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// finite returns a pointer to f, or nil if f is infinite (JSON has no Inf).
func finite(f float64) *float64 {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil
	}
	return &f
}
