package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// capSmall is a small CAP sweep: 300 tickets, 100 customers a second at
// each office, the partition starting just before the tickets run out.
var capSmall = []string{"cap", "--tickets", "300", "--windows", "8", "--rate", "100",
	"--partition-start", "1200ms", "--partition-length", "0,1s", "--runs", "3"}

// TestCAPJSON: one row per configuration and length with the documented
// keys, and the trade-off: CP linearizable and never oversold, AP never
// refusing and overselling under the partition.
func TestCAPJSON(t *testing.T) {
	t.Parallel()
	var doc sweepRows
	requireJSON(t, &doc, capSmall...)
	require.Equal(t, 3, doc.Runs)
	requireRows(t, doc.Rows, 4, "config", "partition_length", "refused", "oversold", "linearizable", "sold")
	for _, r := range doc.Rows {
		switch r["config"] {
		case "CP":
			require.Equal(t, true, r["linearizable"])
			require.EqualValues(t, 0, r["oversold"])
		case "AP":
			require.Equal(t, false, r["linearizable"])
			require.EqualValues(t, 0, r["refused"])
		}
	}
	require.Equal(t, 1.0, doc.Rows[3]["partition_length"])
	require.Greater(t, doc.Rows[2]["refused"].(float64), 0.0, "CP refuses during the partition")
	require.Greater(t, doc.Rows[3]["oversold"].(float64), 10.0, "AP oversells during the partition")
}

// TestCAPWorkersAndShardsDoNotMatter: the same JSON with 1 or 2 workers,
// and from two shards merged.
func TestCAPWorkersAndShardsDoNotMatter(t *testing.T) {
	t.Parallel()
	requireSameForWorkersAndShards(t, "json", capSmall...)
}

func TestCAPPlot(t *testing.T) {
	t.Parallel()
	args := append([]string{}, capSmall...)
	args[len(args)-1] = "1" // one run is enough to draw
	svg, _ := requirePlot(t, filepath.Join(t.TempDir(), "cap.svg"), args...)
	require.Contains(t, svg, "oversold")
}
