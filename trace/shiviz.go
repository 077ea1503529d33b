package trace

import (
	"fmt"
	"strings"
)

// ShiVizRegex is the parser expression a ShiViz log begins with: an event's
// description on one line, then its host and vector clock on the next.
const ShiVizRegex = `(?<event>.*)\n(?<host>\S*) (?<clock>{.*})`

// ShiViz renders f as a log for ShiViz (the vector-clock space-time viewer
// of the University of British Columbia, also read by TSViz), so a run can
// be explored there: its first line is the parsing expression, its second
// the (empty) delimiter between executions, then two lines for each event
// that happens at a node — a description, and the node with its vector
// clock, e.g.
//
//	send n0 -> n1 Order{attack} @0s #5
//	n0 {"n0":2}
//
// Environment actions, drops and duplicates happen at no node and are left
// out, since ShiViz wants every host's own clock entry to rise by exactly
// one per event; a lost message shows as a send that nobody receives.
func ShiViz(f File) string {
	clocks := VectorClocks(f)
	var b strings.Builder
	b.WriteString(ShiVizRegex)
	b.WriteString("\n\n")
	for i, e := range f.Events {
		c := clocks[i]
		if c == nil {
			continue
		}
		host := e.To
		if e.Kind == "send" {
			host = e.From
		}
		fmt.Fprintf(&b, "%s\nn%d %s\n", oneLineText(describe(e)), host, c)
	}
	return b.String()
}

// describe says what happened in one event, without the padding of Line.
func describe(e Event) string {
	var s string
	switch e.Kind {
	case "send", "deliver", "drop", "duplicate":
		s = fmt.Sprintf("%s n%d -> n%d %s", e.Kind, e.From, e.To, e.Text)
	case "timer":
		s = fmt.Sprintf("timer %d at n%d", e.Timer, e.To)
	case "start", "crash", "restart", "observe":
		s = fmt.Sprintf("%s n%d", e.Kind, e.To)
	default:
		s = e.Kind
	}
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return fmt.Sprintf("%s @%s #%d", s, simTime(e.Time), e.Index)
}

// oneLineText keeps a description on its line: the parser splits on
// newlines.
func oneLineText(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}
