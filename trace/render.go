package trace

import (
	"fmt"
	"html"
	"sort"
	"strings"
)

// Role observations: a node that observes kind "role" with value "traitor"
// is drawn as a traitor. Protocols report their traitors this way so a
// renderer needs no knowledge of any protocol.
const (
	RoleKind    = "role"
	RoleTraitor = "traitor"
)

// arrow is one message drawn in a diagram: sent at row sendRow, delivered
// (or lost) at row endRow.
type arrow struct {
	from, to        int
	sendRow, endRow int
	text            string
	dropped         bool
	reason          string
}

// note is a mark on a lane: a crash, restart, decision or environment action.
type note struct {
	row   int
	nodes []int // empty: across all lanes
	text  string
	kind  string
}

// diagram is a trace reduced to what a space-time diagram draws.
type diagram struct {
	nodes    []int
	traitors map[int]bool
	rows     int
	times    []int64 // time of each row
	arrows   []arrow
	notes    []note
}

type linkKey struct {
	from, to int
	text     string
	id       uint64
}

// buildDiagram pairs each delivery with its send — by the kernel's message
// id, or for traces without ids first in, first out per link and message
// text — and gives every distinct time a row.
func buildDiagram(f File) diagram {
	d := diagram{traitors: map[int]bool{}}
	seen := map[int]bool{}
	addNode := func(n int) {
		if n >= 0 && !seen[n] {
			seen[n] = true
			d.nodes = append(d.nodes, n)
		}
	}
	row := -1
	pending := map[linkKey][]int{} // send rows waiting for their fate
	for _, e := range f.Events {
		// Every drawn event gets a row of its own, so labels of events at the
		// same virtual time do not pile up; starts, timers and role marks
		// are not drawn and take none.
		role := e.Kind == "observe" && strings.HasPrefix(e.Detail, RoleKind+"[")
		if e.Kind != "start" && e.Kind != "timer" && e.Kind != "duplicate" && !role || row < 0 {
			row++
			d.times = append(d.times, e.Time)
		}
		addNode(e.From)
		addNode(e.To)
		k := linkKey{e.From, e.To, e.Text, e.MsgID}
		if e.MsgID != 0 {
			k = linkKey{id: e.MsgID} // exact: the kernel numbered the send
		}
		switch e.Kind {
		case "send":
			pending[k] = append(pending[k], row)
		case "duplicate":
			pending[k] = append(pending[k], row)
		case "deliver":
			q := pending[k]
			sendRow := row
			if len(q) > 0 {
				sendRow, pending[k] = q[0], q[1:]
			}
			d.arrows = append(d.arrows, arrow{from: e.From, to: e.To, sendRow: sendRow, endRow: row, text: e.Text})
		case "drop":
			q := pending[k]
			sendRow := row
			if len(q) > 0 {
				if e.Detail == "crashed" { // lost at delivery time: the oldest in flight
					sendRow, pending[k] = q[0], q[1:]
				} else { // lost as it was sent: the one just sent
					sendRow, pending[k] = q[len(q)-1], q[:len(q)-1]
				}
			}
			d.arrows = append(d.arrows, arrow{from: e.From, to: e.To, sendRow: sendRow, endRow: row, text: e.Text, dropped: true, reason: e.Detail})
		case "crash", "restart":
			d.notes = append(d.notes, note{row: row, nodes: []int{e.To}, text: e.Kind, kind: e.Kind})
		case "observe":
			if strings.HasPrefix(e.Detail, RoleKind+"[") && strings.HasSuffix(e.Detail, "="+RoleTraitor) {
				d.traitors[e.To] = true
				continue
			}
			d.notes = append(d.notes, note{row: row, nodes: []int{e.To}, text: e.Detail, kind: "observe"})
		case "start", "timer":
			// lanes and timers are implicit in the drawing
		default: // environment actions: partition, heal, loss, ...
			text := e.Kind
			if e.Detail != "" {
				text += ": " + e.Detail
			}
			d.notes = append(d.notes, note{row: row, text: text, kind: "env"})
		}
	}
	sort.Ints(d.nodes)
	d.rows = row + 1
	return d
}

func (d diagram) label(n int) string {
	if d.traitors[n] {
		return fmt.Sprintf("n%d (traitor)", n)
	}
	return fmt.Sprintf("n%d", n)
}

// Mermaid renders the trace as a Mermaid sequenceDiagram, for pasting into
// Markdown notes. Messages are drawn when delivered; lost ones end in a
// cross; crashes, decisions and partitions are notes.
func Mermaid(f File) string {
	d := buildDiagram(f)
	var b strings.Builder
	b.WriteString("sequenceDiagram\n")
	for _, n := range d.nodes {
		fmt.Fprintf(&b, "    participant n%d as %s\n", n, d.label(n))
	}
	// Interleave arrows (at their end row) and notes in row order.
	type item struct {
		row  int
		line string
	}
	var items []item
	for _, a := range d.arrows {
		if a.dropped {
			why := a.reason
			if why == "" {
				why = "dropped"
			}
			items = append(items, item{a.endRow, fmt.Sprintf("    n%d-xn%d: %s (lost: %s)", a.from, a.to, mermaidText(a.text), why)})
			continue
		}
		items = append(items, item{a.endRow, fmt.Sprintf("    n%d->>n%d: %s", a.from, a.to, mermaidText(a.text))})
	}
	for _, n := range d.notes {
		over := ""
		switch {
		case len(n.nodes) == 1:
			over = fmt.Sprintf("n%d", n.nodes[0])
		case len(d.nodes) > 1:
			over = fmt.Sprintf("n%d,n%d", d.nodes[0], d.nodes[len(d.nodes)-1])
		default:
			over = fmt.Sprintf("n%d", d.nodes[0])
		}
		items = append(items, item{n.row, fmt.Sprintf("    Note over %s: %s", over, mermaidText(n.text))})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].row < items[j].row })
	for _, it := range items {
		b.WriteString(it.line)
		b.WriteByte('\n')
	}
	return b.String()
}

// mermaidText removes what Mermaid would read as syntax.
func mermaidText(s string) string {
	r := strings.NewReplacer(";", ",", "#", "", "\n", " ", ":", " ")
	return r.Replace(s)
}

// SVG renders the trace as a standalone space-time diagram: one vertical
// lane per node, time flowing down (one row per drawn event, its
// virtual time printed at the left), an arrow per message from its send to
// its delivery, red dashed arrows ending in a cross for lost messages, red
// marks for crashes, green for restarts, highlighted decisions, grey bands
// for environment actions, and traitors' lanes in red.
func SVG(f File) string {
	d := buildDiagram(f)
	const (
		left    = 90
		laneGap = 150
		top     = 50
		rowH    = 22
	)
	x := map[int]int{}
	for i, n := range d.nodes {
		x[n] = left + i*laneGap
	}
	width := left + len(d.nodes)*laneGap
	height := top + d.rows*rowH + 30
	y := func(row int) int { return top + row*rowH + rowH/2 }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="monospace" font-size="11">`+"\n", width, height, width, height)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#333"/></marker></defs>` + "\n")
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	for _, n := range d.notes {
		if n.kind == "env" {
			fmt.Fprintf(&b, `<rect x="0" y="%d" width="%d" height="%d" fill="#eee"/><text x="%d" y="%d" fill="#555">%s</text>`+"\n", y(n.row)-rowH/2, width, rowH, left-80, y(n.row)+4, html.EscapeString(n.text))
		}
	}
	for _, n := range d.nodes {
		color := "#333"
		if d.traitors[n] {
			color = "#c00"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-weight="bold" fill="%s">%s</text>`+"\n", x[n], top-20, color, html.EscapeString(d.label(n)))
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="1.5"/>`+"\n", x[n], top-10, x[n], height-20, color)
	}
	for r, t := range d.times {
		if r == 0 || t != d.times[r-1] {
			fmt.Fprintf(&b, `<text x="4" y="%d" fill="#888">%s</text>`+"\n", y(r)+4, html.EscapeString(Event{Time: t}.timeString()))
		}
	}
	for _, a := range d.arrows {
		x1, y1, x2, y2 := x[a.from], y(a.sendRow), x[a.to], y(a.endRow)
		if a.from == a.to {
			continue
		}
		if a.dropped {
			if y2 == y1 { // lost on the wire: draw a short stub
				x2 = x1 + (x2-x1)/3
				y2 = y1 + rowH/2
			}
			fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#c00" stroke-dasharray="4 3"/><text x="%d" y="%d" fill="#c00" text-anchor="middle">✕</text>`+"\n", x1, y1, x2, y2, x2, y2+4)
			continue
		}
		if y2 == y1 {
			y2 += rowH / 3
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333" marker-end="url(#arrow)"><title>%s</title></line>`+"\n", x1, y1, x2, y2, html.EscapeString(a.text))
		// The label sits a third of the way from the sender, so two messages
		// crossing in opposite directions keep their labels apart.
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#246" text-anchor="middle">%s</text>`+"\n", x1+(x2-x1)/3, y1+(y2-y1)/3-3, html.EscapeString(shorten(a.text, 24)))
	}
	for _, n := range d.notes {
		if n.kind == "env" {
			continue
		}
		cx, cy := x[n.nodes[0]], y(n.row)
		switch n.kind {
		case "crash":
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="16" height="16" fill="#c00"/><text x="%d" y="%d" fill="#c00">crash</text>`+"\n", cx-8, cy-8, cx+12, cy+4)
		case "restart":
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="16" height="16" fill="#080"/><text x="%d" y="%d" fill="#080">restart</text>`+"\n", cx-8, cy-8, cx+12, cy+4)
		default:
			fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="6" fill="#fc0" stroke="#960"/><text x="%d" y="%d" fill="#960" font-weight="bold">%s</text>`+"\n", cx, cy, cx+10, cy+4, html.EscapeString(shorten(n.text, 28)))
		}
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func (e Event) timeString() string { return fmt.Sprint(simTime(e.Time)) }

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
