package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// --pct reaches each protocol's network: a run with it differs from the
// plain run of the same seed (senders are delayed by their drawn
// priorities), --pct 0 is the plain run, and a check with it still finds
// a teaching bug.
var hashRE = regexp.MustCompile(`"(?:trace_)?hash": "([0-9a-f]{16})"`)

func TestPCTReachesTheNetwork(t *testing.T) {
	t.Parallel()
	hash := func(args ...string) string {
		out, errOut, code := cli(append(args, "--format", "json")...)
		require.Equal(t, 0, code, errOut)
		m := hashRE.FindStringSubmatch(out)
		require.NotNil(t, m, out)
		return m[1]
	}
	for _, p := range [][]string{{"raft"}, {"paxos"}, {"pbft"}, {"benor"}} {
		plain := hash(p...)
		require.Equal(t, plain, hash(append(p, "--pct", "0")...), p[0])
		require.NotEqual(t, plain, hash(append(p, "--pct", "3")...), p[0])
	}
	if testing.Short() {
		return // the search below takes seconds of shrinking
	}
	out, _, code := cli("check", "raft", "--bug", "volatile-vote", "--pct", "3", "--seed", "5")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "election safety")
}

// --feedback turns the check coverage-guided (search.Config.Feedback): it
// still finds a teaching bug, prints a replay that reproduces it, and
// takes only 0 to 4.
func TestFeedbackFlag(t *testing.T) {
	t.Parallel()
	out, _, code := cli("check", "raft", "--bug", "commit-old-term", "--feedback", "1")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "found at run 3")
	requireBadInput(t, [][]string{{"check", "raft", "--feedback", "5"}, {"check", "raft", "--feedback", "-1"}})
}

// A counterexample fits a screen: the violation, the schedule, at most
// maxShownEvents lines of trace (events and the gaps between them), the
// replay command and the error line — at most 40 lines, for the searches
// with the longest schedules and traces of the bug benchmark.
func TestCounterexampleFitsAScreen(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"check", "dpos", "--delegates", "7", "--traitors", "3"},
		{"check", "paxos", "--bug", "volatile-acceptor", "--crashes", "6"},
		{"check", "pbft", "--replicas", "4", "--traitors", "2"},
	} {
		out, errOut, code := cli(args...)
		require.Equal(t, 1, code, "%v: %s", args, out)
		lines := strings.Count(out, "\n") + strings.Count(errOut, "\n")
		require.LessOrEqual(t, lines, 40, "%v:\n%s%s", args, out, errOut)
		require.Contains(t, out, "replay: simulate ")
	}
}
