package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"pgregory.net/rapid"

	"simulate/experiments/doublespend"
	"simulate/experiments/selfish"
	"simulate/plot"
	"simulate/protocols/nakamoto"
	"simulate/report"
	"simulate/sim"
	"simulate/sim/simtest"
)

func init() {
	commands = append(commands, newNakamotoCommand)
	checkCommands = append(checkCommands, newCheckNakamotoCommand)
	experimentCommands = append(experimentCommands, newDoubleSpendCommand, newSelfishCommand)
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
last blocks' hashes so the zeros can be seen.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("duration") && !cmd.Flags().Changed("blocks") {
				s.Blocks = 0
			}
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
	fs := cmd.Flags()
	fs.IntVar(&s.Miners, "miners", s.Miners, "number of miners (nodes), equal hash-power shares")
	timeVar(fs, &s.Interval, "interval", s.Interval, "target block interval")
	fs.IntVar(&s.BlockSize, "block-size", s.BlockSize, "largest block in bytes")
	fs.IntVar(&s.TxSize, "tx-size", s.TxSize, "transaction size in bytes")
	fs.Float64Var(&s.TxRate, "tx-rate", s.TxRate, "transactions arriving per second")
	fs.IntVar(&s.Degree, "degree", s.Degree, "neighbours per node in the random peer-to-peer graph")
	timeVar(fs, &s.Delay, "delay", s.Delay, "latency of every link")
	fs.Int64Var(&s.Bandwidth, "bandwidth", s.Bandwidth, "link bandwidth in bits per second (0: unlimited)")
	timeVar(fs, &s.Jitter, "jitter", 0, "step of extra per-message delay drawn from the seed (with --jitter-steps)")
	fs.IntVar(&s.JitterSteps, "jitter-steps", 0, "extra delay is a drawn 0..steps-1 times --jitter")
	fs.IntVar(&s.Blocks, "blocks", s.Blocks, "stop mining when the chain reaches this height")
	timeVar(fs, &s.Duration, "duration", 0, "stop the run at this virtual time instead of after --blocks")
	fs.BoolVar(&s.RealPoW, "real-pow", false, "real proof of work: search nonces with double SHA-256")
	fs.IntVar(&s.PoWBits, "pow-bits", s.PoWBits, "leading zero bits a block hash needs with --real-pow")
	fs.IntVar(&s.Retarget, "retarget", 0, "adjust the difficulty every this many blocks (0: never)")
	fs.Float64Var(&s.HashScale, "hash-scale", 0, "network hash power relative to what the initial difficulty assumes (default 1)")
	fs.IntVar(&s.K, "k", s.K, "confirmation depth for the common-prefix check and the latency table")
	fs.StringVar(&s.Bug, "bug", "", "teaching bug switch: "+strings.Join(nakamoto.Bugs, ", "))
	scheduleVar(fs, &s.Schedule, "replay recorded environment draws (index=value,...), as `simulate check nakamoto` prints")
	return cmd
}

// flagWords turns the scenario's field words into flag names in errors.
func flagWords(s string) string {
	r := strings.NewReplacer("block size", "--block-size", "pow bits", "--pow-bits", "retarget window", "--retarget",
		"hash scale", "--hash-scale", "blocks and duration", "--blocks and --duration", "transaction rate", "--tx-rate", "transaction size", "--tx-size")
	s = r.Replace(s)
	for _, w := range []string{"miners", "interval", "degree", "delay", "bandwidth", "k must"} {
		if strings.HasPrefix(s, w) {
			return "--" + s
		}
	}
	return s
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
	t := report.Table{
		Title: fmt.Sprintf("Nakamoto consensus: %d miners, %v interval, %s blocks, degree %d, delay %v, %s, seed %d",
			s.Miners, shortTime(s.Interval), sizeWords(s.BlockSize), s.Degree, shortTime(s.Delay), bw, o.Seed),
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
		"trace hash: " + o.Hash,
	}
	return t
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
	cmd := &cobra.Command{
		Use:   "nakamoto",
		Short: "Search network delays for a broken common prefix or a fork that never heals",
		Long: `check nakamoto runs 5 miners on a complete graph whose every message
takes 1s plus a drawn 0, 20, 40 or 60 s, mining 15 blocks, and searches
the delays for a run in which the common-prefix property (k = 3) fails or
the nodes still disagree on more than a tied last block once every block
has arrived. Honest Nakamoto consensus survives; --bug ignore-forks (nodes
never leave their branch) does not, and the search shrinks the
counterexample to the one late block that splits the network.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if checks < 1 || checks > 1_000_000 {
				return badInput("check nakamoto: --checks %d: want 1 to 1000000", checks)
			}
			base := nakamoto.PropertyScenario(bug)
			if err := base.Validate(); err != nil {
				return badInput("check nakamoto: %v", err)
			}
			return checkNakamoto(cmd.OutOrStdout(), g, base, checks)
		},
	}
	cmd.Flags().IntVar(&checks, "checks", 100, "number of random runs to try")
	cmd.Flags().StringVar(&bug, "bug", "", "teaching bug switch: "+strings.Join(nakamoto.Bugs, ", "))
	return cmd
}

func checkNakamoto(w io.Writer, g *globals, base nakamoto.Scenario, checks int) error {
	var fail *simtest.Run
	var what string
	runs, forked, reorged := 0, 0, 0
	res := simtest.Search(checks, g.seed, func(t *rapid.T) {
		r := base.Build(1)
		run := simtest.RunWorld(t, r.Config, nil)
		runs++
		st := r.Stats(run.Result)
		if st.Forks > 0 {
			forked++
		}
		if st.Reorgs > 0 {
			reorged++
		}
		if err := r.Check(run.Result); err != nil {
			fail, what = &run, err.Error()
			t.Fatalf("%s", what)
		}
	})
	if !res.Failed || fail == nil {
		fmt.Fprintf(w, "check nakamoto: common prefix (k=%d) and eventual agreement held in %d runs of %d miners\n", base.K, runs, base.Miners)
		fmt.Fprintf(w, "  runs with a fork: %d\n  runs with a reorganisation: %d\n", forked, reorged)
		return nil
	}
	replayed := base
	replayed.Schedule = fail.Values()
	if err := confirmReplay(g, "nakamoto", replayed, 1); err != nil {
		return err
	}
	fmt.Fprintf(w, "check nakamoto: %s\n\n", what)
	fmt.Fprintf(w, "schedule (non-boring draws of %d):\n%s\n", len(fail.Choices), fail.Schedule())
	fmt.Fprintf(w, "trace (%d events):\n%s\n", len(fail.Log.Events), fail.Log.Text())
	s := base
	fmt.Fprintf(w, "replay: simulate nakamoto --miners %d --degree %d --delay %v --bandwidth %d --jitter %v --jitter-steps %d --blocks %d --tx-rate 0 --k %d",
		s.Miners, s.Degree, s.Delay, s.Bandwidth, s.Jitter, s.JitterSteps, s.Blocks, s.K)
	if s.Bug != "" {
		fmt.Fprintf(w, " --bug %s", s.Bug)
	}
	fmt.Fprintf(w, " --schedule %s --seed 1\n", nakamoto.FormatSchedule(fail.Values()))
	return findingError{msg: "check nakamoto: " + what}
}

// --- simulate experiment double-spend ---

func newDoubleSpendCommand(g *globals) *cobra.Command {
	o := doublespend.DefaultOptions()
	var dsPlot string
	threshold := 0.001
	cmd := &cobra.Command{
		Use:   "double-spend",
		Short: "The whitepaper's double-spend odds, simulated, against its Poisson approximation and the exact value",
		Long: `double-spend runs the race of the Bitcoin whitepaper's section 11: an
attacker with hash share q pays a merchant, who waits for z confirmations,
while mining in private a chain that spends the same coins elsewhere, and
publishes it if it ever gets ahead. Every race runs through the nakamoto
protocol's miners (one attacker, 2 honest miners, the merchant) with
instant propagation.

It prints the simulated success probability with its standard error beside
the whitepaper's value (a Poisson approximation, computed with its C
code) and the exact one (Rosenfeld): for q = 0.1 and 0.3 over z = 0..10,
and the z a merchant needs for P < --threshold for q = 0.10..0.45.

Small probabilities are estimated by importance sampling: the attacker
mines with a larger share and each race is weighted by its likelihood
ratio (--plain turns it off).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Seed = g.seed
			if err := o.Validate(); err != nil {
				return badInput("double-spend: --%s", err)
			}
			if !(threshold > 0 && threshold < 0.5) {
				return badInput("double-spend: --threshold %v: want a probability in (0, 0.5)", threshold)
			}
			if err := checkPlotPath(dsPlot); err != nil {
				return err
			}
			res := doublespend.Run(o, threshold)
			out := cmd.OutOrStdout()
			if g.format == "json" {
				if err := report.WriteJSON(out, res); err != nil {
					return err
				}
				return writePlot(cmd, dsPlot, doubleSpendFigure(res))
			}
			t1, t2 := doubleSpendTables(o, res)
			if err := report.Write(out, g.format, t1); err != nil {
				return err
			}
			fmt.Fprintln(out)
			if err := report.Write(out, g.format, t2); err != nil {
				return err
			}
			return writePlot(cmd, dsPlot, doubleSpendFigure(res))
		},
	}
	cmd.Flags().StringVar(&dsPlot, "plot", "", "also draw P(success) against z — simulated, whitepaper, exact — to this .svg or .png file")
	cmd.Flags().IntVar(&o.Runs, "runs", o.Runs, "races per (q, z) point of the probability table")
	cmd.Flags().IntVar(&o.NeededRuns, "needed-runs", o.NeededRuns, "races per point of the confirmations-needed table (long races)")
	cmd.Flags().IntVar(&o.Workers, "workers", 0, "parallel races (default: every core); results do not depend on it")
	cmd.Flags().BoolVar(&o.Plain, "plain", false, "plain Monte Carlo instead of importance sampling")
	cmd.Flags().IntVar(&o.Honest, "honest", o.Honest, "honest miners sharing 1-q")
	cmd.Flags().Float64Var(&threshold, "threshold", threshold, "the merchant's acceptable risk for the second table")
	return cmd
}

// prob renders a probability: fixed point down to 0.001, scientific below.
func prob(p float64) string {
	switch {
	case p == 0:
		return "0"
	case p >= 0.001:
		return fmt.Sprintf("%.5f", p)
	}
	return fmt.Sprintf("%.3e", p)
}

func zscore(sim, ref, se float64) string {
	if se == 0 {
		if sim == ref {
			return "0"
		}
		return "-"
	}
	return fmt.Sprintf("%+.1f", (sim-ref)/se)
}

func doubleSpendTables(o doublespend.Options, res doublespend.Result) (report.Table, report.Table) {
	method := "importance-sampled"
	if o.Plain {
		method = "plain Monte Carlo"
	}
	t1 := report.Table{
		Title:  fmt.Sprintf("Double spend: attacker success probability, %d races per point (%s), seed %d", o.Runs, method, o.Seed),
		Header: []string{"q", "z", "simulated", "± s.e.", "whitepaper", "exact", "(sim-exact)/s.e."},
	}
	worst := 0.0
	for _, r := range res.Probabilities {
		t1.Rows = append(t1.Rows, []string{fmt.Sprintf("%.2f", r.Q), fmt.Sprint(r.Z), prob(r.P), prob(r.SE), prob(r.Whitepaper), prob(r.Exact), zscore(r.P, r.Exact, r.SE)})
		worst = math.Max(worst, r.BiasBound/math.Max(r.Exact, 1e-300))
	}
	t1.Notes = []string{
		"simulated: races run through the nakamoto protocol's miners. The attacker premines one block holding the conflicting spend, pays, mines in private and publishes once the merchant has z confirmations and its chain has more work; success means the merchant saw the payment reversed.",
		"whitepaper: section 11's C code. It counts the attacker's blocks while the merchant waits as Poisson with mean z·q/p, as if the honest chain took exactly its expected time.",
		"exact: Rosenfeld, P = 1 - sum_{m<z} C(m+z-1,m)(p^z q^m - p^m q^z). The honest chain's time is random too, so the attacker's count is negative binomial: more spread, a fatter tail, higher odds (q=0.1, z=5: 0.00178, not 0.00091). The simulation matches the exact value, not the approximation.",
		fmt.Sprintf("Truncation: the attacker gives up z+c blocks behind, c the least with (q/p)^(c+1) <= 1e-4; this lowers P by at most (q/p)^(z+c+1), here at most %.1e of the exact value.", worst),
	}
	if !o.Plain {
		t1.Notes = append(t1.Notes, "Importance sampling: the attacker mines with share w while the merchant waits (w minimises the estimator's variance) and p while catching up (q and p swapped); each race counts with weight prod(true share/sampling share) over its blocks, so the mean stays unbiased and tiny probabilities get small errors.")
	}
	t2 := report.Table{
		Title:  fmt.Sprintf("Confirmations z a merchant needs for P < %g, %d races per point", res.Threshold, o.NeededRuns),
		Header: []string{"q", "z whitepaper", "simulated P there", "z exact", "simulated P there", "z simulated"},
	}
	for _, n := range res.Needed {
		zs := fmt.Sprint(n.Z)
		if n.Z < 0 {
			zs = "-"
		}
		t2.Rows = append(t2.Rows, []string{fmt.Sprintf("%.2f", n.Q),
			fmt.Sprint(n.Whitepaper), prob(n.AtWhitepaper.P) + " ± " + prob(n.AtWhitepaper.SE),
			fmt.Sprint(n.Exact), prob(n.AtExact.P) + " ± " + prob(n.AtExact.SE), zs})
	}
	t2.Notes = []string{
		"The whitepaper's z leaves the merchant exposed: the simulated race succeeds there far more often than the threshold allows.",
		"z simulated: where the simulated log P crosses the threshold, on the line through the two simulated points. Near the threshold P changes by well under its standard error per block when q >= 0.35, so that z is known to a few blocks; it stays far from the whitepaper's.",
	}
	return t1, t2
}

// --- simulate experiment selfish-mining ---

func newSelfishCommand(g *globals) *cobra.Command {
	o := selfish.DefaultOptions()
	var smPlot string
	cmd := &cobra.Command{
		Use:   "selfish-mining",
		Short: "Eyal and Sirer's selfish mining: a pool's revenue, simulated, against the closed form",
		Long: `selfish-mining runs a pool with hash share α that keeps its blocks
private and publishes them only to orphan honest blocks (Eyal and Sirer,
"Majority is not enough"), against honest miners of whom a γ share mine on
the pool's block when it matches theirs. Every run goes through the
nakamoto protocol's miners with instant propagation.

It prints the pool's share of the main chain, simulated with its standard
error, beside the closed form and beside α, what honest mining would pay;
and the share above which selfish mining pays, beside (1-γ)/(3-2γ).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Seed = g.seed
			if err := o.Validate(); err != nil {
				return badInput("selfish-mining: --%s", err)
			}
			if err := checkPlotPath(smPlot); err != nil {
				return err
			}
			res := selfish.Run(o)
			out := cmd.OutOrStdout()
			if g.format == "json" {
				if err := report.WriteJSON(out, res); err != nil {
					return err
				}
				return writePlot(cmd, smPlot, selfishFigure(res))
			}
			t1, t2 := selfishTables(o, res)
			if err := report.Write(out, g.format, t1); err != nil {
				return err
			}
			fmt.Fprintln(out)
			if err := report.Write(out, g.format, t2); err != nil {
				return err
			}
			return writePlot(cmd, smPlot, selfishFigure(res))
		},
	}
	cmd.Flags().StringVar(&smPlot, "plot", "", "also draw the pool's revenue against α — simulated beside the closed form — to this .svg or .png file")
	cmd.Flags().IntVar(&o.Runs, "runs", o.Runs, "runs per (α, γ) point")
	cmd.Flags().IntVar(&o.Blocks, "blocks", o.Blocks, "blocks mined per run")
	cmd.Flags().IntVar(&o.Honest, "honest", o.Honest, "honest miners sharing 1-α")
	cmd.Flags().IntVar(&o.Workers, "workers", 0, "parallel runs (default: every core); results do not depend on it")
	return cmd
}

func selfishTables(o selfish.Options, res selfish.Result) (report.Table, report.Table) {
	t1 := report.Table{
		Title:  fmt.Sprintf("Selfish mining: the pool's relative revenue, %d runs × %d blocks per point, seed %d", o.Runs, o.Blocks, o.Seed),
		Header: []string{"α", "γ", "simulated", "± s.e.", "closed form", "(sim-closed)/s.e.", "honest (α)", "selfish pays"},
	}
	for _, r := range res.Rows {
		pays := "no"
		if r.Sim > r.Alpha {
			pays = "yes"
		}
		t1.Rows = append(t1.Rows, []string{fmt.Sprintf("%.2f", r.Alpha), fmt.Sprintf("%.1f", r.Gamma), fmt.Sprintf("%.4f", r.Sim), fmt.Sprintf("%.4f", r.SE),
			fmt.Sprintf("%.4f", r.Closed), zscore(r.Sim, r.Closed, r.SE), fmt.Sprintf("%.2f", r.Alpha), pays})
	}
	t1.Notes = []string{
		"closed form: R = [α(1-α)²(4α+γ(1-2α)) - α³] / [1 - α(1+(2-α)α)] (Eyal and Sirer 2014).",
		"simulated: the pool's blocks over all blocks of the final main chain, averaged over runs. Each honest miner, when the pool matches its block, switches to the pool's with probability γ, so a γ share of the honest power mines on it in expectation.",
	}
	t2 := report.Table{
		Title:  "Profitability threshold: the least α for which selfish mining beats honest mining",
		Header: []string{"γ", "simulated", "closed form (1-γ)/(3-2γ)"},
	}
	for _, th := range res.Thresholds {
		v := "not within the grid"
		switch {
		case th.Below:
			v = fmt.Sprintf("< %.2f", selfish.Alphas[0])
		case th.Sim != nil:
			v = fmt.Sprintf("%.3f", *th.Sim)
		}
		t2.Rows = append(t2.Rows, []string{fmt.Sprintf("%.1f", th.Gamma), v, fmt.Sprintf("%.3f", th.Closed)})
	}
	t2.Notes = []string{"simulated: where the simulated revenue minus α changes sign, interpolated linearly between grid points."}
	return t1, t2
}

// doubleSpendFigure draws P(success) against z on a log scale for each q:
// simulated points with error bars, the exact race and the whitepaper's
// Poisson approximation as lines.
func doubleSpendFigure(res doublespend.Result) plot.Figure {
	f := plot.Figure{Title: "Double spend: the attacker catches up from z blocks behind", XLabel: "confirmations z", YLabel: "P(attacker succeeds)", LogY: true, LegendBottom: true}
	for i, q := range doublespend.Table1Qs {
		sim := plot.Series{Name: fmt.Sprintf("q=%.2f simulated (± s.e.)", q), Group: i + 1}
		exact := plot.Series{Name: fmt.Sprintf("q=%.2f exact (Rosenfeld)", q), Group: i + 1}
		wp := plot.Series{Name: fmt.Sprintf("q=%.2f whitepaper", q), Dashed: true, Group: 7}
		for _, r := range res.Probabilities {
			if r.Q != q {
				continue
			}
			z := float64(r.Z)
			sim.X, sim.Y, sim.Err = append(sim.X, z), append(sim.Y, r.P), append(sim.Err, r.SE)
			exact.X, exact.Y = append(exact.X, z), append(exact.Y, r.Exact)
			wp.X, wp.Y = append(wp.X, z), append(wp.Y, r.Whitepaper)
		}
		f.Series = append(f.Series, sim, exact, wp)
	}
	return f
}

// selfishFigure draws the selfish pool's relative revenue against α for
// each γ, simulated beside Eyal and Sirer's closed form, with honest
// mining's α as the line to beat.
func selfishFigure(res selfish.Result) plot.Figure {
	f := plot.Figure{Title: "Selfish mining: the pool's share of the main chain", XLabel: "pool's hash share α", YLabel: "relative revenue"}
	gammas := []float64{}
	seen := map[float64]bool{}
	for _, r := range res.Rows {
		if !seen[r.Gamma] {
			seen[r.Gamma] = true
			gammas = append(gammas, r.Gamma)
		}
	}
	honest := plot.Series{Name: "honest mining (revenue = α)", Dashed: true, Group: 7}
	for i, gm := range gammas {
		sim := plot.Series{Name: fmt.Sprintf("γ=%.1f simulated (± s.e.)", gm), Group: i + 1}
		closed := plot.Series{Name: fmt.Sprintf("γ=%.1f closed form", gm), Group: i + 1}
		for _, r := range res.Rows {
			if r.Gamma != gm {
				continue
			}
			sim.X, sim.Y, sim.Err = append(sim.X, r.Alpha), append(sim.Y, r.Sim), append(sim.Err, r.SE)
			closed.X, closed.Y = append(closed.X, r.Alpha), append(closed.Y, r.Closed)
			if gm == gammas[0] {
				honest.X, honest.Y = append(honest.X, r.Alpha), append(honest.Y, r.Alpha)
			}
		}
		f.Series = append(f.Series, sim, closed)
	}
	f.Series = append(f.Series, honest)
	return f
}
