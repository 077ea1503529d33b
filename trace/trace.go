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
	"strconv"
	"strings"

	"simulate/output"
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
	f := File{Header: h, Footer: FooterOf(res)}
	if log != nil {
		f.Events = Events(log.Events)
	}
	return f
}

// FooterOf is the footer of a finished run.
func FooterOf(res sim.Result) Footer {
	return Footer{Type: "footer", Counters: res.Counters, Hash: res.HashString(), End: int64(res.End), Reason: string(res.Reason)}
}

// Events converts kernel trace events to file lines.
func Events(evs []sim.TraceEvent) []Event {
	out := make([]Event, len(evs))
	for i, e := range evs {
		out[i] = eventOf(e)
	}
	return out
}

// EventOf converts one kernel trace event to its file line.
func EventOf(e sim.TraceEvent) Event { return eventOf(e) }

func eventOf(e sim.TraceEvent) Event {
	return Event{
		Type: "event", Index: e.Index, Time: int64(e.Time), Kind: string(e.Kind),
		From: int(e.From), To: int(e.To), Msg: sim.MessageType(e.Msg), Text: sim.MessageText(e.Msg),
		MsgID: e.MsgID, Timer: uint64(e.Timer), Detail: e.Detail,
	}
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

// WriteFile writes f to path through package output: a regular file is
// replaced atomically, so a reader never sees half a trace; a symlink, a
// FIFO or a device is written through.
func WriteFile(path string, f File) error {
	return output.Write(path, func(w io.Writer) error { return Write(w, f) })
}

// Recorder is a sim.Tracer that writes a trace as the run happens, one
// line per event, so writing the trace of a run of millions of events
// holds one event in memory, not all of them. The bytes are exactly
// Write's for the same run.
type Recorder struct {
	bw  *bufio.Writer
	enc *json.Encoder
	err error
}

// NewRecorder writes h as the header of a trace on w and returns the
// Recorder for the run's events; Finish writes the footer.
func NewRecorder(w io.Writer, h Header) *Recorder {
	h.Type = "header"
	if h.Scenario == nil {
		h.Scenario = json.RawMessage("null")
	}
	r := &Recorder{bw: bufio.NewWriterSize(w, 256*1024)}
	r.enc = json.NewEncoder(r.bw)
	r.err = r.enc.Encode(h)
	return r
}

// Record implements sim.Tracer. A write error is kept for Finish; the
// events after it are dropped.
func (r *Recorder) Record(e sim.TraceEvent) {
	if r.err == nil {
		r.err = r.enc.Encode(eventOf(e))
	}
}

// Finish writes the footer and flushes; it returns the first write error.
func (r *Recorder) Finish(f Footer) error {
	if r.err == nil {
		r.err = r.enc.Encode(f)
	}
	if r.err == nil {
		r.err = r.bw.Flush()
	}
	return r.err
}

// Read parses a trace file. Malformed input gives an error naming the line,
// never a panic.
func Read(r io.Reader) (File, error) {
	var f File
	rd, err := NewReader(r)
	if err != nil {
		return f, err
	}
	f.Header = rd.Header
	for {
		e, ok, err := rd.Next()
		if err != nil {
			return f, err
		}
		if !ok {
			break
		}
		f.Events = append(f.Events, e)
	}
	f.Footer = rd.Footer
	return f, nil
}

// Reader reads a trace line by line, so replaying a trace of millions of
// events holds one of them at a time.
type Reader struct {
	// Header is the trace's header, read by NewReader; Footer is its
	// footer, once Next has returned false.
	Header Header
	Footer Footer
	sc     *bufio.Scanner
	line   int
	done   bool
}

// NewReader reads and checks the header of the trace on r.
func NewReader(r io.Reader) (*Reader, error) {
	rd := &Reader{sc: bufio.NewScanner(r)}
	rd.sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	typ, b, err := rd.scan()
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, errors.New("empty trace file")
	}
	if rd.line != 1 || typ != "header" {
		return nil, fmt.Errorf("line %d: want a header, got type %q", rd.line, typ)
	}
	if err := strictUnmarshal(b, &rd.Header); err != nil {
		return nil, fmt.Errorf("line %d: header: %v", rd.line, err)
	}
	if rd.Header.Protocol == "" {
		return nil, fmt.Errorf("line %d: header names no protocol", rd.line)
	}
	if err := checkVersion(rd.Header.Version); err != nil {
		return nil, fmt.Errorf("line %d: header: %v", rd.line, err)
	}
	return rd, nil
}

// scan returns the type and bytes of the next non-empty line, or nil
// bytes at the end of the input.
func (rd *Reader) scan() (string, []byte, error) {
	for rd.sc.Scan() {
		rd.line++
		b := bytes.TrimSpace(rd.sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var probe struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(b, &probe); err != nil {
			return "", nil, fmt.Errorf("line %d: not a JSON object: %v", rd.line, err)
		}
		return probe.Type, b, nil
	}
	if err := rd.sc.Err(); err != nil {
		return "", nil, fmt.Errorf("line %d: %v", rd.line+1, err)
	}
	return "", nil, nil
}

// Next returns the next event, or false after the footer (then Footer is
// set and the rest of the input has been checked to be empty).
func (rd *Reader) Next() (Event, bool, error) {
	var e Event
	if rd.done {
		return e, false, nil
	}
	typ, b, err := rd.scan()
	switch {
	case err != nil:
		return e, false, err
	case b == nil:
		return e, false, errors.New("trace has no footer (truncated?)")
	case typ == "header":
		return e, false, fmt.Errorf("line %d: a second header", rd.line)
	case typ == "event":
		if err := strictUnmarshal(b, &e); err != nil {
			return e, false, fmt.Errorf("line %d: event: %v", rd.line, err)
		}
		return e, true, nil
	case typ == "footer":
		if err := strictUnmarshal(b, &rd.Footer); err != nil {
			return e, false, fmt.Errorf("line %d: footer: %v", rd.line, err)
		}
		rd.done = true
		if _, b, err := rd.scan(); err != nil || b != nil {
			if err == nil {
				err = fmt.Errorf("line %d: content after the footer", rd.line)
			}
			return e, false, err
		}
		return e, false, nil
	default:
		return e, false, fmt.Errorf("line %d: unknown line type %q", rd.line, typ)
	}
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

// Major is the major version of the simulator whose traces this build
// reads. A header records the version of the simulator that wrote it; a
// trace from another major version may mean other things by the same
// fields (or replay another world), so it is refused, not misread. Bump
// it with the simulator's major version.
const Major = 0

// checkVersion accepts MAJOR.MINOR[.PATCH] versions of major Major.
func checkVersion(v string) error {
	maj, rest, ok := strings.Cut(v, ".")
	n, err := strconv.Atoi(maj)
	if !ok || err != nil || n < 0 || rest == "" {
		return fmt.Errorf("version %q: want MAJOR.MINOR.PATCH", v)
	}
	if n != Major {
		return fmt.Errorf("version %q: this simulate reads traces of version %d.x only", v, Major)
	}
	return nil
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
