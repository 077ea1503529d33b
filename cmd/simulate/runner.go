package main

import (
	"encoding/json"
	"fmt"

	"simulate/sim"
	"simulate/trace"
)

// replayer reruns a recorded scenario of one protocol from its trace header.
// It must build exactly the world the original command built.
type replayer func(scenario json.RawMessage, seed uint64, tracer sim.Tracer) (sim.Result, error)

// replayers maps a trace header's protocol name to its replayer. Command
// files register theirs in init.
var replayers = map[string]replayer{}

// execute runs one scenario for a command: once, or twice with
// --check-determinism (reporting the first divergence), and writes the
// trace when --trace is set. run must be a pure function of the scenario
// and seed; it may be called twice.
func execute(g *globals, protocol string, scenario any, run func(tracer sim.Tracer) sim.Result) (sim.Result, error) {
	var log *sim.Log
	var tracer sim.Tracer
	if g.trace != "" || g.checkDeterminism {
		log = &sim.Log{}
		tracer = log
	}
	res := run(tracer)
	if g.checkDeterminism {
		again := &sim.Log{}
		res2 := run(again)
		if d := trace.Diff(trace.Events(log.Events), trace.Events(again.Events)); d != nil || res2.Hash != res.Hash {
			return res, findingError{msg: divergenceText("nondeterminism: two runs of the same scenario and seed differ", d, res.HashString(), res2.HashString())}
		}
	}
	if g.trace != "" {
		raw, err := json.Marshal(scenario)
		if err != nil {
			return res, err
		}
		h := trace.Header{Version: version, Protocol: protocol, Seed: g.seed, Scenario: raw}
		if err := trace.WriteFile(g.trace, trace.FromRun(h, log, res)); err != nil {
			return res, badInput("--trace: %v", err)
		}
	}
	return res, nil
}

func divergenceText(what string, d *trace.Divergence, hashA, hashB string) string {
	if d == nil {
		return fmt.Sprintf("%s: hash %s vs %s", what, hashA, hashB)
	}
	return fmt.Sprintf("%s at event %d: %q vs %q (hash %s vs %s)", what, d.Index+1, d.A, d.B, hashA, hashB)
}
