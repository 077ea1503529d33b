package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"simulate/protocols/generals"
	"simulate/report"
	"simulate/scenario"
	"simulate/sim"
)

// experimentCommands lists the constructors of `simulate experiment NAME`
// subcommands: sweeps of many seeded runs that print a table. Each
// experiment's command file appends its own in init, the way protocols
// append to checkCommands, so files do not edit each other.
var experimentCommands []func(g *globals) *cobra.Command

func init() {
	commands = append(commands, newByzantineCommand, func(g *globals) *cobra.Command {
		cmd := &cobra.Command{
			Use:   "experiment NAME",
			Short: "Run a sweep of many seeded runs and print its table",
			Long: `experiment runs one of the simulator's experiments: many seeded runs,
in parallel (--workers), aggregated into a table whose measured values sit
beside the published or closed-form ones. The same --seed and --runs give
the same table for any number of workers.`,
			// Bare or with an unknown NAME: exit 2 (requireSubcommand).
		}
		for _, c := range experimentCommands {
			cmd.AddCommand(c(g))
		}
		return cmd
	})
}

// byzantineResult is `simulate byzantine --format json`.
type byzantineResult struct {
	Generals       int                `json:"generals"`
	Traitors       []generals.Traitor `json:"traitors"`
	Algorithm      generals.Algorithm `json:"algorithm"`
	Rounds         int                `json:"rounds"`
	Seed           uint64             `json:"seed"`
	Order          generals.Value     `json:"order"`
	CommanderLoyal bool               `json:"commander_loyal"`
	// Agreement is IC1 and Validity IC2.
	Agreement bool `json:"agreement"`
	Validity  bool `json:"validity"`
	// Guaranteed says whether the theorem promises both for this n, m.
	Guaranteed bool `json:"guaranteed"`
	Messages   int  `json:"messages"`
	// ClosedForm is the message count of the same run without traitors.
	ClosedForm int `json:"messages_closed_form"`
	// Decisions maps each loyal general's id to its decision.
	Decisions map[string]generals.Value `json:"decisions"`
	Lies      []string                  `json:"lies"`
	Verdict   string                    `json:"verdict"`
	Hash      string                    `json:"trace_hash"`
}

// newByzantineCommand is the registered byzantine protocol's run command
// (newRunScenario) with two additions of its own: without --schedule, the
// traitors come from the seed and misbehave (generals.Search.Plain), and
// the run prints the decisions, IC1/IC2, the camps and the closed form,
// exiting 0 whatever broke; --protocol pbft runs the same traitors
// against PBFT.
func newByzantineCommand(g *globals) *cobra.Command {
	p, _ := scenario.Lookup("byzantine")
	s := p.New().(*generals.Search)
	cmd := newRunScenario(g, p, s)
	cmd.Long = `byzantine runs the Byzantine generals problem: a commander (n0) sends an
order to n-1 lieutenants, who relay what they heard for m rounds (OM(m),
oral messages) or countersign it (SM(m), signed messages) and then decide.
Traitors — the commander or any lieutenants, chosen by the seed unless
named with --traitor — lie, split their orders (equivocate), answer at
random, stay silent or collude.

It prints who was loyal, what each loyal general decided, whether IC1
(every loyal lieutenant decides the same) and IC2 (if the commander is
loyal, they follow its order) held, the messages sent beside the closed
form, what the traitors said, and why, in terms of n ≥ 3m+1. A broken
condition is a finding, not an error: the exit status is 0 either way.
With --schedule it replays a counterexample of simulate check byzantine
instead (the draws pick the traitors too) and exits 1 when it breaks.

(Agreement over a channel that loses messages, which some course notes
call the Byzantine generals problem, is the two generals' problem; here
every message arrives and the trouble is the traitors.)`
	cmd.Example = `  simulate byzantine --traitors 1 --seed 42
  simulate byzantine --generals 3 --traitors 1 --traitor n1=lie --order attack
  simulate byzantine --generals 3 --traitors 1 --algorithm sm --traitor n1=lie
  simulate byzantine --protocol pbft --traitors 1`
	var protocol string
	cmd.Flags().StringVar(&protocol, "protocol", "generals", "generals (Lamport–Shostak–Pease) or pbft (the same traitors against Castro–Liskov PBFT)")
	generic := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		switch protocol {
		case "generals":
		case "pbft":
			return runByzantinePBFT(cmd, g, s.Generals, s.Traitors, string(s.Strategy))
		default:
			return badInput("--protocol %q: want generals or pbft", protocol)
		}
		if cmd.Flags().Changed("schedule") || cmd.Flags().Changed("list-bugs") {
			return generic(cmd, args)
		}
		if err := s.Validate(); err != nil {
			return badInput("%v", err)
		}
		plain := s.Plain(g.seed)
		resolved := plain.Resolve(&sim.ReplayChoices{}) // pinned: draws nothing
		raw, err := json.Marshal(plain)
		if err != nil {
			return err
		}
		var out generals.Outcome
		var x *generals.Explainer
		if _, err := execute(g, p.Name(), registeredRun{Scenario: raw}, func(tracer sim.Tracer) sim.Result {
			// The explainer reads the events as they happen and passes
			// them on to the tracer --trace or --check-determinism asked
			// for; it keeps what its lines need, not the events.
			x = generals.NewExplainer(resolved, tracer)
			o := scenario.Execute(plain, g.seed, nil, x)
			out = generals.Judge(resolved, o.World, o.Result)
			return o.Result
		}); err != nil {
			return err
		}
		return printByzantine(cmd, g, out, x.Lines())
	}
	return cmd
}

func printByzantine(cmd *cobra.Command, g *globals, o generals.Outcome, lies []string) error {
	s := o.Scenario
	w := cmd.OutOrStdout()
	if g.format == "json" {
		dec := map[string]generals.Value{}
		for id, v := range o.Decisions {
			dec[fmt.Sprintf("n%d", id)] = v // keyed as the table names them
		}
		if lies == nil {
			lies = []string{}
		}
		return report.WriteJSON(w, byzantineResult{
			Generals: s.Generals, Traitors: append([]generals.Traitor{}, s.Traitors...), Algorithm: s.Algorithm, Rounds: s.Rounds,
			Seed: g.seed, Order: s.Order, CommanderLoyal: s.CommanderLoyal(), Agreement: o.Agreement, Validity: o.Validity,
			Guaranteed: s.Guaranteed(), Messages: o.Messages(), ClosedForm: generals.ClosedForm(s), Decisions: dec, Lies: lies,
			Verdict: o.Verdict(), Hash: o.Result.HashString(),
		})
	}
	t := o.Table(g.seed, lies)
	if g.format == "csv" {
		// CSV drops the notes, so the run's verdict rides on every row:
		// did IC1 (agreement) and IC2 (validity) hold.
		t.Header = append(t.Header, "IC1 agreement held", "IC2 validity held")
		for i := range t.Rows {
			t.Rows[i] = append(t.Rows[i], yesNo(o.Agreement), yesNo(o.Validity))
		}
	}
	return report.Write(w, g.format, t)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
