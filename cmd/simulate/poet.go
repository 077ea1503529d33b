package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"simulate/protocols/chain"
	"simulate/protocols/poet"
	"simulate/report"
	"simulate/sim"
)

func init() {
	commands = append(commands, newPoETCommand)
	replayers["poet"] = func(raw json.RawMessage, seed uint64, tracer sim.Tracer) (sim.Result, error) {
		var s poet.Scenario
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

// poetOutput is `simulate poet --format json`.
type poetOutput struct {
	Scenario poet.Scenario `json:"scenario"`
	Seed     uint64        `json:"seed"`
	Hash     string        `json:"trace_hash"`
	Stats    poet.Stats    `json:"stats"`
}

func newPoETCommand(g *globals) *cobra.Command {
	s := poet.DefaultScenario()
	cmd := &cobra.Command{
		Use:   "poet",
		Short: "Run proof of elapsed time: trusted random waits, no hashing",
		Long: `poet runs proof of elapsed time, Intel's design in Hyperledger Sawtooth:
each validator asks its trusted enclave for a random wait, exponential
with mean --validators × --interval, and the first whose wait runs out
proposes the next block with a certificate that it waited. The lottery
costs a timer, not electricity, and every enclave is one vote. Blocks
travel over the same peer-to-peer network as 'simulate nakamoto'.

--cheaters C gives the first C validators compromised enclaves whose waits
are --cheat-factor times shorter; --z-test turns on Sawtooth's defence,
which rejects the blocks of a validator that wins more often than chance
allows.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("duration") && !cmd.Flags().Changed("blocks") {
				s.Blocks = 0
			}
			fitDefault(cmd.Flags(), "degree", &s.Degree, s.Validators-1)
			if err := s.Validate(); err != nil {
				return badInput("poet: %s", chainWords(err.Error()))
			}
			var r *poet.Run
			res, err := execute(g, "poet", s, func(tracer sim.Tracer) sim.Result {
				r = s.Build(g.seed)
				r.Config.Tracer = tracer
				return sim.New(r.Config).Run()
			})
			if err != nil {
				return err
			}
			o := poetOutput{Scenario: s, Seed: g.seed, Hash: res.HashString(), Stats: r.Stats(res)}
			out := cmd.OutOrStdout()
			if g.format == "json" {
				return report.WriteJSON(out, o)
			}
			if err := report.Write(out, g.format, poetTable(o)); err != nil {
				return err
			}
			fmt.Fprintln(out)
			return report.Write(out, g.format, chain.ProducerTable("Validators", o.Stats.Blocks, chain.Shares(nil, s.Validators), "enclave share", nil, nil))
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&s.Validators, "validators", s.Validators, "number of validators, one enclave each")
	timeVar(fs, &s.Interval, "interval", s.Interval, "target block interval")
	chainFlags(fs, &s.Workload, &s.Links)
	fs.IntVar(&s.Blocks, "blocks", s.Blocks, "stop making blocks when the chain reaches this height")
	timeVar(fs, &s.Duration, "duration", 0, "stop the run at this virtual time instead of after --blocks")
	fs.IntVar(&s.K, "k", s.K, "confirmation depth for the common-prefix check and the latency table")
	fs.IntVar(&s.Cheaters, "cheaters", 0, "the first C validators have compromised enclaves")
	fs.Float64Var(&s.CheatFactor, "cheat-factor", 0, "how many times shorter a compromised enclave's waits are (default 10)")
	fs.BoolVar(&s.ZTest, "z-test", false, "reject blocks of validators that win implausibly often (Sawtooth's z-test)")
	scheduleVar(fs, &s.Schedule, "replay recorded environment draws (index=value,...)")
	return cmd
}

func poetTable(o poetOutput) report.Table {
	s, st := o.Scenario, o.Stats
	t := report.Table{
		Name: "chain",
		Title: fmt.Sprintf("Proof of elapsed time: %d validators, %v interval, %s blocks, degree %d, delay %v, seed %d",
			s.Validators, chain.ShortTime(s.Interval), chain.SizeWords(s.BlockSize), s.Degree, chain.ShortTime(s.Delay), o.Seed),
		Header: []string{"measure", "value"},
	}
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
	add := func(k, v string) { t.Rows = append(t.Rows, []string{k, v}) }
	add("chain height", fmt.Sprint(st.Height))
	add("blocks made", fmt.Sprint(st.Made))
	add("stale blocks", fmt.Sprintf("%d (stale rate %.2f%%)", st.Stale, 100*st.StaleRate))
	add("forks", fmt.Sprint(st.Forks))
	add("reorganisations", fmt.Sprint(st.Reorgs))
	add("mean block interval", chain.ShortTime(st.MeanInterval))
	add("throughput", fmt.Sprintf("%.2f tx/s (offered %.2f tx/s)", st.Throughput, s.TxRate))
	for _, c := range st.Confirmations {
		v := "-"
		if c.Samples > 0 {
			v = fmt.Sprintf("%s (%d txs)", chain.ShortTime(c.Mean), c.Samples)
		}
		add(fmt.Sprintf("confirmation latency k=%d", c.K), v)
	}
	if s.ZTest {
		add("blocks the z-test rejected", fmt.Sprint(st.Rejected))
	}
	cp := "holds"
	if !st.CommonPrefix {
		cp = "VIOLATED"
	}
	add(fmt.Sprintf("common prefix (k=%d)", s.K), cp)
	agree := "yes"
	if !st.Agree {
		agree = "no"
	}
	add("honest validators on one tip", agree)
	add("hashes computed", "0 (no proof of work: the enclave's timer is the lottery)")
	add("tip", st.TipHash[:16])
	t.Notes = []string{
		fmt.Sprintf("Each wait is exponential with mean %s; the shortest of %d has mean %s, the interval.", chain.ShortTime(s.Interval*sim.Time(s.Validators)), s.Validators, chain.ShortTime(s.Interval)),
		"trace hash: " + o.Hash,
	}
	return t
}
