package trace

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/internal/goldenfile"
)

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, name, got)
}

// smallTrace is a hand-written trace with every element a diagram draws:
// messages, a loss on the wire, a loss to a crashed node, a crash, a
// partition, a decision and a traitor.
func smallTrace() File {
	ev := func(i int, t int64, kind string, from, to int, text, detail string) Event {
		return Event{Type: "event", Index: i, Time: t, Kind: kind, From: from, To: to, Text: text, Detail: detail}
	}
	return File{
		Header: Header{Type: "header", Version: "0.1.0", Protocol: "demo"},
		Events: []Event{
			ev(1, 0, "start", 0, 0, "", ""),
			ev(2, 0, "start", 1, 1, "", ""),
			ev(3, 0, "start", 2, 2, "", ""),
			ev(4, 0, "observe", 2, 2, "", "role[0]=traitor"),
			ev(5, 0, "send", 0, 1, "Order{attack}", ""),
			ev(6, 0, "send", 0, 2, "Order{attack}", ""),
			ev(7, 0, "drop", 0, 2, "Order{attack}", "loss"),
			ev(8, 1000000, "deliver", 0, 1, "Order{attack}", ""),
			ev(9, 1000000, "send", 2, 1, "Order{retreat}", ""),
			ev(10, 1500000, "partition", -1, -1, "", "{0} | {1,2}"),
			ev(11, 2000000, "deliver", 2, 1, "Order{retreat}", ""),
			ev(12, 2000000, "observe", 1, 1, "", "decide[0]=retreat"),
			ev(13, 3000000, "crash", 0, 0, "", ""),
		},
		Footer: Footer{Type: "footer", Hash: "0"},
	}
}

func TestMermaidGolden(t *testing.T) { golden(t, "small.mermaid", Mermaid(smallTrace())) }
func TestSVGGolden(t *testing.T)     { golden(t, "small.svg", SVG(smallTrace())) }

// bigTrace is a long run of many nodes: every node in turn broadcasts to
// all others, the broadcasts 10 ms apart with nothing in flight between
// them, then node 3 observes a violation.
func bigTrace(nodes, rounds int) File {
	f := File{Header: Header{Type: "header", Protocol: "demo"}, Footer: Footer{Type: "footer"}}
	add := func(t int64, kind string, from, to int, text, detail string) {
		f.Events = append(f.Events, Event{Type: "event", Index: len(f.Events) + 1, Time: t, Kind: kind, From: from, To: to, Text: text, Detail: detail})
	}
	for r := 0; r < rounds; r++ {
		t := int64(r) * 10_000_000
		from := r % nodes
		for to := 0; to < nodes; to++ {
			if to != from {
				add(t, "send", from, to, fmt.Sprintf("Ping{%d}", r), "")
			}
		}
		for to := 0; to < nodes; to++ {
			if to != from {
				add(t+1_000_000, "deliver", from, to, fmt.Sprintf("Ping{%d}", r), "")
			}
		}
	}
	add(int64(rounds)*10_000_000, "observe", 3, 3, "", "violation[0]=agreement broken")
	return f
}

var svgSize = regexp.MustCompile(`^<svg [^>]*width="(\d+)" height="(\d+)"`)

// TestSVGBoundedSize: a trace of 60 nodes and 24,000 events gives a picture
// a rasteriser accepts (under 32,767 px a side), with at most 40 lanes, the
// violation drawn, and a note of what was left out.
func TestSVGBoundedSize(t *testing.T) {
	f := bigTrace(60, 200)
	svg := SVG(f)
	m := svgSize.FindStringSubmatch(svg)
	require.NotNil(t, m)
	w, _ := strconv.Atoi(m[1])
	h, _ := strconv.Atoi(m[2])
	require.Less(t, w, 40*90+400, "at most 40 lanes, closer together")
	require.Less(t, h, 32767)
	require.Contains(t, svg, "+21 others", "21 of 60 nodes folded into one lane")
	require.Contains(t, svg, "Left out: 21 of 60 nodes share the lane")
	require.Contains(t, svg, "⋯ not drawn: ", "a band where rows were left out")
	require.Contains(t, svg, "agreement broken", "the violation is drawn even though it comes last")
	require.Less(t, len(svg), 1<<20)

	mmd := Mermaid(f)
	require.Less(t, strings.Count(mmd, "\n"), 600, "Mermaid stays within its text limit")
	require.Contains(t, mmd, "participant others as +")
	require.Contains(t, mmd, "Left out")
}

// TestDiagramIdleBand: a stretch with no message in flight shrinks to one
// band that names its length.
func TestDiagramIdleBand(t *testing.T) {
	f := bigTrace(3, 2)
	require.Contains(t, SVG(f), "⋯ 9ms with no message in flight ⋯")
	require.Contains(t, Mermaid(f), "Note over n0,n3: ⋯ 9ms with no message in flight ⋯")
}

// TestDiagramFooterViolation: a checker's verdict in the footer is drawn in
// red on the event it is pinned to, in SVG and in Mermaid.
func TestDiagramFooterViolation(t *testing.T) {
	f := smallTrace()
	f.Footer.Violation = &Violation{Property: "agreement: n1 retreat", Event: 12} // n1's decision
	svg := SVG(f)
	require.Regexp(t, `<circle [^>]*fill="#f44" stroke="#c00"><title>decide\[0\]=retreat — violated: agreement: n1 retreat</title>`, svg)
	require.Regexp(t, `fill="#c00" font-weight="bold">⚠ decide\[0\]=retreat — violated: agreement: n1 retreat</text>`, svg)
	require.Contains(t, Mermaid(f), "    rect rgb(255, 205, 205)\n        Note over n1: decide[0]=retreat — violated  agreement  n1 retreat\n    end\n")

	f.Footer.Violation.Event = 11 // a delivery: the mark goes on the receiver's lane
	require.Contains(t, SVG(f), "⚠ violated: agreement: n1 retreat</text>")
}

var svgText = regexp.MustCompile(`<text [^>]*?x="([\d.]+)" y="([\d.]+)"[^>]*?(?:text-anchor="(\w+)")?[^>]*>([^<]*)</text>`)

// TestSVGLabelsDoNotOverlap: no two words of a diagram cover each other —
// times, partition bands, decisions and message labels — on a small trace
// and on a busy one.
func TestSVGLabelsDoNotOverlap(t *testing.T) {
	for name, f := range map[string]File{"small": smallTrace(), "ids": idTrace(), "busy": bigTrace(5, 30)} {
		var boxes []box
		var texts []string
		for _, m := range svgText.FindAllStringSubmatch(SVG(f), -1) {
			x, _ := strconv.ParseFloat(m[1], 64)
			y, _ := strconv.ParseFloat(m[2], 64)
			text := html.UnescapeString(m[4])
			if text == "✕" {
				continue // the cross that ends a lost message is a mark
			}
			b := textBox(x, y, text, m[3])
			b.x0, b.x1, b.y0, b.y1 = b.x0+2, b.x1-2, b.y0+2, b.y1-2 // the glyphs, without the margin
			for i, o := range boxes {
				require.False(t, b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1, "%s: %q overlaps %q", name, text, texts[i])
			}
			boxes, texts = append(boxes, b), append(texts, text)
		}
	}
}
