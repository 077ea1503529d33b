package generals

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"simulate/faults"
	"simulate/network"
	"simulate/protocols/internal/flagval"
	"simulate/report"
	"simulate/scenario"
	"simulate/sim"
)

// Property names of a registered generals run: the paper's two
// interactive consistency conditions.
const (
	PropIC1 = "IC1"
	PropIC2 = "IC2"
)

// Search is the registered scenario of the generals problem: the shape is
// fixed by flags, and each run draws from the environment's choices what
// the flags leave open — the commander's order, which generals are
// traitors and their strategies (honest as draw 0) — so the generic search
// shrinks a failure toward a loyal, honest, calm run. It is
// JSON-serialisable: a trace header stores it.
type Search struct {
	// Generals is n (0: 3m+1, or 4 without traitors).
	Generals int `json:"generals,omitempty"`
	// Traitors is how many generals are traitors (with Pinned, 0 or
	// their number).
	Traitors int `json:"traitors"`
	// traitorsSet records that --traitors was given, so that naming
	// traitors with --traitor may disagree only with an explicit count.
	traitorsSet bool
	// Algorithm is om or sm.
	Algorithm Algorithm `json:"algorithm"`
	// Rounds is the m of OM(m)/SM(m) (nil: the number of traitors).
	Rounds *int `json:"rounds,omitempty"`
	// Commander says whether the commander may be a traitor.
	Commander CommanderMode `json:"commander,omitempty"`
	// Strategy, if set, is every traitor's strategy.
	Strategy Strategy `json:"strategy,omitempty"`
	// Pinned names traitors instead of drawing them.
	Pinned []Traitor `json:"pinned,omitempty"`
	// Order, if set, fixes the commander's order; otherwise it is drawn
	// (draw 0 = attack).
	Order *Value `json:"order,omitempty"`
	// Bug switches on a teaching bug.
	Bug Bug `json:"bug,omitempty"`
	// Calm delivers every message after exactly 1ms.
	Calm bool `json:"calm,omitempty"`
	// Faults is a fault plan applied to every run's network.
	Faults faults.Plan `json:"faults,omitempty"`
	// Swarm draws each run's fault mix from the environment's choices, as
	// TigerBeetle's VOPR does: a duplication rate, and for each traitor
	// drawn honest a time at which it crashes for good (draw 0: never) —
	// a general that stops mid-protocol, within the m faults the
	// algorithm is built for. What `check byzantine` searches.
	Swarm bool `json:"swarm,omitempty"`
}

// swarm returns sc's fault plan with the swarm's draws appended: a
// duplication window from time 0, then, for each traitor playing honest,
// a crash at a drawn millisecond of the run (0: none).
func swarm(c sim.Choices, sc Scenario) faults.Plan {
	plan := append(faults.Plan(nil), sc.Faults...)
	if p := faults.SwarmDuplication(c); p > 0 {
		plan = append(plan, faults.Duplicate(0, p))
	}
	within := int(sim.Time(sc.Rounds+2) * RoundLength / sim.Millisecond)
	for _, t := range sc.Traitors {
		if t.Strategy != Honest {
			continue
		}
		if at := c.Intn(fmt.Sprintf("swarm n%d crashes at ms (0 = never)", t.ID), within); at > 0 {
			plan = append(plan, faults.Crash(sim.Time(at)*sim.Millisecond, t.ID))
		}
	}
	plan.SortByTime()
	return plan
}

// space resolves the defaults of s into the search space it describes.
func (s *Search) space() Space {
	m := s.Traitors
	if len(s.Pinned) > 0 {
		m = len(s.Pinned)
	}
	n := s.Generals
	if n == 0 {
		n = 3*m + 1
		if m == 0 {
			n = 4
		}
	}
	rounds := m
	if s.Rounds != nil {
		rounds = *s.Rounds
	}
	mode := s.Commander
	if mode == "" {
		mode = CommanderRandom
	}
	return Space{
		Cast:      Cast{Generals: n, Traitors: m, Commander: mode, Strategy: s.Strategy, Pinned: s.Pinned},
		Algorithm: s.Algorithm, Rounds: rounds, Order: s.Order, Bug: s.Bug,
	}
}

// Validate implements scenario.Scenario.
func (s *Search) Validate() error {
	if s.Traitors < 0 {
		return fmt.Errorf("traitors = %d: must be ≥ 0", s.Traitors)
	}
	if len(s.Pinned) > 0 && s.traitorsSet && s.Traitors != len(s.Pinned) {
		return fmt.Errorf("traitors = %d but %d traitors named", s.Traitors, len(s.Pinned))
	}
	sp := s.space()
	if err := sp.Cast.Check(); err != nil {
		return err
	}
	probe := Scenario{Generals: sp.Generals, Algorithm: sp.Algorithm, Rounds: sp.Rounds, Bug: sp.Bug, Faults: s.Faults}
	return probe.Validate()
}

// Resolve draws one concrete scenario of s from c, as Build does.
func (s *Search) Resolve(c sim.Choices) Scenario {
	sc := s.space().Draw(c)
	sc.Calm = s.Calm
	sc.Faults = s.Faults
	return sc
}

// Build implements scenario.Scenario: the cast and order are drawn from c
// first, then the network draws every message's delay.
func (s *Search) Build(seed uint64, c sim.Choices) scenario.World {
	sc := s.Resolve(c)
	if s.Swarm {
		sc.Faults = swarm(c, sc)
	}
	cfg := sc.Config(seed)
	net := cfg.Network.(*network.Net)
	judge := scenario.Memo(func(r scenario.Run) Outcome { return Judge(sc, r.World, r.Result) })
	w := scenario.World{
		Config: cfg,
		Setup: func(w *sim.World) {
			if err := sc.Faults.Apply(w, net); err != nil {
				panic("generals: " + err.Error()) // Validate checks the plan
			}
		},
		Properties: []scenario.Property{
			{Name: PropIC1, Check: func(r scenario.Run) error {
				if o := judge(r); !o.Agreement {
					return errors.New(o.Failure())
				}
				return nil
			}},
			{Name: PropIC2, Check: func(r scenario.Run) error {
				if o := judge(r); !o.Validity {
					return errors.New(o.Failure())
				}
				return nil
			}},
		},
		Coverage: []scenario.Sometimes{
			{Name: "a traitor commander", Hit: func(scenario.Run) bool { return !sc.CommanderLoyal() }},
			{Name: "a traitor that equivocated", Hit: func(r scenario.Run) bool { return judge(r).Equivocated }},
			{Name: "a tied vote", Hit: func(r scenario.Run) bool { return judge(r).Ties > 0 }},
			{Name: "a withheld message", Hit: func(r scenario.Run) bool { return judge(r).Withheld > 0 }},
			{Name: "a forged order refused", Hit: func(r scenario.Run) bool { return judge(r).Forged > 0 }},
			{Name: "a loyal commander (IC2 tested)", Hit: func(scenario.Run) bool { return sc.CommanderLoyal() }},
			{Name: "the commander ordered retreat", Hit: func(scenario.Run) bool { return sc.Order == Retreat }},
			{Name: "duplicated messages", Hit: func(r scenario.Run) bool { return r.Result.Duplicated > 0 }},
			{Name: "a general crashed mid-run", Hit: func(r scenario.Run) bool {
				return slices.ContainsFunc(sc.Faults, func(e faults.Event) bool { return e.Kind == faults.KindCrash && e.At > 0 })
			}},
		},
		Describe: func() string { return describeScenario(sc) },
		// A replayed counterexample shows who decided what, as a plain
		// run does (what the traitors said needs the events: --trace).
		Show: func(r scenario.Run) scenario.Shown {
			return scenario.Shown{Tables: []report.Table{judge(r).Table(seed, nil)}}
		},
	}
	for _, st := range Strategies {
		w.Coverage = append(w.Coverage, scenario.Sometimes{Name: "a traitor playing " + string(st), Hit: func(scenario.Run) bool {
			for _, t := range sc.Traitors {
				if t.Strategy == st {
					return true
				}
			}
			return false
		}})
	}
	return w
}

// describeScenario says in a line what a run drew: the order and the cast.
func describeScenario(sc Scenario) string {
	var ts []string
	for _, t := range sc.Traitors {
		ts = append(ts, fmt.Sprintf("n%d=%s", t.ID, t.Strategy))
	}
	if len(ts) == 0 {
		ts = []string{"none"}
	}
	line := fmt.Sprintf("%s, %d generals, order %s, traitors %s", sc.Algorithm.Name(sc.Rounds), sc.Generals, sc.Order, strings.Join(ts, " "))
	if len(sc.Faults) > 0 {
		line += ", faults " + sc.Faults.String()
	}
	return line
}

type protocol struct{ scenario.Named }

func (protocol) New() scenario.Scenario {
	return &Search{Traitors: 1, Algorithm: OM}
}

// NewSearch implements scenario.Searched: `simulate check byzantine`
// draws each run's fault mix (Swarm) besides its cast.
func (protocol) NewSearch() scenario.Scenario {
	return &Search{Traitors: 1, Algorithm: OM, Swarm: true}
}
func (protocol) Bugs() []scenario.Bug {
	return []scenario.Bug{
		{Name: string(BugTrustCommander), Description: "lieutenants decide the first order they accept and relay nothing: a traitor commander splits them"},
		{Name: string(BugSkipVerify), Description: "SM lieutenants do not check signatures, so a traitor lieutenant's forgery is believed", Needs: "--algorithm sm"},
	}
}

func (protocol) Flags(fs *pflag.FlagSet, sc scenario.Scenario) {
	s := sc.(*Search)
	fs.IntVar(&s.Generals, "generals", s.Generals, "number of generals n, the commander n0 included (default 3m+1, or 4 without traitors)")
	fs.Var(&traitorsFlag{s}, "traitors", "number of traitors m")
	fs.Var(flagval.Choice[Algorithm]{Value: &s.Algorithm, Parse: ParseAlgorithm}, "algorithm", "om (oral messages, OM(m)) or sm (signed messages, SM(m))")
	fs.Var(flagval.Optional[int]{Value: &s.Rounds, Parse: strconv.Atoi, Format: strconv.Itoa, Kind: "int"}, "rounds", "the m of OM(m)/SM(m): how many traitors the algorithm is built for (default: --traitors)")
	fs.Var(flagval.Choice[CommanderMode]{Value: &s.Commander, Parse: ParseCommanderMode, Kind: "mode"}, "commander", "whether the commander is a traitor: loyal, traitor or random (default random)")
	fs.Var(flagval.Choice[Strategy]{Value: &s.Strategy, Parse: ParseStrategy}, "strategy", "every traitor's strategy: lie, split, random, silent, collude or honest (default: drawn per traitor, honest included)")
	fs.Var(&pinnedFlag{&s.Pinned}, "traitor", "name a traitor instead of drawing it, as n2 or n2=lie (repeatable or comma-separated)")
	fs.Var(flagval.Optional[Value]{Value: &s.Order, Parse: ParseValue, Format: Value.String, Kind: "order"}, "order", "the commander's order, attack or retreat (default: drawn)")
	fs.Var(flagval.Bug[Bug]{Value: &s.Bug, Parse: parseBug}, "bug", "switch on a teaching bug: trust-commander (no relays) or skip-verify (SM accepts forgeries)")
	fs.BoolVar(&s.Calm, "calm", s.Calm, "deliver every message after exactly 1ms (no network jitter)")
	fs.BoolVar(&s.Swarm, "swarm", s.Swarm, "draw each run's fault mix from the seed: a duplication rate, and crashes of generals at drawn times within the m faults the traitors leave free (what check byzantine searches)")
	scenario.FaultsVar(fs, &s.Faults, "faults", "a fault plan (JSON file): crashes, partitions, loss and duplication windows")
}

// Cases implements scenario.Cased: OM(1) below the 3m+1 bound breaks
// agreement, each teaching bug breaks the condition it is about, and the
// correct algorithms at the bound find nothing.
func (protocol) Cases() []scenario.Case {
	set := func(f func(*Search)) func(scenario.Scenario) {
		return func(sc scenario.Scenario) { f(sc.(*Search)) }
	}
	return []scenario.Case{
		// Three values per vote cannot tie, and OM has no signatures to forge.
		{Name: "OM(1), 4 generals, 1 traitor (correct)", Apply: set(func(s *Search) { s.Generals = 4 }),
			Unreachable: []string{"a tied vote", "a forged order refused"}},
		// SM decides by choice(V), not by a vote.
		{Name: "SM(1), 3 generals, 1 traitor (correct)", Apply: set(func(s *Search) { s.Generals, s.Algorithm = 3, SM }),
			Unreachable: []string{"a tied vote"}},
		{Name: "OM(1), 3 generals, 1 traitor (n ≤ 3m)", Violates: PropIC2, MaxDraws: 4, Apply: set(func(s *Search) { s.Generals = 3 })},
		{Name: "bug trust-commander, OM(1), 4 generals", Violates: PropIC1, MaxDraws: 4, Apply: set(func(s *Search) { s.Generals, s.Bug = 4, BugTrustCommander })},
		{Name: "bug skip-verify, SM(1), 3 generals", Violates: PropIC2, MaxDraws: 4, Apply: set(func(s *Search) { s.Generals, s.Algorithm, s.Bug = 3, SM, BugSkipVerify })},
	}
}

func init() {
	scenario.Register(protocol{scenario.Named{ID: "byzantine", About: "Lamport–Shostak–Pease Byzantine generals: OM(m) or SM(m) with traitors"}})
}

// parseBug reads --bug: a teaching bug's name, or "" for the algorithm of
// the paper.
func parseBug(v string) (Bug, error) {
	switch b := Bug(v); b {
	case NoBug, BugTrustCommander, BugSkipVerify:
		return b, nil
	}
	return "", fmt.Errorf("bug %q: want trust-commander or skip-verify", v)
}

type pinnedFlag struct{ ts *[]Traitor }

func (f *pinnedFlag) String() string {
	var out []string
	for _, t := range *f.ts {
		out = append(out, fmt.Sprintf("n%d=%s", t.ID, t.Strategy))
	}
	return strings.Join(out, ",")
}
func (f *pinnedFlag) Type() string { return "general" }
func (f *pinnedFlag) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		id, strat, _ := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(id), "n"))
		if err != nil {
			return fmt.Errorf("%q: want a general such as n2 or n2=lie", part)
		}
		t := Traitor{ID: sim.NodeID(n)}
		if strat != "" {
			if t.Strategy, err = ParseStrategy(strat); err != nil {
				return err
			}
		}
		*f.ts = append(*f.ts, t)
	}
	return nil
}

// Plain resolves s as `simulate byzantine --seed S` picks a run: traitors
// drawn from the seed among the strategies that misbehave (DrawFromSeed)
// and the order attack unless fixed. The result pins everything, so its
// Build draws only the network's delays, as RunSeed does: same events,
// same hash.
func (s *Search) Plain(seed uint64) *Search {
	sp := s.space()
	order := Attack
	if s.Order != nil {
		order = *s.Order
	}
	ts := DrawFromSeed(seed, sp.Cast)
	out := &Search{
		Generals: sp.Generals, Traitors: len(ts), Algorithm: sp.Algorithm, Rounds: &sp.Rounds, Order: &order, Bug: s.Bug, Calm: s.Calm, Faults: s.Faults, Swarm: s.Swarm,
	}
	if len(ts) > 0 {
		out.Pinned = ts
	}
	return out
}

type traitorsFlag struct{ s *Search }

func (f *traitorsFlag) String() string { return strconv.Itoa(f.s.Traitors) }
func (f *traitorsFlag) Type() string   { return "int" }
func (f *traitorsFlag) Set(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil {
		return err
	}
	f.s.Traitors, f.s.traitorsSet = n, true
	return nil
}
