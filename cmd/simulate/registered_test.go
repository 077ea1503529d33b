package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// A protocol registered with package scenario — here the example 2PC,
// which registers itself — gets check, run and replay with no code of its
// own in the CLI: the search finds the coordinator crash that blocks 2PC,
// shrinks it to that one draw, prints a screenful, and both the printed
// command and the written trace replay it.
func TestCheckRegisteredTwoPhaseFindsBlocking(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "ce.jsonl")
	c := requireCounterexampleReplays(t, "check", "twophase", "--trace", path)
	out := c.out
	require.Contains(t, out, "check twophase: termination: n1 is up and never decided")
	require.Contains(t, out, "shrunk in")
	require.Contains(t, out, "to 1 non-boring draws")
	require.Contains(t, out, "coordinator crashes for good")
	require.LessOrEqual(t, strings.Count(out, "\n"), 40, "a counterexample fits in a screen:\n%s", out)

	require.Contains(t, c.replayErrOut, "termination", "the printed command replays the violation")

	out = requireReplayMatches(t, path)
	require.Contains(t, out, "hash")
	require.Contains(t, out, "the recording is a counterexample: termination")
}

func TestCheckRegisteredTwoPhasePassesWithCoverage(t *testing.T) {
	t.Parallel()
	var res struct {
		Runs     int  `json:"runs"`
		Found    bool `json:"found"`
		Coverage []struct {
			Name string `json:"name"`
			Runs int    `json:"runs"`
		} `json:"coverage"`
	}
	requireJSON(t, &res, "check", "twophase", "--crashes=false", "--loss", "0.1", "--checks", "100")
	require.False(t, res.Found)
	require.Equal(t, 100, res.Runs)
	for _, c := range res.Coverage[:3] { // commits, aborts, lost messages
		require.GreaterOrEqual(t, c.Runs, 10, "%+v", res.Coverage)
	}
}

// simulate NAME is run NAME for every registered protocol, and a protocol
// presents its own run (World.Show) before the verdict: Raft's replicas
// table, one leader among them, then the generic counters. JSON is one
// document.
func TestRegisteredProtocolIsATopLevelCommandWithItsOwnTable(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("raft", "--swarm=false", "--seed", "1")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "Raft key-value store: 3 replicas")
	require.Equal(t, 1, strings.Count(out, "│ leader "), out)
	require.Contains(t, out, "client operations: 30 of 30 completed")
	require.Contains(t, out, "every property held")
	alias, _, _ := cli("run", "raft", "--swarm=false", "--seed", "1")
	require.Equal(t, out, alias, "simulate raft and simulate run raft are one command")

	js, errOut, code := cli("raft", "--swarm=false", "--seed", "1", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(js), &doc), js)
	require.Equal(t, "raft", doc["protocol"])
	require.Nil(t, doc["violation"])
}

// Counterexample prose wraps at 80 columns with indented continuation
// lines; a word longer than the width stays whole.
func TestCounterexampleProseWraps(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	prose(&b, "check raft: leader completeness: n2 leads term 6 from 418.831902ms without entry 1 (t1 c3#1 get x), committed by term 4")
	require.Equal(t, "check raft: leader completeness: n2 leads term 6 from 418.831902ms without\n  entry 1 (t1 c3#1 get x), committed by term 4\n", b.String())
	out, _, code := cli("check", "raft", "--bug", "stale-truncate", "--checks", "20")
	require.Equal(t, 1, code, out)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "replay: ") {
			continue // trace lines and the command are not prose
		}
		require.LessOrEqual(t, utf8.RuneCountInString(line), 80, "%q", line)
	}
}
