package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"simulate/protocols/chain"
	"simulate/protocols/nakamoto"
	"simulate/report"
	"simulate/search"
	"simulate/sim"
)

func init() {
	commands = append(commands, newNakamotoCommand)
	checkCommands = append(checkCommands, newCheckNakamotoCommand)
	replayers["nakamoto"] = func(raw json.RawMessage, seed uint64, tracer sim.Tracer) (sim.Result, error) {
		var s nakamoto.Scenario
		if err := json.Unmarshal(raw, &s); err != nil {
			return sim.Result{}, err
		}
		if err := s.Validate(); err != nil {
			return sim.Result{}, err
		}
		r := s.Build(seed)
		r.Config.Tracer = tracer
		return sim.New(r.Config).Run(), nil
	}
}

// nakamotoCommands lists the constructors of `simulate nakamoto NAME`,
// the proof-of-work experiments; each experiment file appends to it in an
// init function so files do not edit each other.
var nakamotoCommands []func(g *globals) *cobra.Command

// nakamotoOutput is `simulate nakamoto --format json`.
type nakamotoOutput struct {
	Scenario nakamoto.Scenario `json:"scenario"`
	Seed     uint64            `json:"seed"`
	Hash     string            `json:"trace_hash"`
	Stats    nakamoto.Stats    `json:"stats"`
	// Blocks are the last main-chain blocks, in real proof-of-work mode.
	Blocks []powBlock `json:"blocks,omitempty"`
}

type powBlock struct {
	Height int    `json:"height"`
	Miner  int    `json:"miner"`
	Nonce  uint64 `json:"nonce"`
	Hashes uint64 `json:"hashes_tried"`
	Zeros  int    `json:"leading_zero_bits"`
	Hash   string `json:"hash"`
}

func newNakamotoCommand(g *globals) *cobra.Command {
	s := nakamoto.DefaultScenario()
	var x nakamotoExtras
	cmd := &cobra.Command{
		Use:   "nakamoto",
		Short: "Run Nakamoto proof-of-work consensus: forks, stale blocks, confirmations",
		Long: `nakamoto runs Bitcoin's consensus: miners with equal shares of the hash
power find blocks as a Poisson process (one every --interval on average),
blocks flood over a random peer-to-peer graph (--degree neighbours each)
whose links take --delay plus size/--bandwidth, and every node follows
the chain with the most work. When propagation is slow next to the
interval, two miners find blocks on the same parent: a fork, resolved by
the next block, leaving a stale block and reorganising some nodes.

It prints the chain height, forks and reorganisations, the stale rate,
throughput in transactions per second, how long a transaction waits for
k = 1..6 confirmations, and whether the common-prefix property held:
no honest node ever lost a block buried k deep.

--real-pow makes the winning miner search nonces with double SHA-256
until the header hash has --pow-bits leading zero bits, and prints the
last blocks' hashes so the zeros can be seen.

--preset simblock sets up the benchmark block-propagation simulators
such as SimBlock publish: 1,000 nodes, 100 blocks of 535,000 bytes every
10 minutes, 8 outbound connections each (--outbound), and SimBlock's six
regions with their latency table, upload and download bandwidth and
share of Bitcoin's nodes (--regions simblock). Flags given explicitly
still apply on top; --delay or --bandwidth replace the regions with
uniform links.

--partition SIDE@FROM..TO cuts the network in two, side A being the
first miners holding SIDE of the hash power (0.3 or 30%) or the listed
ids (0,1,2): no message crosses until TO, both sides mine on, and at the
heal each node asks its neighbours across the cut for the blocks it
missed, so the lighter side reorganises. The table shows the blocks and
transactions the losing side lost, the deepest reorganisation and the
time to converge, beside a simple Poisson model.

--eclipse VICTIM puts one node behind an attacker holding all its
connections, which passes every message on --eclipse-delay late: the
victim mines on stale tips and sees confirmations the network has already
overtaken.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := x.apply(cmd.Flags(), &s); err != nil {
				return err
			}
			fitDefault(cmd.Flags(), "degree", &s.Degree, s.Miners-1)
			fitDefault(cmd.Flags(), "outbound", &s.Outbound, s.Miners-1)
			if err := s.Validate(); err != nil {
				return badInput("nakamoto: %s", flagWords(err.Error()))
			}
			var r *nakamoto.Run
			res, err := execute(g, "nakamoto", s, func(tracer sim.Tracer) sim.Result {
				r = s.Build(g.seed)
				r.Config.Tracer = tracer
				return sim.New(r.Config).Run()
			})
			if err != nil {
				return err
			}
			o := nakamotoOutput{Scenario: s, Seed: g.seed, Hash: res.HashString(), Stats: r.Stats(res)}
			if s.RealPoW {
				o.Blocks = lastBlocks(r, 5)
			}
			out := cmd.OutOrStdout()
			if g.format == "json" {
				return report.WriteJSON(out, o)
			}
			if err := report.Write(out, g.format, nakamotoTable(o)); err != nil {
				return err
			}
			if s.RealPoW {
				fmt.Fprintln(out)
				return report.Write(out, g.format, powTable(s, o.Blocks))
			}
			return nil
		},
	}
	bindNakamotoFlags(cmd.Flags(), &s)
	x.add(cmd.Flags())
	for _, c := range nakamotoCommands {
		cmd.AddCommand(c(g))
	}
	return cmd
}

// bindNakamotoFlags defines the scenario's flags on fs, filling s. The
// preset binds them a second time to its own scenario, to re-apply the
// flags the user gave on top of it.
func bindNakamotoFlags(fs *pflag.FlagSet, s *nakamoto.Scenario) {
	fs.IntVar(&s.Miners, "miners", s.Miners, "number of miners (nodes), equal hash-power shares")
	timeVar(fs, &s.Interval, "interval", s.Interval, "target block interval")
	chainFlags(fs, &s.Workload, &s.Links)
	fs.IntVar(&s.Outbound, "outbound", s.Outbound, "outbound connections per node, Bitcoin Core's graph (about as many inbound come on top); 0: use --degree")
	fs.IntVar(&s.Blocks, "blocks", s.Blocks, "stop mining when the chain reaches this height")
	timeVar(fs, &s.Duration, "duration", 0, "stop the run at this virtual time instead of after --blocks")
	fs.BoolVar(&s.RealPoW, "real-pow", false, "real proof of work: search nonces with double SHA-256")
	fs.IntVar(&s.PoWBits, "pow-bits", s.PoWBits, "leading zero bits a block hash needs with --real-pow")
	fs.IntVar(&s.Retarget, "retarget", 0, "adjust the difficulty every this many blocks (0: never)")
	fs.Float64Var(&s.HashScale, "hash-scale", 0, "network hash power relative to what the initial difficulty assumes (default 1)")
	fs.IntVar(&s.K, "k", s.K, "confirmation depth for the common-prefix check and the latency table")
	fs.StringVar(&s.Bug, "bug", "", "teaching bug switch: "+strings.Join(nakamoto.Bugs, ", "))
	scheduleVar(fs, &s.Schedule, "replay recorded environment draws (index=value,...), as simulate check nakamoto prints them")
	fs.Var(splitFlag{&s.Partition}, "partition", "cut the network in two from FROM to TO: SIDE@FROM..TO, SIDE side A's hash share (0.3, 30%) or its node ids (0,1,2), e.g. 0.3@1h..2h")
}

// nakamotoExtras are the flags of `simulate nakamoto` that are not one
// scenario field each.
type nakamotoExtras struct {
	preset       string
	regions      string
	victim       int
	eclipseDelay sim.Time
}

func (x *nakamotoExtras) add(fs *pflag.FlagSet) {
	fs.StringVar(&x.preset, "preset", "", "start from a published benchmark: simblock (explicit flags still apply on top)")
	fs.StringVar(&x.regions, "regions", "", "regional latency and bandwidth instead of --delay/--bandwidth: simblock (SimBlock's 2019 Bitcoin network) or none")
	fs.IntVar(&x.victim, "eclipse", -1, "eclipse attack on this node: every message to it arrives --eclipse-delay late")
	timeVar(fs, &x.eclipseDelay, "eclipse-delay", 2*sim.Minute, "how long the eclipse attacker holds each message to the victim")
}

// apply turns the extras into the scenario: the preset with the explicit
// flags on top, the regions, the eclipse.
func (x *nakamotoExtras) apply(fs *pflag.FlagSet, s *nakamoto.Scenario) error {
	if x.preset != "" {
		mk, ok := nakamoto.Presets[x.preset]
		if !ok {
			return badInput("nakamoto: --preset %q: want simblock", x.preset)
		}
		p := mk()
		again := pflag.NewFlagSet("preset", pflag.ContinueOnError)
		bindNakamotoFlags(again, &p)
		var err error
		fs.Visit(func(f *pflag.Flag) {
			if err == nil && again.Lookup(f.Name) != nil {
				err = again.Set(f.Name, f.Value.String())
			}
		})
		if err != nil {
			return badInput("nakamoto: %v", err)
		}
		*s = p
	}
	if fs.Changed("duration") && !fs.Changed("blocks") {
		s.Blocks = 0
	}
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
		return badInput("nakamoto: --regions %q: want simblock or none", x.regions)
	}
	switch {
	case fs.Changed("eclipse"):
		s.Eclipse = &nakamoto.Eclipse{Victim: x.victim, Delay: x.eclipseDelay}
	case fs.Changed("eclipse-delay"):
		return badInput("nakamoto: --eclipse-delay needs --eclipse VICTIM")
	}
	return nil
}

// splitFlag is the --partition flag.
type splitFlag struct{ p **nakamoto.Split }

func (f splitFlag) String() string {
	if f.p == nil || *f.p == nil {
		return ""
	}
	return (*f.p).String()
}

func (f splitFlag) Set(v string) error {
	p, err := nakamoto.ParseSplit(v)
	if err != nil {
		return err
	}
	*f.p = p
	return nil
}

func (f splitFlag) Type() string { return "partition" }

// flagWords turns the scenario's field words into flag names in errors.
func flagWords(s string) string {
	return withFlagNames(s, []string{"pow bits", "--pow-bits", "retarget window", "--retarget", "hash scale", "--hash-scale",
		"blocks and duration", "--blocks and --duration"}, []string{"miners", "interval", "k must"})
}

func lastBlocks(r *nakamoto.Run, n int) []powBlock {
	st := r.Net.Store
	chain := st.Chain(r.MainTip())
	var out []powBlock
	for _, id := range chain[max(1, len(chain)-n):] {
		b := st.Get(id)
		out = append(out, powBlock{Height: b.Height, Miner: int(b.Miner), Nonce: b.Nonce, Hashes: b.Hashes, Zeros: nakamoto.LeadingZeroBits(b.Hash), Hash: b.HashHex()})
	}
	return out
}

// shortTime rounds a virtual duration for people.
func shortTime(t sim.Time) string {
	d := time.Duration(t)
	switch {
	case d >= time.Minute:
		d = d.Round(time.Second)
	case d >= time.Second:
		d = d.Round(10 * time.Millisecond)
	default:
		d = d.Round(time.Microsecond)
	}
	return d.String()
}

func nakamotoTable(o nakamotoOutput) report.Table {
	s, st := o.Scenario, o.Stats
	bw := "unlimited bandwidth"
	if s.Bandwidth > 0 {
		bw = fmt.Sprintf("%g Mbit/s", float64(s.Bandwidth)/1e6)
	}
	graph := fmt.Sprintf("degree %d", s.Degree)
	if s.Outbound > 0 {
		graph = fmt.Sprintf("%d outbound connections each", s.Outbound)
	}
	links := fmt.Sprintf("delay %v, %s", shortTime(s.Delay), bw)
	if s.Regions != nil {
		links = fmt.Sprintf("latency and bandwidth of %d regions", len(s.Regions.Names))
	}
	t := report.Table{
		Title: fmt.Sprintf("Nakamoto consensus: %d miners, %v interval, %s blocks, %s, %s, seed %d",
			s.Miners, shortTime(s.Interval), sizeWords(s.BlockSize), graph, links, o.Seed),
		Header: []string{"measure", "value"},
	}
	if s.Bug != "" {
		t.Title += ", bug " + s.Bug
	}
	add := func(k, v string) { t.Rows = append(t.Rows, []string{k, v}) }
	add("chain height", fmt.Sprint(st.Height))
	add("blocks mined", fmt.Sprint(st.Mined))
	add("stale blocks", fmt.Sprintf("%d (stale rate %.2f%%)", st.Stale, 100*st.StaleRate))
	add("forks", fmt.Sprint(st.Forks))
	add("reorganisations", fmt.Sprintf("%d (deepest %d)", st.Reorgs, st.MaxReorgDepth))
	add("mean block interval", shortTime(st.MeanInterval))
	if s.Regions != nil || s.Outbound > 0 {
		add("propagation to 50% / 90% of nodes", fmt.Sprintf("mean %s / %s", shortTime(st.Propagation50), shortTime(st.Propagation90)))
	}
	add("propagation to all nodes", fmt.Sprintf("mean %s, max %s", shortTime(st.Propagation), shortTime(st.MaxPropagation)))
	add("transactions in the chain", fmt.Sprint(st.Txs))
	add("throughput", fmt.Sprintf("%.2f tx/s (offered %.2f tx/s)", st.Throughput, s.TxRate))
	for _, c := range st.Confirmations {
		v := "-"
		if c.Samples > 0 {
			v = fmt.Sprintf("%s (%d txs)", shortTime(c.Mean), c.Samples)
		}
		add(fmt.Sprintf("confirmation latency k=%d", c.K), v)
	}
	cp := "holds"
	if !st.CommonPrefix.Holds {
		cp = fmt.Sprintf("VIOLATED %d times, first at %s", st.CommonPrefix.Violations, st.CommonPrefix.First)
	}
	add(fmt.Sprintf("common prefix (k=%d)", st.CommonPrefix.K), cp)
	agree := "yes"
	if !st.Agree {
		agree = "no"
	}
	add("all nodes on one tip", agree)
	var notes []string
	if p := st.Partition; p != nil {
		notes = append(notes, partitionRows(s, p, st, add)...)
	}
	if e := st.Eclipse; e != nil {
		notes = append(notes, eclipseRows(s, e, add)...)
	}
	if s.Retarget > 0 {
		add("difficulty (last block)", fmt.Sprintf("%.3g× the initial", st.Difficulty))
	}
	if st.Hashes > 0 {
		add("hashes tried", fmt.Sprint(st.Hashes))
	}
	add("tip", st.TipHash[:16])
	t.Notes = []string{
		"A fork is a second block on the same parent; the one left off the main chain is stale.",
		"Confirmation latency: from a transaction's arrival until node 0 holds the block k-1 above the one including it, on the final main chain.",
		fmt.Sprintf("Common prefix: no honest node ever held a chain whose blocks %d deep were not on every later chain.", st.CommonPrefix.K),
	}
	t.Notes = append(append(t.Notes, notes...), "trace hash: "+o.Hash)
	return t
}

// partitionRows adds the partition's rows to a table and returns its notes.
func partitionRows(s nakamoto.Scenario, p *nakamoto.PartitionStats, st nakamoto.Stats, add func(k, v string)) []string {
	add("partition", fmt.Sprintf("side A: %d of %d nodes, %.1f%% of the hash power, cut %s..%s", p.SideA, s.Miners, 100*p.ShareA, shortTime(p.From), shortTime(p.To)))
	if !p.Healed {
		add("heal", "the run ended before the partition healed")
	}
	add("blocks mined during the split", fmt.Sprintf("side A %d, side B %d; the main chain kept %s", p.MinedA, p.MinedB, winnerWords(p.Winner)))
	add("blocks orphaned at the heal", fmt.Sprintf("%d (model %.2f)", p.Orphaned, nakamoto.ExpectedOrphaned(p.ShareA, p.To-p.From, s.Interval)))
	add("transactions in orphaned blocks", fmt.Sprintf("%d (%d not in the winning chain at the heal: back to the pool)", p.TxsOrphaned, p.TxsReturned))
	add("reorganisations after the heal", fmt.Sprintf("%d (deepest %d blocks)", p.Reorgs, p.DeepestReorg))
	conv := shortTime(p.Converge)
	switch {
	case !p.Converged:
		conv = "never: some nodes stayed on a lighter chain"
	case p.Reorgs == 0:
		conv = "no node had to reorganise"
	}
	add("time to converge after the heal", conv)
	add(fmt.Sprintf("transactions confirmed (k=%d) on two branches", s.K), fmt.Sprint(st.DoubleConfirmed))
	return []string{
		"Partition: no message crosses the cut until the heal; both sides keep mining (the AP side of CAP). At the heal every node asks its neighbours across the cut for the blocks it missed (a block locator, as Bitcoin's getheaders), and the side with less work reorganises onto the heavier chain.",
		"model: each side mines a Poisson number of blocks (means share·T/interval and (1-share)·T/interval) and the side with fewer loses them all: E[min(X, Y)]. It leaves out forks from propagation delay and races after the heal. A model, not a measurement.",
	}
}

func winnerWords(w string) string {
	switch w {
	case "A", "B":
		return "side " + w + "'s"
	case "both":
		return "blocks of both sides"
	}
	return "none of them"
}

// eclipseRows adds the eclipse's rows to a table and returns its notes.
func eclipseRows(s nakamoto.Scenario, e *nakamoto.EclipseStats, add func(k, v string)) []string {
	add("eclipse victim", fmt.Sprintf("n%d, %.1f%% of the hash power, every message to it %s late", e.Victim, 100*e.Share, shortTime(e.Delay)))
	wasted := "-"
	if e.Mined > 0 {
		wasted = fmt.Sprintf("%.0f%%", 100*float64(e.Wasted)/float64(e.Mined))
	}
	add("victim's blocks wasted", fmt.Sprintf("%d of %d (%s; model %.0f%%)", e.Wasted, e.Mined, wasted, 100*nakamoto.EclipseWasteModel(e.Share, e.Delay, s.Interval)))
	add("blocks the victim was behind", fmt.Sprintf("mean %.2f, at most %d", e.MeanLag, e.MaxLag))
	add("victim's view delay", shortTime(e.ViewDelay))
	add("confirmations the victim saw reversed", fmt.Sprint(e.Reversed))
	return []string{
		"Eclipse: the attacker holds every connection of the victim and passes each message on late, so the victim mines on tips the network has already built on and trusts confirmations that are overtaken: a merchant behind it can be paid with coins spent elsewhere.",
		"model (wasted): a victim block is wasted when an honest block came in the delay before it, 1 - exp(-(1-share)·delay/interval); a victim block on a stale tip sometimes wins anyway, so the measurement sits a little below. A model, not a measurement.",
	}
}

func sizeWords(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%d MB", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%d kB", n/1000)
	}
	return fmt.Sprintf("%d B", n)
}

func powTable(s nakamoto.Scenario, blocks []powBlock) report.Table {
	t := report.Table{
		Title:  fmt.Sprintf("Last blocks of the main chain: double SHA-256 of the header below a target of %d leading zero bits", s.PoWBits),
		Header: []string{"height", "miner", "nonce", "hashes tried", "zero bits", "block hash"},
	}
	for _, b := range blocks {
		t.Rows = append(t.Rows, []string{fmt.Sprint(b.Height), fmt.Sprintf("n%d", b.Miner), fmt.Sprint(b.Nonce), fmt.Sprint(b.Hashes), fmt.Sprint(b.Zeros), b.Hash})
	}
	t.Notes = []string{fmt.Sprintf("Each nonce tried succeeds with probability 2^-%d, so a block takes about %d hashes; the hash power decides who gets there first.", s.PoWBits, 1<<s.PoWBits)}
	return t
}

// --- simulate check nakamoto ---

func newCheckNakamotoCommand(g *globals) *cobra.Command {
	var checks int
	var bug string
	var part *nakamoto.Split
	cmd := &cobra.Command{
		Use:   "nakamoto",
		Short: "Search network delays for a broken common prefix or a fork that never heals",
		Long: `check nakamoto runs 5 miners on a complete graph whose every message
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
the blocks they missed, fails it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if checks < 1 || checks > 1_000_000 {
				return badInput("check nakamoto: --checks %d: want 1 to 1000000", checks)
			}
			base := nakamoto.PropertyScenario(bug)
			base.Partition = part
			if err := base.Validate(); err != nil {
				return badInput("check nakamoto: %v", err)
			}
			return checkNakamoto(cmd.OutOrStdout(), g, base, checks)
		},
	}
	cmd.Flags().IntVar(&checks, "checks", 100, "number of random runs to try")
	fullTraceFlag(cmd, &g.fullTrace)
	cmd.Flags().StringVar(&bug, "bug", "", "teaching bug switch: "+strings.Join(nakamoto.Bugs, ", "))
	cmd.Flags().Var(splitFlag{&part}, "partition", "cut the miners in two, SIDE@FROM..TO, and check convergence after the heal")
	return cmd
}

func checkNakamoto(w io.Writer, g *globals, base nakamoto.Scenario, checks int) error {
	var fail *search.WorldRun
	var what string
	runs, forked, reorged := 0, 0, 0
	res := search.Run(search.Config{Checks: checks, Seed: g.seed}, func(t *search.T) {
		r := base.Build(1)
		run := search.RunWorld(t, r.Config, nil)
		if t.Phase() == search.Searching {
			runs++
			st := r.Stats(run.Result)
			if st.Forks > 0 {
				forked++
			}
			if st.Reorgs > 0 {
				reorged++
			}
		}
		err := r.Check(run.Result)
		if base.Partition != nil {
			err = nil
			if run.Result.Reason == sim.StopPredicate {
				if err = r.Converged(); err != nil {
					err = fmt.Errorf("after the partition healed, %v", err)
				}
			}
		}
		if err != nil {
			fail, what = &run, err.Error()
			t.Fail("safety", "%s", what)
		}
	})
	if !res.Failed || fail == nil {
		if base.Partition != nil {
			fmt.Fprintf(w, "check nakamoto: with the partition %s, every node ended on a tip of the most work in %d runs of %d miners\n", base.Partition, runs, base.Miners)
		} else {
			fmt.Fprintf(w, "check nakamoto: common prefix (k=%d) and eventual agreement held in %d runs of %d miners\n", base.K, runs, base.Miners)
		}
		fmt.Fprintf(w, "  runs with a fork: %d\n  runs with a reorganisation: %d\n", forked, reorged)
		return nil
	}
	replayed := base
	replayed.Schedule = fail.Draws.Values()
	if err := confirmViolation(g, "nakamoto", replayed, 1, what); err != nil {
		return err
	}
	fmt.Fprintf(w, "check nakamoto: %s\n\n", what)
	fmt.Fprintf(w, "schedule (non-boring draws of %d):\n%s\n", len(fail.Draws), fail.Draws)
	printCounterexampleTrace(w, fail.Log, what, g.fullTrace)
	fmt.Fprintln(w)
	s := base
	fmt.Fprintf(w, "replay: simulate nakamoto --miners %d %s --blocks %d --tx-rate 0 --k %d", s.Miners, linksArgs(s.Links), s.Blocks, s.K)
	if s.Bug != "" {
		fmt.Fprintf(w, " --bug %s", s.Bug)
	}
	if s.Partition != nil {
		fmt.Fprintf(w, " --partition %s", s.Partition)
	}
	if sched := nakamoto.FormatSchedule(fail.Draws.Values()); sched != "" {
		fmt.Fprintf(w, " --schedule %s", sched)
	}
	fmt.Fprintf(w, " --seed 1\n")
	return findingError{msg: "check nakamoto: " + what}
}
