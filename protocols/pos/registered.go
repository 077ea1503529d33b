package pos

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"simulate/protocols/chain"
	"simulate/report"
	"simulate/scenario"
	"simulate/sim"
)

// Property and coverage names of a registered PoS run.
const (
	// PropSafety: the common prefix at depth K holds, and once every block
	// has arrived the honest validators agree but for a tied last block
	// (Run.Check).
	PropSafety = "common prefix and agreement"

	CoverFork  = chain.CoverFork
	CoverReorg = chain.CoverReorg
)

// Registered is the scenario PoS registers with package scenario:
// Scenario, plus --stakes and the defaults that follow other flags, folded
// in once by Validate so that the trace header stores the scenario that
// ran.
type Registered struct {
	Scenario
	// LotterySeeds, when positive, makes each run draw its lottery seed
	// (1..LotterySeeds) from the environment instead of taking the run's
	// seed: common prefix is a probabilistic guarantee over the lottery,
	// so `check pos` searches delays freely against a few fixed lotteries
	// (PropertyScenario), as the property tests do.
	LotterySeeds int `json:"lottery_seeds,omitempty"`
	stakes       string
	fs           *pflag.FlagSet
}

// Validate implements scenario.Scenario, naming flags in its errors.
func (r *Registered) Validate() error {
	if fs := r.fs; fs != nil {
		r.fs = nil
		chain.RunFor(fs, &r.Blocks)
		if fs.Changed("stakes") {
			st, err := chain.ParseStakes(r.stakes, r.Validators)
			if err != nil {
				return err
			}
			r.Stakes = st
		}
		chain.FitDefault(fs, "degree", &r.Degree, r.Validators-1)
	}
	if r.LotterySeeds < 0 || r.LotterySeeds > 1000 {
		return fmt.Errorf("lottery seeds %d: want 0 to 1000", r.LotterySeeds)
	}
	if err := r.Scenario.Validate(); err != nil {
		return errors.New(flagWords(err.Error()))
	}
	return nil
}

// flagWords turns the scenario's field words into flag names in errors.
func flagWords(s string) string {
	return chain.FlagWords(s, []string{"blocks and duration", "--blocks and --duration", "nothing-at-stake validators", "--nothing-at-stake",
		"f (active-slot coefficient)", "--f"},
		[]string{"validators", "slot", "lottery", "interest", "k must", "blocks must"})
}

// Build implements scenario.Scenario. The graph and the lottery come from
// the seed (or, with LotterySeeds, the lottery from a drawn seed); c draws
// each message's jitter.
func (r *Registered) Build(seed uint64, c sim.Choices) scenario.World {
	s := r.Scenario
	s.Links = s.Links.Swarmed(c)
	var offset uint64
	if r.LotterySeeds > 0 {
		lottery := 1 + uint64(c.Intn("lottery seed", r.LotterySeeds))
		offset = lottery - seed // the runner seeds the nodes with seed+offset
		seed = lottery
	}
	run := s.Build(seed)
	judge := scenario.Memo(func(x scenario.Run) Stats { return run.Stats(x.Result) })
	return scenario.World{
		Config:     run.Config,
		Setup:      run.Setup,
		SeedOffset: offset,
		Properties: []scenario.Property{{Name: PropSafety, Check: func(x scenario.Run) error { return run.Check(x.Result) }}},
		Coverage:   chain.Forked(func(x scenario.Run) (int, int) { st := judge(x); return st.Forks, st.Reorgs }),
		Show: chain.Show(s, seed, judge, func(o Output) []report.Table {
			return []report.Table{Table(o), chain.ProducerTable("Validators", o.Stats.Blocks, o.Stats.Shares, "stake share", o.Stats.CoinDays, o.Stats.Interest)}
		}),
	}
}

// Output is `simulate pos --format json`.
type Output = chain.Output[Scenario, Stats]

// Table is `simulate pos`'s table: the chain, its forks and branches,
// confirmations and the common prefix.
func Table(o Output) report.Table {
	s, st := o.Scenario, o.Stats
	t, add := chain.Measures(fmt.Sprintf("Proof of stake (Praos): %d validators, %v slots, f = %g (a block every %s), %s blocks, degree %d, delay %v, seed %d",
		s.Validators, chain.ShortTime(s.Slot), s.F, chain.ShortTime(sim.Time(float64(s.Slot)/s.F)), chain.SizeWords(s.BlockSize), s.Degree, chain.ShortTime(s.Delay), o.Seed))
	if s.NothingAtStake > 0 {
		lot := "stake: one win signs on every tip"
		if s.Lottery == LotteryWork {
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
	add("slots", fmt.Sprintf("%d (%d empty, %d with several leaders)", st.Slots, st.Empty, st.Multi))
	add("chain height", fmt.Sprint(st.Height))
	add("blocks made", fmt.Sprint(st.Made))
	add("stale blocks", fmt.Sprintf("%d (stale rate %.2f%%)", st.Stale, 100*st.StaleRate))
	add("forks", fmt.Sprint(st.Forks))
	add("abandoned branches", fmt.Sprintf("mean depth %.2f, deepest %d, mean life %s", st.Branches.MeanDepth, st.Branches.MaxDepth, chain.ShortTime(st.Branches.MeanLife)))
	add("reorganisations", fmt.Sprintf("%d (deepest %d)", st.Reorgs, st.MaxReorgDepth))
	add("mean block interval", chain.ShortTime(st.MeanInterval))
	add("throughput", fmt.Sprintf("%.2f tx/s (offered %.2f tx/s)", st.Throughput, s.TxRate))
	chain.AddConfirmations(add, st.Confirmations)
	chain.AddVerdicts(add, st.CommonPrefix, "honest validators", st.Agree)
	add("hashes computed", "0 (no proof of work)")
	add("tip", st.TipHash[:16])
	t.Notes = []string{
		"A slot's leaders are drawn independently, each with probability 1-(1-f)^s for stake share s; an empty slot makes no block, several leaders make a fork.",
		"Abandoned branches: blocks left off the main chain, grouped by the main-chain block they left from; depth in blocks, life from the fork's first block to the branch's last.",
	}
	return *t
}

// protocol is PoS's registration: the name, summary and scenarios of
// chain.Protocol (see init), and the bugs, flags, cases and help below.
type protocol struct{ chain.Protocol }

func (protocol) Bugs() []scenario.Bug {
	return []scenario.Bug{{Name: "ignore-forks", Description: "validators never leave their branch for a longer one", Needs: "delays long enough to fork the chain (check pos's drawn delays)"}}
}

func (protocol) Flags(fs *pflag.FlagSet, sc scenario.Scenario) {
	r := sc.(*Registered)
	s := &r.Scenario
	fs.IntVar(&s.Validators, "validators", s.Validators, "number of validators (nodes)")
	fs.Var(stakesFlag{r}, "stakes", "stake distribution: equal, zipf, or a comma-separated list")
	scenario.TimeVar(fs, &s.Slot, "slot", "slot length")
	fs.Float64Var(&s.F, "f", s.F, "active-slot coefficient: the chance a slot has a leader (mean interval = slot/f)")
	chain.BindFlags(fs, &s.Workload, &s.Links)
	chain.BindStopFlags(fs, &s.Blocks, &s.Duration, &s.K, "making blocks")
	fs.IntVar(&s.NothingAtStake, "nothing-at-stake", s.NothingAtStake, "the first N validators sign on both fork tips whenever they win")
	fs.StringVar(&s.Lottery, "lottery", s.Lottery, "cost of extending a second fork: stake (free, default) or work (split the chance)")
	fs.BoolVar(&s.CoinAge, "coin-age", s.CoinAge, "weigh validators by coin age (coins × days held), reset when they mint")
	fs.Float64Var(&s.Interest, "interest", s.Interest, "yearly interest on consumed coin age with --coin-age (default 0.05)")
	fs.StringVar(&s.Bug, "bug", s.Bug, "teaching bug switch: "+strings.Join(Bugs, ", "))
	fs.IntVar(&r.LotterySeeds, "lottery-seeds", r.LotterySeeds, "draw each run's lottery seed (1..N) from the environment instead of --seed (0: use --seed; check pos: 8)")
	r.fs = fs
}

// Cases implements scenario.Cased: with an honest stake majority and
// delays bounded by two slots the common prefix holds against the
// property's eight lotteries; with ignore-forks it breaks.
func (protocol) Cases() []scenario.Case {
	return []scenario.Case{
		{Name: "correct, 5 validators, 1 nothing-at-stake", Apply: func(scenario.Scenario) {}},
		{Name: "bug ignore-forks", Violates: PropSafety, MaxDraws: 10, Apply: func(sc scenario.Scenario) { sc.(*Registered).Bug = "ignore-forks" }},
	}
}

// RunHelp implements scenario.Helped.
func (protocol) RunHelp() string {
	return `pos runs proof of stake on a longest-chain rule, as Ouroboros Praos does:
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
the coin age a block consumes.`
}

// CheckHelp implements scenario.Helped.
func (protocol) CheckHelp() string {
	return `check pos runs 5 validators (stakes 2:5:4:3:1; the first a nothing-at-stake
validator that signs on every fork) with 1-second slots and f = 0.1 on a
complete graph whose every message takes 500 ms plus a drawn 0-1.5 s, so
delay is bounded by 2 slots, mining 15 blocks. It searches the delays and
the lottery seed (1..8) for a run in which common prefix (k = 4) fails or
the honest validators still disagree on more than a tied last block once
every block has arrived. With an honest stake majority and bounded delay
it holds; --bug ignore-forks (validators never leave their branch) breaks
it, and the search shrinks the counterexample.`
}

func init() {
	scenario.Register(protocol{chain.Protocol{Named: scenario.Named{ID: "pos", About: "Run proof of stake (Ouroboros Praos slot lottery): forks, nothing at stake, coin age"},
		Run: func() scenario.Scenario { return &Registered{Scenario: DefaultScenario()} },
		// check pos searches PropertyScenario's delays against its eight
		// lotteries.
		Search: func() scenario.Scenario {
			return &Registered{Scenario: PropertyScenario(""), LotterySeeds: PropertySeeds}
		},
	}})
}

// stakesFlag is --stakes: what the user typed (parsed by Validate, which
// knows the number of validators), or the scenario's own stakes, so that a
// printed replay command names the stakes a search ran with.
type stakesFlag struct{ r *Registered }

func (f stakesFlag) String() string {
	switch {
	case f.r == nil:
		return ""
	case f.r.stakes != "":
		return f.r.stakes
	case len(f.r.Stakes) == 0:
		return "equal"
	}
	parts := make([]string, len(f.r.Stakes))
	for i, x := range f.r.Stakes {
		parts[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}
func (f stakesFlag) Set(v string) error { f.r.stakes = v; return nil }
func (f stakesFlag) Type() string       { return "stakes" }
