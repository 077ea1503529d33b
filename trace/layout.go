package trace

import (
	"fmt"
	"sort"
	"strings"
)

// othersLane is the lane id of the lane that stands for every node a
// diagram does not draw on a lane of its own.
const othersLane = -2

// limits bound what a diagram draws, so that a trace of any size gives a
// picture a reader can open: at most lanes lanes (the rest folded into one
// "others" lane) and rows rows of events (the rest summarised in a note).
type limits struct {
	lanes, rows int
}

// Limits of the SVG and Mermaid renderers. An SVG row is 22 px, so 1,200
// rows stay under the 32,767 px that common rasterisers accept; Mermaid's
// default text limit (50,000 characters) allows a few hundred lines.
var (
	svgLimits     = limits{lanes: 40, rows: 1200}
	mermaidLimits = limits{lanes: 20, rows: 400}
)

// arrow is one message drawn in a diagram: sent at row sendRow, delivered
// (or lost) at row endRow.
type arrow struct {
	from, to        int // lanes
	sendRow, endRow int
	text            string
	dropped         bool
	reason          string
}

// note is a mark on a lane: a crash, restart, decision or environment
// action; or a band across the diagram: idle time or events left out.
type note struct {
	row   int
	nodes []int // lanes; empty: across all lanes
	text  string
	kind  string // crash, restart, observe, violation, env, idle, skip
}

// diagram is a trace reduced to what a space-time diagram draws.
type diagram struct {
	lanes    []int // node ids in drawing order; othersLane last if present
	others   int   // nodes folded into the others lane
	traitors map[int]bool
	rows     int
	times    []int64 // time of each row
	arrows   []arrow
	notes    []note
	omitted  string // what was left out, in words; "" when nothing
}

type linkKey struct {
	from, to int
	text     string
	id       uint64
}

// drawn reports whether an event takes a row of the diagram: starts,
// timers, duplicates and role marks do not.
func drawn(e Event) bool {
	switch e.Kind {
	case "start", "timer", "duplicate":
		return false
	case "observe":
		return !strings.HasPrefix(e.Detail, RoleKind+"[")
	}
	return true
}

func isTraitorMark(e Event) bool {
	return e.Kind == "observe" && strings.HasPrefix(e.Detail, RoleKind+"[") && strings.HasSuffix(e.Detail, "="+RoleTraitor)
}

// violationAt returns the position in f.Events of the event where a
// property broke — the first violation observation, else the event the
// footer's verdict is pinned to (the last event if it names none) — and
// the words to show there; -1 if the run broke nothing.
func violationAt(f File) (int, string) {
	for i, e := range f.Events {
		if IsViolation(e) {
			return i, e.Detail
		}
	}
	v := f.Footer.Violation
	if v == nil || len(f.Events) == 0 {
		return -1, ""
	}
	for i, e := range f.Events {
		if e.Index == v.Event {
			return i, "violated: " + v.Property
		}
	}
	return len(f.Events) - 1, "violated: " + v.Property
}

// chooseLanes picks the nodes drawn on lanes of their own: all of them if
// they fit, otherwise the violating node, the traitors and then the
// busiest nodes (ties to the lower id), drawn in id order.
func chooseLanes(f File, max, vpos int) (drawnNodes map[int]bool, all []int) {
	count := map[int]int{}
	for _, e := range f.Events {
		for _, n := range []int{e.From, e.To} {
			if n >= 0 {
				count[n]++
			}
		}
	}
	for n := range count {
		all = append(all, n)
	}
	sort.Ints(all)
	drawnNodes = map[int]bool{}
	if len(all) <= max {
		for _, n := range all {
			drawnNodes[n] = true
		}
		return drawnNodes, all
	}
	room := max - 1 // one lane for the others
	take := func(n int) {
		if n >= 0 && !drawnNodes[n] && len(drawnNodes) < room {
			drawnNodes[n] = true
		}
	}
	if vpos >= 0 {
		take(f.Events[vpos].To)
	}
	for _, e := range f.Events {
		if isTraitorMark(e) {
			take(e.To)
		}
	}
	ranked := append([]int(nil), all...)
	sort.SliceStable(ranked, func(i, j int) bool { return count[ranked[i]] > count[ranked[j]] })
	for _, n := range ranked {
		take(n)
	}
	return drawnNodes, all
}

// buildDiagram pairs each delivery with its send — by the kernel's message
// id, or for traces without ids first in, first out per link and message
// text — gives every drawn event a row (sends of one node at one instant
// share a row, since they fan out from one point), and keeps it within lim:
// lanes beyond the limit fold into an "others" lane, rows beyond it are
// left out (keeping the start and the rows up to the violation) with a
// band saying what was skipped, and stretches where no message is in
// flight become a band that names the idle time.
func buildDiagram(f File, lim limits) diagram {
	vpos, vtext := violationAt(f)
	onLane, all := chooseLanes(f, lim.lanes, vpos)
	d := diagram{traitors: map[int]bool{}}
	for _, n := range all {
		if onLane[n] {
			d.lanes = append(d.lanes, n)
		}
	}
	if len(d.lanes) < len(all) {
		d.others = len(all) - len(d.lanes)
		d.lanes = append(d.lanes, othersLane)
	}
	lane := func(n int) int {
		if n < 0 || onLane[n] {
			return n
		}
		return othersLane
	}
	for _, e := range f.Events {
		if isTraitorMark(e) && onLane[e.To] {
			d.traitors[e.To] = true
		}
	}

	// Pass 1: a row for each drawn event, and what is in flight after it.
	rowOf := make([]int, len(f.Events))
	var rowTime []int64
	var idleAfter []bool     // no message in flight after the row
	left := map[string]int{} // events not drawn, by kind
	inFlight, row, prev := 0, -1, -1
	for i, e := range f.Events {
		switch e.Kind {
		case "send", "duplicate":
			inFlight++
		case "deliver", "drop":
			inFlight--
		}
		rowOf[i] = -1
		visible := false
		if drawn(e) {
			switch e.Kind {
			case "send", "deliver", "drop": // not between two folded nodes
				visible = onLane[e.From] || onLane[e.To]
			case "observe", "crash", "restart":
				visible = onLane[e.To]
			default: // the environment acts on all
				visible = true
			}
			if !visible && i != vpos {
				left[e.Kind]++
			}
		}
		if visible || i == vpos {
			shared := e.Kind == "send" && prev >= 0 && prev != vpos && f.Events[prev].Kind == "send" &&
				f.Events[prev].From == e.From && f.Events[prev].Time == e.Time && i != vpos
			if !shared {
				row++
				rowTime = append(rowTime, e.Time)
				idleAfter = append(idleAfter, false)
			}
			rowOf[i] = row
			prev = i
		}
		if row >= 0 {
			idleAfter[row] = inFlight <= 0
		}
	}
	rows := row + 1

	// Which rows are kept: all if they fit, else the first ones — or, when
	// the property broke later, the first half and the rows leading to it.
	keep := func(r int) bool { return true }
	vrow := -1
	if vpos >= 0 {
		vrow = rowOf[vpos]
	}
	if rows > lim.rows {
		if vrow < lim.rows {
			keep = func(r int) bool { return r < lim.rows }
		} else {
			head := lim.rows / 2
			tail := vrow - (lim.rows - head) + 1
			keep = func(r int) bool { return r < head || r >= tail && r <= vrow }
		}
	}
	nextKept := make([]int, rows+1) // the first kept row at or after r; rows: none
	nextKept[rows] = rows
	for r := rows - 1; r >= 0; r-- {
		nextKept[r] = nextKept[r+1]
		if keep(r) {
			nextKept[r] = r
		}
	}
	skippedIn := map[int]map[string]int{} // events left out, by the kept row after them
	for i, e := range f.Events {
		if r := rowOf[i]; r >= 0 && !keep(r) {
			next := nextKept[r]
			if skippedIn[next] == nil {
				skippedIn[next] = map[string]int{}
			}
			skippedIn[next][e.Kind]++
			left[e.Kind]++
		}
	}

	// Output rows: the kept rows, with a band where rows were left out and
	// one where nothing was in flight for a while.
	outRow := make([]int, rows)
	band := func(text, kind string, t int64) {
		d.notes = append(d.notes, note{row: len(d.times), text: text, kind: kind})
		d.times = append(d.times, t)
	}
	lastKept := -1
	for r := 0; r < rows; r++ {
		if !keep(r) {
			continue
		}
		if lastKept >= 0 && r != lastKept+1 {
			band(fmt.Sprintf("⋯ not drawn: %s, from %s to %s ⋯", countWords(skippedIn[r]), simTime(rowTime[lastKept+1]), simTime(rowTime[r-1])), "skip", rowTime[lastKept+1])
		} else if lastKept >= 0 && idleAfter[lastKept] && rowTime[r] > rowTime[lastKept] {
			band("⋯ "+simTime(rowTime[r]-rowTime[lastKept]).String()+" with no message in flight ⋯", "idle", rowTime[r])
		}
		outRow[r] = len(d.times)
		d.times = append(d.times, rowTime[r])
		lastKept = r
	}
	if m := skippedIn[rows]; len(m) > 0 {
		band(fmt.Sprintf("⋯ not drawn: %s, from %s to %s ⋯", countWords(m), simTime(rowTime[lastKept+1]), simTime(rowTime[rows-1])), "skip", rowTime[lastKept+1])
	}
	d.rows = len(d.times)

	// Pass 2: arrows and notes of the kept rows.
	pending := map[linkKey][]int{} // send rows (pass-1 numbering) waiting for their fate
	for i, e := range f.Events {
		k := linkKey{e.From, e.To, e.Text, e.MsgID}
		if e.MsgID != 0 {
			k = linkKey{id: e.MsgID} // exact: the kernel numbered the send
		}
		r := rowOf[i]
		switch e.Kind {
		case "send", "duplicate":
			sr := r
			if e.Kind == "duplicate" {
				sr = -1 // drawn from where it is delivered
			}
			pending[k] = append(pending[k], sr)
			continue
		case "deliver", "drop":
			q := pending[k]
			sendRow := -1
			if len(q) > 0 {
				if e.Kind == "drop" && e.Detail != "crashed" { // lost as it was sent: the one just sent
					sendRow, pending[k] = q[len(q)-1], q[:len(q)-1]
				} else { // delivered, or lost at a crashed receiver: the oldest in flight
					sendRow, pending[k] = q[0], q[1:]
				}
			}
			if r < 0 {
				continue
			}
			if !keep(r) {
				continue
			}
			if sendRow < 0 || !keep(sendRow) || sendRow > r {
				sendRow = r
			}
			a := arrow{from: lane(e.From), to: lane(e.To), sendRow: outRow[sendRow], endRow: outRow[r], text: e.Text}
			if e.Kind == "drop" {
				a.dropped, a.reason = true, e.Detail
			}
			d.arrows = append(d.arrows, a)
			continue
		}
		if r < 0 || !keep(r) {
			continue
		}
		switch e.Kind {
		case "crash", "restart":
			d.notes = append(d.notes, note{row: outRow[r], nodes: []int{lane(e.To)}, text: e.Kind, kind: e.Kind})
		case "observe":
			kind, text := "observe", e.Detail
			if IsViolation(e) {
				kind = "violation"
			} else if i == vpos { // the verdict is pinned to this observation
				kind, text = "violation", e.Detail+" — "+vtext
			}
			d.notes = append(d.notes, note{row: outRow[r], nodes: []int{lane(e.To)}, text: text, kind: kind})
		default: // environment actions: partition, heal, loss, ...
			text := e.Kind
			if e.Detail != "" {
				text += ": " + e.Detail
			}
			d.notes = append(d.notes, note{row: outRow[r], text: text, kind: "env"})
		}
	}
	if vpos >= 0 && f.Events[vpos].Kind != "observe" {
		// A checker's verdict pinned to an event that is not itself the
		// observation: marked on that event's lane.
		e := f.Events[vpos]
		n := e.To
		if e.Kind == "send" {
			n = e.From
		}
		nodes := []int{lane(n)}
		if n < 0 {
			nodes = nil
		}
		d.notes = append(d.notes, note{row: outRow[rowOf[vpos]], nodes: nodes, text: vtext, kind: "violation"})
	}
	sort.SliceStable(d.notes, func(i, j int) bool { return d.notes[i].row < d.notes[j].row })

	var parts []string
	if d.others > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d nodes share the lane \"others\"", d.others, len(all)))
	}
	if n := sum(left); n > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d events (%s)", n, len(f.Events), countWords(left)))
	}
	d.omitted = strings.Join(parts, "; ")
	return d
}

func sum(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

// countWords says how many events of each kind a map counts, in kind
// order: "12 deliver, 12 send".
func countWords(m map[string]int) string {
	kinds := make([]string, 0, len(m))
	for k := range m {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%d %s", m[k], k)
	}
	if len(parts) == 0 {
		return "no events"
	}
	return strings.Join(parts, ", ")
}

func (d diagram) label(n int) string {
	switch {
	case n == othersLane:
		return fmt.Sprintf("+%d others", d.others)
	case d.traitors[n]:
		return fmt.Sprintf("n%d (traitor)", n)
	}
	return fmt.Sprintf("n%d", n)
}
