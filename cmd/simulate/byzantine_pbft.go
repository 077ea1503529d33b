package main

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"simulate/protocols/pbft"
	"simulate/report"
	"simulate/sim"
)

// runByzantinePBFT runs the byzantine command's traitor scenario on PBFT
// (pbft.GeneralsScenario): n = --generals replicas (default 3m+1) with
// m = --traitors Byzantine replicas, judged as PBFT defines agreement and
// validity.
func runByzantinePBFT(cmd *cobra.Command, g *globals, generals, traitors int, strategy string) error {
	s, err := pbft.GeneralsScenario(generals, traitors, strategy, g.seed)
	if err != nil {
		return badInput("%v", err)
	}
	// The trace header holds the run as `simulate pbft` would, so
	// `simulate replay` reruns it through the registered protocol.
	raw, err := json.Marshal(pbft.Registered{Scenario: s})
	if err != nil {
		return err
	}
	var o pbft.Outcome
	if _, err := execute(g, "pbft", registeredRun{Scenario: raw}, func(tracer sim.Tracer) sim.Result {
		var res sim.Result
		o, res, _ = pbft.RunWithResult(s, g.seed, tracer) // validated above
		return res
	}); err != nil {
		return err
	}
	res, t := pbft.Generals(s, g.seed, o)
	if g.format == "json" {
		return report.WriteJSON(cmd.OutOrStdout(), res)
	}
	return report.Write(cmd.OutOrStdout(), g.format, t)
}
