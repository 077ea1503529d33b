package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

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
	if g.trace != "" || g.checkDeterminism || g.diagram != "" {
		log = &sim.Log{}
		tracer = log
	}
	res := run(tracer)
	if g.checkDeterminism {
		again := &sim.Log{}
		res2 := run(again)
		if msg := compareRuns("nondeterminism: two runs of the same scenario and seed differ", log, again, res, res2); msg != "" {
			return res, findingError{msg: msg}
		}
	}
	if g.trace == "" && g.diagram == "" {
		return res, nil
	}
	raw, err := json.Marshal(scenario)
	if err != nil {
		return res, err
	}
	h := trace.Header{Version: version, Protocol: protocol, Seed: g.seed, Scenario: raw}
	return res, writeOutputs(g, trace.FromRun(h, log, res))
}

// compareRuns returns "" when two runs of one scenario are identical, event
// for event and hash for hash, and otherwise what (the caller's headline)
// with the first divergent event.
func compareRuns(what string, a, b *sim.Log, ra, rb sim.Result) string {
	if d := trace.Diff(trace.Events(a.Events), trace.Events(b.Events)); d != nil || ra.Hash != rb.Hash {
		return divergenceText(what, d, ra.HashString(), rb.HashString())
	}
	return ""
}

// writeOutputs writes a run's --trace and --diagram files, when asked for.
func writeOutputs(g *globals, f trace.File) error {
	if g.trace != "" {
		if err := trace.WriteFile(g.trace, f); err != nil {
			return badInput("--trace: %v", err)
		}
	}
	if g.diagram != "" {
		return writeDiagram(g.diagram, f)
	}
	return nil
}

// writeDiagram draws f to path in the format its extension names.
func writeDiagram(path string, f trace.File) error {
	render, err := rendererFor(path)
	if err != nil {
		return err
	}
	return trace.WriteAtomic(path, func(w io.Writer) error {
		_, err := io.WriteString(w, render(f))
		return err
	})
}

// rendererFor picks a diagram renderer from a file extension.
func rendererFor(path string) (func(trace.File) string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".mmd", ".mermaid", ".md":
		return trace.Mermaid, nil
	case ".svg":
		return trace.SVG, nil
	case ".html", ".htm":
		return trace.HTML, nil
	}
	return nil, badInput("--diagram %q: the file name must end in .mmd (Mermaid), .svg or .html (the step-through viewer)", path)
}

func divergenceText(what string, d *trace.Divergence, hashA, hashB string) string {
	if d == nil {
		return fmt.Sprintf("%s: hash %s vs %s", what, hashA, hashB)
	}
	return fmt.Sprintf("%s at event %d: %q vs %q (hash %s vs %s)", what, d.Index+1, d.A, d.B, hashA, hashB)
}

// confirmReplay reruns a counterexample twice from its scenario and seed,
// through the protocol's replayer (so exactly what the printed replay
// command runs), and fails if the two runs differ anywhere — as
// FoundationDB's simulator does before it reports a bug. A counterexample
// that does not replay is a bug in the simulator (or in the protocol's use
// of it), not a finding about the protocol.
//
// With --trace or --diagram it also writes the replayed counterexample, so
// `simulate replay` reruns it and the HTML viewer can step to the violation.
func confirmReplay(g *globals, protocol string, scenario any, seed uint64) error {
	rp, ok := replayers[protocol]
	if !ok {
		return fmt.Errorf("no replayer for %q", protocol)
	}
	raw, err := json.Marshal(scenario)
	if err != nil {
		return err
	}
	a, b := &sim.Log{}, &sim.Log{}
	ra, err := rp(raw, seed, a)
	if err != nil {
		return fmt.Errorf("the counterexample does not replay: %v", err)
	}
	rb, _ := rp(raw, seed, b)
	if msg := compareRuns("the counterexample does not replay deterministically", a, b, ra, rb); msg != "" {
		return fmt.Errorf("%s", msg)
	}
	if g.trace == "" && g.diagram == "" {
		return nil
	}
	return writeOutputs(g, trace.FromRun(trace.Header{Version: version, Protocol: protocol, Seed: seed, Scenario: raw}, a, ra))
}
