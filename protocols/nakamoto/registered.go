package nakamoto

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"simulate/protocols/chain"
	"simulate/scenario"
	"simulate/sim"
)

// Property names of a registered Nakamoto run. Without a partition a run
// is judged by the common prefix at depth K and by agreement once every
// block has arrived; with one, by convergence after the heal instead (a
// long enough partition breaks the common prefix by design).
const (
	PropCommonPrefix = "common-prefix"
	PropAgreement    = "agreement"
	PropConvergence  = "convergence"
)

// Coverage ("sometimes") conditions of a registered run: the search is
// worth little if its delays never fork the chain or make a node switch
// branches.
const (
	CoverFork  = chain.CoverFork
	CoverReorg = chain.CoverReorg
)

// Registered is the scenario Nakamoto registers with package scenario:
// Scenario, plus the flags of `simulate nakamoto` that are not one field
// each (--preset, --regions, --eclipse, --eclipse-delay, and the defaults
// fitted to --miners). Flags records the flag set; Validate, which the
// CLI calls once the flags are parsed, folds those flags into Scenario
// once, so the scenario the trace header stores is the one that ran.
type Registered struct {
	Scenario
	fs *pflag.FlagSet
	x  extras
}

// extras are the flags of `simulate nakamoto` that are not one scenario
// field each.
type extras struct {
	preset       string
	regions      string
	victim       int
	eclipseDelay sim.Time
}

// Validate implements scenario.Scenario: it applies the extra flags (once)
// and reports the first thing wrong, naming flags rather than fields.
func (r *Registered) Validate() error {
	if fs := r.fs; fs != nil {
		r.fs = nil
		if err := r.x.apply(fs, &r.Scenario); err != nil {
			return err
		}
		chain.FitDefault(fs, "degree", &r.Degree, r.Miners-1)
		chain.FitDefault(fs, "outbound", &r.Outbound, r.Miners-1)
	}
	if err := r.Scenario.Validate(); err != nil {
		return errors.New(flagWords(err.Error()))
	}
	return nil
}

// apply turns the extras into the scenario: the preset with the explicit
// flags on top, the regions, the eclipse.
func (x *extras) apply(fs *pflag.FlagSet, s *Scenario) error {
	if x.preset != "" {
		mk, ok := Presets[x.preset]
		if !ok {
			return fmt.Errorf("--preset %q: want simblock or simblock-push", x.preset)
		}
		p := mk()
		again := pflag.NewFlagSet("preset", pflag.ContinueOnError)
		bindFlags(again, &p)
		var err error
		fs.Visit(func(f *pflag.Flag) {
			if err == nil && again.Lookup(f.Name) != nil {
				err = again.Set(f.Name, f.Value.String())
			}
		})
		if err != nil {
			return err
		}
		*s = p
	}
	chain.RunFor(fs, &s.Blocks)
	if fs.Changed("degree") && !fs.Changed("outbound") {
		s.Outbound = 0
	}
	switch {
	case x.regions == "simblock":
		r := chain.SimBlockRegions()
		s.Regions = &r
	case x.regions == "none" || (x.regions == "" && (fs.Changed("delay") || fs.Changed("bandwidth"))):
		s.Regions = nil
	case x.regions != "":
		return fmt.Errorf("--regions %q: want simblock or none", x.regions)
	}
	// SimBlock's relay draws its own graph over its regions: a flag that
	// replaces either, without --relay, runs the push relay instead.
	if s.Relay == RelaySimBlock && !fs.Changed("relay") &&
		(s.Regions == nil || fs.Changed("degree") || fs.Changed("outbound")) {
		s.Relay = ""
	}
	switch {
	case fs.Changed("eclipse"):
		s.Eclipse = &Eclipse{Victim: x.victim, Delay: x.eclipseDelay}
	case fs.Changed("eclipse-delay"):
		return errors.New("--eclipse-delay needs --eclipse VICTIM")
	}
	return nil
}

// flagWords turns the scenario's field words into flag names in errors.
func flagWords(s string) string {
	return chain.FlagWords(s, []string{"pow bits", "--pow-bits", "retarget window", "--retarget", "hash scale", "--hash-scale",
		"blocks and duration", "--blocks and --duration"},
		[]string{"outbound", "miners", "interval", "k must"})
}

// bindFlags defines the scenario's own flags on fs, filling s. The preset
// binds them a second time to its own scenario, to re-apply the flags the
// user gave on top of it.
func bindFlags(fs *pflag.FlagSet, s *Scenario) {
	fs.IntVar(&s.Miners, "miners", s.Miners, "number of miners (nodes), equal hash-power shares")
	scenario.TimeVar(fs, &s.Interval, "interval", "target block interval")
	chain.BindFlags(fs, &s.Workload, &s.Links)
	fs.IntVar(&s.Outbound, "outbound", s.Outbound, "outbound connections per node, Bitcoin Core's graph (about as many inbound come on top); 0: use --degree")
	fs.StringVar(&s.Relay, "relay", s.Relay, "how blocks travel: push (to every neighbour at once) or simblock (SimBlock's inv/getdata relay with compact blocks, one upload at a time, its degree table and mining-power draw; needs regions)")
	chain.BindStopFlags(fs, &s.Blocks, &s.Duration, &s.K, "mining")
	fs.BoolVar(&s.RealPoW, "real-pow", s.RealPoW, "real proof of work: search nonces with double SHA-256")
	fs.IntVar(&s.PoWBits, "pow-bits", s.PoWBits, "leading zero bits a block hash needs with --real-pow")
	fs.IntVar(&s.Retarget, "retarget", s.Retarget, "adjust the difficulty every this many blocks (0: never)")
	fs.Float64Var(&s.HashScale, "hash-scale", s.HashScale, "network hash power relative to what the initial difficulty assumes (default 1)")
	fs.StringVar(&s.Bug, "bug", s.Bug, "teaching bug switch: "+strings.Join(Bugs, ", ")+" (see --list-bugs)")
	fs.Var(splitFlag{&s.Partition}, "partition", "cut the network in two from FROM to TO: SIDE@FROM..TO, SIDE side A's hash share (0.3, 30%) or its node ids (0,1,2), e.g. 0.3@1h..2h")
}

// splitFlag is the --partition flag.
type splitFlag struct{ p **Split }

func (f splitFlag) String() string {
	if f.p == nil || *f.p == nil {
		return ""
	}
	return (*f.p).String()
}

func (f splitFlag) Set(v string) error {
	p, err := ParseSplit(v)
	if err != nil {
		return err
	}
	*f.p = p
	return nil
}

func (f splitFlag) Type() string { return "partition" }

// Build implements scenario.Scenario. Nothing is drawn before the run:
// the topology comes from the seed, and c draws each message's jitter.
func (r *Registered) Build(seed uint64, c sim.Choices) scenario.World {
	s := r.Scenario
	s.Links = s.Links.Swarmed(c)
	run := s.Build(seed)
	judge := scenario.Memo(func(x scenario.Run) Stats { return run.Stats(x.Result) })
	var props []scenario.Property
	if s.Partition == nil {
		props = []scenario.Property{
			{Name: PropCommonPrefix, Check: func(x scenario.Run) error { return judge(x).CommonPrefix.Err() }},
			{Name: PropAgreement, Check: func(x scenario.Run) error { return run.agreed(x.Result) }},
		}
	} else {
		props = []scenario.Property{
			{Name: PropConvergence, Check: func(x scenario.Run) error {
				if x.Result.Reason != sim.StopPredicate {
					return nil // cut off by a time limit: blocks may still be in flight
				}
				if err := run.Converged(); err != nil {
					return fmt.Errorf("after the partition healed, %v", err)
				}
				return nil
			}},
		}
	}
	return scenario.World{
		Config:     run.Config,
		Setup:      run.Setup,
		Properties: props,
		Coverage:   chain.Forked(func(x scenario.Run) (int, int) { st := judge(x); return st.Forks, st.Reorgs }),
		Show:       func(x scenario.Run) scenario.Shown { return show(run, seed, x.Result, judge(x)) },
	}
}

// protocol is Nakamoto's registration: the name, summary and scenarios of
// chain.Protocol (see init), and the flags, bugs, cases and help below.
type protocol struct{ chain.Protocol }

func (protocol) Flags(fs *pflag.FlagSet, sc scenario.Scenario) {
	r := sc.(*Registered)
	bindFlags(fs, &r.Scenario)
	r.x = extras{victim: -1, eclipseDelay: 2 * sim.Minute}
	fs.StringVar(&r.x.preset, "preset", "", "start from a published benchmark: simblock (SimBlock's relay and node model) or simblock-push (the same network with this simulator's push relay); explicit flags still apply on top")
	fs.StringVar(&r.x.regions, "regions", "", "regional latency and bandwidth instead of --delay/--bandwidth: simblock (SimBlock's 2019 Bitcoin network) or none")
	fs.IntVar(&r.x.victim, "eclipse", r.x.victim, "eclipse attack on this node: every message to it arrives --eclipse-delay late")
	scenario.TimeVar(fs, &r.x.eclipseDelay, "eclipse-delay", "how long the eclipse attacker holds each message to the victim")
	r.fs = fs
}

func (protocol) Bugs() []scenario.Bug {
	return []scenario.Bug{
		{Name: "ignore-forks", Description: "nodes never leave their branch for a heavier one", Needs: "delays long enough to fork the chain (check nakamoto's drawn jitter)"},
		{Name: "no-reannounce-on-heal", Description: "nodes do not ask their neighbours across a healed partition for the blocks they missed", Needs: "--partition SIDE@FROM..TO"},
	}
}

// Cases implements scenario.Cased: honest Nakamoto consensus keeps the
// common prefix and agrees under drawn delays, and converges after a
// partition heals; each teaching bug breaks its property. The bug rows
// run a little longer than check nakamoto's defaults (25 blocks, a cut of
// 1h40m) because with 15 blocks or a 40-minute cut some search seeds mine
// no fork that outlives the run in 200 runs: the verdict must hold on
// every seed.
func (protocol) Cases() []scenario.Case {
	set := func(f func(*Scenario)) func(scenario.Scenario) {
		return func(sc scenario.Scenario) { f(&sc.(*Registered).Scenario) }
	}
	split := func(s *Scenario) { s.Partition = &Split{Share: 0.4, From: 20 * sim.Minute, To: 2 * sim.Hour} }
	return []scenario.Case{
		{Name: "correct, 5 miners", Apply: set(func(*Scenario) {})},
		{Name: "correct, partition 0.4@20m..2h", Apply: set(split)},
		{Name: "bug ignore-forks, 25 blocks", Violates: PropAgreement, MaxDraws: 3, Only: true,
			Apply: set(func(s *Scenario) { s.Bug, s.Blocks = "ignore-forks", 25 })},
		{Name: "bug no-reannounce-on-heal, partition 0.4@20m..2h", Violates: PropConvergence, MaxDraws: 1, Only: true,
			Apply: set(func(s *Scenario) { split(s); s.Bug = "no-reannounce-on-heal" })},
	}
}

// RunHelp implements scenario.Helped.
func (protocol) RunHelp() string {
	return `nakamoto runs Bitcoin's consensus: miners with equal shares of the hash
power find blocks as a Poisson process (one every --interval on average),
blocks flood over a random peer-to-peer graph (--degree neighbours each)
whose links take --delay plus size/--bandwidth, and every node follows
the chain with the most work. When propagation is slow next to the
interval, two miners find blocks on the same parent: a fork, resolved by
the next block, leaving a stale block and reorganising some nodes.

It prints the chain height, forks and reorganisations, the stale rate,
throughput in transactions per second, how long a transaction waits for
k = 1..6 confirmations, and whether the common-prefix property held:
no honest node ever lost a block buried k deep; then the run's verdict
(exit status 1 when a property broke).

--real-pow makes the winning miner search nonces with double SHA-256
until the header hash has --pow-bits leading zero bits, and prints the
last blocks' hashes so the zeros can be seen.

--preset simblock sets up the benchmark block-propagation simulators
such as SimBlock publish: 1,000 nodes, 100 blocks of 535,000 bytes every
10 minutes over SimBlock's six regions with their latency table, upload
and download bandwidth and share of Bitcoin's nodes (--regions simblock),
run with SimBlock's relay and node model (--relay simblock): blocks
announced by inv and fetched by getdata, compact blocks with SimBlock's
failure rates, one upload at a time per node, outbound connections from
its degree table and mining power from its normal draw. It prints the
mean time a block took to reach 50, 90 and 100 % of the nodes beside
SimBlock's own figures. --preset simblock-push is the same network with
this simulator's push relay (every block to every neighbour at once, 8
outbound connections, equal power). Flags given explicitly still apply on
top; --delay or --bandwidth replace the regions with uniform links, and
they, --degree or --outbound switch to the push relay.

--partition SIDE@FROM..TO cuts the network in two, side A being the
first miners holding SIDE of the hash power (0.3 or 30%) or the listed
ids (0,1,2): no message crosses until TO, both sides mine on, and at the
heal each node asks its neighbours across the cut for the blocks it
missed, so the lighter side reorganises. The table shows the blocks and
transactions the losing side lost, the deepest reorganisation and the
time to converge, beside a simple Poisson model. The run is then judged
by convergence (every node on a tip of the most work once every block
has arrived) instead of the common prefix.

--eclipse VICTIM puts one node behind an attacker holding all its
connections, which passes every message on --eclipse-delay late: the
victim mines on stale tips and sees confirmations the network has already
overtaken.`
}

// CheckHelp implements scenario.Helped.
func (protocol) CheckHelp() string {
	return `check nakamoto runs 5 miners on a complete graph whose every message
takes 1s plus a drawn 0, 20, 40 or 60 s, mining 15 blocks, and searches
the delays for a run in which the common-prefix property (k = 3) fails or
the nodes still disagree on more than a tied last block once every block
has arrived. Honest Nakamoto consensus survives; --bug ignore-forks (nodes
never leave their branch) does not, and the search shrinks the
counterexample to the one late block that splits the network.

--partition SIDE@FROM..TO cuts the miners in two for that window (as
simulate nakamoto --partition does) and checks instead that once it has
healed and every block has arrived, every node is on a tip with the most
work: the longest-chain rule converges. (The common prefix is not checked
then: a long enough partition breaks it by design.) --bug
no-reannounce-on-heal, nodes that do not ask across the healed cut for
the blocks they missed, fails it.

The flags of simulate nakamoto change the searched network.`
}

func init() {
	scenario.Register(protocol{chain.Protocol{Named: scenario.Named{ID: "nakamoto", About: "Run Nakamoto proof-of-work consensus: forks, stale blocks, confirmations"},
		Run: func() scenario.Scenario { return &Registered{Scenario: DefaultScenario()} },
		// check nakamoto searches a small network whose delays fork it
		// (PropertyScenario).
		Search: func() scenario.Scenario { return &Registered{Scenario: PropertyScenario("")} },
	}})
}
