package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPaxosListBugsOneALine: one row per teaching bug, its name first (what
// --bug takes), a description beside it, and for volatile-acceptor the
// crash flag it needs.
func TestPaxosListBugsOneALine(t *testing.T) {
	t.Parallel()
	lines := requireBugList(t, "paxos", 3, "no-adopt", "volatile-acceptor", "small-quorum", "eager-learner")
	require.Contains(t, lines[2], "--crash NODE@AT..RESTART")
}

func TestPaxosJSONKeys(t *testing.T) {
	t.Parallel()
	var m map[string]any
	requireJSON(t, &m, "paxos", "--seed", "3")
	requireKeys(t, m, "nodes", "proposers", "agreement", "decided", "decisions", "time_to_decide_s", "messages", "retries", "hash")
	require.Equal(t, true, m["agreement"])
	require.EqualValues(t, 5, m["decided"])
	require.Len(t, m["decisions"], 5)
}

func TestCheckPaxosFindsEachBugAndItsReplayReproduces(t *testing.T) {
	t.Parallel()
	for _, bug := range [][]string{{"no-adopt"}, {"volatile-acceptor", "--crashes", "6"}, {"small-quorum"}, {"eager-learner"}} {
		c := requireCounterexampleReplays(t, append([]string{"check", "paxos", "--bug"}, bug...)...)
		out := c.out
		require.Contains(t, out, "agreement: ")
		require.Contains(t, out, "schedule (non-boring draws")
		require.Regexp(t, `trace(: \d+ of \d+ events, the causal past| \(\d+ events\))`, out)
		require.LessOrEqual(t, strings.Count(out, "\n"), 45, "a counterexample fits in a screen:\n%s", out)
		require.True(t, strings.HasPrefix(replayCommand(t, out), "paxos "), out)
		require.Contains(t, c.replayOut, "VIOLATED agreement", "the replay command shows the same violation:\n%s", c.replayOut)
	}
}

func TestCheckPaxosNoBugReportsCoverage(t *testing.T) {
	t.Parallel()
	out := requireCheckPasses(t, "check", "paxos", "--checks", "200")
	for _, k := range []string{"a crash-restart", "competing proposers", "lost messages", "duplicated messages", "termination checked"} {
		require.Contains(t, out, k)
	}
	var m struct {
		Found    bool `json:"found"`
		Runs     int  `json:"runs"`
		Coverage []struct {
			Name string `json:"name"`
			Runs int    `json:"runs"`
		} `json:"coverage"`
	}
	requireJSON(t, &m, "check", "paxos", "--checks", "200")
	require.False(t, m.Found)
	require.Equal(t, 200, m.Runs)
	cov := map[string]int{}
	for _, c := range m.Coverage {
		cov[c.Name] = c.Runs
	}
	require.Greater(t, cov["a crash-restart"], 40)
	require.Greater(t, cov["competing proposers"], 100)
	require.Greater(t, cov["lost messages"], 100)
}

func TestPaxosTraceReplaysAndIsDeterministic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, args := range [][]string{
		{"paxos", "--seed", "7", "--crash", "1@2ms..20ms", "--partition", "0|2,3,4@0s..10ms"},
		{"paxos", "--mode", "multi", "--seed", "7", "--ops", "4"},
	} {
		path := filepath.Join(dir, "run.trace")
		requireRun(t, append(args, "--trace", path, "--check-determinism")...)
		requireReplayMatches(t, path)
	}
	// An empty --schedule replays every draw as 0, and so does the replay
	// of its trace (not draws from the seed).
	path := filepath.Join(dir, "zero.trace")
	_, errOut, code := cli("paxos", "--bug", "small-quorum", "--nodes", "3", "--swarm", "--schedule", "", "--trace", path)
	require.Equal(t, 1, code, errOut)
	requireReplayMatches(t, path)
	// check writes the counterexample's trace, which replays too.
	path = filepath.Join(dir, "ce.trace")
	_, _, code = cli("check", "paxos", "--bug", "eager-learner", "--trace", path)
	require.Equal(t, 1, code)
	requireReplayMatches(t, path)
}
