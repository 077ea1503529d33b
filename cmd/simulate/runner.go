package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"io"
	"path/filepath"
	"strings"

	"simulate/output"
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
//
// Nothing here holds a whole run in memory: the trace is written as the
// run goes (through package output), the determinism check keeps 8 bytes
// per event, and --diagram keeps at most maxDiagramEvents events.
func execute(g *globals, protocol string, scenario any, run func(tracer sim.Tracer) sim.Result) (sim.Result, error) {
	const what = "nondeterminism: two runs of the same scenario and seed differ"
	var tracers multiTracer
	var digests *eventDigests
	if g.checkDeterminism {
		// Keep a digest of each event (8 bytes) instead of the events
		// themselves, so checking a run of millions of events costs
		// megabytes, not gigabytes.
		digests = &eventDigests{}
		tracers = append(tracers, digests)
	}
	var diagram *cappedLog
	if g.diagram != "" {
		diagram = &cappedLog{max: maxDiagramEvents}
		tracers = append(tracers, diagram)
	}
	var res sim.Result
	var finding error
	runAll := func(rec *trace.Recorder) error {
		ts := tracers
		if rec != nil {
			ts = append(ts, rec)
		}
		res = run(ts.tracer())
		if digests != nil {
			if msg := compareDigests(what, digests.sums, res, run); msg != "" {
				finding = findingError{msg: msg}
			} else {
				reportDeterminism(g, len(digests.sums), res)
			}
		}
		if rec != nil {
			return rec.Finish(trace.FooterOf(res))
		}
		return nil
	}
	if g.trace == "" && g.diagram == "" {
		_ = runAll(nil)
		return res, finding
	}
	raw, err := json.Marshal(scenario)
	if err != nil {
		return res, err
	}
	h := trace.Header{Type: "header", Version: version, Protocol: protocol, Seed: g.seed, Scenario: raw}
	if g.trace != "" {
		if err := output.Write(g.trace, func(w io.Writer) error { return runAll(trace.NewRecorder(w, h)) }); err != nil {
			return res, badInput("--trace: %v", err)
		}
	} else {
		_ = runAll(nil)
	}
	if finding != nil {
		return res, finding
	}
	if diagram != nil {
		if diagram.over {
			return res, badInput("--diagram: the run has more than %d events, the most a diagram draws (it would hold ~%d MB and be unreadable); draw a shorter run, or write --trace instead",
				maxDiagramEvents, maxDiagramEvents*diagramBytesPerEvent>>20)
		}
		f := trace.File{Header: h, Events: trace.Events(diagram.Events), Footer: trace.FooterOf(res)}
		return res, writeDiagram(g.diagram, f)
	}
	return res, nil
}

// maxDiagramEvents bounds the events --diagram holds: a diagram is drawn
// from the whole run in memory (about diagramBytesPerEvent each, with the
// drawing), and beyond this many arrows no picture is readable anyway.
const (
	maxDiagramEvents     = 200_000
	diagramBytesPerEvent = 1000
)

// cappedLog keeps the first max events of a run and notes if there were more.
type cappedLog struct {
	sim.Log
	max  int
	over bool
}

func (c *cappedLog) Record(e sim.TraceEvent) {
	if len(c.Events) >= c.max {
		c.over = true
		return
	}
	c.Log.Record(e)
}

// multiTracer hands each event to several tracers.
type multiTracer []sim.Tracer

func (m multiTracer) Record(e sim.TraceEvent) {
	for _, t := range m {
		t.Record(e)
	}
}

// tracer is nil for no tracers (runs without tracing skip the work of
// building events), the tracer itself for one.
func (m multiTracer) tracer() sim.Tracer {
	switch len(m) {
	case 0:
		return nil
	case 1:
		return m[0]
	}
	return m
}

// reportDeterminism says on stderr that --check-determinism ran and what it
// compared, so a passing check is not mistaken for an ignored flag.
func reportDeterminism(g *globals, events int, res sim.Result) {
	if g.stderr != nil {
		fmt.Fprintf(g.stderr, "check-determinism: ran the scenario twice with seed %d: all %d events and the final hash %s agree\n", g.seed, events, res.HashString())
	}
}

// digestSeed keys the event digests; digests are compared only within
// one process, so a per-process seed is fine.
var digestSeed = maphash.MakeSeed()

// digester digests events: every field of the event and the message's
// own digest (the bytes the trace hash reads), without rendering text, so
// checking costs little more than the run.
type digester struct{ buf []byte }

func (d *digester) sum(e sim.TraceEvent) uint64 {
	b := d.buf[:0]
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Index))
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Time))
	b = binary.LittleEndian.AppendUint64(b, uint64(int64(e.From))<<32^uint64(uint32(e.To)))
	b = binary.LittleEndian.AppendUint64(b, e.MsgID)
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Timer))
	b = append(b, e.Kind...)
	b = append(b, 0)
	b = append(b, e.Detail...)
	b = append(b, 0)
	if e.Msg != nil {
		b = e.Msg.AppendDigest(b)
	}
	d.buf = b
	return maphash.Bytes(digestSeed, b)
}

// eventDigests is a Tracer keeping one digest per event.
type eventDigests struct {
	digester
	sums []uint64
}

func (d *eventDigests) Record(e sim.TraceEvent) { d.sums = append(d.sums, d.sum(e)) }

// divergenceFinder is a Tracer that compares a run, event by event, with
// the digests of an earlier one and keeps the first event that differs.
type divergenceFinder struct {
	digester
	want  []uint64
	n     int
	at    int // index of the first differing event
	line  string
	found bool
}

func (f *divergenceFinder) Record(e sim.TraceEvent) {
	if !f.found && (f.n >= len(f.want) || f.sum(e) != f.want[f.n]) {
		f.found, f.at, f.line = true, f.n, e.Line()
	}
	f.n++
}

// lineAt is a Tracer that keeps the line of event i.
type lineAt struct {
	digester
	i, n   int
	line   string
	digest uint64
}

func (l *lineAt) Record(e sim.TraceEvent) {
	if l.n == l.i {
		l.line, l.digest = e.Line(), l.sum(e)
	}
	l.n++
}

// compareDigests runs the scenario a second time against the first run's
// event digests and returns "" when both runs are identical, or what with
// the first divergent event. The first run's line at that event is not
// kept, so a third run recovers it; it is shown only if that run agrees
// with the first one there (a nondeterministic program may not).
func compareDigests(what string, sums []uint64, ra sim.Result, run func(sim.Tracer) sim.Result) string {
	f := &divergenceFinder{want: sums}
	rb := run(f)
	if !f.found && f.n < len(sums) {
		f.found, f.at = true, f.n // the second run ended early
	}
	if !f.found {
		if ra.Hash != rb.Hash {
			return divergenceText(what, nil, ra.HashString(), rb.HashString())
		}
		return ""
	}
	d := &trace.Divergence{Index: f.at, B: f.line}
	if f.at < len(sums) {
		third := &lineAt{i: f.at}
		run(third)
		if third.n > f.at && third.digest == sums[f.at] {
			d.A = third.line
		} else {
			d.A = "(the first run's event differs again on a third run)"
		}
	}
	return divergenceText(what, d, ra.HashString(), rb.HashString())
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
	if err := output.Write(path, func(w io.Writer) error {
		_, err := io.WriteString(w, render(f))
		return err
	}); err != nil {
		return badInput("--diagram: %v", err)
	}
	return nil
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

// confirmViolation reruns a counterexample twice from its scenario and
// seed, through the protocol's replayer (so exactly what the printed
// replay command runs), and fails if the two runs differ anywhere — as
// FoundationDB's simulator does before it reports a bug. A counterexample
// that does not replay is a bug in the simulator (or in the protocol's use
// of it), not a finding about the protocol.
//
// With --trace or --diagram it also writes the replayed counterexample, so
// `simulate replay` reruns it. The trace's footer records the property it
// broke (violation, in words), pinned to the run's last observation —
// checkers read observations, so by then the property was broken — and the
// HTML viewer's "jump to violation" goes there and shows the words.
func confirmViolation(g *globals, protocol string, scenario any, seed uint64, violation string) error {
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
	f := trace.FromRun(trace.Header{Version: version, Protocol: protocol, Seed: seed, Scenario: raw}, a, ra)
	if violation != "" {
		f.Footer.Violation = &trace.Violation{Property: violation, Event: lastObservation(f.Events)}
	}
	return writeOutputs(g, f)
}

// lastObservation is the index (from 1) of the last observation among
// events, or of the last event if there is none.
func lastObservation(events []trace.Event) int {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Kind == string(sim.TraceObserve) {
			return events[i].Index
		}
	}
	if len(events) == 0 {
		return 0
	}
	return events[len(events)-1].Index
}
