package nines

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/spf13/pflag"

	"simulate/check"
	"simulate/experiments/experiment"
	"simulate/plot"
	"simulate/report"
	"simulate/scenario"
	"simulate/sim"
)

// registered is the experiment at `simulate nines`; its --out
// files name the sweep "nines".
var registered = experiment.Spec[*Params]{
	ID:          "nines",
	Path:        "nines",
	Summary:     "The availability nines: the exact table, and how replication buys nines, measured with real protocols",
	Help:        help(),
	DefaultRuns: 10,
	Plot:        "also draw nines against replicas, measured beside analytic, to this .svg or .png file",
	Defaults:    experiment.Fresh(DefaultParams),
	Bind:        bindFlags,
}

func init() { experiment.Register(registered) }

// help is the command's help, which quotes the protocols' timing.
func help() string {
	t := PaxosTiming()
	b := PBFTParams(4)
	return fmt.Sprintf(`nines prints the course notes' availability table with exact downtimes
(0.999 is 525.6 minutes a year; the notes round it to 500), then measures
by simulation how replication buys nines: a single server, Multi-Paxos
with 3 and 5 replicas, PBFT with 4 and 7 replicas and Raft with 3 and 5,
the real protocols of protocols/paxos, protocols/pbft and protocols/raft
(Raft on Multi-Paxos's clock). Every node fails and recovers with
exponential times (mean --mtbf up, --mttr down); a client sends a request
every --interval for --horizon; a request counts as answered if the
protocol's client had its result within --deadline. Beside each measured
figure is the analytic one: at least k of n independent nodes up, each up
with probability MTBF/(MTBF+MTTR).

Time is scaled. A real year of heartbeats is billions of events, so the
failure process and the workload (--mtbf, --mttr, --interval, --horizon)
run --scale times faster — by default a real hour passes in a simulated
second — while the protocols run at their own speed: %v network delay,
Multi-Paxos heartbeat %v and election timeout %v–%v, clients retry after
%v, and PBFT backups vote out a silent primary %v after a request. --deadline is in
protocol time and is not scaled. Scaling keeps MTBF/MTTR, all the analytic
model depends on.

The analytic model assumes a quorum answers the moment it is up. A real
protocol also loses availability to failover: an election after the
leader crashes, a view change after the primary crashes. The gap between
measured and analytic downtime is that cost (scaling makes crashes more
frequent beside the protocols' clocks, so time-proportional costs grow
with --scale), and the last table splits it off, run by run, from the
quorum outages of the very same failures.`,
		NetworkDelay, t.Heartbeat, t.Election, 2*t.Election, t.Client, b.ClientTimeout+b.ViewTimeout)
}

// bindFlags binds p's fields to the command's flags.
func bindFlags(fs *pflag.FlagSet, p *Params) {
	scenario.TimeVar(fs, &p.MTBF, "mtbf", "mean time between failures of one node (real time, divided by --scale)")
	scenario.TimeVar(fs, &p.MTTR, "mttr", "mean time to repair one node (real time, divided by --scale)")
	scenario.TimeVar(fs, &p.Interval, "interval", "time between client requests (real time, divided by --scale)")
	scenario.TimeVar(fs, &p.Horizon, "horizon", "time covered by each run (real time, divided by --scale)")
	scenario.TimeVar(fs, &p.Deadline, "deadline", "a request is answered if its result comes within this (protocol time, not scaled)")
	scenario.TimeVar(fs, &p.FairDeadline, "fair-deadline", "a second deadline, longer than any failover, against which the analytic model is a fair comparison (0: not measured)")
	fs.Int64Var(&p.Scale, "scale", p.Scale, "real time per unit of simulated time for the failure process and workload")
}

// Run implements experiment.Params: one seed, every system on the same
// failure draws.
func (p *Params) Run(seed uint64) any {
	out := make([]Outcome, len(Systems))
	for i, s := range Systems {
		out[i] = Run(s, *p, seed, nil)
	}
	return out
}

// SystemRow is one measured system in `simulate nines --format json`.
type SystemRow struct {
	System               string   `json:"system"`
	Protocol             string   `json:"protocol"`
	Nodes                int      `json:"nodes"`
	Quorum               int      `json:"quorum"`
	Availability         float64  `json:"availability"`
	StdErr               float64  `json:"stderr"`
	Nines                *float64 `json:"nines"` // null when no request failed (infinite nines)
	Downtime             float64  `json:"downtime_minutes_per_year"`
	AnalyticAvailability float64  `json:"analytic_availability"`
	AnalyticNines        *float64 `json:"analytic_nines"`
	AnalyticDowntime     float64  `json:"analytic_downtime_minutes_per_year"`
	// Gap is measured minus analytic downtime.
	Gap float64 `json:"gap_minutes_per_year"`
	// QuorumUpAvailability is the fraction of requests issued while a
	// quorum was up, on the runs' own failures.
	QuorumUpAvailability float64 `json:"quorum_up_availability"`
	// FailoverDowntime is the downtime of requests issued with a quorum up
	// but not answered in time, paired run by run, and its standard error.
	FailoverDowntime float64 `json:"failover_downtime_minutes_per_year"`
	FailoverStdErr   float64 `json:"failover_downtime_stderr"`
	// FairAvailability is the fraction answered within the fair deadline
	// (params.fair_deadline), longer than any failover, and
	// FairFailoverDowntime the failover downtime measured against it.
	FairAvailability     float64 `json:"fair_availability"`
	FairFailoverDowntime float64 `json:"fair_failover_downtime_minutes_per_year"`
	FairFailoverStdErr   float64 `json:"fair_failover_downtime_stderr"`
	Requests             int     `json:"requests"`
	Failures             int     `json:"failures"`
	Failovers            int     `json:"failovers"`
	Forks                int     `json:"forks"`
}

// stat is one system aggregated over runs.
type stat struct {
	mean, se           float64 // measured availability
	up                 float64 // quorum up at request time
	loss, lossSE       float64 // quorum up but not answered in time, paired
	fair               float64 // answered within the fair deadline
	fairLoss, fairSE   float64 // quorum up but not answered within the fair deadline, paired
	requests, failures int
	failovers, forks   int
}

// stats aggregates the records per system; a record that is not one
// outcome per system is a RecordError.
func stats(records []json.RawMessage) ([]stat, error) {
	outs, err := experiment.Decode[[]Outcome](records)
	if err != nil {
		return nil, err
	}
	k := len(Systems)
	frac, up, loss := make([][]float64, k), make([][]float64, k), make([][]float64, k)
	fair, fairLoss := make([][]float64, k), make([][]float64, k)
	st := make([]stat, k)
	for run, rec := range outs {
		if len(rec) != k {
			return nil, &experiment.RecordError{Index: run, Err: fmt.Errorf("%d systems, want %d", len(rec), k)}
		}
		for i, o := range rec {
			s := &st[i]
			s.requests += o.Requests
			s.failures += o.Failures
			s.failovers += o.Failovers
			s.forks += o.Forks
			if o.Requests > 0 {
				n := float64(o.Requests)
				frac[i] = append(frac[i], float64(o.Answered)/n)
				up[i] = append(up[i], float64(o.QuorumUp)/n)
				loss[i] = append(loss[i], float64(o.QuorumUp-o.Answered)/n)
				fair[i] = append(fair[i], float64(o.AnsweredFair)/n)
				fairLoss[i] = append(fairLoss[i], float64(o.QuorumUp-o.AnsweredFair)/n)
			}
		}
	}
	for i := range st {
		st[i].mean, st[i].se = check.MeanSE(frac[i])
		st[i].up, _ = check.MeanSE(up[i])
		st[i].loss, st[i].lossSE = check.MeanSE(loss[i])
		st[i].fair, _ = check.MeanSE(fair[i])
		st[i].fairLoss, st[i].fairSE = check.MeanSE(fairLoss[i])
	}
	return st, nil
}

// Summarize implements experiment.Params: the course notes' table, the
// measured systems beside the analytic model, and where the gap goes;
// the JSON document; and the figure of nines against replicas.
func (p *Params) Summarize(records []json.RawMessage) (experiment.Output, error) {
	st, err := stats(records)
	if err != nil {
		return experiment.Output{}, err
	}
	up := p.NodeUp()
	rows := make([]SystemRow, len(Systems))
	for i, s := range Systems {
		x := st[i]
		an := QuorumAvailability(s.Nodes, s.Quorum, up)
		rows[i] = SystemRow{System: s.Name, Protocol: s.Protocol, Nodes: s.Nodes, Quorum: s.Quorum,
			Availability: x.mean, StdErr: x.se, Nines: finite(Nines(x.mean)), Downtime: (1 - x.mean) * MinutesPerYear,
			AnalyticAvailability: an, AnalyticNines: finite(Nines(an)), AnalyticDowntime: (1 - an) * MinutesPerYear,
			Gap: (an - x.mean) * MinutesPerYear, QuorumUpAvailability: x.up,
			FailoverDowntime: x.loss * MinutesPerYear, FailoverStdErr: x.lossSE * MinutesPerYear,
			Requests: x.requests, Failures: x.failures, Failovers: x.failovers, Forks: x.forks,
			FairAvailability: x.fair, FairFailoverDowntime: x.fairLoss * MinutesPerYear, FairFailoverStdErr: x.fairSE * MinutesPerYear}
	}
	table := Table()
	fig := p.figure(st)
	return experiment.Output{
		Tables: []report.Table{notesTable(table), p.measuredTable(rows, len(records)), p.failoverTable(rows, st, len(records))},
		JSON:   map[string]any{"table": table, "systems": rows, "params": *p, "runs": len(records)},
		Figure: &fig,
	}, nil
}

// notesTable is the course notes' table with exact downtimes.
func notesTable(table []Row) report.Table {
	t := report.Table{
		Name:   "nines",
		Title:  "Availability and downtime (the course notes' table, exact)",
		Header: []string{"availability", "nines", "downtime min/year", "notes say", "class of product"},
		Notes:  []string{"A year has 525,600 minutes, so 0.999 allows 525.6 minutes of downtime; the notes round it to 500 (and the others likewise)."},
	}
	for _, r := range table {
		t.Rows = append(t.Rows, []string{fmt.Sprint(r.Availability), fmt.Sprint(r.Nines), trimFloat(r.DowntimeMinutes), trimFloat(r.NotesMinutes), r.Product})
	}
	return t
}

// measuredTable sets each system's measured availability beside the
// analytic k-of-n value.
func (p *Params) measuredTable(rows []SystemRow, runs int) report.Table {
	up := p.NodeUp()
	sp := p.Simulated()
	t := PaxosTiming()
	b := PBFTParams(4)
	t2 := report.Table{
		Name: "measured",
		Title: fmt.Sprintf("Replication buys nines, measured with the real protocols: %d runs of %s each, MTBF %s, MTTR %s (one node up %.5f), a request every %s answered within %v",
			runs, realTime(p.Horizon), realTime(p.MTBF), realTime(p.MTTR), up, realTime(p.Interval), p.Deadline),
		Header: []string{"system", "nodes", "quorum", "measured availability", "± s.e.", "nines", "downtime min/year",
			"analytic availability", "analytic nines", "analytic downtime", "gap min/year"},
		Notes: []string{
			"Measured: the fraction of the client's requests whose result it had within the deadline, averaged over runs (± one standard error). The replicas and clients are protocols/paxos's Multi-Paxos, protocols/pbft's PBFT and protocols/raft's Raft (same heartbeat, election timeout and client retry as Multi-Paxos); crashed replicas restart from their durable state (Multi-Paxos its promises and log, PBFT its view, what it prepared and committed, and its checkpoint, Raft its term, vote and log) and catch up from their peers.",
			"Analytic: P(at least k of n nodes up) with each node up MTBF/(MTBF+MTTR) of the time, independently. Gap: measured minus analytic downtime.",
			fmt.Sprintf("Time is scaled %d:1 for failures and workload: a run simulates %v, MTBF %v, MTTR %v, a request every %v; the protocols keep their own clocks (%v network delay, Multi-Paxos heartbeat %v, election timeout %v–%v, client retry %v; PBFT client broadcast after %v, view change %v later). MTBF/MTTR, all the analytic model sees, is unchanged.",
				p.Scale, sp.Horizon, sp.MTBF, sp.MTTR, sp.Interval, NetworkDelay, t.Heartbeat, t.Election, 2*t.Election, t.Client, b.ClientTimeout, b.ViewTimeout),
			fmt.Sprintf("The analytic model takes failover to be free; a real protocol does not get it free. Multi-Paxos's and Raft's heartbeats elect a new leader %v–%v after the old one dies, mostly before its client gives up on the dead leader and retries (%v), so a deadline longer than the retry hides most elections. PBFT notices a dead primary only when a request times out — the client waits %v, the backups %v more — so the first request after each primary crash misses a deadline shorter than %v. Each lost request counts as one interval (%s) of downtime: denser requests (--interval) make a crash cost less, a longer --deadline hides it.",
				t.Election, 2*t.Election, t.Client, b.ClientTimeout, b.ViewTimeout, b.ClientTimeout+b.ViewTimeout, realTime(p.Interval)),
			fmt.Sprintf("Scaling stretches failover: measured in the real time of the table, a %v election lasts %v. Costs that grow with a failover's length are magnified %d-fold; costs per crash are not.",
				t.Election, realTime(t.Election*sim.Time(p.Scale)), p.Scale),
			"Rare outages make high nines noisy: with few runs a system may see no failed request at all (nines ∞); add --runs.",
		},
	}
	for _, r := range rows {
		t2.Rows = append(t2.Rows, []string{r.System, fmt.Sprint(r.Nodes), fmt.Sprint(r.Quorum), fmt.Sprintf("%.7f", r.Availability),
			fmt.Sprintf("%.7f", r.StdErr), FormatNines(r.Availability), fmt.Sprintf("%.2f", r.Downtime),
			fmt.Sprintf("%.7f", r.AnalyticAvailability), FormatNines(r.AnalyticAvailability), fmt.Sprintf("%.2f", r.AnalyticDowntime),
			fmt.Sprintf("%+.2f", r.Downtime-r.AnalyticDowntime)})
	}
	return t2
}

// failoverTable splits the gap, run by run, into quorum outages and
// failover on the same failures.
func (p *Params) failoverTable(rows []SystemRow, st []stat, n int) report.Table {
	t := PaxosTiming()
	b := PBFTParams(4)
	runs := float64(max(n, 1))
	fairCols := p.FairDeadline > 0
	header := []string{"system", "failures per run", "elections or view changes per run", "quorum up at request time",
		"its downtime min/year", "failover downtime min/year", "± s.e."}
	if fairCols {
		header = append(header, fmt.Sprintf("failover downtime within %v min/year", p.FairDeadline), "± s.e. ")
	}
	header = append(header, "forks")
	t3 := report.Table{
		Name:   "failover",
		Title:  "Where the gap goes: quorum outages and failover, on the same failures",
		Header: header,
		Notes: []string{
			"Quorum up: the fraction of requests issued while at least k replicas were up, on each run's own failures — the k-of-n model without the independence assumption; it should match the analytic column within noise.",
			"Failover downtime: requests issued while a quorum was up that still missed the deadline (an election, a view change, a client retrying a dead leader), paired run by run with the column before, ± one standard error. It is negative when a request issued during a quorum outage was answered because a replica came back within the deadline.",
			"Elections: Multi-Paxos candidacies after the first (a lone survivor keeps standing while no quorum is up); Raft leaders elected after the first. View changes: the highest PBFT view installed.",
			"Forks: log positions at which two different commands were decided (Raft: applied). All three protocols keep what they promised on disk and must not fork; PBFT without it (simulate pbft --bug amnesia) does, once more than f replicas have forgotten what they prepared.",
		},
	}
	for i, r := range rows {
		fo := "—"
		if r.Protocol != ProtocolSingle {
			fo = fmt.Sprintf("%.1f", float64(r.Failovers)/runs)
		}
		row := []string{r.System, fmt.Sprintf("%.1f", float64(r.Failures)/runs), fo,
			fmt.Sprintf("%.7f", st[i].up), fmt.Sprintf("%.2f", (1-st[i].up)*MinutesPerYear),
			fmt.Sprintf("%.2f", r.FailoverDowntime), fmt.Sprintf("%.2f", r.FailoverStdErr)}
		if fairCols {
			row = append(row, fmt.Sprintf("%.2f", r.FairFailoverDowntime), fmt.Sprintf("%.2f", r.FairFailoverStdErr))
		}
		t3.Rows = append(t3.Rows, append(row, fmt.Sprint(r.Forks)))
	}
	if fairCols {
		t3.Notes = append(t3.Notes, fmt.Sprintf("Failover downtime within %v: the same, against a deadline longer than any failover (PBFT: the client's %v and view changes of %v, %v, … while primaries are down; Multi-Paxos: an election %v–%v after the last heartbeat) yet shorter than most repairs. Against it the analytic model is a fair comparison: what is left of the gap is noise and the repairs that end within it (negative).",
			p.FairDeadline, b.ClientTimeout, b.ViewTimeout, 2*b.ViewTimeout, t.Election, 2*t.Election))
		for i, r := range rows {
			if r.Protocol != ProtocolPBFT {
				continue
			}
			t3.Notes = append(t3.Notes, fmt.Sprintf("%s: the gap to the analytic %.2f min/year is %+.2f; failover makes %.2f of it (requests issued with a quorum up that missed %v — the first after a primary crash waits at least %v) and quorum outages beyond the model's %.2f; within %v failover costs %.2f.",
				r.System, r.AnalyticDowntime, r.Gap, r.FailoverDowntime, p.Deadline, b.ClientTimeout+b.ViewTimeout,
				(1-st[i].up)*MinutesPerYear-r.AnalyticDowntime, p.FairDeadline, r.FairFailoverDowntime))
		}
	}
	return t3
}

// figure plots nines against the number of replicas: each protocol's
// measured points with error bars beside its analytic curve.
func (p *Params) figure(st []stat) plot.Figure {
	up := p.NodeUp()
	f := plot.Figure{Title: "Replication buys nines", XLabel: "replicas", YLabel: "nines = -log10(1 - availability)"}
	paxos := plot.Series{Name: "Multi-Paxos measured (± s.e.; n=1: single server)", Group: 1}
	pbft := plot.Series{Name: "PBFT measured (± s.e.; n=1: single server)", Group: 2}
	raft := plot.Series{Name: "Raft measured (± s.e.; n=1: single server)", Group: 1}
	add := func(ser *plot.Series, i int) {
		m := st[i].mean
		if m >= 1 {
			return // no failed request: infinitely many nines, nothing to draw
		}
		ser.X = append(ser.X, float64(Systems[i].Nodes))
		ser.Y = append(ser.Y, Nines(m))
		ser.Err = append(ser.Err, st[i].se/((1-m)*math.Ln10))
	}
	for i, s := range Systems {
		switch s.Protocol {
		case ProtocolSingle:
			add(&paxos, i)
			add(&pbft, i)
			add(&raft, i)
		case ProtocolPaxos:
			add(&paxos, i)
		case ProtocolPBFT:
			add(&pbft, i)
		case ProtocolRaft:
			add(&raft, i)
		}
	}
	maj := plot.Series{Name: "majority of n up, analytic", Dashed: true, Group: 1}
	bft := plot.Series{Name: "2f+1 of 3f+1 up, analytic", Dashed: true, Group: 2}
	for n := 1; n <= 5; n += 2 {
		maj.X = append(maj.X, float64(n))
		maj.Y = append(maj.Y, Nines(QuorumAvailability(n, n/2+1, up)))
	}
	for f := 0; f <= 2; f++ {
		n := 3*f + 1
		bft.X = append(bft.X, float64(n))
		bft.Y = append(bft.Y, Nines(QuorumAvailability(n, 2*f+1, up)))
	}
	f.Series = []plot.Series{paxos, raft, maj, pbft, bft}
	return f
}

// realTime renders a real-world duration in days when it is whole days
// ("365d"), else as a duration ("1h0m0s").
func realTime(t sim.Time) string {
	const day = 24 * sim.Hour
	if t >= day && t%day == 0 {
		return fmt.Sprintf("%dd", t/day)
	}
	return t.String()
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
