package dpos

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"simulate/protocols/chain"
	"simulate/report"
	"simulate/scenario"
	"simulate/sim"
)

// Property and coverage names of a registered DPoS run.
const (
	// PropSafety: no final block is ever reverted (two honest nodes never
	// take conflicting blocks as final).
	PropSafety = "finality safety"
	// PropLiveness: finality keeps up with the chain (CheckLive), owed
	// when at most a third of the delegates are traitors, all offline.
	PropLiveness = "finality liveness"

	CoverEquivocation = "an equivocation seen"
	CoverFinal        = "a block finalised"
)

// Registered is the scenario DPoS registers with package scenario:
// Scenario, plus --stakes and the defaults fitted to --nodes, folded in
// once by Validate so that the trace header stores the scenario that ran.
type Registered struct {
	Scenario
	stakes string
	fs     *pflag.FlagSet
	// search: the scenario `check dpos` starts from, where --delegates
	// alone sizes the whole network (every node a delegate, a complete
	// graph, two rounds), as the check always read it.
	search bool
}

// Validate implements scenario.Scenario, naming flags in its errors.
func (r *Registered) Validate() error {
	if fs := r.fs; fs != nil {
		r.fs = nil
		st, err := chain.ParseStakes(r.stakes, r.Nodes)
		if err != nil {
			return err
		}
		r.Stakes = st
		if r.search && fs.Changed("delegates") {
			if !fs.Changed("nodes") {
				r.Nodes = r.Delegates
			}
			if !fs.Changed("degree") {
				r.Degree = r.Nodes - 1
			}
			if !fs.Changed("blocks") {
				r.Blocks = 2 * r.Delegates
			}
		}
		chain.FitDefault(fs, "degree", &r.Degree, r.Nodes-1)
		chain.FitDefault(fs, "delegates", &r.Delegates, r.Nodes)
	}
	if r.search && (r.Delegates < 2 || r.Delegates > 31) {
		return fmt.Errorf("--delegates %d: the search wants 2 to 31", r.Delegates)
	}
	if err := r.Scenario.Validate(); err != nil {
		return errors.New(flagWords(err.Error()))
	}
	return nil
}

// flagWords turns the scenario's field words into flag names in errors.
func flagWords(s string) string {
	return chain.FlagWords(s, []string{"offline-at", "--offline-at", "victim rate", "--victim-rate"},
		[]string{"nodes", "delegates", "slot", "traitors", "strategy", "k must", "blocks must", "slots must"})
}

// liveOwed says whether finality liveness is owed: no traitors, or at
// most a third of the delegates offline (they are voted out), and no
// --faults plan (its crashes and partitions may stall finality for as
// long as they last, which the liveness check does not bound).
func (s Scenario) liveOwed() bool {
	return len(s.Faults) == 0 && (s.Traitors == 0 || (s.Strategy == Offline && 3*s.Traitors <= s.Delegates))
}

// Build implements scenario.Scenario. The election and the graph come
// from the seed; c draws each message's jitter and the traitors' choices
// of whom to show which branch.
func (r *Registered) Build(seed uint64, c sim.Choices) scenario.World {
	s := r.Scenario
	s.Links = s.Links.Swarmed(c)
	run := s.Build(seed)
	judge := scenario.Memo(func(x scenario.Run) Stats { return run.Stats(x.Result) })
	props := []scenario.Property{{Name: PropSafety, Check: func(scenario.Run) error { return run.CheckSafety() }}}
	if s.liveOwed() {
		props = append(props, scenario.Property{Name: PropLiveness, Check: func(x scenario.Run) error { return run.CheckLive(x.Result) }})
	}
	return scenario.World{
		Config:     run.Config,
		Setup:      run.Attach,
		Properties: props,
		Coverage: []scenario.Sometimes{
			chain.Duplicated,
			{Name: CoverEquivocation, Hit: func(x scenario.Run) bool { return judge(x).Equivocations > 0 }},
			{Name: CoverFinal, Hit: func(x scenario.Run) bool { return judge(x).FinalHeight > 0 }},
		},
		Show: chain.Show(s, seed, judge, func(o Output) []report.Table { return []report.Table{Table(o)} }),
	}
}

// Output is `simulate dpos --format json`.
type Output = chain.Output[Scenario, Stats]

// Table is `simulate dpos`'s table: the chain, finality and what the
// traitors did.
func Table(o Output) report.Table {
	s, st := o.Scenario, o.Stats
	t, add := chain.Measures(fmt.Sprintf("Delegated proof of stake: %d stakeholders, %d delegates, %v slots, %s blocks, degree %d, delay %v, seed %d",
		s.Nodes, s.Delegates, chain.ShortTime(s.Slot), chain.SizeWords(s.BlockSize), s.Degree, chain.ShortTime(s.Delay), o.Seed))
	if s.Traitors > 0 {
		t.Title += fmt.Sprintf(", %d traitors (%s)", s.Traitors, s.Strategy)
	}
	if s.Bug != "" {
		t.Title += ", bug " + s.Bug
	}
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
	if s.Strategy == Censor {
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
	add("honest nodes on one tip", chain.YesNo(st.Agree))
	add("hashes computed", "0 (no proof of work)")
	add("tip", st.TipHash[:16])
	t.Notes = []string{
		"Slots: delegates make blocks in turn, one slot each per round; a slot with no block on the main chain is missed, and its delegate is voted out at the next round.",
		fmt.Sprintf("Finality: a block is final once %d distinct delegates built on it; time to finality runs from a transaction's arrival until the observer (the first honest node) held its block as final.", st.Quorum),
	}
	return *t
}

// protocol is DPoS's registration: the name, summary and scenarios of
// chain.Protocol (see init), and the bugs, flags, cases and help below.
type protocol struct{ chain.Protocol }

func (protocol) Bugs() []scenario.Bug {
	return []scenario.Bug{
		{Name: "half-quorum", Description: "a block is final once half the delegates built on it, not 2/3+1"},
		{Name: "no-lock", Description: "honest delegates build on any longest chain, even one that drops their own block"},
		{Name: "no-vote-out", Description: "delegates who miss their slots are never replaced", Needs: "offline traitors: --traitors T --strategy offline"},
	}
}

func (protocol) Flags(fs *pflag.FlagSet, sc scenario.Scenario) {
	r := sc.(*Registered)
	s := &r.Scenario
	fs.IntVar(&s.Nodes, "nodes", s.Nodes, "number of stakeholders (nodes), each a candidate")
	fs.IntVar(&s.Delegates, "delegates", s.Delegates, "number of elected delegates N (the notes' BitShares: 101)")
	fs.StringVar(&r.stakes, "stakes", r.stakes, "stake distribution: equal, zipf, or a comma-separated list")
	scenario.TimeVar(fs, &s.Slot, "slot", "slot length: each delegate's time for its block")
	chain.BindFlags(fs, &s.Workload, &s.Links)
	fs.IntVar(&s.Blocks, "blocks", s.Blocks, "stop making blocks when the chain reaches this height")
	fs.Int64Var(&s.Slots, "slots", s.Slots, "stop after this many slots in any case (default 4·blocks + 2·delegates)")
	fs.IntVar(&s.Traitors, "traitors", s.Traitors, "the first T delegates betray, with --strategy")
	fs.StringVar(&s.Strategy, "strategy", s.Strategy, "traitor strategy: "+strings.Join(Strategies, ", "))
	scenario.TimeVar(fs, &s.OfflineAt, "offline-at", "when offline traitors go down")
	fs.Float64Var(&s.VictimRate, "victim-rate", s.VictimRate, "the censored account's transactions per second (default 0.1 with --strategy censor)")
	fs.StringVar(&s.Bug, "bug", s.Bug, "teaching bug switch: "+strings.Join(Bugs, ", "))
	r.fs = fs
}

// Cases implements scenario.Cased. A third of the delegates cannot
// revert finality; more than a third can, and so can each teaching bug
// with one traitor; without vote-outs, a third of the delegates offline
// stalls finality. Not rows, because the verdict must hold from every
// search seed: 7 delegates with 3 colluding (not found in 200 runs), and
// bug no-lock with one of 4 colluding (found from 4 seeds of 5, shrunk
// to as many as 19 draws: the traitors' branch choices are many draws).
func (protocol) Cases() []scenario.Case {
	// Every case searches with the swarm, as check dpos does (NewSearch).
	set := func(f func(*Registered)) func(scenario.Scenario) {
		return func(sc scenario.Scenario) {
			r := sc.(*Registered)
			f(r)
			r.Scenario.Swarm = true
		}
	}
	prop := func(d, t int, bug string) func(*Registered) {
		return func(r *Registered) { r.Scenario = PropertyScenario(d, t, bug) }
	}
	return []scenario.Case{
		{Name: "correct, 4 delegates, 1 colluding", Apply: set(prop(4, 1, ""))},
		{Name: "correct, 7 delegates, 2 colluding", Apply: set(prop(7, 2, ""))},
		{Name: "4 delegates, 2 colluding (more than a third)", Violates: PropSafety, MaxDraws: 10, Only: true, Apply: set(prop(4, 2, ""))},
		{Name: "7 delegates, 3 colluding (more than a third)", Violates: PropSafety, MaxDraws: 10, Only: true, Apply: set(prop(7, 3, ""))},
		{Name: "bug half-quorum, 4 delegates, 1 colluding", Violates: PropSafety, MaxDraws: 10, Only: true, Apply: set(prop(4, 1, "half-quorum"))},
		// The no-lock row searches without the swarm: it needs four of the
		// coalition's draws to line up (found at a median of 66 runs of
		// 200 without it), and with the swarm's draws before them the
		// same seeds meet that schedule from only 2 of 5 seeds in 200
		// runs. DPoS's check has no jitter to scale, and a duplicated
		// block does not bear on a lock.
		{Name: "bug no-lock, 4 delegates, 1 colluding", Violates: PropSafety, MaxDraws: 10, Only: true, Apply: func(sc scenario.Scenario) {
			set(prop(4, 1, "no-lock"))(sc)
			sc.(*Registered).Scenario.Swarm = false
		}},
		{Name: "bug no-vote-out, 7 of 21 delegates offline", Violates: PropLiveness, MaxDraws: 10, Only: true,
			Apply: set(func(r *Registered) { r.Scenario = LivenessScenario(7, 0, "no-vote-out") })},
	}
}

// RunHelp implements scenario.Helped.
func (protocol) RunHelp() string {
	return `dpos runs delegated proof of stake as BitShares introduced it: --nodes
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
whether a final block was ever reverted; then the run's verdict (exit
status 1 when a property broke).`
}

// CheckHelp implements scenario.Helped.
func (protocol) CheckHelp() string {
	return `check dpos runs --delegates delegates (every node a delegate) with 1-second
slots on a complete graph whose every message takes 100 ms plus a drawn
0-1.5 s, for 2 rounds, with the first --traitors of them colluding: in each
of their slots they may sign two blocks and show each honest node one
branch, delay their own blocks by up to 1.5 slots, and, as the adversary
of the partially synchronous model, hold the honest nodes' messages across
that split back for up to 3 slots. It
searches those choices and the delays for two honest nodes that take
conflicting blocks as final. With at most a third traitors (1 of 4, 2 of
7) finality is never reverted; with more (2 of 4, 3 of 7) the search finds
it and shrinks the schedule to a handful of choices; so do the teaching
bugs (--bug half-quorum, no-lock) with one traitor.

The flags of simulate dpos change the searched scenario (give
--delegates and --nodes together, and --degree for a complete graph).`
}

func init() {
	scenario.Register(protocol{chain.Protocol{Named: scenario.Named{ID: "dpos", About: "Run delegated proof of stake: elected delegates, round-robin slots, 2/3+1 finality, traitors"},
		Run: func() scenario.Scenario { return &Registered{Scenario: DefaultScenario(), stakes: "equal"} },
		// check dpos searches 4 delegates, one of them a colluding
		// traitor (PropertyScenario).
		Search: func() scenario.Scenario {
			return &Registered{Scenario: PropertyScenario(4, 1, ""), stakes: "equal", search: true}
		},
	}})
}
