package trace

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("UPDATE_GOLDEN") != "" {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with UPDATE_GOLDEN=1 to create %s", path)
	require.Equal(t, string(want), got)
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
