package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	_ "simulate/examples/twophase"  // registers "twophase"
	_ "simulate/protocols/benor"    // registers "benor"
	_ "simulate/protocols/dpos"     // registers "dpos"
	_ "simulate/protocols/nakamoto" // registers "nakamoto"
	_ "simulate/protocols/paxos"    // registers "paxos"
	_ "simulate/protocols/pbft"     // registers "pbft"
	_ "simulate/protocols/poet"     // registers "poet"
	_ "simulate/protocols/pos"      // registers "pos"
	_ "simulate/protocols/raft"     // registers "raft"
	// registers "byzantine"
	_ "simulate/protocols/generals"
	"simulate/report"
	"simulate/scenario"
	"simulate/search"
	"simulate/sim"
)

// Protocols registered with package scenario get `simulate run NAME` and
// `simulate check NAME` from this file, and `simulate replay` of their
// traces, through one code path: nothing here knows any protocol.

// registeredRun is what a registered protocol's trace header holds as its
// scenario: the scenario itself and, for a replayed counterexample, the
// environment's draws (empty: drawn from the seed).
type registeredRun struct {
	Scenario json.RawMessage `json:"scenario"`
	Schedule string          `json:"schedule,omitempty"`
	// Scripted marks a run that replayed a schedule: an empty one means
	// every draw 0 (a counterexample the shrinker made all boring), not
	// draws from the seed.
	Scripted bool `json:"scripted,omitempty"`
}

// scriptedSchedule is the schedule of a replayed run: never nil, so that
// choicesFor replays it even when it is empty.
func scriptedSchedule(sched []int) []int {
	if sched == nil {
		return []int{}
	}
	return sched
}

// choicesFor is the environment of a run: the schedule's draws (later
// ones 0) when one is given, the seed's PCG stream otherwise.
func choicesFor(schedule []int) sim.Choices {
	if schedule != nil {
		return &sim.ReplayChoices{Values: schedule}
	}
	return nil
}

// replayRegistered reruns a registered protocol's trace.
func replayRegistered(p scenario.Protocol, raw json.RawMessage, seed uint64, tracer sim.Tracer) (sim.Result, error) {
	var rr registeredRun
	if err := json.Unmarshal(raw, &rr); err != nil {
		return sim.Result{}, err
	}
	s := p.New()
	if err := json.Unmarshal(rr.Scenario, s); err != nil {
		return sim.Result{}, err
	}
	if err := s.Validate(); err != nil {
		return sim.Result{}, err
	}
	sched, err := sim.ParseSchedule(rr.Schedule)
	if err != nil {
		return sim.Result{}, err
	}
	if rr.Scripted {
		sched = scriptedSchedule(sched)
	}
	return scenario.Execute(s, seed, choicesFor(sched), tracer).Result, nil
}

func init() {
	for _, name := range scenario.Names() {
		p, _ := scenario.Lookup(name)
		replayers[name] = func(raw json.RawMessage, seed uint64, tracer sim.Tracer) (sim.Result, error) {
			return replayRegistered(p, raw, seed, tracer)
		}
		checkCommands = append(checkCommands, func(g *globals) *cobra.Command { return newCheckRegistered(g, p) })
		runCommands = append(runCommands, func(g *globals) *cobra.Command { return newRunRegistered(g, p) })
	}
	commands = append(commands, func(g *globals) *cobra.Command {
		cmd := &cobra.Command{
			Use:   "run PROTOCOL",
			Short: "Run one scenario of a registered protocol and check its properties",
			Long: `run runs one scenario of a protocol registered with package scenario
(its flags set the scenario; --seed the nodes' and the network's draws;
--schedule replays a counterexample's draws instead) and checks its
properties: exit 0 when they hold, 1 when one breaks.`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return badInput("run: name a protocol: %s", strings.Join(scenario.Names(), ", "))
			},
		}
		for _, c := range runCommands {
			cmd.AddCommand(c(g))
		}
		return cmd
	})
}

// runCommands are the `simulate run NAME` subcommands.
var runCommands []func(g *globals) *cobra.Command

// replayArgs renders the flags of a check that the user gave or whose
// values differ from the defaults of `simulate NAME` (p's New), in
// flag-set order, as they would
// be typed again: with them the run command plays the check's scenario,
// even where the search starts from other defaults (scenario.Searched).
func replayArgs(p scenario.Protocol, fs *pflag.FlagSet, skip ...string) string {
	run := pflag.NewFlagSet(p.Name(), pflag.ContinueOnError)
	p.Flags(run, p.New())
	var args []string
	fs.VisitAll(func(f *pflag.Flag) {
		if slices.Contains(skip, f.Name) {
			return
		}
		def := run.Lookup(f.Name)
		if def == nil || !f.Changed && def.Value.String() == f.Value.String() {
			return
		}
		v := f.Value.String()
		if strings.HasSuffix(f.Value.Type(), "Slice") {
			v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
		}
		if f.Value.Type() == "bool" {
			if v == "true" {
				args = append(args, "--"+f.Name)
			} else {
				args = append(args, "--"+f.Name+"="+v)
			}
			return
		}
		args = append(args, "--"+f.Name+" "+shellQuote(v))
	})
	return strings.Join(args, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '.' || r == '_' || r == '/' || r == '=' || r == ',' || r == ':' || r == '@' ||
			(r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func newRunRegistered(g *globals, p scenario.Protocol) *cobra.Command {
	return newRunScenario(g, p, p.New())
}

// newRunScenario is newRunRegistered with its flags bound to s, for a
// protocol's own top-level command that needs the scenario the flags set.
func newRunScenario(g *globals, p scenario.Protocol, s scenario.Scenario) *cobra.Command {
	var schedule string
	var listBugs bool
	cmd := &cobra.Command{
		Use:   p.Name(),
		Short: p.Summary(),
		Args:  cobra.NoArgs,
	}
	if h, ok := p.(scenario.Helped); ok {
		cmd.Long = h.RunHelp()
	}
	p.Flags(cmd.Flags(), s)
	cmd.Flags().StringVar(&schedule, "schedule", "", "replay these environment draws (index=value,...; unlisted draws are 0) instead of drawing from --seed")
	cmd.Flags().BoolVar(&listBugs, "list-bugs", false, "list the protocol's teaching bugs and exit")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if listBugs {
			t := report.Table{Title: p.Name() + "'s teaching bugs", Header: []string{"bug", "what it does", "what the search needs"}}
			for _, b := range p.Bugs() {
				t.Rows = append(t.Rows, []string{b.Name, b.Description, b.Needs})
			}
			return report.Write(cmd.OutOrStdout(), g.format, t)
		}
		if err := s.Validate(); err != nil {
			return badInput("run %s: %v", p.Name(), err)
		}
		sched, err := sim.ParseSchedule(schedule)
		if err != nil {
			return badInput("run %s: --schedule: %v", p.Name(), err)
		}
		scripted := cmd.Flags().Changed("schedule")
		if scripted {
			sched = scriptedSchedule(sched)
		}
		raw, err := json.Marshal(s)
		if err != nil {
			return err
		}
		var o scenario.Outcome
		res, err := execute(g, p.Name(), registeredRun{Scenario: raw, Schedule: sim.FormatSchedule(sched), Scripted: scripted}, func(tracer sim.Tracer) sim.Result {
			o = scenario.Execute(s, g.seed, choicesFor(sched), tracer)
			return o.Result
		})
		if err != nil {
			return err
		}
		if err := printRegisteredRun(cmd.OutOrStdout(), g, p, o, res); err != nil {
			return err
		}
		if o.Violation != nil {
			return findingError{msg: fmt.Sprintf("run %s: %s", p.Name(), o.Violation)}
		}
		return nil
	}
	return cmd
}

// printRegisteredRun prints a run of p: the protocol's own tables (its
// Show), then the verdict and the counters every run has. With --format
// json it prints one document: the protocol's, or the generic one.
func printRegisteredRun(w io.Writer, g *globals, p scenario.Protocol, o scenario.Outcome, res sim.Result) error {
	var shown scenario.Shown
	if o.Show != nil {
		shown = o.Show(o.Run)
	}
	if g.format == "json" {
		if shown.JSON != nil {
			return report.WriteJSON(w, shown.JSON)
		}
		return report.WriteJSON(w, struct {
			Protocol    string              `json:"protocol"`
			Seed        uint64              `json:"seed"`
			Violation   *scenario.Violation `json:"violation"`
			Environment string              `json:"environment,omitempty"`
			Events      int                 `json:"events"`
			Sent        int                 `json:"messages_sent"`
			Dropped     int                 `json:"messages_dropped"`
			End         sim.Time            `json:"end"`
			Reason      string              `json:"end_reason"`
			Hash        string              `json:"trace_hash"`
		}{p.Name(), g.seed, o.Violation, o.Description, res.Events, res.Sent, res.Dropped, res.End, string(res.Reason), res.HashString()})
	}
	for _, t := range shown.Tables {
		if err := report.Write(w, g.format, t); err != nil {
			return err
		}
		if g.format != "csv" {
			fmt.Fprintln(w)
		}
	}
	// Long sentences wrap inside their cell in a terminal table.
	cell := func(s string) string {
		if g.format == "table" {
			return report.Wrap(s, 60)
		}
		return s
	}
	verdict := "every property held"
	if o.Violation != nil {
		verdict = "VIOLATED " + o.Violation.String()
	}
	rows := [][]string{{"verdict", cell(verdict)}}
	if o.Description != "" {
		rows = append(rows, []string{"environment", cell(o.Description)})
	}
	rows = append(rows,
		[]string{"events", fmt.Sprint(res.Events)},
		[]string{"messages sent", fmt.Sprint(res.Sent)},
		[]string{"messages dropped", fmt.Sprint(res.Dropped)},
		[]string{"ended", fmt.Sprintf("%s (%s)", res.End, res.Reason)},
		[]string{"trace hash", res.HashString()},
	)
	return report.Write(w, g.format, report.Table{
		Name:   "run",
		Title:  fmt.Sprintf("%s, seed %d", p.Name(), g.seed),
		Header: []string{"what", "value"},
		Rows:   rows,
	})
}

// addRegisteredAliases gives every registered protocol that has no
// command of its own a top-level `simulate NAME`, the same command as
// `simulate run NAME`.
func addRegisteredAliases(root *cobra.Command, g *globals) {
	taken := map[string]bool{}
	for _, c := range root.Commands() {
		taken[c.Name()] = true
	}
	for _, name := range scenario.Names() {
		if taken[name] {
			continue
		}
		p, _ := scenario.Lookup(name)
		root.AddCommand(newRunRegistered(g, p))
	}
}

func newCheckRegistered(g *globals, p scenario.Protocol) *cobra.Command {
	var checks, feedback int
	var full bool
	cmd := &cobra.Command{
		Use:   p.Name(),
		Short: "Search " + p.Name() + "'s environments for a property violation and shrink it",
		Args:  cobra.NoArgs,
	}
	s := scenario.NewSearch(p)
	p.Flags(cmd.Flags(), s)
	if h, ok := p.(scenario.Helped); ok {
		cmd.Long = h.CheckHelp()
	}
	cmd.Flags().IntVar(&checks, "checks", 200, "number of seeded runs to try")
	cmd.Flags().IntVar(&feedback, "feedback", 0, "coverage-guided search: this many of every 4 runs (1-4) replay a kept run that reached a rare condition up to a random point, then draw fresh; 0: every run draws fresh")
	fullTraceFlag(cmd, &full)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := s.Validate(); err != nil {
			return badInput("check %s: %v", p.Name(), err)
		}
		if checks < 1 || checks > 10_000_000 {
			return badInput("check %s: --checks %d: want 1 to 10000000", p.Name(), checks)
		}
		if feedback < 0 || feedback > 4 {
			return badInput("check %s: --feedback %d: want 0 (off) to 4 of every 4 runs", p.Name(), feedback)
		}
		rep := scenario.Check(s, g.seed, search.Config{Checks: checks, Seed: g.seed, Keep: keepFailures, Feedback: feedback})
		w := cmd.OutOrStdout()
		if !rep.Failed {
			return printRegisteredCoverage(w, g, p, rep)
		}
		ce := rep.Counterexample
		sched := sim.FormatSchedule(rep.Draws.Values())
		raw, err := json.Marshal(s)
		if err != nil {
			return err
		}
		replay := fmt.Sprintf("simulate %s %s --schedule %s --seed %d", p.Name(), replayArgs(p, cmd.LocalFlags(), "checks", "full-trace"), shellQuote(sched), g.seed)
		replay = strings.Replace(replay, "  ", " ", 1)
		if err := confirmViolation(g, p.Name(), registeredRun{Scenario: raw, Schedule: sched, Scripted: true}, g.seed, ce.Violation.String()); err != nil {
			return err
		}
		msg := fmt.Sprintf("check %s: %s", p.Name(), ce.Violation)
		if g.format == "json" {
			out := struct {
				Protocol  string              `json:"protocol"`
				Checks    int                 `json:"checks"`
				Seed      uint64              `json:"seed"`
				Found     bool                `json:"found"`
				FirstAt   int                 `json:"found_at_run"`
				Violation *scenario.Violation `json:"violation"`
				NonZero   int                 `json:"nonzero_draws"`
				Schedule  []sim.Choice        `json:"schedule"`
				Events    int                 `json:"events"`
				Replay    string              `json:"replay"`
			}{p.Name(), checks, g.seed, true, rep.FirstAt, ce.Violation, rep.Draws.NonZero(), rep.Draws.Interesting(), len(rep.Log.Events), replay}
			if err := report.WriteJSON(w, out); err != nil {
				return err
			}
			return findingError{msg: msg}
		}
		prose(w, msg)
		fmt.Fprintln(w)
		prose(w, fmt.Sprintf("found at run %d; shrunk in %d replays to %d non-boring draws.", rep.FirstAt, rep.ShrinkRuns, rep.Draws.NonZero()))
		if ce.Description != "" {
			prose(w, "the shrunk run: "+ce.Description)
		}
		fmt.Fprintf(w, "\nschedule (non-boring draws of %d):\n%s\n", len(rep.Draws), rep.Draws)
		printCounterexampleTrace(w, rep.Log, ce.Violation.String(), full)
		fmt.Fprintf(w, "\nreplay: %s\n", replay)
		return findingError{msg: msg}
	}
	return cmd
}

func printRegisteredCoverage(w io.Writer, g *globals, p scenario.Protocol, rep scenario.Report) error {
	if g.format == "json" {
		return report.WriteJSON(w, struct {
			Protocol string           `json:"protocol"`
			Runs     int              `json:"runs"`
			Seed     uint64           `json:"seed"`
			Found    bool             `json:"found"`
			Coverage []scenario.Count `json:"coverage"`
		}{p.Name(), rep.Runs, g.seed, false, rep.Coverage})
	}
	t := report.Table{
		Title:  fmt.Sprintf("check %s: no property broke in %d runs; what the search covered", p.Name(), rep.Runs),
		Header: []string{"runs with", "count"},
	}
	for _, c := range rep.Coverage {
		t.Rows = append(t.Rows, []string{c.Name, fmt.Sprint(c.Runs)})
	}
	return report.Write(w, g.format, t)
}
