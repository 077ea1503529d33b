package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"simulate/experiments/bound"
	"simulate/experiments/sweep"
	"simulate/protocols/generals"
	"simulate/report"
	"simulate/search"
	"simulate/sim"
)

// experimentCommands lists the constructors of `simulate experiment NAME`
// subcommands: sweeps of many seeded runs that print a table. Each
// experiment's command file appends its own in init, the way protocols
// append to checkCommands, so files do not edit each other.
var experimentCommands []func(g *globals) *cobra.Command

func init() {
	commands = append(commands, newByzantineCommand, func(g *globals) *cobra.Command {
		cmd := &cobra.Command{
			Use:   "experiment NAME",
			Short: "Run a sweep of many seeded runs and print its table",
			Long: `experiment runs one of the simulator's experiments: many seeded runs,
in parallel (--workers), aggregated into a table whose measured values sit
beside the published or closed-form ones. The same --seed and --runs give
the same table for any number of workers.`,
			// Bare or with an unknown NAME: exit 2 (requireSubcommand).
		}
		for _, c := range experimentCommands {
			cmd.AddCommand(c(g))
		}
		return cmd
	})
	checkCommands = append(checkCommands, newCheckByzantineCommand)
	experimentCommands = append(experimentCommands, newByzantineBoundCommand)
	aggregators["byzantine-bound"] = printByzantineBound
	replayers["byzantine"] = func(raw json.RawMessage, seed uint64, tracer sim.Tracer) (sim.Result, error) {
		var s generals.Scenario
		if err := json.Unmarshal(raw, &s); err != nil {
			return sim.Result{}, err
		}
		if err := s.Validate(); err != nil {
			return sim.Result{}, err
		}
		return generals.RunSeed(s, seed, tracer).Result, nil
	}
}

// byzFlags are the flags `simulate byzantine` and `simulate check
// byzantine` share.
type byzFlags struct {
	generals, traitors, rounds int
	algorithm, commander       string
	strategy, order, bug       string
	pinned                     []string
}

func (f *byzFlags) add(cmd *cobra.Command, check bool) {
	fs := cmd.Flags()
	fs.IntVar(&f.generals, "generals", 0, "number of generals n, the commander n0 included (default 3m+1, or 4 without traitors)")
	fs.IntVar(&f.traitors, "traitors", 1, "number of traitors m")
	fs.StringVar(&f.algorithm, "algorithm", "om", "om (oral messages, OM(m)) or sm (signed messages, SM(m))")
	fs.IntVar(&f.rounds, "rounds", 0, "the m of OM(m)/SM(m): how many traitors the algorithm is built for (default: --traitors)")
	fs.StringVar(&f.commander, "commander", "random", "whether the commander is a traitor: loyal, traitor or random")
	drawn := "drawn per traitor from the seed"
	if check {
		drawn = "drawn per traitor by the search, honest included"
	}
	fs.StringVar(&f.strategy, "strategy", "", "every traitor's strategy: lie, split, random, silent, collude or honest (default: "+drawn+")")
	fs.StringSliceVar(&f.pinned, "traitor", nil, "name a traitor instead of drawing it, as n2 or n2=lie (repeatable or comma-separated)")
	fs.StringVar(&f.bug, "bug", "", "switch on a teaching bug: trust-commander (no relays) or skip-verify (SM accepts forgeries)")
	if check {
		fs.StringVar(&f.order, "order", "", "the commander's order, attack or retreat (default: drawn by the search)")
	} else {
		fs.StringVar(&f.order, "order", "attack", "the commander's order: attack or retreat")
	}
}

// byzSpec is the parsed form of byzFlags.
type byzSpec struct {
	n, m, rounds int
	alg          generals.Algorithm
	cast         generals.Cast
	order        *generals.Value
	bug          generals.Bug
}

func (f *byzFlags) parse(cmd *cobra.Command) (byzSpec, error) {
	var sp byzSpec
	var err error
	if sp.alg, err = generals.ParseAlgorithm(f.algorithm); err != nil {
		return sp, badInput("--algorithm: %v", err)
	}
	mode, err := generals.ParseCommanderMode(f.commander)
	if err != nil {
		return sp, badInput("--commander: %v", err)
	}
	var strategy generals.Strategy
	if f.strategy != "" {
		if strategy, err = generals.ParseStrategy(f.strategy); err != nil {
			return sp, badInput("--strategy: %v", err)
		}
	}
	if f.order != "" {
		v, err := generals.ParseValue(f.order)
		if err != nil {
			return sp, badInput("--order: %v", err)
		}
		sp.order = &v
	}
	switch b := generals.Bug(f.bug); b {
	case generals.NoBug, generals.BugTrustCommander, generals.BugSkipVerify:
		sp.bug = b
	default:
		return sp, badInput("--bug %q: want trust-commander or skip-verify", f.bug)
	}
	var pinned []generals.Traitor
	for _, p := range f.pinned {
		t, err := parseByzTraitor(p)
		if err != nil {
			return sp, err
		}
		pinned = append(pinned, t)
	}
	sp.m = f.traitors
	if len(pinned) > 0 {
		if cmd.Flags().Changed("traitors") && f.traitors != len(pinned) {
			return sp, badInput("--traitors %d but %d traitors named with --traitor", f.traitors, len(pinned))
		}
		sp.m = len(pinned)
		if !cmd.Flags().Changed("commander") {
			mode = generals.CommanderRandom // the names decide
		}
	}
	if sp.m < 0 {
		return sp, badInput("--traitors %d: must be ≥ 0", sp.m)
	}
	sp.n = f.generals
	if !cmd.Flags().Changed("generals") {
		sp.n = 3*sp.m + 1
		if sp.m == 0 {
			sp.n = 4
		}
	}
	if sp.n < 2 {
		return sp, badInput("--generals %d: need a commander and at least one lieutenant (≥ 2)", sp.n)
	}
	if sp.m >= sp.n {
		return sp, badInput("--traitors %d: must be fewer than the %d generals", sp.m, sp.n)
	}
	sp.rounds = sp.m
	if cmd.Flags().Changed("rounds") {
		sp.rounds = f.rounds
	}
	sp.cast = generals.Cast{Generals: sp.n, Traitors: sp.m, Commander: mode, Strategy: strategy, Pinned: pinned}
	if err := sp.cast.Check(); err != nil {
		return sp, badInput("%v", err)
	}
	// Validate the shape (rounds, size) before anything runs.
	probe := generals.Scenario{Generals: sp.n, Algorithm: sp.alg, Rounds: sp.rounds, Bug: sp.bug}
	if err := probe.Validate(); err != nil {
		return sp, badInput("%v", err)
	}
	return sp, nil
}

// parseByzTraitor reads "n2", "2", "n2=lie" or "2=lie".
func parseByzTraitor(s string) (generals.Traitor, error) {
	id, strat, _ := strings.Cut(strings.TrimSpace(s), "=")
	n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(id), "n"))
	if err != nil {
		return generals.Traitor{}, badInput("--traitor %q: want a general such as n2 or n2=lie", s)
	}
	t := generals.Traitor{ID: sim.NodeID(n)}
	if strat != "" {
		st, err := generals.ParseStrategy(strat)
		if err != nil {
			return t, badInput("--traitor %q: %v", s, err)
		}
		t.Strategy = st
	}
	return t, nil
}

// byzantineResult is `simulate byzantine --format json`.
type byzantineResult struct {
	Generals       int                `json:"generals"`
	Traitors       []generals.Traitor `json:"traitors"`
	Algorithm      generals.Algorithm `json:"algorithm"`
	Rounds         int                `json:"rounds"`
	Seed           uint64             `json:"seed"`
	Order          generals.Value     `json:"order"`
	CommanderLoyal bool               `json:"commander_loyal"`
	// Agreement is IC1 and Validity IC2.
	Agreement bool `json:"agreement"`
	Validity  bool `json:"validity"`
	// Guaranteed says whether the theorem promises both for this n, m.
	Guaranteed bool `json:"guaranteed"`
	Messages   int  `json:"messages"`
	// ClosedForm is the message count of the same run without traitors.
	ClosedForm int `json:"messages_closed_form"`
	// Decisions maps each loyal general's id to its decision.
	Decisions map[string]generals.Value `json:"decisions"`
	Lies      []string                  `json:"lies"`
	Verdict   string                    `json:"verdict"`
	Hash      string                    `json:"hash"`
}

// byzTee keeps every event for the explanation and passes it on to the
// tracer --trace or --check-determinism asked for.
type byzTee struct {
	log  sim.Log
	next sim.Tracer
}

func (t *byzTee) Record(e sim.TraceEvent) {
	t.log.Record(e)
	if t.next != nil {
		t.next.Record(e)
	}
}

func newByzantineCommand(g *globals) *cobra.Command {
	var f byzFlags
	var calm bool
	var protocol string
	cmd := &cobra.Command{
		Use:   "byzantine",
		Short: "Lamport–Shostak–Pease Byzantine generals: OM(m) or SM(m) with traitors",
		Long: `byzantine runs the Byzantine generals problem: a commander (n0) sends an
order to n-1 lieutenants, who relay what they heard for m rounds (OM(m),
oral messages) or countersign it (SM(m), signed messages) and then decide.
Traitors — the commander or any lieutenants, chosen by the seed unless
named with --traitor — lie, split their orders (equivocate), answer at
random, stay silent or collude.

It prints who was loyal, what each loyal general decided, whether IC1
(every loyal lieutenant decides the same) and IC2 (if the commander is
loyal, they follow its order) held, the messages sent beside the closed
form, what the traitors said, and why, in terms of n ≥ 3m+1. A broken
condition is a finding, not an error: the exit status is 0 either way.

(Agreement over a channel that loses messages, which some course notes
call the Byzantine generals problem, is the two generals' problem; here
every message arrives and the trouble is the traitors.)`,
		Example: `  simulate byzantine --traitors 1 --seed 42
  simulate byzantine --generals 3 --traitors 1 --traitor n1=lie --order attack
  simulate byzantine --generals 3 --traitors 1 --algorithm sm --traitor n1=lie
  simulate byzantine --protocol pbft --traitors 1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch protocol {
			case "generals":
			case "pbft":
				return runByzantinePBFT(cmd, g, &f)
			default:
				return badInput("--protocol %q: want generals or pbft", protocol)
			}
			sp, err := f.parse(cmd)
			if err != nil {
				return err
			}
			order := generals.Attack
			if sp.order != nil {
				order = *sp.order
			}
			s := generals.Scenario{
				Generals: sp.n, Algorithm: sp.alg, Rounds: sp.rounds, Order: order,
				Traitors: generals.DrawFromSeed(g.seed, sp.cast), Calm: calm, Bug: sp.bug,
			}
			if err := s.Validate(); err != nil {
				return badInput("%v", err)
			}
			var out generals.Outcome
			var events []sim.TraceEvent
			if _, err := execute(g, "byzantine", s, func(tracer sim.Tracer) sim.Result {
				tee := &byzTee{next: tracer}
				out = generals.RunSeed(s, g.seed, tee)
				events = tee.log.Events
				return out.Result
			}); err != nil {
				return err
			}
			return printByzantine(cmd, g, out, generals.Explain(s, events))
		},
	}
	f.add(cmd, false)
	cmd.Flags().StringVar(&protocol, "protocol", "generals", "generals (Lamport–Shostak–Pease) or pbft (the same traitors against Castro–Liskov PBFT)")
	cmd.Flags().BoolVar(&calm, "calm", false, "deliver every message after exactly 1ms (no network jitter), as a shrunk counterexample does")
	return cmd
}

func byzClosedForm(s generals.Scenario) int {
	if s.Algorithm == generals.SM {
		return generals.SMMessages(s.Generals, s.Rounds)
	}
	return generals.OMMessages(s.Generals, s.Rounds)
}

func printByzantine(cmd *cobra.Command, g *globals, o generals.Outcome, lies []string) error {
	s := o.Scenario
	w := cmd.OutOrStdout()
	if g.format == "json" {
		dec := map[string]generals.Value{}
		for id, v := range o.Decisions {
			dec[fmt.Sprintf("n%d", id)] = v // keyed as the table names them
		}
		if lies == nil {
			lies = []string{}
		}
		return report.WriteJSON(w, byzantineResult{
			Generals: s.Generals, Traitors: append([]generals.Traitor{}, s.Traitors...), Algorithm: s.Algorithm, Rounds: s.Rounds,
			Seed: g.seed, Order: s.Order, CommanderLoyal: s.CommanderLoyal(), Agreement: o.Agreement, Validity: o.Validity,
			Guaranteed: s.Guaranteed(), Messages: o.Messages(), ClosedForm: byzClosedForm(s), Decisions: dec, Lies: lies,
			Verdict: o.Verdict(), Hash: o.Result.HashString(),
		})
	}
	cmdr := "loyal"
	if !s.CommanderLoyal() {
		cmdr = "a traitor"
	}
	t := report.Table{
		Title: fmt.Sprintf("Byzantine generals: %s, %d generals, %s, seed %d; the commander n0 is %s, its order %s",
			s.Algorithm.Name(s.Rounds), s.Generals, byzPlural(len(s.Traitors), "traitor"), g.seed, cmdr, s.Order),
		Header: []string{"general", "role", "loyal", "strategy", "decision"},
	}
	for i := 0; i < s.Generals; i++ {
		id := sim.NodeID(i)
		role := "lieutenant"
		if id == generals.Commander {
			role = "commander"
		}
		loyal, strat, dec := "yes", "-", "-"
		if st, traitor := s.Traitor(id); traitor {
			loyal, strat = "TRAITOR", string(st)
		} else if v, ok := o.Decisions[id]; ok {
			dec = v.String()
			if id == generals.Commander {
				dec += " (its order)"
			}
		}
		t.Rows = append(t.Rows, []string{fmt.Sprintf("n%d", i), role, loyal, strat, dec})
	}
	t.Notes = append(t.Notes, byzIC1Line(o), byzIC2Line(o), fmt.Sprintf("messages: %d sent; %s among %d loyal generals sends %d", o.Messages(), s.Algorithm.Name(s.Rounds), s.Generals, byzClosedForm(s)))
	if len(lies) > 0 {
		const show = 6
		t.Notes = append(t.Notes, "what the traitors said:")
		for i, l := range lies {
			if i == show {
				t.Notes = append(t.Notes, fmt.Sprintf("  … and %d more (see --trace FILE, then simulate replay --show FILE)", len(lies)-show))
				break
			}
			t.Notes = append(t.Notes, "  "+l)
		}
	}
	t.Notes = append(t.Notes, "verdict: "+o.Verdict())
	if g.format == "csv" {
		// CSV drops the notes, so the run's verdict rides on every row:
		// did IC1 (agreement) and IC2 (validity) hold.
		t.Header = append(t.Header, "IC1 agreement held", "IC2 validity held")
		for i := range t.Rows {
			t.Rows[i] = append(t.Rows[i], yesNo(o.Agreement), yesNo(o.Validity))
		}
	}
	return report.Write(w, g.format, t)
}

func byzIC1Line(o generals.Outcome) string {
	loyal := o.LoyalLieutenants()
	switch {
	case len(loyal) < 2:
		return "IC1 agreement: held (vacuously: fewer than two loyal lieutenants)"
	case o.Agreement:
		return fmt.Sprintf("IC1 agreement: held — every loyal lieutenant decided %s", o.Decisions[loyal[0]])
	}
	return "IC1 agreement: FAILED — " + byzCamps(o)
}

func byzIC2Line(o generals.Outcome) string {
	s := o.Scenario
	switch {
	case !s.CommanderLoyal():
		return "IC2 validity: not applicable — the commander is a traitor, so it speaks only of loyal commanders"
	case o.Validity:
		return fmt.Sprintf("IC2 validity: held — the loyal commander ordered %s and every loyal lieutenant followed", s.Order)
	}
	return fmt.Sprintf("IC2 validity: FAILED — the loyal commander ordered %s, but %s", s.Order, byzCamps(o))
}

func byzCamps(o generals.Outcome) string {
	var camps [2][]string
	for _, id := range o.LoyalLieutenants() {
		v := o.Decisions[id]
		camps[v] = append(camps[v], fmt.Sprintf("n%d", id))
	}
	var parts []string
	for _, v := range []generals.Value{generals.Attack, generals.Retreat} {
		if len(camps[v]) > 0 {
			parts = append(parts, fmt.Sprintf("%s decided %s", strings.Join(camps[v], ", "), v))
		}
	}
	return strings.Join(parts, "; ")
}

func byzPlural(k int, word string) string {
	if k == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", k, word)
}

// byzCoverage counts what a search looked at, so a search that passes can
// show it met the cases where failures would be.
type byzCoverage struct {
	Runs             int            `json:"runs"`
	TraitorCommander int            `json:"traitor_commander"`
	LoyalCommander   int            `json:"loyal_commander"`
	Equivocated      int            `json:"equivocated"`
	Ties             int            `json:"ties_to_default"`
	Forged           int            `json:"forgery_refused"`
	Withheld         int            `json:"withheld"`
	RetreatOrder     int            `json:"retreat_ordered"`
	Strategies       map[string]int `json:"strategies"`
}

func (c *byzCoverage) add(o generals.Outcome) {
	c.Runs++
	if o.Scenario.CommanderLoyal() {
		c.LoyalCommander++
	} else {
		c.TraitorCommander++
	}
	if o.Equivocated {
		c.Equivocated++
	}
	if o.Ties > 0 {
		c.Ties++
	}
	if o.Forged > 0 && o.Rejected > 0 {
		c.Forged++
	}
	if o.Withheld > 0 {
		c.Withheld++
	}
	if o.Scenario.Order == generals.Retreat {
		c.RetreatOrder++
	}
	for _, t := range o.Scenario.Traitors {
		c.Strategies[string(t.Strategy)]++
	}
}

// byzCounterexample is the shrunk failing run, in `check --format json`.
type byzCounterexample struct {
	Scenario  generals.Scenario         `json:"scenario"`
	Violation string                    `json:"violation"`
	Decisions map[string]generals.Value `json:"decisions"`
	Lies      []string                  `json:"lies"`
	Schedule  []sim.Choice              `json:"schedule"`
	Events    int                       `json:"events"`
	Hash      string                    `json:"hash"`
	Replay    string                    `json:"replay"`
}

type byzCheckResult struct {
	Algorithm      generals.Algorithm `json:"algorithm"`
	Generals       int                `json:"generals"`
	Traitors       int                `json:"traitors"`
	Rounds         int                `json:"rounds"`
	Checks         int                `json:"checks"`
	Found          bool               `json:"found"`
	Counterexample *byzCounterexample `json:"counterexample,omitempty"`
	Coverage       byzCoverage        `json:"coverage"`
}

func newCheckByzantineCommand(g *globals) *cobra.Command {
	var f byzFlags
	var checks int
	cmd := &cobra.Command{
		Use:   "byzantine",
		Short: "Search traitors, strategies, orders and schedules for a run that breaks IC1 or IC2",
		Long: `check byzantine searches: each run draws whether the commander
is a traitor, which lieutenants are, each traitor's strategy (honest
included), the commander's order and every message's delay. Draws shrink
toward a loyal commander, low ids, honest traitors and calm delivery, so a
failure shrinks to the few lies it needs.

With n ≤ 3m and OM it finds a violation, prints the smallest one (who
lied to whom, the decisions) with a command that replays it, and exits 1.
With n ≥ 3m+1, or with SM, it finds none in its budget, says what it
covered, and exits 0.`,
		Example: `  simulate check byzantine --generals 3 --traitors 1
  simulate check byzantine --generals 4 --traitors 1
  simulate check byzantine --generals 4 --traitors 2 --algorithm sm`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sp, err := f.parse(cmd)
			if err != nil {
				return err
			}
			if checks < 1 {
				return badInput("--checks %d: want at least 1", checks)
			}
			space := generals.Space{Cast: sp.cast, Algorithm: sp.alg, Rounds: sp.rounds, Order: sp.order, Bug: sp.bug}
			cov := byzCoverage{Strategies: map[string]int{}}
			var last search.WorldRun
			var lastOut generals.Outcome
			res := search.Run(search.Config{Checks: checks, Seed: g.seed}, func(t *search.T) {
				s := space.Draw(t)
				log := t.Tracer()
				var tracer sim.Tracer
				if log != nil {
					tracer = log
				}
				o := generals.Run(s, g.seed, t, tracer)
				if t.Phase() == search.Searching {
					cov.add(o) // shrinking reruns are not coverage
				}
				if !o.Held() {
					last, lastOut = search.WorldRun{Result: o.Result, Draws: t.Draws(), Log: log}, o
					t.Fail("IC", "%s", o.Failure())
				}
			})
			name := fmt.Sprintf("%s with %d generals and %s", sp.alg.Name(sp.rounds), sp.n, byzPlural(sp.m, "traitor"))
			result := byzCheckResult{Algorithm: sp.alg, Generals: sp.n, Traitors: sp.m, Rounds: sp.rounds, Checks: checks, Found: res.Failed, Coverage: cov}
			w := cmd.OutOrStdout()
			if !res.Failed {
				if g.format == "json" {
					return report.WriteJSON(w, result)
				}
				return printByzCoverage(cmd, g, name, sp, cov)
			}
			ce := byzCounterexampleOf(g, lastOut, last)
			result.Counterexample = &ce
			if err := confirmViolation(g, "byzantine", ce.Scenario, g.seed, lastOut.Failure()); err != nil {
				return err
			}
			if g.format == "json" {
				if err := report.WriteJSON(w, result); err != nil {
					return err
				}
			} else {
				printByzCounterexample(cmd, name, lastOut, last, ce, g.fullTrace)
			}
			return findingError{msg: fmt.Sprintf("%s: %s", name, lastOut.Failure())}
		},
	}
	f.add(cmd, true)
	cmd.Flags().IntVar(&checks, "checks", 300, "number of random runs to try before giving up")
	fullTraceFlag(cmd, &g.fullTrace)
	return cmd
}

// byzCounterexampleOf describes the shrunk run with a command that replays it:
// the same traitors, strategies and order, and — when every delay drawn
// was 0, as shrinking leaves them — the same calm network, event for event.
func byzCounterexampleOf(g *globals, o generals.Outcome, run search.WorldRun) byzCounterexample {
	s := o.Scenario
	calm := true
	for _, c := range run.Draws {
		if strings.HasPrefix(c.Label, "delay") && c.Value != 0 {
			calm = false
		}
	}
	s.Calm = calm
	dec := map[string]generals.Value{}
	for id, v := range o.Decisions {
		dec[strconv.Itoa(int(id))] = v
	}
	sched := []sim.Choice(run.Draws.Interesting())
	args := []string{"simulate byzantine", fmt.Sprintf("--generals %d", s.Generals), fmt.Sprintf("--traitors %d", len(s.Traitors)),
		"--algorithm " + string(s.Algorithm), fmt.Sprintf("--rounds %d", s.Rounds), "--order " + s.Order.String()}
	var named []string
	for _, t := range s.Traitors {
		named = append(named, fmt.Sprintf("n%d=%s", t.ID, t.Strategy))
	}
	if len(named) > 0 {
		args = append(args, "--traitor "+strings.Join(named, ","))
	}
	if s.Bug != generals.NoBug {
		args = append(args, "--bug "+string(s.Bug))
	}
	if calm {
		args = append(args, "--calm")
	}
	args = append(args, fmt.Sprintf("--seed %d", g.seed))
	lies := generals.Explain(s, run.Log.Events)
	if lies == nil {
		lies = []string{}
	}
	return byzCounterexample{Scenario: s, Violation: o.Failure(), Decisions: dec, Lies: lies, Schedule: sched,
		Events: len(run.Log.Events), Hash: run.Result.HashString(), Replay: strings.Join(args, " ")}
}

func printByzCounterexample(cmd *cobra.Command, name string, o generals.Outcome, run search.WorldRun, ce byzCounterexample, fullTrace bool) {
	w := cmd.OutOrStdout()
	s := ce.Scenario
	fmt.Fprintf(w, "simulate check byzantine: %s — violation found\n", name)
	fmt.Fprintf(w, "%s\n\n", o.Failure())
	fmt.Fprintf(w, "smallest counterexample (shrunk to %s, %d events):\n", byzPlural(run.Draws.NonZero(), "non-boring draw"), len(run.Log.Events))
	cmdr := "loyal"
	if !s.CommanderLoyal() {
		cmdr = "TRAITOR"
	}
	fmt.Fprintf(w, "  commander n0: %s, order %s\n", cmdr, s.Order)
	var named []string
	for _, t := range s.Traitors {
		named = append(named, fmt.Sprintf("n%d (%s)", t.ID, t.Strategy))
	}
	fmt.Fprintf(w, "  traitors:     %s\n", strings.Join(named, ", "))
	if len(ce.Lies) > 0 {
		fmt.Fprintln(w, "  what the traitors said:")
		for _, l := range ce.Lies {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
	var dec []string
	for i := 0; i < s.Generals; i++ {
		if v, ok := o.Decisions[sim.NodeID(i)]; ok {
			dec = append(dec, fmt.Sprintf("n%d %s", i, v))
		}
	}
	fmt.Fprintf(w, "  decisions:    %s (loyal generals)\n", strings.Join(dec, ", "))
	fmt.Fprintf(w, "  why:          %s\n\n", o.Verdict())
	fmt.Fprintf(w, "schedule (non-boring draws):\n%s\n", run.Draws)
	printCounterexampleTrace(w, run.Log, o.Failure(), fullTrace)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "replay: %s\n", ce.Replay)
	if s.Calm {
		fmt.Fprintf(w, "(the replay runs this very trace: hash %s)\n", run.Result.HashString())
	} else {
		fmt.Fprintln(w, "(the replay draws its own network delays; rounds are synchronous, so the decisions are the same)")
	}
}

func printByzCoverage(cmd *cobra.Command, g *globals, name string, sp byzSpec, c byzCoverage) error {
	w := cmd.OutOrStdout()
	t := report.Table{
		Title:  fmt.Sprintf("simulate check byzantine: %s — no violation of IC1 or IC2 in %d runs", name, c.Runs),
		Header: []string{"what the search covered", "runs"},
	}
	row := func(what string, n int) { t.Rows = append(t.Rows, []string{what, strconv.Itoa(n)}) }
	row("traitor commander", c.TraitorCommander)
	row("loyal commander (IC2 tested)", c.LoyalCommander)
	row("a traitor equivocated (both orders in one round)", c.Equivocated)
	row("a traitor withheld messages", c.Withheld)
	if sp.alg == generals.OM {
		row("a loyal vote tied and fell to retreat", c.Ties)
	} else {
		row("a forged order was refused", c.Forged)
	}
	row("the commander ordered retreat", c.RetreatOrder)
	for _, st := range generals.Strategies {
		row("traitors playing "+string(st), c.Strategies[string(st)])
	}
	probe := generals.Scenario{Generals: sp.n, Algorithm: sp.alg, Rounds: sp.rounds, Traitors: make([]generals.Traitor, sp.m)}
	why := "the theorem does not promise this case, but the search found no counterexample in its budget; try more --checks"
	if probe.Guaranteed() {
		why = "the theorem promises IC1 and IC2 here, and the search agrees"
		if sp.alg == generals.OM {
			why = fmt.Sprintf("n = %d ≥ 3m+1 = %d: %s", sp.n, 3*sp.rounds+1, why)
		}
	}
	t.Notes = append(t.Notes, why+".")
	return report.Write(w, g.format, t)
}

func newByzantineBoundCommand(g *globals) *cobra.Command {
	var sf sweepFlags
	p := bound.DefaultParams()
	algs := []string{"om", "sm"}
	cmd := &cobra.Command{
		Use:   "byzantine-bound",
		Short: "The 3m+1 bound, shown: agreement over n = 3..10 generals and m = 1..3 traitors",
		Long: `byzantine-bound sweeps n generals and m traitors over --runs seeds per
cell, OM(m) and SM(m), every run exactly what simulate byzantine
--generals n --traitors m --seed S runs (the seed picks the traitors and
their strategies). Per (n, m, algorithm) it prints the fraction of runs
where IC1 and IC2 held, with its standard error, the worst case found
(replayable by its seed), and the messages sent beside the closed form.

Rows of OM with n ≤ 3m show failures; rows with n ≥ 3m+1, and every SM
row, show none — the bound found by simulation, not asserted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p.Algorithms = nil
			for _, a := range algs {
				alg, err := generals.ParseAlgorithm(a)
				if err != nil {
					return badInput("--algorithms: %v", err)
				}
				p.Algorithms = append(p.Algorithms, alg)
			}
			if err := p.Validate(); err != nil {
				return badInput("%v", err)
			}
			recs, complete, err := runSweep(cmd, g, &sf, "byzantine-bound", p, func(_ int, seed uint64) any {
				return bound.RunSeed(p, seed)
			})
			if err != nil || !complete {
				return err
			}
			raw, _ := json.Marshal(p)
			return printByzantineBound(cmd, g, raw, recs)
		},
	}
	sf.add(cmd, 200)
	fs := cmd.Flags()
	fs.IntVar(&p.MinN, "min-generals", p.MinN, "smallest n")
	fs.IntVar(&p.MaxN, "max-generals", p.MaxN, "largest n")
	fs.IntVar(&p.MinM, "min-traitors", p.MinM, "smallest m")
	fs.IntVar(&p.MaxM, "max-traitors", p.MaxM, "largest m")
	fs.StringSliceVar(&algs, "algorithms", algs, "algorithms to sweep: om, sm or both")
	return cmd
}

// printByzantineBound aggregates byzantine-bound records (from one sweep
// or merged shards) into the table.
func printByzantineBound(cmd *cobra.Command, g *globals, params json.RawMessage, recs []sweep.Record) error {
	var p bound.Params
	if err := json.Unmarshal(params, &p); err != nil {
		return badInput("byzantine-bound parameters: %v", err)
	}
	if err := p.Validate(); err != nil {
		return badInput("byzantine-bound parameters: %v", err)
	}
	seeds := make([]uint64, len(recs))
	cells := make([][]bound.Cell, len(recs))
	for i, r := range recs {
		seeds[i] = r.Seed
		if err := json.Unmarshal(r.Result, &cells[i]); err != nil || len(cells[i]) != p.Cells() {
			return badInput("run %d: malformed byzantine-bound result (want %d cells)", r.Run, p.Cells())
		}
	}
	res := bound.Aggregate(p, seeds, cells)
	res.Seed = g.seed
	if g.format == "json" {
		return report.WriteJSON(cmd.OutOrStdout(), res)
	}
	return report.Write(cmd.OutOrStdout(), g.format, res.Table())
}
