package main

import (
	"regexp"
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
