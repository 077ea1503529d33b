package main

import (
	"encoding/json"
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
	out, _, code := cli("paxos", "--list-bugs", "--format", "csv")
	require.Equal(t, 0, code)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 5, "a header and four bugs")
	for i, name := range []string{"no-adopt", "volatile-acceptor", "small-quorum", "eager-learner"} {
		fields := strings.Split(lines[i+1], ",")
		require.Equal(t, name, fields[0])
		require.Greater(t, len(strings.Fields(fields[1])), 3, "a description beside %s", name)
	}
	require.Contains(t, lines[2], "--crash NODE@AT..RESTART")
}

func TestPaxosJSONKeys(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("paxos", "--seed", "3", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &m))
	for _, k := range []string{"nodes", "proposers", "agreement", "decided", "decisions", "time_to_decide_s", "messages", "retries", "hash"} {
		require.Contains(t, m, k)
	}
	require.Equal(t, true, m["agreement"])
	require.EqualValues(t, 5, m["decided"])
	require.Len(t, m["decisions"], 5)
}

func TestPaxosBadInputExit2(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"paxos", "--nodes", "0"},
		{"paxos", "--proposers", "9"},
		{"paxos", "--loss", "1.5"},
		{"paxos", "--latency", "soon"},
		{"paxos", "--bug", "off-by-one"},
		{"paxos", "--crash", "9@1ms"},
		{"paxos", "--crash", "x"},
		{"paxos", "--crash", "1@5ms..2ms"},
		{"paxos", "--partition", "0,1"},
		{"paxos", "--partition", "0,1|1,2@1ms"},
		{"paxos", "--start", "4@1ms"},
		{"paxos", "--schedule", "1=x"},
		{"paxos", "--mode", "raft"},
		{"paxos", "--mode", "multi", "--clients", "0"},
		{"paxos", "extra-arg"},
		{"check", "paxos", "--bug", "typo"},
		{"check", "paxos", "--checks", "0"},
		{"check", "paxos", "--nodes", "0"},
	} {
		out, errOut, code := cli(args...)
		require.Equal(t, 2, code, "%v: %s", args, errOut)
		require.Empty(t, out, "%v", args)
		require.Equal(t, 1, strings.Count(errOut, "\n"), "%v: one line, got %q", args, errOut)
		require.True(t, strings.HasPrefix(errOut, "simulate: "), errOut)
	}
}

func TestCheckPaxosFindsEachBugAndItsReplayReproduces(t *testing.T) {
	t.Parallel()
	for _, bug := range [][]string{{"no-adopt"}, {"volatile-acceptor", "--crashes", "6"}, {"small-quorum"}, {"eager-learner"}} {
		out, errOut, code := cli(append([]string{"check", "paxos", "--bug"}, bug...)...)
		require.Equal(t, 1, code, "%s: %s", bug, errOut)
		require.Contains(t, out, "agreement: ")
		require.Contains(t, out, "schedule (non-boring draws")
		require.Regexp(t, `trace(: \d+ of \d+ events, the causal past| \(\d+ events\))`, out)
		require.LessOrEqual(t, strings.Count(out, "\n"), 45, "a counterexample fits in a screen:\n%s", out)
		i := strings.Index(out, "replay: simulate paxos ")
		require.GreaterOrEqual(t, i, 0, out)
		line := strings.TrimSpace(out[i+len("replay: simulate "):])
		rout, rerr, rcode := cli(shellFields(line)...)
		require.Equal(t, 1, rcode, "a run whose property breaks exits 1: %s: %s", line, rerr)
		require.Contains(t, rout, "VIOLATED agreement", "the replay command shows the same violation:\n%s", rout)
	}
}

func TestCheckPaxosNoBugReportsCoverage(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("check", "paxos", "--checks", "200")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "check paxos: no property broke in 200 runs")
	for _, k := range []string{"a crash-restart", "competing proposers", "lost messages", "duplicated messages", "termination checked"} {
		require.Contains(t, out, k)
	}
	out, _, code = cli("check", "paxos", "--checks", "200", "--format", "json")
	require.Equal(t, 0, code)
	var m struct {
		Found    bool `json:"found"`
		Runs     int  `json:"runs"`
		Coverage []struct {
			Name string `json:"name"`
			Runs int    `json:"runs"`
		} `json:"coverage"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &m))
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
		_, errOut, code := cli(append(args, "--trace", path, "--check-determinism")...)
		require.Equal(t, 0, code, errOut)
		out, errOut, code := cli("replay", path)
		require.Equal(t, 0, code, errOut)
		require.Contains(t, out, "matches")
	}
	// An empty --schedule replays every draw as 0, and so does the replay
	// of its trace (not draws from the seed).
	path := filepath.Join(dir, "zero.trace")
	_, errOut, code := cli("paxos", "--bug", "small-quorum", "--nodes", "3", "--swarm", "--schedule", "", "--trace", path)
	require.Equal(t, 1, code, errOut)
	out, errOut, code := cli("replay", path)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "matches")
	// check writes the counterexample's trace, which replays too.
	path = filepath.Join(dir, "ce.trace")
	_, _, code = cli("check", "paxos", "--bug", "eager-learner", "--trace", path)
	require.Equal(t, 1, code)
	out, errOut, code = cli("replay", path)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "matches")
}
