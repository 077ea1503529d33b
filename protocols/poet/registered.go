package poet

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"simulate/protocols/chain"
	"simulate/report"
	"simulate/scenario"
	"simulate/sim"
)

// Property and coverage names of a registered PoET run.
const (
	PropCommonPrefix = "common-prefix"
	CoverFork        = chain.CoverFork
	CoverReorg       = chain.CoverReorg
)

// Registered is the scenario PoET registers with package scenario:
// Scenario, plus the flags whose defaults follow others (--duration
// without --blocks runs for a time; --degree fits --validators), folded
// in once by Validate so that the trace header stores the scenario that
// ran.
type Registered struct {
	Scenario
	fs *pflag.FlagSet
}

// Validate implements scenario.Scenario, naming flags in its errors.
func (r *Registered) Validate() error {
	if fs := r.fs; fs != nil {
		r.fs = nil
		chain.RunFor(fs, &r.Blocks)
		chain.FitDefault(fs, "degree", &r.Degree, r.Validators-1)
	}
	if err := r.Scenario.Validate(); err != nil {
		return errors.New(flagWords(err.Error()))
	}
	return nil
}

// flagWords turns the scenario's field words into flag names in errors.
func flagWords(s string) string {
	return chain.FlagWords(s, []string{"blocks and duration", "--blocks and --duration", "cheat factor", "--cheat-factor"},
		[]string{"validators", "interval", "k must", "blocks must", "cheaters"})
}

// Build implements scenario.Scenario. Nothing is drawn before the run:
// the graph comes from the seed, and c draws each message's jitter.
func (r *Registered) Build(seed uint64, c sim.Choices) scenario.World {
	s := r.Scenario
	s.Links = s.Links.Swarmed(c)
	run := s.Build(seed)
	judge := scenario.Memo(func(x scenario.Run) Stats { return run.Stats(x.Result) })
	return scenario.World{
		Config: run.Config,
		Setup:  run.Setup,
		Properties: []scenario.Property{{Name: PropCommonPrefix, Check: func(x scenario.Run) error {
			if !judge(x).CommonPrefix {
				return fmt.Errorf("an honest validator lost a block buried %d deep", s.K)
			}
			return nil
		}}},
		Coverage: chain.Forked(func(x scenario.Run) (int, int) { st := judge(x); return st.Forks, st.Reorgs }),
		Show: chain.Show(s, seed, judge, func(o Output) []report.Table {
			return []report.Table{Table(o), chain.ProducerTable("Validators", o.Stats.Blocks, chain.Shares(nil, s.Validators), "enclave share", nil, nil)}
		}),
	}
}

// Output is `simulate poet --format json`.
type Output = chain.Output[Scenario, Stats]

// Table is `simulate poet`'s table: the chain a run made and what it
// cost.
func Table(o Output) report.Table {
	s, st := o.Scenario, o.Stats
	t, add := chain.Measures(fmt.Sprintf("Proof of elapsed time: %d validators, %v interval, %s blocks, degree %d, delay %v, seed %d",
		s.Validators, chain.ShortTime(s.Interval), chain.SizeWords(s.BlockSize), s.Degree, chain.ShortTime(s.Delay), o.Seed))
	if s.Cheaters > 0 {
		f := s.CheatFactor
		if f == 0 {
			f = 10
		}
		t.Title += fmt.Sprintf(", %d compromised enclaves (%g× shorter waits)", s.Cheaters, f)
	}
	if s.ZTest {
		t.Title += ", z-test on"
	}
	add("chain height", fmt.Sprint(st.Height))
	add("blocks made", fmt.Sprint(st.Made))
	add("stale blocks", fmt.Sprintf("%d (stale rate %.2f%%)", st.Stale, 100*st.StaleRate))
	add("forks", fmt.Sprint(st.Forks))
	add("reorganisations", fmt.Sprint(st.Reorgs))
	add("mean block interval", chain.ShortTime(st.MeanInterval))
	add("throughput", fmt.Sprintf("%.2f tx/s (offered %.2f tx/s)", st.Throughput, s.TxRate))
	chain.AddConfirmations(add, st.Confirmations)
	if s.ZTest {
		add("blocks the z-test rejected", fmt.Sprint(st.Rejected))
	}
	cp := "holds"
	if !st.CommonPrefix {
		cp = "VIOLATED"
	}
	add(fmt.Sprintf("common prefix (k=%d)", s.K), cp)
	add("honest validators on one tip", chain.YesNo(st.Agree))
	add("hashes computed", "0 (no proof of work: the enclave's timer is the lottery)")
	add("tip", st.TipHash[:16])
	t.Notes = []string{
		fmt.Sprintf("Each wait is exponential with mean %s; the shortest of %d has mean %s, the interval.", chain.ShortTime(s.Interval*sim.Time(s.Validators)), s.Validators, chain.ShortTime(s.Interval)),
	}
	return *t
}

// SearchScenario is what `simulate check poet` searches: 5 validators on
// a complete graph whose every message takes 1 s plus a drawn 0, 2, 4 or
// 6 s, 15 blocks 20 s apart on average, a common prefix of k = 3: slow
// enough to fork the chain in most runs, not so slow that the longest
// chain cannot settle (with 20 s steps, up to a minute a message, an
// honest validator loses 3-deep blocks within two runs: the property is
// about the network, not PoET).
func SearchScenario() Scenario {
	s := DefaultScenario()
	s.Validators = 5
	s.Links = chain.PropertyLinks(s.Validators, sim.Second, 2*sim.Second)
	s.Blocks, s.TxRate, s.K = 15, 0, 3
	return s
}

// protocol is PoET's registration: the name, summary and scenarios of
// chain.Protocol (see init), and the flags, cases and help below.
type protocol struct{ chain.Protocol }

func (protocol) Bugs() []scenario.Bug { return nil }

func (protocol) Flags(fs *pflag.FlagSet, sc scenario.Scenario) {
	r := sc.(*Registered)
	s := &r.Scenario
	fs.IntVar(&s.Validators, "validators", s.Validators, "number of validators, one enclave each")
	scenario.TimeVar(fs, &s.Interval, "interval", "target block interval")
	chain.BindFlags(fs, &s.Workload, &s.Links)
	chain.BindStopFlags(fs, &s.Blocks, &s.Duration, &s.K, "making blocks")
	fs.IntVar(&s.Cheaters, "cheaters", s.Cheaters, "the first C validators have compromised enclaves")
	fs.Float64Var(&s.CheatFactor, "cheat-factor", s.CheatFactor, "how many times shorter a compromised enclave's waits are (default 10)")
	fs.BoolVar(&s.ZTest, "z-test", s.ZTest, "reject blocks of validators that win implausibly often (Sawtooth's z-test)")
	r.fs = fs
}

// Cases implements scenario.Cased: PoET keeps the common prefix under
// the search's drawn delays. (With one compromised enclave the search
// finds a 3-deep reorganisation from one seed in five: a validator that
// wins ten times as often makes bursts of blocks. Not a row, since the
// verdict must hold on every seed.)
func (protocol) Cases() []scenario.Case {
	return []scenario.Case{{Name: "correct, 5 validators", Apply: func(scenario.Scenario) {}}}
}

// RunHelp implements scenario.Helped.
func (protocol) RunHelp() string {
	return `poet runs proof of elapsed time, Intel's design in Hyperledger Sawtooth:
each validator asks its trusted enclave for a random wait, exponential
with mean --validators × --interval, and the first whose wait runs out
proposes the next block with a certificate that it waited. The lottery
costs a timer, not electricity, and every enclave is one vote. Blocks
travel over the same peer-to-peer network as 'simulate nakamoto'.

--cheaters C gives the first C validators compromised enclaves whose waits
are --cheat-factor times shorter; --z-test turns on Sawtooth's defence,
which rejects the blocks of a validator that wins more often than chance
allows.`
}

// CheckHelp implements scenario.Helped.
func (protocol) CheckHelp() string {
	return `check poet runs 5 validators on a complete graph whose every message
takes 1s plus a drawn 0, 2, 4 or 6 s, making 15 blocks, and searches
the delays for a run in which an honest validator loses a block buried
k = 3 deep (the common-prefix property). It reports the forks and
reorganisations the search saw. The flags of simulate poet change the
searched network.`
}

func init() {
	scenario.Register(protocol{chain.Protocol{Named: scenario.Named{ID: "poet", About: "Run proof of elapsed time: trusted random waits, no hashing"},
		Run: func() scenario.Scenario { return &Registered{Scenario: DefaultScenario()} },
		// check poet searches SearchScenario's delays.
		Search: func() scenario.Scenario { return &Registered{Scenario: SearchScenario()} },
	}})
}
