package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/sim"
	"simulate/trace"
)

// renderPing is the message of a tiny world for the render tests.
type renderPing struct{ N int }

func (p renderPing) AppendDigest(b []byte) []byte { return append(b, byte(p.N)) }
func (p renderPing) String() string               { return fmt.Sprintf("ping{%d}", p.N) }

// renderPinger: n0 and n1 bounce a counter until 3; n1 then observes it.
type renderPinger struct{}

func (renderPinger) Start(ctx sim.Context) {
	if ctx.Self() == 0 {
		ctx.Send(1, renderPing{N: 1})
	}
}
func (renderPinger) Deliver(ctx sim.Context, from sim.NodeID, m sim.Message) {
	p := m.(renderPing)
	if p.N < 3 {
		ctx.Send(from, renderPing{N: p.N + 1})
		return
	}
	ctx.Observe("decide", 0, fmt.Sprint(p.N))
}
func (renderPinger) Fire(sim.Context, sim.TimerID, any) {}

// renderTraceFile runs the tiny world and writes its trace, as --trace would.
func renderTraceFile(t *testing.T) string {
	t.Helper()
	log := &sim.Log{}
	res := sim.New(sim.Config{Nodes: 2, New: func(sim.NodeID) sim.Node { return renderPinger{} }, Tracer: log}).Run()
	f := trace.FromRun(trace.Header{Version: version, Protocol: "ping", Seed: 1, Scenario: json.RawMessage(`{}`)}, log, res)
	path := filepath.Join(t.TempDir(), "ping.jsonl")
	require.NoError(t, trace.WriteFile(path, f))
	return path
}

func TestRenderEveryFormat(t *testing.T) {
	t.Parallel()
	path := renderTraceFile(t)
	for as, want := range map[string]string{
		"mermaid": "sequenceDiagram",
		"svg":     "<svg",
		"html":    `id="jump-violation"`,
		"shiviz":  trace.ShiVizRegex + "\n\n",
		"text":    "deliver",
	} {
		out, errOut, code := cli("render", path, "--as", as)
		require.Equal(t, 0, code, "--as %s: %s", as, errOut)
		require.NotEmpty(t, out, "--as %s", as)
		require.Contains(t, out, want, "--as %s", as)
	}
	// The viewer and the ShiViz log are the same bytes every time.
	a, _, _ := cli("render", path, "--as", "html")
	b, _, _ := cli("render", path, "--as", "html")
	require.Equal(t, a, b)
	shiviz, _, _ := cli("render", path, "--as", "shiviz")
	matchGolden(t, "render-ping.shiviz", shiviz)
	require.Contains(t, shiviz, "deliver n0 -> n1 ping{3}")
	require.Contains(t, shiviz, "observe n1 (decide[0]=3) @3ms #9\nn1 {\"n0\":4,\"n1\":5}\n", "n1's decision follows all four of n0's events")
}

func TestRenderHTMLToFile(t *testing.T) {
	t.Parallel()
	path := renderTraceFile(t)
	out := filepath.Join(t.TempDir(), "run.html")
	stdout, errOut, code := cli("render", path, "--as", "html", "-o", out)
	require.Equal(t, 0, code, errOut)
	require.Empty(t, stdout)
	require.Equal(t, "wrote "+out+"\n", errOut)
	f, err := trace.ReadFile(path)
	require.NoError(t, err)
	got, _, _ := cli("render", path, "--as", "html")
	require.Equal(t, trace.HTML(f), got)
}

func TestRenderBadFormat(t *testing.T) {
	t.Parallel()
	path := renderTraceFile(t)
	out, errOut, code := cli("render", path, "--as", "png")
	require.Equal(t, 2, code)
	require.Empty(t, out)
	require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
	require.Contains(t, errOut, "want mermaid, svg, html, shiviz or text")
}
