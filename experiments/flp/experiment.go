package flp

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/spf13/pflag"

	"simulate/check"
	"simulate/experiments/experiment"
	"simulate/report"
	"simulate/scenario"
	"simulate/sim"
	"simulate/trace"
)

// registered is the experiment at `simulate flp`; its --out files
// name the sweep "flp".
var registered = experiment.Spec[*Params]{
	ID:          "flp",
	Path:        "flp",
	Summary:     "FLP at work: deterministic Paxos stalled forever, randomized consensus deciding with probability 1",
	Help:        help,
	DefaultRuns: 2000,
	Defaults: func() *Params {
		p := Params{Duel: DefaultDuel(), BenOr: DefaultBenOr(), Raft: DefaultRaft()}
		p.Duel.Randomized = true
		p.Raft.Randomized = true
		return &p
	},
	Bind: bindFlags,
}

func init() { experiment.Register(registered) }

// New returns the defaults with both coins on: the sweep's runs are the
// randomized Paxos and Raft; Summarize runs the deterministic ones once.

// help is the command's help.
const help = `flp shows the Fischer–Lynch–Paterson impossibility result at work and the
way around it.

1. Single-decree Paxos with two proposers and deterministic (fixed)
   retries runs under an adversarial, crash-free schedule that holds
   Accept messages (--hold) just long enough for the rival's Prepare to
   overtake them. The proposers preempt each other for the whole horizon
   (--events) and nobody decides.
2. The same schedule against the same Paxos with randomized backoff, over
   --runs seeds: every seed decides; the table gives the distribution of
   the time to decide.
3. Raft (3 replicas) on a symmetric, crash-free schedule: every replica
   starts at once and every message takes the same time. With fixed
   election timeouts every replica stands in every term at the same
   instant and the vote splits for the whole horizon (--events); with
   Raft's randomized timeouts (§5.2), over --runs seeds, every seed elects
   a leader.
4. Ben-Or's randomized binary consensus (5 processes, one crashes, inputs
   split, asynchronous exponential delays), over the same seeds: every
   seed decides; the table gives the distribution of rounds.

This does not contradict FLP: the randomized protocols terminate with
probability 1, not in every schedule.`

// bindFlags binds p's fields to the command's flags.
func bindFlags(fs *pflag.FlagSet, p *Params) {
	scenario.TimeVar(fs, &p.Duel.Base, "base", "delay of every message except Accept")
	scenario.TimeVar(fs, &p.Duel.Hold, "hold", "how long the adversary holds Accept messages (the duel needs hold > 2×base)")
	fs.IntVar(&p.Duel.MaxEvents, "events", p.Duel.MaxEvents, "horizon of the deterministic duel, in events")
}

// Params are the parameters of `simulate flp`, recorded in sweep files.
type Params struct {
	Duel  DuelParams  `json:"duel"`
	BenOr BenOrParams `json:"benor"`
	// Raft is absent (Nodes 0) in sweep files written before Raft rows.
	Raft RaftParams `json:"raft"`
}

// UnmarshalJSON decodes recorded parameters into zero Params, not over
// the defaults New fills in: a sweep file written before the Raft rows
// has no "raft", and must print no Raft rows rather than the default
// Raft's deterministic election beside no randomized ones.
func (p *Params) UnmarshalJSON(b []byte) error {
	type plain Params // without this method
	var q plain
	if err := json.Unmarshal(b, &q); err != nil {
		return err
	}
	*p = Params(q)
	return nil
}

// Finish implements experiment.Finisher: --events is the horizon of both
// deterministic runs, the Paxos duel and the Raft election.
func (p *Params) Finish(*pflag.FlagSet) error {
	p.Raft.MaxEvents = p.Duel.MaxEvents
	return nil
}

// Validate implements experiment.Params.
func (p *Params) Validate() error {
	if err := p.Duel.Validate(); err != nil {
		return err
	}
	return p.Raft.Validate()
}

// Record is one seed's record: the randomized duel and election, and
// Ben-Or.
type Record struct {
	Duel  DuelOutcome `json:"duel"`
	Raft  RaftOutcome `json:"raft"`
	BenOr struct {
		Decided bool     `json:"decided"`
		Agree   bool     `json:"agreement"`
		Rounds  int      `json:"rounds"`
		Time    sim.Time `json:"time"`
	} `json:"benor"`
}

// Run implements experiment.Params.
func (p *Params) Run(seed uint64) any {
	var r Record
	r.Duel = Duel(p.Duel, seed, nil)
	r.Raft = RaftElection(p.Raft, seed, nil)
	o := BenOr(p.BenOr, seed)
	r.BenOr.Decided = o.Decided == o.Live
	r.BenOr.Agree = o.Agreement
	r.BenOr.Rounds = o.Rounds
	r.BenOr.Time = sim.Time(o.Time)
	return r
}

// RaftSummary is the randomized Raft elections over the runs.
type RaftSummary struct {
	Elected        int     `json:"elected"`
	TimeP50        float64 `json:"time_to_leader_p50_s"`
	TimeP99        float64 `json:"time_to_leader_p99_s"`
	TimeMax        float64 `json:"time_to_leader_max_s"`
	CandidaciesP50 float64 `json:"candidacies_p50"`
	CandidaciesMax float64 `json:"candidacies_max"`
}

// Summary is `simulate flp --format json`.
type Summary struct {
	Runs          int         `json:"runs"`
	Deterministic DuelOutcome `json:"deterministic_paxos"`
	Randomized    struct {
		Decided    int     `json:"decided"`
		TimeP50    float64 `json:"time_to_decide_p50_s"`
		TimeP99    float64 `json:"time_to_decide_p99_s"`
		TimeMax    float64 `json:"time_to_decide_max_s"`
		BallotsP50 float64 `json:"ballots_p50"`
		BallotsMax float64 `json:"ballots_max"`
	} `json:"randomized_paxos"`
	// DeterministicRaft and RandomizedRaft are absent for sweep files
	// written before the Raft rows.
	DeterministicRaft *RaftOutcome `json:"deterministic_raft,omitempty"`
	RandomizedRaft    *RaftSummary `json:"randomized_raft,omitempty"`
	BenOr             struct {
		Decided    int         `json:"decided"`
		Agreement  bool        `json:"agreement"`
		RoundsP50  float64     `json:"rounds_p50"`
		RoundsP99  float64     `json:"rounds_p99"`
		RoundsMax  float64     `json:"rounds_max"`
		RoundsHist map[int]int `json:"rounds_histogram"`
	} `json:"benor"`
}

// Summarize implements experiment.Params: the deterministic duel and
// election (run here, once: no seed matters to them) beside the
// randomized runs' distributions, as the table "flp" and Ben-Or's
// histogram of rounds, the table "rounds".
func (p *Params) Summarize(records []json.RawMessage) (experiment.Output, error) {
	runs, err := experiment.Decode[Record](records)
	if err != nil {
		return experiment.Output{}, err
	}
	var s Summary
	s.Runs = len(runs)
	det := p.Duel
	det.Randomized = false
	s.Deterministic = Duel(det, 0, nil) // the adversary's schedule: no seed matters
	var times, ballots, rounds, rtimes, cands []float64
	raftRows := p.Raft.Nodes > 0
	if raftRows {
		det := p.Raft
		det.Randomized = false
		d := RaftElection(det, 0, nil) // no draw is made: no seed matters
		s.DeterministicRaft = &d
		s.RandomizedRaft = &RaftSummary{}
	}
	s.BenOr.Agreement = true
	s.BenOr.RoundsHist = map[int]int{}
	for _, run := range runs {
		if run.Duel.Decided {
			s.Randomized.Decided++
			times = append(times, float64(run.Duel.Time)/float64(sim.Millisecond))
			ballots = append(ballots, float64(run.Duel.Ballots))
		}
		if raftRows && run.Raft.Elected {
			s.RandomizedRaft.Elected++
			rtimes = append(rtimes, float64(run.Raft.Time)/float64(sim.Millisecond))
			cands = append(cands, float64(run.Raft.Candidacies))
		}
		if run.BenOr.Decided {
			s.BenOr.Decided++
			rounds = append(rounds, float64(run.BenOr.Rounds))
			s.BenOr.RoundsHist[run.BenOr.Rounds]++
		}
		s.BenOr.Agreement = s.BenOr.Agreement && run.BenOr.Agree
	}
	tp := check.Percentiles(times, 50, 99, 100)
	s.Randomized.TimeP50, s.Randomized.TimeP99, s.Randomized.TimeMax = tp[0]/1000, tp[1]/1000, tp[2]/1000 // ms to s
	bp := check.Percentiles(ballots, 50, 100)
	s.Randomized.BallotsP50, s.Randomized.BallotsMax = bp[0], bp[1]
	rtp := check.Percentiles(rtimes, 50, 99, 100)
	cp := check.Percentiles(cands, 50, 100)
	if raftRows {
		r := s.RandomizedRaft
		r.TimeP50, r.TimeP99, r.TimeMax = rtp[0]/1000, rtp[1]/1000, rtp[2]/1000 // ms to s
		r.CandidaciesP50, r.CandidaciesMax = cp[0], cp[1]
	}
	rp := check.Percentiles(rounds, 50, 99, 100)
	s.BenOr.RoundsP50, s.BenOr.RoundsP99, s.BenOr.RoundsMax = rp[0], rp[1], rp[2]

	return experiment.Output{
		Tables: []report.Table{table(*p, s, tp, bp, rtp, cp, rp), roundsTable(s)},
		JSON:   s,
	}, nil
}

// table is the table "flp": one row per protocol and schedule. The
// percentiles are in milliseconds (tp, rtp) or counts, as Summarize
// computed them.
func table(p Params, s Summary, tp, bp, rtp, cp, rp []float64) report.Table {
	d := s.Deterministic
	verdict := "no decision"
	if d.Decided {
		verdict = fmt.Sprintf("decided at %v (the adversary lost: raise --hold above 2×--base)", d.Time)
	}
	t := report.Table{
		Name:   "flp",
		Title:  fmt.Sprintf("FLP at work: Paxos under an adversarial schedule (Accepts held %v, everything else %v), and Ben-Or with a crash", p.Duel.Hold, p.Duel.Base),
		Header: []string{"protocol", "schedule", "runs", "decided", "how long", "effort"},
		Rows: [][]string{
			{"Paxos, fixed retries (deterministic)", "adversarial, crash-free", "1 (no seed matters)", verdict,
				fmt.Sprintf("%d events, %v simulated", d.Events, d.Time), fmt.Sprintf("%d ballots, %d messages", d.Ballots, d.Messages)},
			{"Paxos, randomized backoff", "the same adversary", fmt.Sprint(s.Runs), fmt.Sprintf("%d of %d", s.Randomized.Decided, s.Runs),
				fmt.Sprintf("time to decide p50 %.1fms, p99 %.1fms, max %.1fms", tp[0], tp[1], tp[2]),
				fmt.Sprintf("ballots p50 %.0f, max %.0f", bp[0], bp[1])},
			{fmt.Sprintf("Ben-Or, n=%d, f=%d, one crash", p.BenOr.N, p.BenOr.F), fmt.Sprintf("asynchronous, exponential delays (mean %v)", p.BenOr.Delay),
				fmt.Sprint(s.Runs), fmt.Sprintf("%d of %d (agreement %s)", s.BenOr.Decided, s.Runs, yesNo(s.BenOr.Agreement)),
				fmt.Sprintf("rounds p50 %.0f, p99 %.0f, max %.0f", rp[0], rp[1], rp[2]), "one coin flip per undecided process per round"},
		},
		Notes: []string{
			"FLP (1985): no deterministic protocol can guarantee that every run decides in an asynchronous network if one process may crash.",
			"Row 1 is that theorem at work: a schedule (no crash, no loss, every message delivered) under which deterministic Paxos never decides.",
			"Rows 2 and 3 do not contradict it: randomized protocols decide with probability 1, not in every schedule — an adversary that saw the coins in advance could still stall them.",
		},
	}
	if s.DeterministicRaft == nil {
		return t
	}
	rd := s.DeterministicRaft
	rv := "no leader"
	if rd.Elected {
		rv = fmt.Sprintf("leader at %v (the schedule lost its symmetry)", rd.Time)
	}
	sched := fmt.Sprintf("symmetric: all start at 0, every message %v, crash-free", p.Raft.Delay)
	raftRows := [][]string{
		{fmt.Sprintf("Raft, %d replicas, fixed election timeout %v", p.Raft.Nodes, p.Raft.ElectionMin), sched, "1 (no seed matters)", rv,
			fmt.Sprintf("%d events, %v simulated", rd.Events, rd.Time), fmt.Sprintf("%d candidacies, %d messages", rd.Candidacies, rd.Messages)},
		{fmt.Sprintf("Raft, randomized election timeout %v–%v", p.Raft.ElectionMin, p.Raft.ElectionMax), "the same schedule", fmt.Sprint(s.Runs),
			fmt.Sprintf("%d of %d elected a leader", s.RandomizedRaft.Elected, s.Runs),
			fmt.Sprintf("time to leader p50 %.1fms, p99 %.1fms, max %.1fms", rtp[0], rtp[1], rtp[2]),
			fmt.Sprintf("candidacies p50 %.0f, max %.0f", cp[0], cp[1])},
	}
	t.Title = fmt.Sprintf("FLP at work: Paxos under an adversarial schedule (Accepts held %v, everything else %v), Raft elections on a symmetric schedule, and Ben-Or with a crash", p.Duel.Hold, p.Duel.Base)
	// After the Paxos rows, before Ben-Or's.
	t.Rows = append(t.Rows[:2], append(raftRows, t.Rows[2:]...)...)
	t.Notes = []string{
		t.Notes[0],
		"Rows 1 and 3 are that theorem at work: schedules (no crash, no loss, every message delivered) under which deterministic Paxos never decides and Raft with fixed election timeouts never elects a leader, every vote split three ways.",
		"Rows 2, 4 and 5 do not contradict it: randomized protocols decide with probability 1, not in every schedule — an adversary that saw the coins in advance could still stall them. Raft's coin is its randomized election timeout (Ongaro & Ousterhout 2014, §5.2); a leader is what Raft needs to decide anything.",
	}
	return t
}

// roundsTable is the table "rounds": Ben-Or's runs by the rounds they
// took to decide, fewest first.
func roundsTable(s Summary) report.Table {
	h := report.Table{Name: "rounds", Title: "Ben-Or: rounds to decide", Header: []string{"rounds", "runs", "share"}}
	keys := make([]int, 0, len(s.BenOr.RoundsHist))
	for k := range s.BenOr.RoundsHist {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		n := s.BenOr.RoundsHist[k]
		h.Rows = append(h.Rows, []string{fmt.Sprint(k), fmt.Sprint(n), fmt.Sprintf("%.1f%%", 100*float64(n)/float64(max(s.Runs, 1)))})
	}
	return h
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// Diagram implements experiment.Diagrammer: the opening of the
// deterministic duel (its first 120 events, a few rounds of preemption),
// which is the picture of FLP worth looking at; the whole horizon would
// be a million arrows.
func (p *Params) Diagram() trace.File {
	d := p.Duel
	d.Randomized = false
	d.MaxEvents = 120
	log := &sim.Log{}
	res := DuelResult(d, 0, log)
	raw, _ := json.Marshal(d)
	return trace.FromRun(trace.Header{Protocol: "flp-duel", Scenario: raw}, log, res)
}
