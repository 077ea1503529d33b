package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"simulate/protocols/pbft"
	"simulate/report"
	"simulate/search"
	"simulate/sim"
)

func init() {
	commands = append(commands, newPBFTCommand)
	checkCommands = append(checkCommands, newCheckPBFTCommand)
	replayers["pbft"] = func(raw json.RawMessage, seed uint64, tracer sim.Tracer) (sim.Result, error) {
		var s pbft.Scenario
		if err := json.Unmarshal(raw, &s); err != nil {
			return sim.Result{}, err
		}
		o, err := pbft.Run(s, seed, tracer)
		return o.Sim, err
	}
}

// pbftFlags binds the scenario flags `simulate pbft` and `simulate check
// pbft` share.
func pbftFlags(cmd *cobra.Command, s *pbft.Scenario) {
	fs := cmd.Flags()
	fs.IntVar(&s.Replicas, "replicas", s.Replicas, "number of replicas n")
	fs.IntVar(&s.Traitors, "traitors", s.Traitors, "number of Byzantine replicas")
	fs.IntSliceVar(&s.TraitorIDs, "traitor-ids", nil, "which replicas are traitors (default: the first ones, so the first primary is faulty)")
	fs.StringVar(&s.Strategy, "strategy", s.Strategy, "traitor strategy, or a comma-separated list, one per traitor: "+strings.Join(pbft.Strategies, ", "))
	fs.IntVar(&s.Requests, "requests", s.Requests, "number of client requests")
	fs.IntVar(&s.Clients, "clients", s.Clients, "number of clients, one outstanding request each")
	fs.Float64Var(&s.Loss, "loss", s.Loss, "probability that a message is lost (until --gst)")
	timeVar(fs, &s.Jitter, "jitter", s.Jitter, "most extra delay of a message beyond the 1ms base")
	timeVar(fs, &s.GST, "gst", s.GST, "global stabilisation time: loss stops then (0: never)")
	fs.IntVar(&s.Checkpoint, "checkpoint", s.Checkpoint, "checkpoint interval k; the log window is 2k")
	fs.StringVar(&s.Bug, "bug", s.Bug, "teaching bug switch (see --list-bugs)")
	timeVar(fs, &s.Limit, "limit", s.Limit, "virtual time limit of a run")
	fs.Var(pbftPartitionFlag{s}, "partition", "cut replicas off from the others for a while: IDS@FROM..TO, e.g. 1,2@100ms..300ms (cut off from the clients too)")
	fs.Var(faultsFlag{&s.Faults}, "faults", faultsUsage)
	fs.Var(pbftCrashFlag{s}, "crash", "crash a replica and restart it from its durable storage: ID@FROM..TO, e.g. 1@5ms..20ms (repeatable; see --bug amnesia)")
}

// pbftCrashFlag is the repeatable --crash flag.
type pbftCrashFlag struct{ s *pbft.Scenario }

func (f pbftCrashFlag) String() string {
	if f.s == nil {
		return ""
	}
	parts := make([]string, len(f.s.Crashes))
	for i, c := range f.s.Crashes {
		parts[i] = c.String()
	}
	return strings.Join(parts, ",")
}

func (f pbftCrashFlag) Set(v string) error {
	c, err := pbft.ParseCrash(v)
	if err != nil {
		return err
	}
	f.s.Crashes = append(f.s.Crashes, c)
	return nil
}

func (f pbftCrashFlag) Type() string { return "crash" }

// pbftPartitionFlag is the --partition flag.
type pbftPartitionFlag struct{ s *pbft.Scenario }

func (f pbftPartitionFlag) String() string {
	if f.s == nil || f.s.Partition == nil {
		return ""
	}
	return f.s.Partition.String()
}

func (f pbftPartitionFlag) Set(v string) error {
	p, err := pbft.ParsePartition(v)
	if err != nil {
		return err
	}
	f.s.Partition = p
	return nil
}

func (f pbftPartitionFlag) Type() string { return "partition" }

func newPBFTCommand(g *globals) *cobra.Command {
	s := pbft.Default()
	var listBugs bool
	cmd := &cobra.Command{
		Use:   "pbft",
		Short: "Run PBFT (Castro–Liskov) with Byzantine replicas",
		Long: `pbft runs Castro and Liskov's Practical Byzantine Fault Tolerance with n
replicas, some of them traitors, and a client issuing requests: pre-prepare,
prepare and commit with quorums of 2f+1, execution in sequence order,
replies accepted on f+1 matching ones, checkpoints that collect the log,
and view changes with signed certificates when the primary misbehaves.

It prints what each replica committed, whether the honest ones agree,
how many requests completed, the view changes, messages per request and
latency.

Strategies: ` + strings.Join(pbft.Strategies, ", ") + `.
With --replicas 3 --traitors 1 (n = 3f) an equivocating primary splits
the honest replicas: the 3f+1 bound.

--crash ID@FROM..TO crashes a replica and restarts it; it resumes from
what it wrote to durable storage (its view and what it pre-prepared and
prepared at each sequence number). With --bug amnesia it comes back
empty; try --traitors 0 --requests 6 --checkpoint 10 --crash 0@2ms..3ms
--crash 1@4ms..5ms --crash 2@6ms..7ms, with and without the bug.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			if listBugs {
				for _, b := range pbft.BugInfos {
					fmt.Fprintln(out, bugLine(b.Name, b.Description, b.Needs))
				}
				return nil
			}
			if s.Traitors == 0 && !cmd.Flags().Changed("strategy") {
				s.Strategy = ""
			}
			if err := s.Validate(); err != nil {
				return badInput("pbft: %v", err)
			}
			var o pbft.Outcome
			_, err := execute(g, "pbft", s, func(tracer sim.Tracer) sim.Result {
				o, _ = pbft.Run(s, g.seed, tracer)
				return o.Sim
			})
			if err != nil {
				return err
			}
			if g.format == "json" {
				return report.WriteJSON(out, o)
			}
			return report.Write(out, g.format, pbftTable(s, g.seed, o))
		},
	}
	pbftFlags(cmd, &s)
	cmd.Flags().StringVar(&s.Schedule, "schedule", "", "replay recorded environment draws (index=value,...) instead of drawing from the seed, as check pbft prints them")
	cmd.Flags().BoolVar(&s.StopOnViolation, "stop-on-violation", false, "stop at the first disagreement between honest replicas")
	cmd.Flags().BoolVar(&listBugs, "list-bugs", false, "print the teaching bug switches, one a line with what each breaks and needs, and exit")
	return cmd
}

func pbftTable(s pbft.Scenario, seed uint64, o pbft.Outcome) report.Table {
	plural := "s"
	if s.Traitors == 1 {
		plural = ""
	}
	t := report.Table{
		Title: fmt.Sprintf("PBFT: %d replicas (f=%d, quorum %d), %d traitor%s, %d requests, loss %g, seed %d",
			o.Replicas, o.F, o.Quorum, o.Traitors, plural, o.Requests, s.Loss, seed),
		Header: []string{"replica", "role", "view", "executed", "stable", "committed sequence"},
	}
	if s.Bug != "" {
		t.Title += ", bug " + s.Bug
	}
	for _, r := range o.PerReplica {
		role := "honest"
		if r.Role != pbft.Honest || pbftHas(o.TraitorIDs, r.ID) {
			role = "traitor: " + r.Role
		}
		t.Rows = append(t.Rows, []string{
			fmt.Sprintf("n%d", r.ID), role, fmt.Sprint(r.View), fmt.Sprint(r.Executed), fmt.Sprint(r.Stable), pbftCommittedText(r.Committed),
		})
	}
	agreement := "agreement: yes, no two honest replicas committed different requests at one sequence number"
	validity := "validity: yes, honest replicas committed only requests clients issued"
	if !o.Agreement {
		agreement = "agreement: NO, " + strings.TrimPrefix(o.Violation, "agreement: ")
	}
	if !o.Validity {
		validity = "validity: NO, " + strings.TrimPrefix(o.Violation, "validity: ")
	}
	t.Notes = []string{
		agreement,
		validity,
		fmt.Sprintf("requests completed: %d of %d", o.Completed, o.Requests),
		fmt.Sprintf("view changes: %d", o.ViewChanges),
		fmt.Sprintf("messages: %d (%.1f per completed request)", o.Messages, o.MessagesPerRequest),
		fmt.Sprintf("latency: mean %v, max %v", o.LatencyMean, o.LatencyMax),
		fmt.Sprintf("trace hash: %s", o.Hash),
	}
	return t
}

func pbftHas(ids []int, id int) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// pbftCommittedText renders a committed sequence: "_" where the replica did
// not commit a sequence number itself, and at most 12 entries.
func pbftCommittedText(c []string) string {
	const most = 12
	parts := make([]string, 0, most+1)
	for i, d := range c {
		if i == most {
			parts = append(parts, fmt.Sprintf("… (%d in all)", len(c)))
			break
		}
		if d == "" {
			d = "_"
		}
		parts = append(parts, d)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

func newCheckPBFTCommand(g *globals) *cobra.Command {
	s := pbft.Default()
	s.Strategy, s.Requests, s.Checkpoint = "", 4, 2
	s.GST, s.Limit = 300*sim.Millisecond, 30*sim.Second
	var checks, crashes int
	cmd := &cobra.Command{
		Use:   "pbft",
		Short: "Search PBFT for safety violations and liveness failures",
		Long: `check pbft draws which replicas are traitors, each traitor's strategy
(unless --strategy names one), the loss rate, the jitter and every
message's delay and loss, and checks that no two honest replicas commit
different requests at one sequence number and that no replica commits a
request no client issued. With at most f = (n-1)/3 traitors it also
checks liveness: every request completes once the network stops losing
messages at --gst.

A violation is shrunk to the smallest schedule the search can find, printed
with its trace and a command that replays it, and the exit status is 1.
Try --replicas 3 --traitors 1 (n = 3f) or --bug small-quorum.

--crashes N also draws up to N crash-restarts per run (never more than f
replicas down at once); replicas come back from their durable storage.
Try --traitors 0 --crashes 4 --bug amnesia --requests 6 --checkpoint 4
--checks 500: without stable storage, restarts fork the replicas.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s.StopOnViolation = true
			v := s
			if v.Strategy == "" {
				v.Strategy = pbft.Honest // drawn per run
			}
			if err := v.Validate(); err != nil {
				return badInput("check pbft: %v", err)
			}
			if checks < 1 || checks > 1000000 {
				return badInput("check pbft: --checks %d: want 1 to 1000000", checks)
			}
			if crashes < 0 || crashes > 16 {
				return badInput("check pbft: --crashes %d: want 0 to 16", crashes)
			}
			if pbft.BugNeedsCrashes(s.Bug) && crashes == 0 && len(s.Crashes) == 0 {
				return badInput("check pbft: --bug %s shows only with crash-restarts: add --crashes N (e.g. --crashes 4) or --crash ID@FROM..TO", s.Bug)
			}
			return checkPBFT(cmd.OutOrStdout(), g, s, checks, crashes)
		},
	}
	pbftFlags(cmd, &s)
	cmd.Flags().IntVar(&checks, "checks", 100, "number of random runs to try")
	fullTraceFlag(cmd, &g.fullTrace)
	cmd.Flags().IntVar(&crashes, "crashes", 0, "also draw up to this many crash-restarts per run (each may be none; never more than f replicas down at once)")
	return cmd
}

type pbftFailure struct {
	scenario pbft.Scenario
	run      search.WorldRun
	out      pbft.Outcome
	what     string
}

// crashSpan is when drawn crash-restarts may begin: early, while the
// first requests are in flight.
const crashSpan = 30 * sim.Millisecond

func checkPBFT(w io.Writer, g *globals, base pbft.Scenario, checks, crashes int) error {
	live := base.Traitors <= base.Params().F
	cov := map[string]int{}
	var fail *pbftFailure
	res := search.Run(search.Config{Checks: checks, Seed: g.seed}, func(t *search.T) {
		s := pbft.Draw(t, base)
		if crashes > 0 {
			s = pbft.DrawCrashes(t, s, crashes, crashSpan)
		}
		st, err := pbft.NewSetup(s, 1)
		if err != nil {
			t.Fail("setup", "%v", err)
			return
		}
		var world *sim.World
		run := search.RunWorld(t, st.Config(), func(x *sim.World) { world = x; st.ScheduleFaults(x) })
		o := st.Outcome(world, run.Result)
		cov := cov
		if t.Phase() != search.Searching {
			cov = map[string]int{} // shrinking replays are not coverage
		}
		cov["runs"]++
		if o.ViewChanges > 0 {
			cov["a view change"]++
		}
		if run.Result.Dropped > 0 {
			cov["lost messages"]++
		}
		if run.Result.Restarts > 0 {
			cov["a crash-restart"]++
		}
		if run.Result.Restarts > o.F {
			cov["more than f crash-restarts"]++
		}
		for i, id := range o.TraitorIDs {
			if id == 0 && o.Strategies[i] != pbft.Honest {
				cov["a faulty first primary"]++
			}
		}
		property, what := "", ""
		switch {
		case !o.Agreement || !o.Validity:
			property, what = "safety", o.Violation
		case live && o.Completed < o.Requests:
			property, what = "liveness", fmt.Sprintf("liveness: only %d of %d requests completed by %v, with loss stopping at %v", o.Completed, o.Requests, s.Limit, s.GST)
		case base.Traitors == 0 && base.Bug == "":
			// Every correct replica that is up executes every committed
			// request within a bound after GST. Judged without traitors
			// only: a silent traitor can still leave an honest replica
			// behind longer than the bound (a known gap, not yet fixed);
			// the teaching bugs are shown breaking safety.
			if v := pbft.CheckCatchUp(s, o, pbft.CatchUpBound); v != "" {
				property, what = "catch-up", v
			}
		}
		if what != "" {
			fail = &pbftFailure{scenario: s, run: run, out: o, what: what}
			t.Fail(property, "%s", what)
		}
	})
	if !res.Failed || fail == nil {
		props := "safety (agreement, validity)"
		if live {
			props += " and liveness after GST"
		}
		fmt.Fprintf(w, "check pbft: no violation of %s in %d runs of %d replicas with %d traitor(s)\n", props, cov["runs"], base.Replicas, base.Traitors)
		keys := make([]string, 0, len(cov))
		for k := range cov {
			if k != "runs" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  runs with %s: %d\n", k, cov[k])
		}
		return nil
	}
	f := fail
	replayed := f.scenario
	replayed.Schedule = pbft.FormatSchedule(f.run.Draws.Values())
	if err := confirmViolation(g, "pbft", replayed, 1, f.what); err != nil {
		return err
	}
	fmt.Fprintf(w, "check pbft: %s\n\n", f.what)
	traitors := "no traitors"
	if len(f.scenario.TraitorIDs) > 0 {
		traitors = fmt.Sprintf("traitors %v playing %s", f.scenario.TraitorIDs, f.scenario.Strategy)
	}
	fmt.Fprintf(w, "shrunk scenario: %d replicas (f=%d, quorum %d), %s, loss %g, jitter %v",
		f.scenario.Replicas, f.out.F, f.out.Quorum, traitors, f.scenario.Loss, f.scenario.Jitter)
	if len(f.scenario.Crashes) > 0 {
		cs := make([]string, len(f.scenario.Crashes))
		for i, c := range f.scenario.Crashes {
			cs[i] = c.String()
		}
		fmt.Fprintf(w, ", crash-restarts %s", strings.Join(cs, " "))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "schedule (non-boring draws of %d):\n%s\n", len(f.run.Draws), f.run.Draws)
	printCounterexampleTrace(w, f.run.Log, f.what, g.fullTrace)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "replay: %s\n", pbftReplayCommand(f.scenario, pbft.FormatSchedule(f.run.Draws.Values())))
	return findingError{msg: "check pbft: " + f.what}
}

// pbftReplayCommand is the `simulate pbft` command line that reruns s with
// the recorded schedule.
func pbftReplayCommand(s pbft.Scenario, schedule string) string {
	args := []string{"simulate pbft",
		fmt.Sprintf("--replicas %d --traitors %d", s.Replicas, s.Traitors)}
	if len(s.TraitorIDs) > 0 {
		ids := make([]string, len(s.TraitorIDs))
		for i, id := range s.TraitorIDs {
			ids[i] = fmt.Sprint(id)
		}
		args = append(args, "--traitor-ids "+strings.Join(ids, ","))
	}
	if s.Strategy != "" {
		args = append(args, "--strategy "+s.Strategy)
	}
	args = append(args, fmt.Sprintf("--requests %d --clients %d --checkpoint %d --loss %g --jitter %v --gst %v --limit %v",
		s.Requests, s.Clients, s.Checkpoint, s.Loss, s.Jitter, s.GST, s.Limit))
	if s.Bug != "" {
		args = append(args, "--bug "+s.Bug)
	}
	if s.Partition != nil {
		args = append(args, "--partition "+s.Partition.String())
	}
	for _, c := range s.Crashes {
		args = append(args, "--crash "+c.String())
	}
	if s.StopOnViolation {
		args = append(args, "--stop-on-violation")
	}
	if schedule != "" {
		args = append(args, "--schedule "+schedule)
	}
	args = append(args, "--seed 1")
	return strings.Join(args, " ")
}
