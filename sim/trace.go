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
	var b strings.Builder
	fmt.Fprintf(&b, "#%-4d %10s  %-9s", index, t, kind)
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

// Text renders the whole log, one line per event.
func (l *Log) Text() string {
	var b strings.Builder
	for _, e := range l.Events {
		b.WriteString(e.Line())
		b.WriteByte('\n')
	}
	return b.String()
}
