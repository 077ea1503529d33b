package compare

import (
	"encoding/json"
	"fmt"
	"math"
	"simulate/protocols/chain"
	"strings"

	"github.com/spf13/pflag"

	"simulate/experiments/experiment"
	"simulate/report"
	"simulate/scenario"
	"simulate/sim"
)

// registered is the experiment at `simulate consensus compare`;
// its --out files name the sweep "consensus-compare".
var registered = experiment.Spec[*cliParams]{
	ID:          "consensus-compare",
	Path:        "consensus compare",
	Summary:     "PoW, PoS, DPoS and PoET on the same network, interval and seeds: one table",
	Help:        help,
	DefaultRuns: 4,
	Defaults:    func() *cliParams { return &cliParams{Options: DefaultOptions(), stakes: "zipf"} },
	Bind:        bindFlags,
}

func init() { experiment.Register(registered) }

// help is the command's help.
const help = `compare runs proof of work (the nakamoto protocol), proof of stake (Praos
slots), delegated proof of stake and proof of elapsed time on the same
peer-to-peer network (--nodes, --degree, --delay, --bandwidth), the same
mean block interval (--interval), the same blocks and transactions and the
same seeds, and measures each the same way: throughput, fork (stale) rate,
time to finality (--k confirmations, or DPoS's 2/3+1 delegates), hashes
computed, fairness (each producer's blocks against its share of the power,
and the Gini coefficient of the rewards), and how many nodes produced.

It also measures the course notes' throughput line (Bitcoin-like and
Ethereum-like parameters, about 7 and 15 tx/s), the nothing-at-stake
problem (forks that live on when signing both is free), and two attacks:
a stake-majority double spend and DPoS delegates colluding.`

// bindFlags binds p's fields to the command's flags.
func bindFlags(fs *pflag.FlagSet, p *cliParams) {
	o := &p.Options
	fs.IntVar(&o.Nodes, "nodes", o.Nodes, "nodes every mechanism runs on")
	fs.StringVar(&p.stakes, "stakes", p.stakes, "stake and hash-power distribution: zipf or equal")
	scenario.TimeVar(fs, &o.Interval, "interval", "mean block interval of every mechanism")
	fs.IntVar(&o.BlockSize, "block-size", o.BlockSize, "largest block in bytes")
	fs.IntVar(&o.TxSize, "tx-size", o.TxSize, "transaction size in bytes")
	fs.Float64Var(&o.TxRate, "tx-rate", o.TxRate, "transactions offered per second")
	chain.LinkFlags(fs, &o.Degree, &o.Delay, &o.Bandwidth)
	fs.IntVar(&o.Blocks, "blocks", o.Blocks, "blocks per run and mechanism")
	fs.IntVar(&o.K, "k", o.K, "confirmations that settle a block under PoW, PoS and PoET")
	fs.Float64Var(&o.F, "f", o.F, "proof of stake's active-slot coefficient")
	fs.IntVar(&o.Delegates, "delegates", o.Delegates, "DPoS delegates")
	fs.IntVar(&o.PoWBits, "pow-bits", o.PoWBits, "leading zero bits of the real proof of work whose hashes are counted")
	fs.IntVar(&o.Races, "races", o.Races, "double-spend races per run for each attacker share")
	fs.IntVar(&o.Collusions, "collusions", o.Collusions, "DPoS collusion runs per run for each traitor count")
}

// cliParams are the Options behind the command's flags. They record (and
// --out files hold) exactly the Options' JSON, so sweep files written
// before the experiment was registered still merge; stakes is --stakes
// until Finish turns it into Zipf, and seed is the sweep's, for the title.
type cliParams struct {
	Options
	stakes string
	seed   uint64
}

// Finish implements experiment.Finisher: --stakes becomes Zipf, and the
// defaults chosen for 32 nodes (--degree 4, --delegates 21) shrink to fit
// a smaller --nodes the user gave, unless the user typed them too.
func (p *cliParams) Finish(fs *pflag.FlagSet) error {
	switch p.stakes {
	case "zipf":
		p.Zipf = true
	case "equal":
		p.Zipf = false
	default:
		return fmt.Errorf("consensus compare: --stakes %q: want equal or zipf", p.stakes)
	}
	fitDefault(fs, "degree", &p.Degree, p.Nodes-1)
	fitDefault(fs, "delegates", &p.Delegates, p.Nodes)
	return nil
}

// fitDefault lowers *v to most when the user did not type --name: a
// default chosen for the default size must not fail a smaller size the
// user did give. A value the user typed is kept, and Validate reports it.
func fitDefault(fs *pflag.FlagSet, name string, v *int, most int) {
	if !fs.Changed(name) && *v > most && most >= 1 {
		*v = most
	}
}

// Validate implements experiment.Params, naming the flags.
func (p *cliParams) Validate() error {
	if err := p.Options.Validate(); err != nil {
		return fmt.Errorf("consensus compare: %s", flagWords(err.Error()))
	}
	return nil
}

// flagWords turns the field words of Options' and the protocols' errors
// into flag names: "block size" becomes "--block-size", and an error that
// begins with a field ("degree must be ...") gets "--" in front. The
// words are those of the chain commands (pos, dpos, nakamoto), so an
// error reads the same here as there.
func flagWords(s string) string {
	s = strings.NewReplacer("block size", "--block-size", "transaction rate", "--tx-rate", "transaction size", "--tx-size",
		"jitter steps", "--jitter-steps", "blocks and duration", "--blocks and --duration", "nothing-at-stake validators", "--nothing-at-stake",
		"f (active-slot coefficient)", "--f", "offline-at", "--offline-at", "victim rate", "--victim-rate", "cheat factor", "--cheat-factor").Replace(s)
	for _, w := range []string{"degree", "delay", "bandwidth", "jitter", "validators", "nodes", "delegates", "slot", "interval",
		"lottery", "interest", "traitors", "strategy", "cheaters", "k must", "blocks must", "slots must"} {
		if strings.HasPrefix(s, w) {
			return "--" + s
		}
	}
	return s
}

// SetSeed implements experiment.Seeded: the main table's title names the
// seed.
func (p *cliParams) SetSeed(seed uint64) { p.seed = seed }

// Run implements experiment.Params: every mechanism, the throughput line,
// nothing at stake and the attacks, for one seed.
func (p *cliParams) Run(seed uint64) any { return RunSeed(p.Options, seed) }

// output is `simulate consensus compare --format json`.
type output struct {
	Options Options `json:"options"`
	Seed    uint64  `json:"seed"`
	Result
}

// Summarize implements experiment.Params: the tables "mechanisms",
// "throughput", "nothing-at-stake" and "attacks".
func (p *cliParams) Summarize(records []json.RawMessage) (experiment.Output, error) {
	samples, err := experiment.Decode[Sample](records)
	if err != nil {
		return experiment.Output{}, err
	}
	for i, s := range samples {
		if len(s.Mechanisms) != len(Names) {
			return experiment.Output{}, &experiment.RecordError{Index: i, Err: fmt.Errorf("%d mechanisms, want %d", len(s.Mechanisms), len(Names))}
		}
	}
	res := Aggregate(p.Options, samples)
	return experiment.Output{
		Tables: tables(p.Options, p.seed, res),
		JSON:   output{Options: p.Options, Seed: p.seed, Result: res},
	}, nil
}

// pm renders a mean and its standard error, "7.01 ± 0.12", or the mean
// alone when there is no error (one run).
func pm(x, se float64, format string) string {
	if se == 0 {
		return fmt.Sprintf(format, x)
	}
	return fmt.Sprintf(format+" ± "+format, x, se)
}

// tables are the comparison's four tables for a sweep of options o from
// seed: the mechanisms side by side, the throughput line, nothing at
// stake and the attacks.
func tables(o Options, seed uint64, res Result) []report.Table {
	dist := "equal"
	if o.Zipf {
		dist = "Zipf"
	}
	main := report.Table{
		Name: "mechanisms",
		Title: fmt.Sprintf("Consensus mechanisms on one network: %d nodes (%s stake), degree %d, delay %v, a block every %s, %s blocks, %g tx/s offered, %d blocks × %d runs from seed %d",
			o.Nodes, dist, o.Degree, chain.ShortTime(o.Delay), chain.ShortTime(o.Interval), chain.SizeWords(o.BlockSize), o.TxRate, o.Blocks, res.Runs, seed),
		Header: []string{"mechanism", "tps", "fork rate", "finality (s)", "hashes", "fairness max |z|", "gini (power)", "producers"},
	}
	names := map[string]string{
		"PoW":  "PoW (nakamoto)",
		"PoS":  fmt.Sprintf("PoS (Praos, f = %g)", o.F),
		"DPoS": fmt.Sprintf("DPoS (%d delegates)", o.Delegates),
		"PoET": "PoET (one enclave each)",
	}
	for _, r := range res.Mechanisms {
		fin := pm(r.Finality, r.FinalitySE, "%.1f")
		if r.FinalityRule == "k confirmations" {
			fin += fmt.Sprintf(" (k=%d)", o.K)
		} else {
			fin += " (2/3+1)"
		}
		hashes := "0"
		if r.Hashes > 0 {
			hashes = fmt.Sprintf("%.3g (%.0f/block)", r.Hashes, r.HashesPerBlock)
		}
		fair := fmt.Sprintf("%.2f", r.FairnessZ)
		if math.IsInf(r.FairnessZ, 1) {
			fair = "inf"
		}
		main.Rows = append(main.Rows, []string{names[r.Mechanism], pm(r.TPS, r.TPSSE, "%.2f"), pm(100*r.ForkRate, 100*r.ForkRateSE, "%.2f") + "%",
			fin, hashes, fair, fmt.Sprintf("%.3f (%.3f)", r.Gini, r.PowerGini), fmt.Sprintf("%.1f of %d", r.Producers, o.Nodes)})
	}
	main.Notes = []string{
		fmt.Sprintf("Same network, interval, blocks, transactions and seeds for all four; means over runs ± standard error. PoS slots are %s with f = %g, so a block comes every %s too; DPoS gives each delegate one %s slot per round.",
			chain.ShortTime(sim.Time(float64(o.Interval)*o.F)), o.F, chain.ShortTime(o.Interval), chain.ShortTime(o.Interval)),
		fmt.Sprintf("tps: transactions in the main chain over the time blocks were made, in runs of %d blocks offered twice what blocks hold (%.1f tx/s): the capacity left after forks; it scatters around block size/interval because block times are random. Every other column is measured at the offered %g tx/s. Fork rate: blocks made that ended off the main chain (two PoS leaders in a slot, two PoW miners or PoET timers close together; a DPoS slot has one owner).", SaturationBlocks*o.Blocks, 2*Profile{Interval: o.Interval, BlockSize: o.BlockSize, TxSize: o.TxSize}.Capacity(), o.TxRate),
		fmt.Sprintf("finality: from a transaction's arrival until the observer holds its block %d deep (PoW, PoS, PoET: probabilistic) or final by 2/3+1 of the delegates (DPoS: %d blocks of distinct delegates, deterministic once reached).", o.K, 2*o.Delegates/3+1),
		fmt.Sprintf("hashes: double SHA-256 computed by the real proof of work at a %d-bit target (about %d a block); energy grows with difficulty, and Bitcoin's needs about 10^23 hashes a block. PoS, DPoS and PoET compute none: a signature, a turn, a timer.", o.PoWBits, 1<<o.PoWBits),
		fmt.Sprintf("fairness: each node's main-chain blocks against its power (hash share, stake share, 1/N per delegate seat, 1/n per enclave), pooled over runs, as a binomial z-score; the column is the largest |z| over the %d nodes, which stays below %.2f in 95 %% of tables when every producer gets its share. gini: of the rewards (blocks per node), with the power's in brackets: luck spreads rewards beyond the power, DPoS pays only the delegates, PoET ignores stake.", o.Nodes, FairMaxZ(o.Nodes)),
	}

	tp := report.Table{
		Name:   "throughput",
		Title:  "Throughput, the notes' line: full blocks through the nakamoto protocol on the same network",
		Header: []string{"chain", "parameters", "measured tx/s", "capacity (block/interval)", "notes"},
	}
	for _, r := range res.Throughput {
		params := fmt.Sprintf("%s blocks of %s, %d-byte txs (%d a block), %g tx/s offered", chain.ShortTime(r.Interval), chain.SizeWords(r.BlockSize), r.TxSize, (r.BlockSize-80)/r.TxSize, r.TxRate)
		tp.Rows = append(tp.Rows, []string{r.Name, params, pm(r.TPS, r.SE, "%.2f"), fmt.Sprintf("%.2f", r.Capacity), fmt.Sprintf("about %g tx/s", r.Notes)})
	}
	tp.Notes = []string{"Throughput is block size over block interval, whatever the consensus: the measured value scatters around the closed-form capacity by its standard error (block times are random, so a few runs can land above it), and on average sits below it by the stale rate, because stale blocks carry transactions nobody keeps. VISA-scale rates need bigger blocks or faster rounds, not a different lottery."}

	nas := report.Table{
		Name:   "nothing-at-stake",
		Title:  fmt.Sprintf("Nothing at stake: %d validators with equal stake, delay %s (a tenth of the interval), %d blocks × %d runs", o.Nodes, chain.ShortTime(o.Interval/10), o.Blocks, res.Runs),
		Header: []string{"who extends which fork", "stale rate", "abandoned branch depth", "deepest", "fork life (s)"},
	}
	for _, r := range res.NothingAtStake {
		nas.Rows = append(nas.Rows, []string{r.Arm, fmt.Sprintf("%.1f%%", 100*r.StaleRate), fmt.Sprintf("%.2f", r.MeanDepth), fmt.Sprint(r.MaxDepth), fmt.Sprintf("%.1f", r.MeanLife)})
	}
	nas.Notes = []string{
		"Why: signing a second block costs a PoS validator nothing, so a validator that wins a slot signs on both fork tips and its whole stake backs both; no branch falls behind and forks live on. A PoW miner pays for every hash: mining on both forks halves its rate on each, the branches grow at random rates and one soon falls behind, so forks die young. Proof of stake needs penalties (slashing) to make the second signature cost something.",
	}

	at := report.Table{
		Name:   "attacks",
		Title:  "Attacks",
		Header: []string{"attack", "runs", "succeeded", "why"},
	}
	why := []string{
		"the attacker's private chain grows faster than the honest one: the 51 % of proof of stake",
		"a minority chain falls behind and the attacker gives up 10 blocks back",
		"overlapping quorums of 3 out of 4 share an honest delegate, who never builds on both branches",
		"2 traitors build on both branches: each honest delegate completes a different quorum of 3",
	}
	for i, r := range res.Attacks {
		at.Rows = append(at.Rows, []string{r.Attack, fmt.Sprint(r.Runs), fmt.Sprint(r.Succeeded), why[i]})
	}
	at.Notes = []string{
		"PoS races: one attacker, 3 honest validators and a merchant who waits for 6 confirmations, with instant propagation (simulate pos has the race's code).",
		"DPoS: 4 delegates with 1-second slots and delays of 100 ms plus 0-1.5 s; the traitors equivocate in every slot and show each honest node one branch. `simulate check dpos --traitors 2` searches for the smallest such schedule.",
	}
	return []report.Table{main, tp, nas, at}
}
