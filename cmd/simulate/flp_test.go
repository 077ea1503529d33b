package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFLPWorkersDoNotMatter: the sweep's JSON is the same with 1 or 2
// workers, and from two shards merged.
func TestFLPWorkersDoNotMatter(t *testing.T) {
	t.Parallel()
	requireSameForWorkersAndShards(t, "json", "flp", "--runs", "30", "--events", "5000")
}

// --diagram is flp's alone among the sweeps: it draws the opening of the
// deterministic duel after the tables, through the generic experiment
// command's experiment.Diagrammer hook.
func TestFLPDiagram(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "duel.mmd")
	out, errOut, code := cli("flp", "--runs", "2", "--events", "2000", "--diagram", path)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "2 of 2")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(b), "sequenceDiagram\n"), string(b))
	require.Contains(t, string(b), "n0->>n1: Prepare{1@n0}")
}
