package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"simulate/faults"
	"simulate/protocols/paxos"
	"simulate/report"
	"simulate/search"
	"simulate/sim"
)

func init() {
	commands = append(commands, newPaxosCommand)
	checkCommands = append(checkCommands, newCheckPaxosCommand)
	replayers["paxos"] = func(raw json.RawMessage, seed uint64, tracer sim.Tracer) (sim.Result, error) {
		var s paxos.Scenario
		if err := json.Unmarshal(raw, &s); err != nil {
			return sim.Result{}, err
		}
		if err := s.Validate(); err != nil {
			return sim.Result{}, err
		}
		return paxos.Run(s, seed, tracer).Result, nil
	}
}

// paxosFlags are the scenario flags of `simulate paxos`.
type paxosFlags struct {
	plan                   faults.Plan
	mode                   string
	nodes, proposers       int
	clients, ops           int
	loss, dup              float64
	latency, jitter, step  sim.Time
	gst, limit             sim.Time
	crashes, parts, starts []string
	bug, schedule          string
	listBugs               bool
}

func newPaxosCommand(g *globals) *cobra.Command {
	f := &paxosFlags{}
	d := paxos.Default()
	cmd := &cobra.Command{
		Use:   "paxos",
		Short: "Run single-decree Paxos or a Multi-Paxos key-value store on a faulty network",
		Long: `paxos runs Lamport's Paxos on the simulated network and reports each
node's decision, whether the nodes agree, how long deciding took, how
many messages it cost and how many ballots had to be retried.

Every node is an acceptor and a learner; nodes 0 .. proposers-1 also
propose (node i proposes the value "vi"). Competing proposers duel; a
randomized backoff from each node's own seeded stream settles the duel.
Acceptors keep their promises in durable storage, so a crash and restart
(--crash 2@5ms..40ms) cannot make them forget.

--mode multi runs Multi-Paxos instead: a stable leader, a replicated log
of client commands, catch-up of lagging replicas and leader change on
timeout, with a key-value store on top whose clients issue gets and puts.

--bug NAME plants a teaching bug (see --list-bugs); simulate check paxos
searches for the schedule that makes it break agreement.

--schedule INDEX=VALUE,... replays an exact environment schedule instead
of drawing one from the seed: draw number INDEX takes VALUE and every
other draw is 0, the boring one. simulate check paxos prints such a
command for the counterexample it finds.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.listBugs {
				for _, b := range paxos.Bugs {
					fmt.Fprintln(cmd.OutOrStdout(), bugLine(string(b.Name), b.What, b.Needs))
				}
				return nil
			}
			s, err := f.scenario(cmd)
			if err != nil {
				return err
			}
			var out paxos.Outcome
			if _, err := execute(g, "paxos", s, func(tracer sim.Tracer) sim.Result {
				out = paxos.Run(s, g.seed, tracer)
				return out.Result
			}); err != nil {
				return err
			}
			return printPaxos(cmd.OutOrStdout(), g, out)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.mode, "mode", paxos.ModeSingle, "single (single-decree Paxos) or multi (Multi-Paxos key-value store)")
	fs.IntVar(&f.nodes, "nodes", d.Nodes, "number of Paxos nodes (acceptors and learners)")
	fs.IntVar(&f.proposers, "proposers", d.Proposers, "how many nodes propose (in multi mode: stand for leader at the start)")
	fs.IntVar(&f.clients, "clients", 3, "multi mode: key-value clients")
	fs.IntVar(&f.ops, "ops", 10, "multi mode: operations per client")
	fs.Float64Var(&f.loss, "loss", d.Loss, "probability that a message is lost (before --gst)")
	fs.Float64Var(&f.dup, "dup", 0, "probability that a message is duplicated (before --gst)")
	timeVar(fs, &f.latency, "latency", d.Latency, "base one-way message delay")
	timeVar(fs, &f.jitter, "jitter", d.Jitter, "largest extra delay drawn per message (reorders messages)")
	timeVar(fs, &f.step, "jitter-step", 0, "resolution of the drawn extra delay (0: 100µs)")
	timeVar(fs, &f.gst, "gst", 0, "global stabilisation time: no loss or duplication from then on (0: never)")
	timeVar(fs, &f.limit, "limit", d.Limit, "stop the run at this virtual time")
	fs.StringArrayVar(&f.crashes, "crash", nil, "crash NODE@AT, or NODE@AT..RESTART to bring it back (repeatable), e.g. 2@5ms..40ms")
	fs.StringArrayVar(&f.parts, "partition", nil, "cut the network GROUP|GROUP@FROM[..TO] (repeatable), e.g. 0,1|2,3,4@10ms..200ms")
	fs.Var(faultsFlag{&f.plan}, "faults", faultsUsage)
	fs.StringArrayVar(&f.starts, "start", nil, "delay proposer P's first ballot: P@TIME (repeatable)")
	fs.StringVar(&f.bug, "bug", "", "plant a teaching bug (see --list-bugs)")
	fs.StringVar(&f.schedule, "schedule", "", "replay an exact environment schedule INDEX=VALUE,... (other draws 0)")
	fs.BoolVar(&f.listBugs, "list-bugs", false, "print the teaching bugs, one a line with what each breaks and needs, and exit")
	return cmd
}

// scenario builds and validates the scenario the flags describe.
func (f *paxosFlags) scenario(cmd *cobra.Command) (paxos.Scenario, error) {
	s := paxos.Scenario{
		Mode: f.mode, Nodes: f.nodes, Proposers: f.proposers,
		Latency: f.latency, Jitter: f.jitter, JitterStep: f.step,
		Loss: f.loss, Dup: f.dup, GST: f.gst, Limit: f.limit,
	}
	if f.mode == paxos.ModeMulti {
		s.Clients, s.Ops = f.clients, f.ops
		if !cmd.Flags().Changed("proposers") {
			s.Proposers = 1
		}
	}
	bug, err := paxos.ParseBug(f.bug)
	if err != nil {
		return s, badInput("--bug: %v", err)
	}
	s.Bug = bug
	s.Faults = f.plan
	for _, c := range f.crashes {
		cr, err := paxos.ParseCrash(c)
		if err != nil {
			return s, badInput("--%v", err)
		}
		s.Crashes = append(s.Crashes, cr)
	}
	for _, p := range f.parts {
		pt, err := paxos.ParsePartition(p)
		if err != nil {
			return s, badInput("--%v", err)
		}
		s.Partitions = append(s.Partitions, pt)
	}
	for _, st := range f.starts {
		id, at, ok := strings.Cut(st, "@")
		p, err := strconv.Atoi(id)
		t, terr := sim.ParseTime(at)
		if !ok || err != nil || terr != nil || p < 0 || t < 0 {
			return s, badInput("--start %q: want PROPOSER@TIME, e.g. 1@3ms", st)
		}
		if p >= s.Proposers {
			return s, badInput("--start %q: node %d is not a proposer (proposers are 0 to %d)", st, p, s.Proposers-1)
		}
		for len(s.Starts) <= p {
			s.Starts = append(s.Starts, 0)
		}
		s.Starts[p] = t
	}
	if cmd.Flags().Changed("schedule") {
		ds, err := paxos.ParseSchedule(f.schedule)
		if err != nil {
			return s, badInput("--schedule: %v", err)
		}
		s.Scripted, s.Schedule = true, ds
	}
	if err := s.Validate(); err != nil {
		return s, badInput("%v", err)
	}
	return s, nil
}

// paxosJSON is the documented JSON output of `simulate paxos`.
type paxosJSON struct {
	Protocol     string            `json:"protocol"`
	Mode         string            `json:"mode"`
	Seed         uint64            `json:"seed"`
	Nodes        int               `json:"nodes"`
	Proposers    int               `json:"proposers"`
	Bug          string            `json:"bug,omitempty"`
	Agreement    bool              `json:"agreement"`
	Validity     bool              `json:"validity"`
	Violations   []paxos.Violation `json:"violations"`
	Decided      int               `json:"decided"`
	Decisions    []paxos.Decision  `json:"decisions"`
	TimeToDecide sim.Time          `json:"time_to_decide"`
	Messages     int               `json:"messages"`
	Delivered    int               `json:"delivered"`
	Dropped      int               `json:"dropped"`
	Duplicated   int               `json:"duplicated"`
	Ballots      int               `json:"ballots"`
	Retries      int               `json:"retries"`
	Crashes      int               `json:"crashes"`
	Restarts     int               `json:"restarts"`
	Up           []bool            `json:"up"`
	Ops          []paxos.Op        `json:"ops,omitempty"`
	End          sim.Time          `json:"end"`
	Reason       string            `json:"reason"`
	Hash         string            `json:"hash"`
	Scenario     paxos.Scenario    `json:"scenario"`
}

// paxosSummary gathers what both the table and the JSON print.
func paxosSummary(g *globals, o paxos.Outcome) paxosJSON {
	s := o.Scenario
	r := o.Result
	v := paxos.Check(o)
	j := paxosJSON{
		Protocol: "paxos", Mode: s.Mode, Seed: g.seed, Nodes: s.Nodes, Proposers: s.Proposers, Bug: string(s.Bug),
		Agreement: true, Validity: true, Violations: v, Decided: o.Decided(), Decisions: o.Decisions,
		Messages: r.Sent, Delivered: r.Delivered, Dropped: r.Dropped, Duplicated: r.Duplicated,
		Ballots: o.Ballots, Retries: o.Retries(), Crashes: r.Crashes, Restarts: r.Restarts, Up: o.Up,
		Ops: o.History, End: r.End, Reason: string(r.Reason), Hash: r.HashString(), Scenario: s,
	}
	if j.Violations == nil {
		j.Violations = []paxos.Violation{}
	}
	if j.Decisions == nil {
		j.Decisions = []paxos.Decision{}
	}
	for _, x := range v {
		switch x.Property {
		case "agreement":
			j.Agreement = false
		case "validity":
			j.Validity = false
		}
	}
	for _, d := range o.Decisions {
		if d.Time > j.TimeToDecide {
			j.TimeToDecide = d.Time
		}
	}
	return j
}

func printPaxos(w io.Writer, g *globals, o paxos.Outcome) error {
	j := paxosSummary(g, o)
	if g.format == "json" {
		return report.WriteJSON(w, j)
	}
	s := o.Scenario
	if s.Mode == paxos.ModeMulti {
		return printMultiPaxos(w, g, o, j)
	}
	first := map[sim.NodeID]paxos.Decision{}
	for _, d := range o.Decisions {
		first[d.Node] = d
	}
	t := report.Table{
		Title:  paxosTitle(g, s),
		Header: []string{"node", "role", "decision", "decided at", "status"},
	}
	for i := 0; i < s.Nodes; i++ {
		id := sim.NodeID(i)
		role := "acceptor"
		if i < s.Proposers {
			role = "proposer " + paxos.ProposalValue(id)
		}
		dec, at := "-", "-"
		if d, ok := first[id]; ok {
			dec, at = d.Value, d.Time.String()
		}
		t.Rows = append(t.Rows, []string{fmt.Sprintf("n%d", i), role, dec, at, paxosStatus(o, i)})
	}
	t.Notes = paxosNotes(o, j)
	return report.Write(w, g.format, t)
}

func paxosStatus(o paxos.Outcome, i int) string {
	crashed, restarted := false, false
	for _, c := range o.Scenario.Crashes {
		if int(c.Node) == i && c.At <= o.Result.End {
			crashed = true
			if c.Restart > 0 && c.Restart <= o.Result.End {
				restarted = true
			}
		}
	}
	switch {
	case !o.Up[i]:
		return "down"
	case restarted:
		return "up (restarted)"
	case crashed:
		return "up"
	}
	return "up"
}

func paxosTitle(g *globals, s paxos.Scenario) string {
	what := fmt.Sprintf("Paxos (single-decree): %d nodes, %d proposer(s)", s.Nodes, s.Proposers)
	if s.Mode == paxos.ModeMulti {
		what = fmt.Sprintf("Multi-Paxos key-value store: %d replicas, %d client(s) x %d ops", s.Nodes, s.Clients, s.Ops)
	}
	net := fmt.Sprintf("latency %s", s.Latency)
	if s.Jitter > 0 {
		net += fmt.Sprintf(" + up to %s jitter", s.Jitter)
	}
	if s.Loss > 0 {
		net += fmt.Sprintf(", loss %g", s.Loss)
	}
	if s.Dup > 0 {
		net += fmt.Sprintf(", dup %g", s.Dup)
	}
	if s.GST > 0 {
		net += fmt.Sprintf(", stable from %s", s.GST)
	}
	bug := ""
	if s.Bug != "" {
		bug = ", bug " + string(s.Bug)
	}
	return fmt.Sprintf("%s; %s; seed %d%s", what, net, g.seed, bug)
}

func paxosNotes(o paxos.Outcome, j paxosJSON) []string {
	s := o.Scenario
	var notes []string
	agree := "yes"
	if !j.Agreement {
		agree = "NO"
	} else if len(o.Decisions) > 0 {
		agree = "yes, on " + o.Decisions[0].Value
		if s.Mode == paxos.ModeMulti {
			agree = "yes, on every slot"
		}
	}
	for _, v := range j.Violations {
		notes = append(notes, "VIOLATED "+v.String())
	}
	notes = append(notes, "agreement: "+agree)
	if s.Mode != paxos.ModeMulti {
		notes = append(notes, fmt.Sprintf("decided: %d of %d nodes; time to decide: %s (the last node)", j.Decided, s.Nodes, sim.Time(j.TimeToDecide)))
	}
	notes = append(notes, fmt.Sprintf("messages: %d sent, %d delivered, %d lost, %d duplicated", j.Messages, j.Delivered, j.Dropped, j.Duplicated))
	if s.Mode == paxos.ModeMulti {
		notes = append(notes, fmt.Sprintf("elections: %d, by %d replica(s)", j.Ballots, len(o.BallotNodes)))
	} else {
		notes = append(notes, fmt.Sprintf("ballots: %d started, %d retries", j.Ballots, j.Retries))
	}
	if j.Crashes > 0 {
		notes = append(notes, fmt.Sprintf("crashes: %d, restarts: %d", j.Crashes, j.Restarts))
	}
	notes = append(notes, fmt.Sprintf("run ended at %s (%s); trace hash %s", o.Result.End, o.Result.Reason, j.Hash))
	return notes
}

func printMultiPaxos(w io.Writer, g *globals, o paxos.Outcome, j paxosJSON) error {
	s := o.Scenario
	slots := map[sim.NodeID]int{}
	last := map[sim.NodeID]sim.Time{}
	for _, d := range o.Decisions {
		slots[d.Node]++
		if d.Time > last[d.Node] {
			last[d.Node] = d.Time
		}
	}
	t := report.Table{
		Title:  paxosTitle(g, s),
		Header: []string{"replica", "slots decided", "last decided at", "status"},
	}
	for i := 0; i < s.Nodes; i++ {
		id := sim.NodeID(i)
		at := "-"
		if slots[id] > 0 {
			at = last[id].String()
		}
		t.Rows = append(t.Rows, []string{fmt.Sprintf("n%d", i), strconv.Itoa(slots[id]), at, paxosStatus(o, i)})
	}
	done := 0
	var lat []sim.Time
	for _, op := range o.History {
		if op.Done {
			done++
			lat = append(lat, op.Return-op.Call)
		}
	}
	t.Notes = paxosNotes(o, j)
	ops := fmt.Sprintf("client operations: %d of %d completed", done, s.Clients*s.Ops)
	if len(lat) > 0 {
		sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
		var sum sim.Time
		for _, l := range lat {
			sum += l
		}
		round := func(t sim.Time) sim.Time {
			return (t + 50*sim.Microsecond) / (100 * sim.Microsecond) * (100 * sim.Microsecond)
		}
		ops += fmt.Sprintf("; latency mean %s, median %s, max %s", round(sum/sim.Time(len(lat))), lat[len(lat)/2], lat[len(lat)-1])
	}
	t.Notes = append([]string{ops}, t.Notes...)
	return report.Write(w, g.format, t)
}

// paxosReplayCommand is the `simulate paxos` command line that reruns s.
func paxosReplayCommand(s paxos.Scenario, seed uint64) string {
	args := []string{"simulate paxos"}
	add := func(format string, a ...any) { args = append(args, fmt.Sprintf(format, a...)) }
	if s.Mode == paxos.ModeMulti {
		add("--mode multi --clients %d --ops %d", s.Clients, s.Ops)
	}
	add("--nodes %d --proposers %d", s.Nodes, s.Proposers)
	add("--latency %s --jitter %s", s.Latency, s.Jitter)
	if s.JitterStep > 0 {
		add("--jitter-step %s", s.JitterStep)
	}
	add("--loss %g", s.Loss)
	if s.Dup > 0 {
		add("--dup %g", s.Dup)
	}
	if s.GST > 0 {
		add("--gst %s", s.GST)
	}
	for p, t := range s.Starts {
		if t > 0 {
			add("--start %d@%s", p, t)
		}
	}
	for _, c := range s.Crashes {
		add("--crash %s", c)
	}
	for _, p := range s.Partitions {
		add("--partition '%s'", p)
	}
	add("--limit %s", s.Limit)
	if s.Bug != "" {
		add("--bug %s", s.Bug)
	}
	if s.Scripted {
		add("--schedule '%s'", paxos.FormatSchedule(s.Schedule))
	}
	add("--seed %d", seed)
	return strings.Join(args, " ")
}

// paxosCoverage counts what a passing search looked at.
type paxosCoverage struct {
	Runs        int `json:"runs"`
	Restarts    int `json:"crash_restart"`
	Competing   int `json:"competing_proposers"`
	Drops       int `json:"drops"`
	Duplicates  int `json:"duplicates"`
	Retries     int `json:"retries"`
	Termination int `json:"termination_checked"`
	Partitions  int `json:"partition"`
}

func (c *paxosCoverage) add(o paxos.Outcome, partitioned bool) {
	c.Runs++
	if partitioned {
		c.Partitions++
	}
	r := o.Result
	if r.Restarts > 0 {
		c.Restarts++
	}
	if o.Competing() {
		c.Competing++
	}
	if r.Dropped > 0 {
		c.Drops++
	}
	if r.Duplicated > 0 {
		c.Duplicates++
	}
	if o.Retries() > 0 {
		c.Retries++
	}
	if o.TerminationApplies() {
		c.Termination++
	}
}

// paxosCheckJSON is the JSON output of `simulate check paxos`.
type paxosCheckJSON struct {
	Protocol  string           `json:"protocol"`
	Bug       string           `json:"bug,omitempty"`
	Nodes     int              `json:"nodes"`
	Proposers int              `json:"proposers"`
	Checks    int              `json:"checks"`
	Seed      uint64           `json:"seed"`
	Found     bool             `json:"found"`
	Coverage  paxosCoverage    `json:"coverage"`
	Violation *paxos.Violation `json:"violation,omitempty"`
	FirstAt   int              `json:"found_at_run,omitempty"`
	NonZero   int              `json:"nonzero_draws,omitempty"`
	Schedule  []sim.Choice     `json:"schedule,omitempty"`
	Events    int              `json:"events,omitempty"`
	Replay    string           `json:"replay,omitempty"`
	Scenario  *paxos.Scenario  `json:"scenario,omitempty"`
}

func newCheckPaxosCommand(g *globals) *cobra.Command {
	var bug string
	var checks, nodes, proposers int
	cmd := &cobra.Command{
		Use:   "paxos",
		Short: "Search schedules, loss, duplicates and crash-restarts for a Paxos violation",
		Long: `check paxos runs single-decree Paxos under property-based search.
Each run draws its own fault mix (swarm testing): loss and duplication
rates, when the second proposer starts, and up to two crash-restarts, then
every message's fate. The network is stable from 200ms on. The properties:

  agreement    no two nodes decide different values (every incarnation)
  validity     a decided value was proposed
  termination  after GST, with a majority and a proposer up, every live
               node decides within 2s

With --bug NAME the search should find a violation. It keeps the first
five failing runs, shrinks each by replaying its recorded draws while
zeroing, lowering and removing them, prints the simplest schedule and its
trace in words with a command that replays it, and exits 1. With no bug it reports how many runs had a crash-restart,
competing proposers, lost and duplicated messages, and exits 0.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := paxos.ParseBug(bug)
			if err != nil {
				return badInput("--bug: %v", err)
			}
			if checks < 1 {
				return badInput("--checks %d: want at least 1", checks)
			}
			s := paxos.SwarmScenario(nodes, proposers, b)
			if err := s.Validate(); err != nil {
				return badInput("%v", err)
			}
			return checkPaxos(cmd.OutOrStdout(), g, s, checks)
		},
	}
	cmd.Flags().StringVar(&bug, "bug", "", "plant a teaching bug (see simulate paxos --list-bugs)")
	cmd.Flags().IntVar(&checks, "checks", 1000, "number of random runs to try before giving up")
	fullTraceFlag(cmd, &g.fullTrace)
	cmd.Flags().IntVar(&nodes, "nodes", 3, "number of Paxos nodes")
	cmd.Flags().IntVar(&proposers, "proposers", 2, "number of proposers")
	return cmd
}

// paxosKeepFailures is how many failing runs the search collects before it
// stops running new cases; each is shrunk and the simplest is shown.
const paxosKeepFailures = 5

func checkPaxos(w io.Writer, g *globals, s paxos.Scenario, checks int) error {
	var cov paxosCoverage
	res, ce := paxos.Search(s, g.seed, search.Config{Checks: checks, Seed: g.seed, Keep: paxosKeepFailures}, func(in *paxos.Instance, o paxos.Outcome) {
		cov.add(o, len(in.Resolved().Partitions) > 0)
	})
	firstAt := res.FirstAt
	out := paxosCheckJSON{Protocol: "paxos", Bug: string(s.Bug), Nodes: s.Nodes, Proposers: s.Proposers, Checks: checks, Seed: g.seed, Coverage: cov}
	if !res.Failed {
		if g.format == "json" {
			return report.WriteJSON(w, out)
		}
		fmt.Fprintf(w, "check paxos: no violation of agreement, validity or termination after GST in %d runs of %d nodes with %d proposers\n", cov.Runs, s.Nodes, s.Proposers)
		t := report.Table{
			Title:  "what the search covered",
			Header: []string{"runs with", "count", "share"},
		}
		row := func(what string, n int) {
			t.Rows = append(t.Rows, []string{what, strconv.Itoa(n), fmt.Sprintf("%.0f%%", 100*float64(n)/float64(max(cov.Runs, 1)))})
		}
		row("a crash-restart", cov.Restarts)
		row("competing proposers", cov.Competing)
		row("a partition that healed", cov.Partitions)
		row("lost messages", cov.Drops)
		row("duplicated messages", cov.Duplicates)
		row("a retried ballot", cov.Retries)
		row("termination checked", cov.Termination)
		return report.Write(w, g.format, t)
	}
	v := ce.Violations[0]
	replay := paxosReplayCommand(ce.Replay, g.seed)
	if err := confirmViolation(g, "paxos", ce.Replay, g.seed, v.String()); err != nil {
		return err
	}
	out.Found, out.Violation, out.FirstAt, out.NonZero = true, &v, firstAt, ce.NonZero()
	out.Events, out.Replay, out.Scenario = len(ce.Log.Events), replay, &ce.Replay
	for _, c := range ce.Choices {
		if c.Value != 0 {
			out.Schedule = append(out.Schedule, c)
		}
	}
	msg := fmt.Sprintf("check paxos: %s", v)
	if g.format == "json" {
		if err := report.WriteJSON(w, out); err != nil {
			return err
		}
		return findingError{msg: msg}
	}
	bug := "no bug"
	if s.Bug != "" {
		bug = "bug " + string(s.Bug)
	}
	fmt.Fprintf(w, "check paxos (%s, %d nodes, %d proposers): %s\n\n", bug, s.Nodes, s.Proposers, v)
	fmt.Fprintf(w, "first found at run %d of the search; the simplest of %d failing runs shrinks to %d non-boring draws.\n", firstAt, res.Failures, ce.NonZero())
	r := ce.Replay
	fmt.Fprintf(w, "the shrunk run: loss %g, dup %g", r.Loss, r.Dup)
	for p, t := range r.Starts {
		if t > 0 {
			fmt.Fprintf(w, ", n%d starts at %s", p, t)
		}
	}
	for _, c := range r.Crashes {
		if c.Restart > 0 {
			fmt.Fprintf(w, ", n%d down %s..%s", c.Node, c.At, c.Restart)
		} else {
			fmt.Fprintf(w, ", n%d down from %s", c.Node, c.At)
		}
	}
	fmt.Fprintf(w, "\n\nschedule (non-boring draws of %d):\n%s\n", len(ce.Choices), ce.Schedule())
	printCounterexampleTrace(w, ce.Log, v.String(), g.fullTrace)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "replay: %s\n", replay)
	return findingError{msg: msg}
}
