package cap

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"simulate/experiments/experiment"
	"simulate/plot"
	"simulate/protocols/paxos"
	"simulate/report"
	"simulate/scenario"
	"simulate/sim"
)

// Note cites the course notes' story, in the help and under the table.
const Note = `The course notes (course-notes.md, 一致性问题): "西单和中关村的两个电影院，都出售某电影票，票一共就一万张" — two cinemas sell one stock of 10,000 tickets; how does a clerk avoid overselling?`

// registered is the experiment at `simulate cap`.
var registered = experiment.Spec[*Params]{
	ID:          "cap",
	Path:        "cap",
	Summary:     "CAP: two cinemas, one stock of tickets, a partition — refuse (CP) or oversell (AP)",
	Help:        help,
	DefaultRuns: 8,
	Plot:        "also draw the results to this .svg or .png file",
	Defaults:    experiment.Fresh(DefaultParams),
	Bind:        bindFlags,
}

func init() { experiment.Register(registered) }

// help is the command's help: the course notes' story, then how the
// experiment answers it.
const help = Note + `

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
partition length for both configurations.`

// bindFlags binds p's fields to the command's flags.
func bindFlags(fs *pflag.FlagSet, p *Params) {
	fs.IntVar(&p.Offices, "offices", p.Offices, "number of ticket offices (cinemas)")
	fs.IntVar(&p.Tickets, "tickets", p.Tickets, "the stock all offices share")
	fs.IntVar(&p.Windows, "windows", p.Windows, "ticket windows per office (customers served at once)")
	fs.Float64Var(&p.Rate, "rate", p.Rate, "customers arriving per second at each office")
	scenario.TimeVar(fs, &p.Deadline, "deadline", "a customer's patience: no answer by then and they are refused")
	scenario.TimeVar(fs, &p.Gossip, "gossip", "AP: how often offices exchange their sales counters")
	scenario.TimeVar(fs, &p.PartitionStart, "partition-start", "when the partition begins")
	fs.Var(&timesFlag{v: &p.Lengths}, "partition-length", "partition lengths to sweep, comma-separated (0 = no partition)")
	fs.Var(&p.Latency, "latency", "one-way message delay: 2ms, uniform:1ms,3ms, exponential:2ms, lognormal:2ms,0.5")
	fs.Var((*bugFlag)(&p.Bug), "bug", "plant a Multi-Paxos teaching bug in CP (see simulate paxos --list-bugs)")
}

// Run implements experiment.Params: one seed, every configuration and
// partition length.
func (p *Params) Run(seed uint64) any { return RunSeed(*p, seed) }

// Summarize implements experiment.Params.
func (p *Params) Summarize(records []json.RawMessage) (experiment.Output, error) {
	rows, runs, err := experiment.SummarizeRows(*p, records, Summarize)
	if err != nil {
		return experiment.Output{}, err
	}
	fig := figure(rows)
	return experiment.Output{
		Tables: []report.Table{p.table(rows, runs)},
		JSON:   map[string]any{"rows": rows, "params": *p, "runs": runs},
		Figure: &fig,
	}, nil
}

func (p *Params) table(rows []Row, runs int) report.Table {
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
			Note,
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
		yes := "no"
		if r.Linearizable {
			yes = "yes"
		}
		lin := fmt.Sprintf("%s (%d of %d)", yes, r.LinearizableRuns, r.Runs)
		left := "—"
		if r.PartitionLength > 0 {
			left = fmt.Sprintf("%.0f", r.LeftAtSplit)
		}
		length := p.Lengths[i/len(Configs)].String()
		if r.Incomplete > 0 {
			lin += fmt.Sprintf(", %d runs hit the time limit", r.Incomplete)
		}
		t.Rows = append(t.Rows, []string{length, r.Config, meanSE(r.Refused, r.RefusedSE), meanSE(r.Oversold, r.OversoldSE), lin,
			meanSE(r.Sold, r.SoldSE), left})
	}
	return t
}

func meanSE(m, se float64) string { return fmt.Sprintf("%.1f ± %.1f", m, se) }

func officeList(offices []int) string {
	s := make([]string, len(offices))
	for i, o := range offices {
		s[i] = fmt.Sprint(o)
	}
	return "{" + strings.Join(s, ",") + "}"
}

// figure plots refused and oversold (means over the runs; the table has
// their standard errors) against the partition length, for both
// configurations: lines, so the trade-off reads at a glance — refusals
// grow with the partition, overselling saturates at the tickets left.
func figure(rows []Row) plot.Figure {
	f := plot.Figure{Title: "CAP: refuse (CP) or oversell (AP) while the cinemas cannot talk",
		XLabel: "partition length (s)", YLabel: "customers (mean over runs)"}
	for _, c := range Configs {
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

// timesFlag is a comma-separated list of virtual durations; given again,
// the flag adds to the list (as pflag's slices do).
type timesFlag struct {
	v   *[]sim.Time
	set bool
}

func (f *timesFlag) String() string {
	s := make([]string, len(*f.v))
	for i, t := range *f.v {
		s[i] = t.String()
	}
	return "[" + strings.Join(s, ",") + "]"
}
func (f *timesFlag) Type() string { return "durations" }
func (f *timesFlag) Set(v string) error {
	var out []sim.Time
	for _, s := range strings.Split(v, ",") {
		t, err := sim.ParseTime(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("%q: not a duration", s)
		}
		out = append(out, t)
	}
	if f.set {
		out = append(*f.v, out...)
	}
	*f.v, f.set = out, true
	return nil
}

// bugFlag is a Multi-Paxos teaching bug as a flag.
type bugFlag paxos.Bug

func (f *bugFlag) String() string { return string(*f) }
func (f *bugFlag) Type() string   { return "bug" }
func (f *bugFlag) Set(v string) error {
	b, err := paxos.ParseBug(v)
	*f = bugFlag(b)
	return err
}
