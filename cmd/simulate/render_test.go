package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/internal/rally"
	"simulate/sim"
	"simulate/trace"
)

// renderPlayer: n0 and n1 bounce a counter until 3; n1 then observes it.
var renderPlayer = rally.Player{Name: "ping", Last: 3, Kind: "decide"}

// renderTraceFile runs the tiny world and writes its trace, as --trace would.
func renderTraceFile(t *testing.T) string {
	t.Helper()
	log := &sim.Log{}
	res := sim.New(sim.Config{Nodes: 2, New: renderPlayer.New, Tracer: log}).Run()
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
