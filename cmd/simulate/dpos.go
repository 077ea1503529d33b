package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"simulate/protocols/chain"
	"simulate/protocols/dpos"
	"simulate/report"
	"simulate/search"
	"simulate/sim"
)

func init() {
	commands = append(commands, newDPoSCommand)
	checkCommands = append(checkCommands, newCheckDPoSCommand)
	replayers["dpos"] = func(raw json.RawMessage, seed uint64, tracer sim.Tracer) (sim.Result, error) {
		var s dpos.Scenario
		if err := json.Unmarshal(raw, &s); err != nil {
			return sim.Result{}, err
		}
		if err := s.Validate(); err != nil {
			return sim.Result{}, err
		}
		r := s.Build(seed)
		r.Config.Tracer = tracer
		return r.World().Run(), nil
	}
}

// dposOutput is `simulate dpos --format json`.
type dposOutput struct {
	Scenario dpos.Scenario `json:"scenario"`
	Seed     uint64        `json:"seed"`
	Hash     string        `json:"trace_hash"`
	Stats    dpos.Stats    `json:"stats"`
}

func newDPoSCommand(g *globals) *cobra.Command {
	s := dpos.DefaultScenario()
	var stakes string
	cmd := &cobra.Command{
		Use:   "dpos",
		Short: "Run delegated proof of stake: elected delegates, round-robin slots, 2/3+1 finality, traitors",
		Long: `dpos runs delegated proof of stake as BitShares introduced it: --nodes
stakeholders vote with their stake (--stakes), the --delegates candidates
with the most votes make blocks in turn, one --slot each per round, and a
delegate that misses its slot is voted out and replaced by the best
standby at the next round. A block is final once 2/3+1 of the delegates
have built on it. Try --delegates 101 --nodes 128, the notes' BitShares.

--traitors T makes the first T delegates betray with --strategy:
offline (they crash at --offline-at; the faults package's plan), equivocate
(they collude, signing two blocks for one slot and showing each honest node
one branch), or censor (they leave out one account's transactions and
build only on chains without them). It prints the chain, finality, missed
slots, vote-outs, equivocations seen, the victim's transactions, and
whether a final block was ever reverted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := parseStakes(stakes, s.Nodes)
			if err != nil {
				return badInput("dpos: %v", err)
			}
			s.Stakes = st
			fitDefault(cmd.Flags(), "degree", &s.Degree, s.Nodes-1)
			fitDefault(cmd.Flags(), "delegates", &s.Delegates, s.Nodes)
			if err := s.Validate(); err != nil {
				return badInput("dpos: %s", chainWords(err.Error()))
			}
			var r *dpos.Run
			res, err := execute(g, "dpos", s, func(tracer sim.Tracer) sim.Result {
				r = s.Build(g.seed)
				r.Config.Tracer = tracer
				return r.World().Run()
			})
			if err != nil {
				return err
			}
			o := dposOutput{Scenario: s, Seed: g.seed, Hash: res.HashString(), Stats: r.Stats(res)}
			out := cmd.OutOrStdout()
			if g.format == "json" {
				return report.WriteJSON(out, o)
			}
			return report.Write(out, g.format, dposTable(o))
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&s.Nodes, "nodes", s.Nodes, "number of stakeholders (nodes), each a candidate")
	fs.IntVar(&s.Delegates, "delegates", s.Delegates, "number of elected delegates N (the notes' BitShares: 101)")
	fs.StringVar(&stakes, "stakes", "equal", "stake distribution: equal, zipf, or a comma-separated list")
	timeVar(fs, &s.Slot, "slot", s.Slot, "slot length: each delegate's time for its block")
	chainFlags(fs, &s.Workload, &s.Links)
	fs.IntVar(&s.Blocks, "blocks", s.Blocks, "stop making blocks when the chain reaches this height")
	fs.Int64Var(&s.Slots, "slots", 0, "stop after this many slots in any case (default 4·blocks + 2·delegates)")
	fs.IntVar(&s.Traitors, "traitors", 0, "the first T delegates betray, with --strategy")
	fs.StringVar(&s.Strategy, "strategy", "", "traitor strategy: "+strings.Join(dpos.Strategies, ", "))
	timeVar(fs, &s.OfflineAt, "offline-at", 0, "when offline traitors go down")
	fs.Float64Var(&s.VictimRate, "victim-rate", 0, "the censored account's transactions per second (default 0.1 with --strategy censor)")
	fs.StringVar(&s.Bug, "bug", "", "teaching bug switch: "+strings.Join(dpos.Bugs, ", "))
	scheduleVar(fs, &s.Schedule, "replay recorded environment draws (index=value,...), as `simulate check dpos` prints")
	return cmd
}

func dposTable(o dposOutput) report.Table {
	s, st := o.Scenario, o.Stats
	t := report.Table{
		Title: fmt.Sprintf("Delegated proof of stake: %d stakeholders, %d delegates, %v slots, %s blocks, degree %d, delay %v, seed %d",
			s.Nodes, s.Delegates, chain.ShortTime(s.Slot), chain.SizeWords(s.BlockSize), s.Degree, chain.ShortTime(s.Delay), o.Seed),
		Header: []string{"measure", "value"},
	}
	if s.Traitors > 0 {
		t.Title += fmt.Sprintf(", %d traitors (%s)", s.Traitors, s.Strategy)
	}
	if s.Bug != "" {
		t.Title += ", bug " + s.Bug
	}
	add := func(k, v string) { t.Rows = append(t.Rows, []string{k, v}) }
	add("slots", fmt.Sprintf("%d (%d missed on the main chain)", st.Slots, st.Missed))
	add("chain height", fmt.Sprint(st.Height))
	add("blocks made", fmt.Sprint(st.Made))
	add("stale blocks", fmt.Sprintf("%d (stale rate %.2f%%)", st.Stale, 100*st.StaleRate))
	add("finality quorum", fmt.Sprintf("%d of %d delegates (2/3+1)", st.Quorum, s.Delegates))
	add("final height (observer)", fmt.Sprintf("%d (%d blocks behind the tip)", st.FinalHeight, st.Height-st.FinalHeight))
	fin := "-"
	if st.FinalitySamples > 0 {
		fin = fmt.Sprintf("%s (%d txs)", chain.ShortTime(st.Finality), st.FinalitySamples)
	}
	add("time to finality", fin)
	add("throughput", fmt.Sprintf("%.2f tx/s (offered %.2f tx/s)", st.Throughput, s.TxRate))
	add("block producers", fmt.Sprintf("%d of %d stakeholders", st.Producers, s.Nodes))
	add("delegates voted out", fmt.Sprint(st.VotedOut))
	add("equivocations seen", fmt.Sprint(st.Equivocations))
	if s.Strategy == dpos.Censor {
		w := "-"
		if st.VictimIncluded > 0 {
			w = chain.ShortTime(st.VictimWait)
		}
		add("victim's transactions", fmt.Sprintf("%d of %d in the chain, mean wait %s", st.VictimIncluded, st.VictimTxs, w))
	}
	safety := "holds: no final block was ever reverted"
	if !st.SafetyHolds {
		safety = fmt.Sprintf("VIOLATED %d times: %s", st.Violations, st.First)
	}
	add("finality safety", safety)
	agree := "yes"
	if !st.Agree {
		agree = "no"
	}
	add("honest nodes on one tip", agree)
	add("hashes computed", "0 (no proof of work)")
	add("tip", st.TipHash[:16])
	t.Notes = []string{
		"Slots: delegates make blocks in turn, one slot each per round; a slot with no block on the main chain is missed, and its delegate is voted out at the next round.",
		fmt.Sprintf("Finality: a block is final once %d distinct delegates built on it; time to finality runs from a transaction's arrival until the observer (the first honest node) held its block as final.", st.Quorum),
		"trace hash: " + o.Hash,
	}
	return t
}

// --- simulate check dpos ---

func newCheckDPoSCommand(g *globals) *cobra.Command {
	var checks, delegates, traitors int
	var bug string
	cmd := &cobra.Command{
		Use:   "dpos",
		Short: "Search equivocations and delays for a reverted final block in DPoS",
		Long: `check dpos runs --delegates delegates (every node a delegate) with 1-second
slots on a complete graph whose every message takes 100 ms plus a drawn
0-1.5 s, for 2 rounds, with the first --traitors of them colluding: in each
of their slots they may sign two blocks and show each honest node one
branch. It searches those choices and the delays for two honest nodes that
take conflicting blocks as final. With fewer than a third traitors (1 of
4, 2 of 7) finality is never reverted; with more (2 of 4) the search finds
it and shrinks the schedule; so do the teaching bugs (--bug half-quorum,
no-lock) with one traitor.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if checks < 1 || checks > 1_000_000 {
				return badInput("check dpos: --checks %d: want 1 to 1000000", checks)
			}
			if delegates < 2 || delegates > 31 {
				return badInput("check dpos: --delegates %d: want 2 to 31", delegates)
			}
			if traitors < 0 || traitors > delegates {
				return badInput("check dpos: --traitors %d: want 0 to %d", traitors, delegates)
			}
			base := dpos.PropertyScenario(delegates, traitors, bug)
			if err := base.Validate(); err != nil {
				return badInput("check dpos: %v", err)
			}
			return checkDPoS(cmd.OutOrStdout(), g, base, checks)
		},
	}
	cmd.Flags().IntVar(&checks, "checks", 200, "number of random runs to try")
	fullTraceFlag(cmd, &g.fullTrace)
	cmd.Flags().IntVar(&delegates, "delegates", 4, "number of delegates (all nodes)")
	cmd.Flags().IntVar(&traitors, "traitors", 1, "colluding traitor delegates")
	cmd.Flags().StringVar(&bug, "bug", "", "teaching bug switch: "+strings.Join(dpos.Bugs, ", "))
	return cmd
}

func checkDPoS(w io.Writer, g *globals, base dpos.Scenario, checks int) error {
	var fail *search.WorldRun
	var what string
	runs, equivocated, finalized := 0, 0, 0
	res := search.Run(search.Config{Checks: checks, Seed: g.seed}, func(t *search.T) {
		r := base.Build(1)
		run := search.RunWorld(t, r.Config, r.Attach)
		if t.Phase() == search.Searching {
			runs++
			st := r.Stats(run.Result)
			if st.Equivocations > 0 {
				equivocated++
			}
			if st.FinalHeight > 0 {
				finalized++
			}
		}
		if err := r.CheckSafety(); err != nil {
			fail, what = &run, err.Error()
			t.Fail("safety", "%s", what)
		}
	})
	q := dpos.Quorum(base.Delegates)
	if base.Bug == "half-quorum" {
		q = (base.Delegates + 1) / 2
	}
	if !res.Failed || fail == nil {
		fmt.Fprintf(w, "check dpos: no final block was reverted in %d runs of %d delegates with %d colluding (quorum %d)\n", runs, base.Delegates, base.Traitors, q)
		fmt.Fprintf(w, "  runs with an equivocation seen: %d\n  runs where the observer finalised a block: %d\n", equivocated, finalized)
		return nil
	}
	replayed := base
	replayed.Schedule = fail.Draws.Values()
	if err := confirmViolation(g, "dpos", replayed, 1, what); err != nil {
		return err
	}
	fmt.Fprintf(w, "check dpos: %s\n\n", what)
	fmt.Fprintf(w, "schedule (non-boring draws of %d):\n%s\n", len(fail.Draws), fail.Draws)
	printCounterexampleTrace(w, fail.Log, what, g.fullTrace)
	fmt.Fprintln(w)
	s := base
	fmt.Fprintf(w, "replay: simulate dpos --nodes %d --delegates %d --slot %v %s --blocks %d --tx-rate 0 --traitors %d --strategy %s",
		s.Nodes, s.Delegates, s.Slot, linksArgs(s.Links), s.Blocks, s.Traitors, s.Strategy)
	if s.Bug != "" {
		fmt.Fprintf(w, " --bug %s", s.Bug)
	}
	fmt.Fprintf(w, " --schedule %s --seed 1\n", chain.FormatSchedule(fail.Draws.Values()))
	return findingError{msg: "check dpos: " + what}
}
