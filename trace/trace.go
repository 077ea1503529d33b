// Package trace is the trace file format of simulate: JSON Lines with a
// header (version, protocol, seed, scenario), one line per event and a
// footer (counters, trace hash). A trace is enough to rerun a run exactly
// (simulate replay), to find where two runs diverge, and to draw it.
package trace

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"simulate/sim"
)

// Header is the first line of a trace file.
type Header struct {
	Type     string          `json:"type"` // "header"
	Version  string          `json:"version"`
	Protocol string          `json:"protocol"`
	Seed     uint64          `json:"seed"`
	Scenario json.RawMessage `json:"scenario"`
}

// Event is one event line.
type Event struct {
	Type   string `json:"type"` // "event"
	Index  int    `json:"i"`
	Time   int64  `json:"t"`
	Kind   string `json:"kind"`
	From   int    `json:"from"`
	To     int    `json:"to"`
	Msg    string `json:"msg,omitempty"`
	Text   string `json:"text,omitempty"`
	MsgID  uint64 `json:"id,omitempty"` // links a delivery, duplicate or drop to its send
	Timer  uint64 `json:"timer,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// Footer is the last line of a trace file.
type Footer struct {
	Type     string       `json:"type"` // "footer"
	Counters sim.Counters `json:"counters"`
	Hash     string       `json:"hash"`
	End      int64        `json:"end"`
	Reason   string       `json:"reason"`
	// Violation is set when the run is a counterexample: the property it
	// broke, as a checker found it after the run.
	Violation *Violation `json:"violation,omitempty"`
}

// Violation is a broken property recorded in a trace's footer. Checkers
// judge a run after it ends, so the break is not an event of the run (and
// replay ignores it); Event pins it to the event by which the property
// was broken, for viewers.
type Violation struct {
	Property string `json:"property"`
	Event    int    `json:"event"` // an event's Index (from 1); 0: none
}

// File is a whole trace.
type File struct {
	Header Header
	Events []Event
	Footer Footer
}

// FromRun builds a File from a run's event log and result.
func FromRun(h Header, log *sim.Log, res sim.Result) File {
	h.Type = "header"
	f := File{Header: h, Footer: Footer{Type: "footer", Counters: res.Counters, Hash: res.HashString(), End: int64(res.End), Reason: string(res.Reason)}}
	if log != nil {
		f.Events = Events(log.Events)
	}
	return f
}

// Events converts kernel trace events to file lines.
func Events(evs []sim.TraceEvent) []Event {
	out := make([]Event, len(evs))
	for i, e := range evs {
		out[i] = Event{
			Type: "event", Index: e.Index, Time: int64(e.Time), Kind: string(e.Kind),
			From: int(e.From), To: int(e.To), Msg: sim.MessageType(e.Msg), Text: sim.MessageText(e.Msg),
			MsgID: e.MsgID, Timer: uint64(e.Timer), Detail: e.Detail,
		}
	}
	return out
}

// Write writes f as JSON Lines.
func Write(w io.Writer, f File) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	if f.Header.Scenario == nil {
		f.Header.Scenario = json.RawMessage("null")
	}
	if err := enc.Encode(f.Header); err != nil {
		return err
	}
	for _, e := range f.Events {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	if err := enc.Encode(f.Footer); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteFile writes f to path atomically: to a temporary file in the same
// folder, then renamed, so a reader never sees half a trace.
func WriteFile(path string, f File) error {
	return WriteAtomic(path, func(w io.Writer) error { return Write(w, f) })
}

// WriteAtomic writes path through fill, via a temporary file and a rename.
func WriteAtomic(path string, fill func(w io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	if err := fill(tmp); err != nil {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return err
	}
	return os.Rename(name, path)
}

// Read parses a trace file. Malformed input gives an error naming the line,
// never a panic.
func Read(r io.Reader) (File, error) {
	var f File
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	line := 0
	sawFooter := false
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if sawFooter {
			return f, fmt.Errorf("line %d: content after the footer", line)
		}
		var probe struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(b, &probe); err != nil {
			return f, fmt.Errorf("line %d: not a JSON object: %v", line, err)
		}
		switch {
		case line == 1 && probe.Type != "header":
			return f, fmt.Errorf("line 1: want a header, got type %q", probe.Type)
		case probe.Type == "header":
			if line != 1 {
				return f, fmt.Errorf("line %d: a second header", line)
			}
			if err := strictUnmarshal(b, &f.Header); err != nil {
				return f, fmt.Errorf("line %d: header: %v", line, err)
			}
			if f.Header.Protocol == "" {
				return f, fmt.Errorf("line %d: header names no protocol", line)
			}
		case probe.Type == "event":
			var e Event
			if err := strictUnmarshal(b, &e); err != nil {
				return f, fmt.Errorf("line %d: event: %v", line, err)
			}
			f.Events = append(f.Events, e)
		case probe.Type == "footer":
			if err := strictUnmarshal(b, &f.Footer); err != nil {
				return f, fmt.Errorf("line %d: footer: %v", line, err)
			}
			sawFooter = true
		default:
			return f, fmt.Errorf("line %d: unknown line type %q", line, probe.Type)
		}
	}
	if err := sc.Err(); err != nil {
		return f, fmt.Errorf("line %d: %v", line+1, err)
	}
	if line == 0 {
		return f, errors.New("empty trace file")
	}
	if !sawFooter {
		return f, errors.New("trace has no footer (truncated?)")
	}
	return f, nil
}

// ReadFile reads a trace from path.
func ReadFile(path string) (File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return File{}, err
	}
	defer fh.Close()
	f, err := Read(fh)
	if err != nil {
		return f, fmt.Errorf("%s: %v", path, err)
	}
	return f, nil
}

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Line renders one event as a readable line (the same text as sim's).
func (e Event) Line() string {
	return sim.FormatLine(e.Index, sim.Time(e.Time), sim.TraceKind(e.Kind), sim.NodeID(e.From), sim.NodeID(e.To), e.Text, sim.TimerID(e.Timer), e.Detail)
}

// Text renders events one per line, their columns aligned.
func Text(evs []Event) string {
	var b strings.Builder
	idx, times := make([]int, len(evs)), make([]sim.Time, len(evs))
	for i, e := range evs {
		idx[i], times[i] = e.Index, sim.Time(e.Time)
	}
	w := sim.WidthsOf(idx, times)
	for _, e := range evs {
		b.WriteString(sim.FormatLineWidth(w, e.Index, sim.Time(e.Time), sim.TraceKind(e.Kind), sim.NodeID(e.From), sim.NodeID(e.To), e.Text, sim.TimerID(e.Timer), e.Detail))
		b.WriteByte('\n')
	}
	return b.String()
}

// Divergence is the first place two event sequences differ.
type Divergence struct {
	Index int    // 0-based position in the sequences
	A, B  string // the two lines; "" where one sequence ended
}

// Diff returns the first divergence between a and b, or nil if they are equal.
func Diff(a, b []Event) *Divergence {
	n := len(a)
	if len(b) > n {
		n = len(b)
	}
	for i := 0; i < n; i++ {
		var la, lb string
		if i < len(a) {
			la = a[i].Line()
		}
		if i < len(b) {
			lb = b[i].Line()
		}
		if la != lb || (i < len(a) && i < len(b) && a[i] != b[i]) {
			return &Divergence{Index: i, A: la, B: lb}
		}
	}
	return nil
}

// simTime is sim.Time, named here so renderers read naturally.
type simTime = sim.Time
