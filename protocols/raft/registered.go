package raft

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"simulate/check"
	"simulate/protocols/internal/flagval"
	"simulate/report"
	"simulate/scenario"
	"simulate/sim"
)

// properties lists Raft's properties in the order a run is judged: safety
// first (the monitor's three, the commit quorum, log matching,
// linearizability), liveness last.
var properties = []string{
	PropElectionSafety, PropLeaderCompleteness, PropStateMachineSafety,
	PropCommitQuorum, PropLogMatching, PropLinearizability, PropLiveness,
}

// Build implements scenario.Scenario: a swarm scenario draws its fault mix
// from c first, then the network draws every message's fate.
func (s *Scenario) Build(seed uint64, c sim.Choices) scenario.World {
	in := s.Instance(seed, c, nil)
	// Every property reads one judgement of the finished run.
	judge := scenario.Memo(func(r scenario.Run) []Violation { return Check(in.Outcome(r.Result)) })
	w := scenario.World{Config: in.Config, Setup: in.Setup}
	for _, name := range properties {
		w.Properties = append(w.Properties, scenario.Property{Name: name, Check: func(r scenario.Run) error {
			for _, v := range judge(r) {
				if v.Property == name {
					return fmt.Errorf("%s", v.Detail)
				}
			}
			return nil
		}})
	}
	cov := func(f func(Coverage) bool) func(scenario.Run) bool {
		return func(r scenario.Run) bool { return f(CoverageOf(in.resolved.Nodes, r.Result.Observations)) }
	}
	w.Coverage = []scenario.Sometimes{
		{Name: "a split vote", Hit: cov(func(c Coverage) bool { return c.SplitVotes > 0 })},
		{Name: "a leader change", Hit: cov(func(c Coverage) bool { return c.LeaderChanges > 0 })},
		{Name: "a leader change with uncommitted entries", Hit: cov(func(c Coverage) bool { return c.UncommittedLeaderChanges > 0 })},
		{Name: "a restart mid-term", Hit: cov(func(c Coverage) bool { return c.MidTermRestarts > 0 })},
		{Name: "a crash-restart", Hit: func(r scenario.Run) bool { return r.Result.Restarts > 0 }},
		{Name: "liveness judged (faults over by GST)", Hit: func(r scenario.Run) bool { return in.Outcome(r.Result).LivenessApplies() }},
	}
	w.Describe = func() string { return describe(in.resolved) }
	w.Show = func(r scenario.Run) scenario.Shown { return scenario.Shown{Tables: []report.Table{show(in, r)}} }
	return w
}

// show is `simulate raft`'s table: where each replica ended (its role,
// term, log and how much of it the store applied), and under it how the
// clients fared and how often leadership changed.
func show(in *Instance, r scenario.Run) report.Table {
	s := in.resolved
	t := report.Table{
		Name:   "replicas",
		Title:  fmt.Sprintf("Raft key-value store: %d replicas, %d client(s) x %d ops", s.Nodes, s.Clients, s.Ops),
		Header: []string{"replica", "role", "term", "log entries", "applied", "status"},
	}
	for i := range s.Nodes {
		id := sim.NodeID(i)
		name := fmt.Sprintf("n%d", i)
		if r.World.Crashed(id) {
			t.Rows = append(t.Rows, []string{name, "", "", "", "", "down"})
			continue
		}
		n, ok := r.World.Node(id).(Replica)
		if !ok {
			continue
		}
		role := "follower"
		if n.Leading() {
			role = "leader"
		}
		t.Rows = append(t.Rows, []string{name, role, fmt.Sprint(n.Term()), fmt.Sprint(n.LastIndex()), fmt.Sprint(n.Applied()), "up"})
	}
	ops := History(r.Result.Observations, s.Nodes)
	var lat []float64
	for _, op := range ops {
		if op.Done {
			lat = append(lat, (op.Return-op.Call).Seconds()*1000)
		}
	}
	mean, _ := check.MeanSE(lat)
	p := check.Percentiles(lat, 50, 100)
	c := CoverageOf(s.Nodes, r.Result.Observations)
	t.Notes = []string{
		fmt.Sprintf("client operations: %d of %d completed; latency mean %.1fms, median %.1fms, max %.1fms", len(lat), len(ops), mean, p[0], p[1]),
		fmt.Sprintf("elections: %d leader change(s) after the first, %d split vote(s)", c.LeaderChanges, c.SplitVotes),
	}
	return t
}

// describe says in a line what a resolved scenario's swarm drew.
func describe(r Scenario) string {
	var parts []string
	if r.Loss > 0 || r.Dup > 0 {
		parts = append(parts, fmt.Sprintf("loss %g, dup %g", r.Loss, r.Dup))
	}
	for _, c := range r.Crashes {
		parts = append(parts, "crash "+c.String())
	}
	for _, p := range r.Partitions {
		parts = append(parts, "partition "+p.String())
	}
	if r.Rolling != nil {
		parts = append(parts, fmt.Sprintf("%d rolling leader crashes", len(r.Rolling.Arm)))
	}
	if len(r.Faults) > 0 {
		parts = append(parts, fmt.Sprintf("a fault plan of %d events", len(r.Faults)))
	}
	if len(parts) == 0 {
		return "no faults"
	}
	return strings.Join(parts, "; ")
}

type protocol struct{ scenario.Named }

func (protocol) New() scenario.Scenario { s := SwarmScenario(3, ""); return &s }
func (protocol) Bugs() []scenario.Bug {
	var out []scenario.Bug
	for _, b := range Bugs() {
		out = append(out, scenario.Bug{Name: string(b.Name), Description: b.What, Needs: b.Needs})
	}
	return out
}

func (protocol) Flags(fs *pflag.FlagSet, sc scenario.Scenario) {
	s := sc.(*Scenario)
	fs.IntVar(&s.Nodes, "nodes", s.Nodes, "number of Raft replicas")
	fs.IntVar(&s.Clients, "clients", s.Clients, "number of clients")
	fs.IntVar(&s.Ops, "ops", s.Ops, "operations per client")
	fs.Float64Var(&s.Loss, "loss", s.Loss, "probability a message is lost (until GST); under --swarm, 0 lets each run draw it")
	fs.Float64Var(&s.Dup, "dup", s.Dup, "probability a message is duplicated; under --swarm, 0 lets each run draw it")
	fs.BoolVar(&s.Swarm, "swarm", s.Swarm, "draw the fault mix per run (loss, duplication, crash-restarts, partitions, rolling leader crashes)")
	scenario.TimeVar(fs, &s.GST, "gst", "when the network stabilises; liveness is judged after it")
	scenario.TimeVar(fs, &s.Limit, "limit", "virtual time at which the run ends")
	fs.Var(flagval.Bug[Bug]{Value: &s.Bug, Parse: ParseBug}, "bug", "plant a teaching bug: "+bugNames())
	scenario.PCTVar(fs, &s.PCT, 5*sim.Millisecond, 400)
	scenario.FaultsVar(fs, &s.Faults, "faults", `fault plan file on the replicas: a JSON array of timed events, e.g. [{"at":"5ms","kind":"crash","node":2},{"at":"10ms","kind":"duplicate","p":0.5}] (kinds: crash, restart, partition, heal, loss, duplicate, cut)`)
}

func bugNames() string {
	var names []string
	for _, b := range Bugs() {
		names = append(names, string(b.Name))
	}
	return strings.Join(names, ", ")
}

// Cases implements scenario.Cased: correct Raft under the swarm passes,
// and each teaching bug breaks the property it is about.
func (protocol) Cases() []scenario.Case {
	bug := func(b Bug) func(scenario.Scenario) {
		return func(sc scenario.Scenario) { sc.(*Scenario).Bug = b }
	}
	return []scenario.Case{
		{Name: "correct, 3 nodes, swarm", Apply: func(scenario.Scenario) {}},
		{Name: "bug commit-old-term", Violates: PropLeaderCompleteness, MaxDraws: 10, Apply: bug(CommitOldTerm)},
		{Name: "bug volatile-vote", Violates: PropElectionSafety, MaxDraws: 10, Apply: bug(VolatileVote)},
		{Name: "bug no-log-check", Violates: PropLeaderCompleteness, MaxDraws: 10, Apply: bug(NoLogCheck)},
		{Name: "bug stale-truncate", Violates: PropCommitQuorum, MaxDraws: 10, Apply: bug(StaleTruncate)},
	}
}

func init() {
	scenario.Register(protocol{scenario.Named{ID: "raft", About: "Raft (Ongaro & Ousterhout 2014): elections, replication, the commit rule, a linearizable key-value store"}})
}
