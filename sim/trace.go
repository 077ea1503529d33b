package sim

import (
	"fmt"
	"strings"
)

// TraceKind names an event kind in traces.
type TraceKind string

// The kernel's event kinds. Environment actions scheduled with World.At use
// their own kind names ("partition", "heal", ...).
const (
	TraceStart     TraceKind = "start"
	TraceSend      TraceKind = "send"
	TraceDeliver   TraceKind = "deliver"
	TraceDrop      TraceKind = "drop"
	TraceDuplicate TraceKind = "duplicate"
	TraceTimer     TraceKind = "timer"
	TraceCrash     TraceKind = "crash"
	TraceRestart   TraceKind = "restart"
	TraceObserve   TraceKind = "observe"
)

// TraceEvent is one event as a Tracer sees it. From and To are -1 for
// environment actions.
type TraceEvent struct {
	Index int
	Time  Time
	Kind  TraceKind
	From  NodeID
	To    NodeID
	Msg   Message
	// MsgID numbers each send (1, 2, ...); its delivery, duplicate and drop
	// carry the same number, so a trace links every arrival to its send
	// (which is what space-time diagrams and vector clocks need).
	MsgID  uint64
	Timer  TimerID
	Detail string
}

// Tracer receives every event of a run, in order.
type Tracer interface {
	Record(e TraceEvent)
}

// MessageType names a message's Go type without its package path, e.g. "Order".
func MessageType(m Message) string {
	if m == nil {
		return ""
	}
	s := fmt.Sprintf("%T", m)
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimPrefix(s, "*")
}

// MessageText renders a message for people: its String method if it has one,
// otherwise its fields.
func MessageText(m Message) string {
	if m == nil {
		return ""
	}
	if s, ok := m.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%+v", m)
}

// Line renders e as one readable line, e.g.
//
//	12.5ms  deliver  n0 -> n2  Order{attack}
func (e TraceEvent) Line() string {
	return FormatLine(e.Index, e.Time, e.Kind, e.From, e.To, MessageText(e.Msg), e.Timer, e.Detail)
}

// FormatLine is the one rendering of an event as a line of text, shared by
// live traces and trace files read back (package trace), so both read alike.
func FormatLine(index int, t Time, kind TraceKind, from, to NodeID, text string, timer TimerID, detail string) string {
	return FormatLineWidth(Widths{}, index, t, kind, from, to, text, timer, detail)
}

// Widths are the least widths of a line's index and time columns. A line
// alone uses 4 and 10; a whole trace passes the widths of its longest
// index and time (WidthsOf), so its columns stay aligned past event 9999
// and past 10 ms (a time such as 11.891878ms is 11 characters).
type Widths struct{ Index, Time int }

// WidthsOf returns the column widths that align every line of a trace
// whose largest index and latest time are given (times only grow, but a
// shorter string can come later, so the caller passes the longest).
func WidthsOf(indexes []int, times []Time) Widths {
	w := Widths{Index: 4, Time: 10}
	for _, i := range indexes {
		w.Index = max(w.Index, len(fmt.Sprint(i)))
	}
	for _, t := range times {
		w.Time = max(w.Time, len(t.String()))
	}
	return w
}

// FormatLineWidth is FormatLine with the columns at least w wide.
func FormatLineWidth(w Widths, index int, t Time, kind TraceKind, from, to NodeID, text string, timer TimerID, detail string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%-*d %*s  %-9s", max(w.Index, 4), index, max(w.Time, 10), t, kind)
	switch kind {
	case TraceSend, TraceDeliver, TraceDrop, TraceDuplicate:
		fmt.Fprintf(&b, " n%d -> n%d  %s", from, to, text)
	case TraceTimer:
		fmt.Fprintf(&b, " n%d  timer %d", to, timer)
	case TraceStart, TraceCrash, TraceRestart, TraceObserve:
		fmt.Fprintf(&b, " n%d", to)
	}
	if detail != "" {
		fmt.Fprintf(&b, "  (%s)", detail)
	}
	return b.String()
}

// Log is a Tracer that keeps every event in memory.
type Log struct{ Events []TraceEvent }

// Record implements Tracer.
func (l *Log) Record(e TraceEvent) { l.Events = append(l.Events, e) }

// Text renders the whole log, one line per event, its columns aligned.
func (l *Log) Text() string {
	var b strings.Builder
	idx, times := make([]int, len(l.Events)), make([]Time, len(l.Events))
	for i, e := range l.Events {
		idx[i], times[i] = e.Index, e.Time
	}
	w := WidthsOf(idx, times)
	for _, e := range l.Events {
		b.WriteString(FormatLineWidth(w, e.Index, e.Time, e.Kind, e.From, e.To, MessageText(e.Msg), e.Timer, e.Detail))
		b.WriteByte('\n')
	}
	return b.String()
}
