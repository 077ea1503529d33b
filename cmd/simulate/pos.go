package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"simulate/protocols/chain"
	"simulate/protocols/pos"
	"simulate/report"
	"simulate/search"
	"simulate/sim"
)

func init() {
	commands = append(commands, newPoSCommand)
	checkCommands = append(checkCommands, newCheckPoSCommand)
	replayers["pos"] = func(raw json.RawMessage, seed uint64, tracer sim.Tracer) (sim.Result, error) {
		var s pos.Scenario
		if err := json.Unmarshal(raw, &s); err != nil {
			return sim.Result{}, err
		}
		if err := s.Validate(); err != nil {
			return sim.Result{}, err
		}
		r := s.Build(seed)
		r.Config.Tracer = tracer
		return sim.New(r.Config).Run(), nil
	}
}

// chainWords turns scenario field words into flag names in errors.
func chainWords(s string) string {
	return withFlagNames(s, []string{"blocks and duration", "--blocks and --duration", "nothing-at-stake validators", "--nothing-at-stake",
		"f (active-slot coefficient)", "--f", "offline-at", "--offline-at", "victim rate", "--victim-rate", "cheat factor", "--cheat-factor"},
		[]string{"validators", "nodes", "delegates", "slot", "interval", "lottery", "interest", "traitors", "strategy", "cheaters", "k must", "blocks must", "slots must"})
}

// posOutput is `simulate pos --format json`.
type posOutput struct {
	Scenario pos.Scenario `json:"scenario"`
	Seed     uint64       `json:"seed"`
	Hash     string       `json:"trace_hash"`
	Stats    pos.Stats    `json:"stats"`
}

func newPoSCommand(g *globals) *cobra.Command {
	s := pos.DefaultScenario()
	var stakes string
	cmd := &cobra.Command{
		Use:   "pos",
		Short: "Run proof of stake (Ouroboros Praos slot lottery): forks, nothing at stake, coin age",
		Long: `pos runs proof of stake on a longest-chain rule, as Ouroboros Praos does:
time is divided into --slot slots, and in every slot each validator wins
the right to make a block with probability 1 - (1 - f)^s for its stake
share s, drawn from its own seeded stream. Most slots are empty; a slot
with two winners forks the chain, and the longest chain settles it, as in
proof of work. Blocks travel over the same peer-to-peer network as
'simulate nakamoto' (--degree, --delay, --bandwidth).

--nothing-at-stake N makes the first N validators sign a block on both fork
tips whenever they win, because signing costs nothing; --lottery work
makes them pay as proof-of-work miners do, splitting their chance between
the tips. Compare the abandoned-branch depths. --coin-age weighs validators
by coins × days held (the course notes' 币龄) and pays --interest a year on
the coin age a block consumes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("duration") && !cmd.Flags().Changed("blocks") {
				s.Blocks = 0
			}
			st, err := chain.ParseStakes(stakes, s.Validators)
			if err != nil {
				return badInput("pos: %v", err)
			}
			s.Stakes = st
			fitDefault(cmd.Flags(), "degree", &s.Degree, s.Validators-1)
			if err := s.Validate(); err != nil {
				return badInput("pos: %s", chainWords(err.Error()))
			}
			var r *pos.Run
			res, err := execute(g, "pos", s, func(tracer sim.Tracer) sim.Result {
				r = s.Build(g.seed)
				r.Config.Tracer = tracer
				return sim.New(r.Config).Run()
			})
			if err != nil {
				return err
			}
			o := posOutput{Scenario: s, Seed: g.seed, Hash: res.HashString(), Stats: r.Stats(res)}
			out := cmd.OutOrStdout()
			if g.format == "json" {
				return report.WriteJSON(out, o)
			}
			if err := report.Write(out, g.format, posTable(o)); err != nil {
				return err
			}
			fmt.Fprintln(out)
			return report.Write(out, g.format, chain.ProducerTable("Validators", o.Stats.Blocks, o.Stats.Shares, "stake share", o.Stats.CoinDays, o.Stats.Interest))
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&s.Validators, "validators", s.Validators, "number of validators (nodes)")
	fs.StringVar(&stakes, "stakes", "equal", "stake distribution: equal, zipf, or a comma-separated list")
	timeVar(fs, &s.Slot, "slot", s.Slot, "slot length")
	fs.Float64Var(&s.F, "f", s.F, "active-slot coefficient: the chance a slot has a leader (mean interval = slot/f)")
	chainFlags(fs, &s.Workload, &s.Links)
	fs.IntVar(&s.Blocks, "blocks", s.Blocks, "stop making blocks when the chain reaches this height")
	timeVar(fs, &s.Duration, "duration", 0, "stop the run at this virtual time instead of after --blocks")
	fs.IntVar(&s.K, "k", s.K, "confirmation depth for the common-prefix check and the latency table")
	fs.IntVar(&s.NothingAtStake, "nothing-at-stake", 0, "the first N validators sign on both fork tips whenever they win")
	fs.StringVar(&s.Lottery, "lottery", "", "cost of extending a second fork: stake (free, default) or work (split the chance)")
	fs.BoolVar(&s.CoinAge, "coin-age", false, "weigh validators by coin age (coins × days held), reset when they mint")
	fs.Float64Var(&s.Interest, "interest", 0, "yearly interest on consumed coin age with --coin-age (default 0.05)")
	fs.StringVar(&s.Bug, "bug", "", "teaching bug switch: "+strings.Join(pos.Bugs, ", "))
	scheduleVar(fs, &s.Schedule, "replay recorded environment draws (index=value,...), as `simulate check pos` prints")
	return cmd
}

func posTable(o posOutput) report.Table {
	s, st := o.Scenario, o.Stats
	t := report.Table{
		Name: "chain",
		Title: fmt.Sprintf("Proof of stake (Praos): %d validators, %v slots, f = %g (a block every %s), %s blocks, degree %d, delay %v, seed %d",
			s.Validators, chain.ShortTime(s.Slot), s.F, chain.ShortTime(sim.Time(float64(s.Slot)/s.F)), chain.SizeWords(s.BlockSize), s.Degree, chain.ShortTime(s.Delay), o.Seed),
		Header: []string{"measure", "value"},
	}
	if s.NothingAtStake > 0 {
		lot := "stake: one win signs on every tip"
		if s.Lottery == pos.LotteryWork {
			lot = "work: the chance is split between the tips"
		}
		t.Title += fmt.Sprintf(", %d nothing-at-stake (%s)", s.NothingAtStake, lot)
	}
	if s.CoinAge {
		t.Title += ", coin age"
	}
	if s.Bug != "" {
		t.Title += ", bug " + s.Bug
	}
	add := func(k, v string) { t.Rows = append(t.Rows, []string{k, v}) }
	add("slots", fmt.Sprintf("%d (%d empty, %d with several leaders)", st.Slots, st.Empty, st.Multi))
	add("chain height", fmt.Sprint(st.Height))
	add("blocks made", fmt.Sprint(st.Made))
	add("stale blocks", fmt.Sprintf("%d (stale rate %.2f%%)", st.Stale, 100*st.StaleRate))
	add("forks", fmt.Sprint(st.Forks))
	add("abandoned branches", fmt.Sprintf("mean depth %.2f, deepest %d, mean life %s", st.Branches.MeanDepth, st.Branches.MaxDepth, chain.ShortTime(st.Branches.MeanLife)))
	add("reorganisations", fmt.Sprintf("%d (deepest %d)", st.Reorgs, st.MaxReorgDepth))
	add("mean block interval", chain.ShortTime(st.MeanInterval))
	add("throughput", fmt.Sprintf("%.2f tx/s (offered %.2f tx/s)", st.Throughput, s.TxRate))
	for _, c := range st.Confirmations {
		v := "-"
		if c.Samples > 0 {
			v = fmt.Sprintf("%s (%d txs)", chain.ShortTime(c.Mean), c.Samples)
		}
		add(fmt.Sprintf("confirmation latency k=%d", c.K), v)
	}
	cp := "holds"
	if !st.CommonPrefix.Holds {
		cp = fmt.Sprintf("VIOLATED %d times, first at %s", st.CommonPrefix.Violations, st.CommonPrefix.First)
	}
	add(fmt.Sprintf("common prefix (k=%d)", st.CommonPrefix.K), cp)
	agree := "yes"
	if !st.Agree {
		agree = "no"
	}
	add("honest validators on one tip", agree)
	add("hashes computed", "0 (no proof of work)")
	add("tip", st.TipHash[:16])
	t.Notes = []string{
		"A slot's leaders are drawn independently, each with probability 1-(1-f)^s for stake share s; an empty slot makes no block, several leaders make a fork.",
		"Abandoned branches: blocks left off the main chain, grouped by the main-chain block they left from; depth in blocks, life from the fork's first block to the branch's last.",
		"trace hash: " + o.Hash,
	}
	return t
}

// --- simulate check pos ---

func newCheckPoSCommand(g *globals) *cobra.Command {
	var checks int
	var bug string
	cmd := &cobra.Command{
		Use:   "pos",
		Short: "Search delays for a broken common prefix in proof of stake",
		Long: `check pos runs 5 validators (stakes 2:5:4:3:1; the first a nothing-at-stake
validator that signs on every fork) with 1-second slots and f = 0.1 on a
complete graph whose every message takes 500 ms plus a drawn 0-1.5 s, so
delay is bounded by 2 slots, mining 15 blocks. It searches the delays and
the lottery seed (1..8) for a run in which common prefix (k = 4) fails or
the honest validators still disagree on more than a tied last block once
every block has arrived. With an honest stake majority and bounded delay
it holds; --bug ignore-forks (validators never leave their branch) breaks
it, and the search shrinks the counterexample.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if checks < 1 || checks > 1_000_000 {
				return badInput("check pos: --checks %d: want 1 to 1000000", checks)
			}
			base := pos.PropertyScenario(bug)
			if err := base.Validate(); err != nil {
				return badInput("check pos: %v", err)
			}
			return checkPoS(cmd.OutOrStdout(), g, base, checks)
		},
	}
	cmd.Flags().IntVar(&checks, "checks", 100, "number of random runs to try")
	fullTraceFlag(cmd, &g.fullTrace)
	cmd.Flags().StringVar(&bug, "bug", "", "teaching bug switch: "+strings.Join(pos.Bugs, ", "))
	return cmd
}

func checkPoS(w io.Writer, g *globals, base pos.Scenario, checks int) error {
	var fail *search.WorldRun
	var what string
	var failSeed uint64
	runs, forked, reorged := 0, 0, 0
	res := search.Run(search.Config{Checks: checks, Seed: g.seed}, func(t *search.T) {
		seed := 1 + uint64(t.Intn("lottery seed", pos.PropertySeeds))
		r := base.Build(seed)
		run := search.RunWorld(t, r.Config, nil)
		if t.Phase() == search.Searching {
			runs++
			st := r.Stats(run.Result)
			if st.Forks > 0 {
				forked++
			}
			if st.Reorgs > 0 {
				reorged++
			}
		}
		if err := r.Check(run.Result); err != nil {
			fail, what, failSeed = &run, err.Error(), seed
			t.Fail("safety", "%s", what)
		}
	})
	if !res.Failed || fail == nil {
		fmt.Fprintf(w, "check pos: common prefix (k=%d) and eventual agreement held in %d runs of %d validators\n", base.K, runs, base.Validators)
		fmt.Fprintf(w, "  runs with a fork: %d\n  runs with a reorganisation: %d\n", forked, reorged)
		return nil
	}
	replayed := base
	replayed.Schedule = fail.Draws.Values()
	if err := confirmViolation(g, "pos", replayed, failSeed, what); err != nil {
		return err
	}
	fmt.Fprintf(w, "check pos: %s (lottery seed %d)\n\n", what, failSeed)
	fmt.Fprintf(w, "schedule (non-boring draws of %d):\n%s\n", len(fail.Draws), fail.Draws)
	printCounterexampleTrace(w, fail.Log, what, g.fullTrace)
	fmt.Fprintln(w)
	s := base
	fmt.Fprintf(w, "replay: simulate pos --validators %d --stakes %s --nothing-at-stake %d --f %g %s --blocks %d --tx-rate 0 --k %d",
		s.Validators, stakeList(s.Stakes), s.NothingAtStake, s.F, linksArgs(s.Links), s.Blocks, s.K)
	if s.Bug != "" {
		fmt.Fprintf(w, " --bug %s", s.Bug)
	}
	if sch := chain.FormatSchedule(fail.Draws.Values()); sch != "" {
		fmt.Fprintf(w, " --schedule %s", sch)
	}
	fmt.Fprintf(w, " --seed %d\n", failSeed)
	return findingError{msg: "check pos: " + what}
}

func stakeList(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}
