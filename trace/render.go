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

// Mermaid renders the trace as a Mermaid sequenceDiagram, for pasting into
// Markdown notes. Messages are drawn when delivered; lost ones end in a
// cross; crashes, decisions and partitions are notes; the observation where
// a property broke is a note on a red background. Big traces are cut to
// what Mermaid can lay out (mermaidLimits): idle stretches and left-out
// events are notes across all lanes, and a last note says what was left out.
func Mermaid(f File) string {
	d := buildDiagram(f, mermaidLimits)
	var b strings.Builder
	b.WriteString("sequenceDiagram\n")
	id := func(l int) string {
		if l == othersLane {
			return "others"
		}
		return fmt.Sprintf("n%d", l)
	}
	for _, l := range d.lanes {
		fmt.Fprintf(&b, "    participant %s as %s\n", id(l), mermaidText(d.label(l)))
	}
	across := ""
	switch {
	case len(d.lanes) > 1:
		across = id(d.lanes[0]) + "," + id(d.lanes[len(d.lanes)-1])
	case len(d.lanes) == 1:
		across = id(d.lanes[0])
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
			items = append(items, item{a.endRow, fmt.Sprintf("    %s-x%s: %s (lost: %s)", id(a.from), id(a.to), mermaidText(a.text), mermaidText(why))})
			continue
		}
		items = append(items, item{a.endRow, fmt.Sprintf("    %s->>%s: %s", id(a.from), id(a.to), mermaidText(a.text))})
	}
	for _, n := range d.notes {
		over := across
		if len(n.nodes) == 1 {
			over = id(n.nodes[0])
		}
		if over == "" {
			continue // no lanes to put it on
		}
		line := fmt.Sprintf("    Note over %s: %s", over, mermaidText(n.text))
		if n.kind == "violation" {
			line = "    rect rgb(255, 205, 205)\n" + "    " + line + "\n    end"
		}
		items = append(items, item{n.row, line})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].row < items[j].row })
	for _, it := range items {
		b.WriteString(it.line)
		b.WriteByte('\n')
	}
	if d.omitted != "" && across != "" {
		fmt.Fprintf(&b, "    Note over %s: %s\n", across, mermaidText("Left out: "+d.omitted))
	}
	return b.String()
}

// mermaidText removes what Mermaid would read as syntax.
func mermaidText(s string) string {
	r := strings.NewReplacer(";", ",", "#", "", "\n", " ", ":", " ")
	return r.Replace(s)
}

// SVG layout, in pixels. Text is 11 px monospace, about 6.7 px a character.
const (
	svgMinLeft = 90  // the time column, when its labels are short
	svgLaneGap = 150 // between lanes, up to 10 lanes; more lanes sit closer
	svgTop     = 50
	svgRowH    = 22
	svgCharW   = 6.7
)

// placer keeps text labels off each other: it remembers the boxes of the
// labels drawn so far, by row band, and says whether a new one is free.
type placer struct {
	byBand map[int][]box
}

type box struct{ x0, y0, x1, y1 float64 }

func textBox(x, y float64, text, anchor string) box {
	w := float64(len([]rune(text))) * svgCharW
	switch anchor {
	case "middle":
		x -= w / 2
	case "end":
		x -= w
	}
	return box{x - 2, y - 11, x + w + 2, y + 4}
}

func (p *placer) free(b box) bool {
	for band := int(b.y0) / svgRowH; band <= int(b.y1)/svgRowH; band++ {
		for _, o := range p.byBand[band] {
			if b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1 {
				return false
			}
		}
	}
	return true
}

func (p *placer) take(b box) {
	for band := int(b.y0) / svgRowH; band <= int(b.y1)/svgRowH; band++ {
		p.byBand[band] = append(p.byBand[band], b)
	}
}

// place puts text at the first candidate position where it overlaps no
// label drawn before, and reports whether it found one.
func (p *placer) place(text, anchor string, cands [][2]float64) (x, y float64, ok bool) {
	for _, c := range cands {
		if b := textBox(c[0], c[1], text, anchor); p.free(b) {
			p.take(b)
			return c[0], c[1], true
		}
	}
	return 0, 0, false
}

// SVG renders the trace as a standalone space-time diagram: one vertical
// lane per node, time flowing down (one row per drawn event, its virtual
// time printed at the left; a node's sends at one instant share a row), an
// arrow per message from its send to its delivery, red dashed arrows ending
// in a cross for lost messages, red marks for crashes, green for restarts,
// highlighted decisions, grey bands for environment actions, traitors'
// lanes in red and the event where a property broke in red with the
// property's words. Any trace gives a picture of bounded size (svgLimits):
// stretches with no message in flight shrink to a band naming the idle
// time, nodes beyond the lane limit share one "others" lane, rows beyond
// the row limit are left out around the violation, and a note at the
// bottom says what was left out. Labels that would overlap move along their
// arrow or to the other side of their lane, or are left to the arrow's
// tooltip.
func SVG(f File) string {
	d := buildDiagram(f, svgLimits)
	// The time column is as wide as its longest label, so that no time
	// runs into the first lane.
	svgLeft := svgMinLeft
	for _, t := range d.times {
		if w := int(float64(len(Event{Time: t}.timeString()))*svgCharW) + 24; w > svgLeft {
			svgLeft = w
		}
	}
	gap := svgLaneGap
	switch {
	case len(d.lanes) > 20:
		gap = 90
	case len(d.lanes) > 10:
		gap = 110
	}
	x := map[int]int{}
	for i, n := range d.lanes {
		x[n] = svgLeft + i*gap
	}
	width := svgLeft + len(d.lanes)*gap + 60
	for _, n := range d.notes {
		if n.kind == "violation" && len(n.nodes) == 1 { // its words are never cut: the picture widens
			if w := x[n.nodes[0]] + 24 + int(float64(len([]rune(n.text))+2)*svgCharW); w > width {
				width = w
			}
		}
	}
	bottom := svgTop + d.rows*svgRowH + 10
	height := bottom + 20
	if d.omitted != "" {
		height += 20
	}
	y := func(row int) int { return svgTop + row*svgRowH + svgRowH/2 }
	p := &placer{byBand: map[int][]box{}}
	// Three layers: full-width backgrounds, then lanes, marks and arrows,
	// then every label on top, each with a white halo so that a line
	// crossing it does not hide it.
	var out, bg, b, lbl strings.Builder
	fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="monospace" font-size="11">`+"\n", width, height, width, height)
	out.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#333"/></marker></defs>` + "\n")
	fmt.Fprintf(&out, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	// Time labels first, then environment bands with their words right of
	// the time column, so neither covers the other.
	band := map[int]bool{}
	for _, n := range d.notes {
		if n.kind == "idle" || n.kind == "skip" {
			band[n.row] = true
		}
	}
	lastT := int64(-1)
	for r, t := range d.times {
		if !band[r] && t != lastT {
			lastT = t
			s := Event{Time: t}.timeString()
			p.take(textBox(4, float64(y(r)+4), s, "start"))
			fmt.Fprintf(&b, `<text x="4" y="%d" fill="#888">%s</text>`+"\n", y(r)+4, html.EscapeString(s))
		}
	}
	for _, n := range d.notes {
		if n.kind == "env" {
			p.take(box{0, float64(y(n.row) - svgRowH/2), float64(width), float64(y(n.row) + svgRowH/2)})
			fmt.Fprintf(&bg, `<rect x="0" y="%d" width="%d" height="%d" fill="#e8e8e8"/>`+"\n", y(n.row)-svgRowH/2, width, svgRowH)
			fmt.Fprintf(&lbl, `<text x="%d" y="%d" fill="#444">%s</text>`+"\n", svgLeft+6, y(n.row)+4, html.EscapeString(n.text))
		}
	}
	for _, n := range d.lanes {
		color, dash := "#333", ""
		if d.traitors[n] {
			color = "#c00"
		}
		if n == othersLane {
			color, dash = "#999", ` stroke-dasharray="2 4"`
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-weight="bold" fill="%s">%s</text>`+"\n", x[n], svgTop-20, color, html.EscapeString(d.label(n)))
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="1.5"%s/>`+"\n", x[n], svgTop-10, x[n], bottom, color, dash)
	}
	// Idle and left-out stretches cover the lanes: the lanes break there.
	for _, n := range d.notes {
		if n.kind != "idle" && n.kind != "skip" {
			continue
		}
		fill := "#f4f7ff"
		if n.kind == "skip" {
			fill = "#fff6d8"
		}
		y0 := y(n.row) - svgRowH/2
		p.take(box{0, float64(y0), float64(width), float64(y0 + svgRowH)})
		fmt.Fprintf(&b, `<rect x="0" y="%d" width="%d" height="%d" fill="%s"/><line x1="0" y1="%d" x2="%d" y2="%d" stroke="#99a" stroke-dasharray="3 3"/><line x1="0" y1="%d" x2="%d" y2="%d" stroke="#99a" stroke-dasharray="3 3"/><text x="%d" y="%d" fill="#557" font-style="italic">%s</text>`+"\n",
			y0+2, width, svgRowH-4, fill, y0+2, width, y0+2, y0+svgRowH-2, width, y0+svgRowH-2, svgLeft+6, y(n.row)+4, html.EscapeString(n.text))
	}
	// Marks on lanes, the violation's first: its words must be seen.
	sort.SliceStable(d.notes, func(i, j int) bool { return d.notes[i].kind == "violation" && d.notes[j].kind != "violation" })
	for _, n := range d.notes {
		if len(n.nodes) == 0 {
			if n.kind == "violation" { // pinned to an environment action: across the diagram
				y0 := y(n.row) - svgRowH/2
				fmt.Fprintf(&bg, `<rect x="0" y="%d" width="%d" height="%d" fill="#fdd"/>`+"\n", y0, width, svgRowH)
				fmt.Fprintf(&lbl, `<text paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round" x="%d" y="%d" fill="#c00" font-weight="bold">⚠ %s</text>`+"\n", svgLeft+6, y(n.row)+4, html.EscapeString(n.text))
			}
			continue
		}
		cx, cy := x[n.nodes[0]], y(n.row)
		text, color, weight := n.text, "#960", ` font-weight="bold"`
		switch n.kind {
		case "crash":
			color, weight = "#c00", ""
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="16" height="16" fill="#c00"/>`+"\n", cx-8, cy-8)
		case "restart":
			color, weight = "#080", ""
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="16" height="16" fill="#080"/>`+"\n", cx-8, cy-8)
		case "violation":
			text, color = "⚠ "+n.text, "#c00"
			fmt.Fprintf(&bg, `<rect x="0" y="%d" width="%d" height="%d" fill="#fdd"/>`+"\n", cy-svgRowH/2, width, svgRowH)
			fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="7" fill="#f44" stroke="#c00"><title>%s</title></circle>`+"\n", cx, cy, html.EscapeString(n.text))
		default:
			fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="6" fill="#fc0" stroke="#960"><title>%s</title></circle>`+"\n", cx, cy, html.EscapeString(n.text))
		}
		if n.kind != "violation" {
			text = shorten(text, 28)
		}
		fy := float64(cy + 4)
		if px, py, ok := p.place(text, "start", [][2]float64{{float64(cx + 12), fy}}); ok {
			fmt.Fprintf(&lbl, `<text paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round" x="%.0f" y="%.0f" fill="%s"%s>%s</text>`+"\n", px, py, color, weight, html.EscapeString(text))
		} else if px, py, ok := p.place(text, "end", [][2]float64{{float64(cx - 12), fy}}); ok {
			fmt.Fprintf(&lbl, `<text paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round" x="%.0f" y="%.0f" fill="%s"%s text-anchor="end">%s</text>`+"\n", px, py, color, weight, html.EscapeString(text))
		} else if n.kind == "violation" { // always shown, even over another label
			fmt.Fprintf(&lbl, `<text paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round" x="%d" y="%.0f" fill="%s"%s>%s</text>`+"\n", cx+12, fy, color, weight, html.EscapeString(text))
		}
	}
	// One label per fan-out: a node sending the same message to many at
	// once gets it once, on the longest of those arrows (where it has the
	// most room), or the next longest if that one has no free place.
	type labelKey struct {
		from, row int
		text      string
	}
	type seg struct{ x1, y1, x2, y2 int }
	fans := map[labelKey][]seg{}
	var order []labelKey
	for _, a := range d.arrows {
		x1, y1, x2, y2 := x[a.from], y(a.sendRow), x[a.to], y(a.endRow)
		if a.from == a.to {
			continue
		}
		if a.dropped {
			if y2 == y1 { // lost on the wire: draw a short stub
				x2 = x1 + (x2-x1)/3
				y2 = y1 + svgRowH/2
			}
			fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#c00" stroke-dasharray="4 3"><title>%s (lost)</title></line><text x="%d" y="%d" fill="#c00" text-anchor="middle">✕</text>`+"\n", x1, y1, x2, y2, html.EscapeString(a.text), x2, y2+4)
			continue
		}
		if y2 == y1 {
			y2 += svgRowH / 3
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333" marker-end="url(#arrow)"><title>%s</title></line>`+"\n", x1, y1, x2, y2, html.EscapeString(a.text))
		k := labelKey{a.from, a.sendRow, a.text}
		if fans[k] == nil {
			order = append(order, k)
		}
		fans[k] = append(fans[k], seg{x1, y1, x2, y2})
	}
	for _, k := range order {
		segs := fans[k]
		sort.SliceStable(segs, func(i, j int) bool { return abs(segs[i].x2-segs[i].x1) > abs(segs[j].x2-segs[j].x1) })
		text := shorten(k.text, 24)
		half := float64(len([]rune(text)))*svgCharW/2 + 6
		for _, sg := range segs {
			// The label sits a third of the way from the sender, so two
			// messages crossing in opposite directions keep their labels
			// apart, or moves along the arrow to the first free place; it
			// stays between the two lanes when it fits there.
			var cands [][2]float64
			lo, hi := float64(min(sg.x1, sg.x2))+half, float64(max(sg.x1, sg.x2))-half
			for _, t := range []float64{1.0 / 3, 1.0 / 2, 2.0 / 3, 1.0 / 6, 5.0 / 6} {
				cx := float64(sg.x1) + float64(sg.x2-sg.x1)*t
				if lo <= hi {
					cx = max(lo, min(hi, cx))
				}
				cands = append(cands, [2]float64{cx, float64(sg.y1) + float64(sg.y2-sg.y1)*t - 3})
			}
			if px, py, ok := p.place(text, "middle", cands); ok {
				fmt.Fprintf(&lbl, `<text paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round" x="%.0f" y="%.0f" fill="#246" text-anchor="middle">%s</text>`+"\n", px, py, html.EscapeString(text))
				break
			}
		}
	}
	if d.omitted != "" {
		fmt.Fprintf(&lbl, `<text x="4" y="%d" fill="#555">Left out: %s</text>`+"\n", bottom+24, html.EscapeString(d.omitted))
	}
	out.WriteString(bg.String())
	out.WriteString(b.String())
	out.WriteString(lbl.String())
	out.WriteString("</svg>\n")
	return out.String()
}

func (e Event) timeString() string { return fmt.Sprint(simTime(e.Time)) }

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
