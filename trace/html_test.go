package trace

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHTMLGolden pins what the page says of a trace — its title and the
// viewer's data, pretty-printed — and that the page is the viewer
// (htmlPage) with exactly those filled in. The viewer's own markup and
// script are pinned by being code: a golden copy of the whole page only
// repeated them.
func TestHTMLGolden(t *testing.T) {
	page := HTML(idTrace())
	title := between(t, page, "<title>", "</title>")
	data := between(t, page, `<script type="application/json" id="trace-data">`, "</script>")
	var pretty bytes.Buffer
	require.NoError(t, json.Indent(&pretty, []byte(data), "", " "))
	golden(t, "ids-page.txt", "title: "+title+"\n"+pretty.String()+"\n")
	require.Equal(t, strings.NewReplacer("{{TITLE}}", title, "{{DATA}}", data).Replace(htmlPage), page)
}

// between returns what s holds between the first open and the close
// after it.
func between(t *testing.T, s, open, close string) string {
	t.Helper()
	i := strings.Index(s, open)
	require.GreaterOrEqual(t, i, 0, "no %q", open)
	rest := s[i+len(open):]
	j := strings.Index(rest, close)
	require.GreaterOrEqual(t, j, 0, "no %q after %q", close, open)
	return rest[:j]
}

func TestHTMLDeterministicAndSelfContained(t *testing.T) {
	f := idTrace()
	page := HTML(f)
	require.Equal(t, page, HTML(idTrace()), "same trace, same bytes")
	for _, bad := range []string{"<link", " src=", "@import", "url(http", "fetch(", "XMLHttpRequest"} {
		require.NotContains(t, page, bad, "the page must need no network")
	}
	for _, id := range []string{"next", "prev", "first", "last", "jump-violation", "event-index", "event-text", "event-list", "filter-node", "filter-type", "diagram"} {
		require.Contains(t, page, `id="`+id+`"`)
	}
}

// embedded returns the viewer's data as the page's script reads it.
func embedded(t *testing.T, page string) htmlData {
	t.Helper()
	var d htmlData
	require.NoError(t, json.Unmarshal([]byte(between(t, page, `<script type="application/json" id="trace-data">`, "</script>")), &d))
	return d
}

func TestHTMLData(t *testing.T) {
	d := embedded(t, HTML(idTrace()))
	require.Equal(t, 15, d.Violation, "position of the violation observation")
	require.True(t, d.Events[15].V)
	require.Equal(t, []int{0, 1, 2}, d.Nodes)
	require.Equal(t, []string{"Order", "Relay"}, d.Types)
	require.Equal(t, 7, d.Events[10].S, "n2's delivery points at n1's send")
	require.Equal(t, `{"n0":2,"n1":3,"n2":2}`, d.Events[10].C)

	d = embedded(t, HTML(smallTrace()))
	require.Equal(t, -1, d.Violation, "no violation: the viewer jumps to the end")
	require.Equal(t, []int{2}, d.Traitors)
	require.Equal(t, []string{"Order"}, d.Types, "types recovered from the text of traces without them")
}

// TestHTMLEscapesTraceText: a message whose text looks like markup cannot
// end the data block or inject a script.
func TestHTMLEscapesTraceText(t *testing.T) {
	f := idTrace()
	f.Header.Protocol = `<b>x</b>`
	f.Events[3].Text = `</script><script>alert(1)</script>`
	page := HTML(f)
	require.Equal(t, 2, strings.Count(page, "</script>"))
	require.Contains(t, page, "<title>simulate: &lt;b&gt;x&lt;/b&gt;</title>")
	d := embedded(t, page)
	require.Equal(t, f.Events[3].Text, d.Events[3].X)
}

func TestHTMLEmptyTrace(t *testing.T) {
	d := embedded(t, HTML(File{Header: Header{Protocol: "none"}}))
	require.Empty(t, d.Events)
	require.Equal(t, -1, d.Violation)
}

// TestHTMLFooterViolation: a checker's verdict in the footer (a property
// judged after the run) marks the event it is pinned to, the viewer jumps
// there, and its line carries the words; it survives a write and read.
func TestHTMLFooterViolation(t *testing.T) {
	f := smallTrace()
	pinned := f.Events[2].Index
	f.Footer.Violation = &Violation{Property: "agreement: n1 attack, n2 retreat", Event: pinned}
	d := embedded(t, HTML(f))
	require.Equal(t, 2, d.Violation)
	require.True(t, d.Events[2].V)
	require.Contains(t, d.Events[2].Line, "violated: agreement: n1 attack, n2 retreat")
	for i, e := range d.Events {
		require.Equal(t, i == 2, e.V, "only the pinned event is marked")
	}

	var buf strings.Builder
	require.NoError(t, Write(&buf, f))
	g, err := Read(strings.NewReader(buf.String()))
	require.NoError(t, err)
	require.Equal(t, f.Footer.Violation, g.Footer.Violation)
	require.Nil(t, Diff(f.Events, g.Events), "the verdict is not an event: replay ignores it")
}

// TestHTMLBoundedSize: a trace of 60 nodes and 24,000 events gives a page
// of at most 4,000 events on at most 40 lanes, keeping the start of the
// run and the events up to the violation, with sends renumbered, a band
// where events were left out and a line saying what was.
func TestHTMLBoundedSize(t *testing.T) {
	f := bigTrace(60, 200)
	page := HTML(f)
	require.Less(t, len(page), 3<<20)
	d := embedded(t, page)
	require.Len(t, d.Events, htmlMaxEvents)
	require.Len(t, d.Lanes, htmlMaxLanes-1)
	require.Equal(t, 21, d.Others)
	require.Len(t, d.Nodes, 60, "the node filter still offers every node")
	require.Equal(t, htmlMaxEvents-1, d.Violation, "the window ends at the violation")
	require.True(t, d.Events[d.Violation].V)
	require.Contains(t, d.Omitted, "21 of 60 nodes share the lane")
	require.Contains(t, d.Omitted, "showing 4000 of 23601 events")
	require.Contains(t, d.Events[htmlMaxEvents/2].Skip, "deliver", "the first event after the cut says what was cut")
	for i, e := range d.Events {
		if e.S >= 0 {
			require.Less(t, e.S, i, "a delivery points at its send within the page")
			require.Equal(t, "send", d.Events[e.S].K)
			require.Equal(t, e.X, d.Events[e.S].X)
		}
	}
}

// TestHTMLIdleGaps: an event after a stretch with nothing in flight carries
// the idle time, for the viewer's band.
func TestHTMLIdleGaps(t *testing.T) {
	d := embedded(t, HTML(bigTrace(3, 2)))
	var gaps []string
	for _, e := range d.Events {
		if e.G != "" {
			gaps = append(gaps, e.G)
		}
	}
	require.Equal(t, []string{"9ms", "9ms"}, gaps)
	require.Empty(t, d.Omitted)
}
