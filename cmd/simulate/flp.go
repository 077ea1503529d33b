package main

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"simulate/check"
	"simulate/experiments/flp"
	"simulate/experiments/sweep"
	"simulate/report"
	"simulate/sim"
	"simulate/trace"
)

// flpParams are the parameters of `simulate flp`, recorded in sweep files.
type flpParams struct {
	Duel  flp.DuelParams  `json:"duel"`
	BenOr flp.BenOrParams `json:"benor"`
	// Raft is absent (Nodes 0) in sweep files written before Raft rows.
	Raft flp.RaftParams `json:"raft"`
}

// flpRun is one seed's record.
type flpRun struct {
	Duel  flp.DuelOutcome `json:"duel"`
	Raft  flp.RaftOutcome `json:"raft"`
	BenOr struct {
		Decided bool     `json:"decided"`
		Agree   bool     `json:"agreement"`
		Rounds  int      `json:"rounds"`
		Time    sim.Time `json:"time"`
	} `json:"benor"`
}

func init() {
	commands = append(commands, func(g *globals) *cobra.Command {
		var sf sweepFlags
		p := flpParams{Duel: flp.DefaultDuel(), BenOr: flp.DefaultBenOr(), Raft: flp.DefaultRaft()}
		p.Duel.Randomized = true
		p.Raft.Randomized = true
		cmd := &cobra.Command{
			Use:   "flp",
			Short: "FLP at work: deterministic Paxos stalled forever, randomized consensus deciding with probability 1",
			Long: `flp shows the Fischer–Lynch–Paterson impossibility result at work and the
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
probability 1, not in every schedule.`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				if err := p.Duel.Validate(); err != nil {
					return badInput("%v", err)
				}
				p.Raft.MaxEvents = p.Duel.MaxEvents
				if err := p.Raft.Validate(); err != nil {
					return badInput("%v", err)
				}
				recs, complete, err := runSweep(cmd, g, &sf, "flp", p, func(_ int, seed uint64) any {
					var r flpRun
					r.Duel = flp.Duel(p.Duel, seed, nil)
					r.Raft = flp.RaftElection(p.Raft, seed, nil)
					o := flp.BenOr(p.BenOr, seed)
					r.BenOr.Decided = o.Decided == o.Live
					r.BenOr.Agree = o.Agreement
					r.BenOr.Rounds = o.Rounds
					r.BenOr.Time = sim.Time(o.Time)
					return r
				})
				if err != nil || !complete {
					return err
				}
				raw, _ := json.Marshal(p)
				if err := printFLP(cmd, g, raw, recs); err != nil {
					return err
				}
				return drawDuel(g, p.Duel)
			},
		}
		sf.add(cmd, 2000)
		fs := cmd.Flags()
		timeVar(fs, &p.Duel.Base, "base", p.Duel.Base, "delay of every message except Accept")
		timeVar(fs, &p.Duel.Hold, "hold", p.Duel.Hold, "how long the adversary holds Accept messages (the duel needs hold > 2×base)")
		fs.IntVar(&p.Duel.MaxEvents, "events", p.Duel.MaxEvents, "horizon of the deterministic duel, in events")
		return cmd
	})
	aggregators["flp"] = printFLP
}

// flpRaftSummary is the randomized Raft elections over the runs.
type flpRaftSummary struct {
	Elected        int     `json:"elected"`
	TimeP50        float64 `json:"time_to_leader_p50_s"`
	TimeP99        float64 `json:"time_to_leader_p99_s"`
	TimeMax        float64 `json:"time_to_leader_max_s"`
	CandidaciesP50 float64 `json:"candidacies_p50"`
	CandidaciesMax float64 `json:"candidacies_max"`
}

// flpSummary is `simulate flp --format json`.
type flpSummary struct {
	Runs          int             `json:"runs"`
	Deterministic flp.DuelOutcome `json:"deterministic_paxos"`
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
	DeterministicRaft *flp.RaftOutcome `json:"deterministic_raft,omitempty"`
	RandomizedRaft    *flpRaftSummary  `json:"randomized_raft,omitempty"`
	BenOr             struct {
		Decided    int         `json:"decided"`
		Agreement  bool        `json:"agreement"`
		RoundsP50  float64     `json:"rounds_p50"`
		RoundsP99  float64     `json:"rounds_p99"`
		RoundsMax  float64     `json:"rounds_max"`
		RoundsHist map[int]int `json:"rounds_histogram"`
	} `json:"benor"`
}

func printFLP(cmd *cobra.Command, g *globals, params json.RawMessage, recs []sweep.Record) error {
	var p flpParams
	if err := json.Unmarshal(params, &p); err != nil {
		return badInput("flp parameters: %v", err)
	}
	var s flpSummary
	s.Runs = len(recs)
	det := p.Duel
	det.Randomized = false
	s.Deterministic = flp.Duel(det, 0, nil) // the adversary's schedule: no seed matters
	var times, ballots, rounds, rtimes, cands []float64
	raftRows := p.Raft.Nodes > 0
	if raftRows {
		det := p.Raft
		det.Randomized = false
		d := flp.RaftElection(det, 0, nil) // no draw is made: no seed matters
		s.DeterministicRaft = &d
		s.RandomizedRaft = &flpRaftSummary{}
	}
	s.BenOr.Agreement = true
	s.BenOr.RoundsHist = map[int]int{}
	for _, r := range recs {
		var run flpRun
		if err := json.Unmarshal(r.Result, &run); err != nil {
			return badInput("run %d: malformed flp result", r.Run)
		}
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

	out := cmd.OutOrStdout()
	if g.format == "json" {
		return report.WriteJSON(out, s)
	}
	d := s.Deterministic
	verdict := "no decision"
	if d.Decided {
		verdict = fmt.Sprintf("decided at %v (the adversary lost: raise --hold above 2×--base)", sim.Time(d.Time))
	}
	t := report.Table{
		Name:   "flp",
		Title:  fmt.Sprintf("FLP at work: Paxos under an adversarial schedule (Accepts held %v, everything else %v), and Ben-Or with a crash", p.Duel.Hold, p.Duel.Base),
		Header: []string{"protocol", "schedule", "runs", "decided", "how long", "effort"},
		Rows: [][]string{
			{"Paxos, fixed retries (deterministic)", "adversarial, crash-free", "1 (no seed matters)", verdict,
				fmt.Sprintf("%d events, %v simulated", d.Events, sim.Time(d.Time)), fmt.Sprintf("%d ballots, %d messages", d.Ballots, d.Messages)},
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
	if raftRows {
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
	}
	if err := report.Write(out, g.format, t); err != nil {
		return err
	}
	fmt.Fprintln(out)
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
	return report.Write(out, g.format, h)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// drawDuel writes --diagram: the opening of the deterministic duel (its
// first 120 events, a few rounds of preemption), which is the picture of
// FLP worth looking at; the whole horizon would be a million arrows.
func drawDuel(g *globals, p flp.DuelParams) error {
	if g.diagram == "" {
		return nil
	}
	p.Randomized = false
	p.MaxEvents = 120
	log := &sim.Log{}
	res := flp.DuelResult(p, 0, log)
	raw, _ := json.Marshal(p)
	f := trace.FromRun(trace.Header{Version: version, Protocol: "flp-duel", Scenario: raw}, log, res)
	return writeDiagram(g.diagram, f)
}
