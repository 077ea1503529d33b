package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPBFTListBugs: one row per teaching bug, its name first (what --bug
// takes), then what it breaks, and for amnesia the crash flags it needs.
func TestPBFTListBugs(t *testing.T) {
	t.Parallel()
	lines := requireBugList(t, "pbft", 4, "small-quorum", "unchecked-new-view", "amnesia")
	require.Contains(t, lines[3], "--crash ID@FROM..TO")
	require.Contains(t, lines[3], "--crashes N")
	require.True(t, strings.HasSuffix(lines[1], ","), "small-quorum needs nothing: %q", lines[1])
}

// TestCheckPBFTAmnesiaNeedsCrashes: searching for the amnesia fork without
// crash-restarts cannot find it; check pbft says so in one line and exits
// 2 instead of searching in vain. With --crashes it searches.
func TestCheckPBFTAmnesiaNeedsCrashes(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("check", "pbft", "--bug", "amnesia")
	require.Equal(t, 2, code, out)
	require.Empty(t, out)
	require.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
	require.Contains(t, errOut, "--crashes")
	_, errOut, code = cli("check", "pbft", "--bug", "amnesia", "--traitors", "0", "--crashes", "4", "--checks", "1")
	require.NotEqual(t, 2, code, errOut)
}

func TestPBFTJSON(t *testing.T) {
	t.Parallel()
	var m map[string]any
	requireJSON(t, &m, "pbft", "--strategy", "silent", "--requests", "5")
	requireKeys(t, m, "replicas", "traitors", "agreement", "completed", "view_changes", "messages")
	require.Equal(t, 4.0, m["replicas"])
	require.Equal(t, 1.0, m["traitors"])
	require.Equal(t, true, m["agreement"])
	require.Equal(t, 5.0, m["completed"])
	require.Equal(t, 1.0, m["view_changes"])
}

// TestCheckPBFTFindsTheBound: with n = 3f the search finds two honest
// replicas committing different requests, shrinks it to a calm network,
// and the printed replay command reproduces it.
func TestCheckPBFTFindsTheBound(t *testing.T) {
	t.Parallel()
	c := requireCounterexampleReplays(t, "check", "pbft", "--replicas", "3", "--traitors", "1", "--checks", "100")
	require.Contains(t, c.errOut, "agreement: n1 committed c3/1 and n2 committed null at #1")
	matchGolden(t, "pbft-check-n3.golden", c.out)
	require.Contains(t, c.replayOut, "agreement: NO, n1 committed c3/1 and n2 committed null at #1")
}

func TestCheckPBFTBugs(t *testing.T) {
	t.Parallel()
	for _, bug := range []string{"small-quorum", "unchecked-new-view"} {
		out, errOut, code := cli("check", "pbft", "--bug", bug)
		require.Equal(t, 1, code, "%s: %s", bug, errOut)
		require.Contains(t, out, "agreement: ", bug)
		require.Regexp(t, `to [0-2] non-boring draws`, out, "%s shrinks to a calm network (at most where the traitor sits and its strategy drawn)", bug)
		require.Contains(t, out, "loss 0, jitter 0s", bug)
	}
}

func TestCheckPBFTPasses(t *testing.T) {
	t.Parallel()
	out := requireCheckPasses(t, "check", "pbft", "--checks", "40")
	require.Regexp(t, `a view change +│ [1-9]`, out)
}

// TestPBFTTraceReplays: a recorded run replays byte for byte.
func TestPBFTTraceReplays(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "pbft.jsonl")
	_, errOut, code := cli("pbft", "--seed", "3", "--loss", "0.1", "--jitter", "4ms", "--trace", path, "--check-determinism")
	require.Equal(t, 0, code, errOut)
	_, err := os.Stat(path)
	require.NoError(t, err)
	require.Contains(t, requireReplayMatches(t, path), "hash")
}

// pbftForkArgs: the primary and two backups crash and restart in turn
// while the client's requests run.
var pbftForkArgs = []string{"pbft", "--seed", "1", "--traitors", "0", "--requests", "6", "--checkpoint", "10",
	"--crash", "0@2ms..3ms", "--crash", "1@4ms..5ms", "--crash", "2@6ms..7ms"}

// TestPBFTCrashAmnesia: with durable state the three restarts are
// harmless; with --bug amnesia they fork the replicas.
func TestPBFTCrashAmnesia(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli(pbftForkArgs...)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "agreement: yes")
	require.Contains(t, out, "requests completed: 6 of 6")
	out, errOut, code = cli(append(append([]string(nil), pbftForkArgs...), "--bug", "amnesia")...)
	require.Equal(t, 1, code, errOut)
	require.Contains(t, out, "agreement: NO, n2 committed c4/1 and, after a restart, c4/2 at #1")
	matchGolden(t, "pbft-crash-amnesia.golden", out)
}

// TestPBFTCrashTraceReplays: the replay of a trace rebuilds the crashes
// from the recorded scenario.
func TestPBFTCrashTraceReplays(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "pbft-crash.jsonl")
	_, errOut, code := cli(append(append([]string(nil), pbftForkArgs...), "--trace", path, "--check-determinism")...)
	require.Equal(t, 0, code, errOut)
	requireReplayMatches(t, path)
}

// TestCheckPBFTDrawsCrashes: with --crashes the search also draws
// crash-restarts. Durable state keeps safety and liveness through them in
// the first 100 runs (run 196 of seed 1 finds a known liveness gap: three
// replicas restarting in turn lose the only prepared certificates, which
// a restarted replica cannot rebuild);
// with --bug amnesia the search finds the fork, shrinks it to a calm
// network and three crashes, and its replay command forks again.
func TestCheckPBFTDrawsCrashes(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("check", "pbft", "--traitors", "0", "--crashes", "4", "--checks", "100")
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, `a crash-restart +│ [1-9]`, out)
	require.Regexp(t, `more than f crash-restarts +│ [1-9]`, out, "the interesting case must happen")

	c := requireCounterexampleReplays(t, "check", "pbft", "--traitors", "0", "--crashes", "4", "--bug", "amnesia",
		"--requests", "6", "--checkpoint", "4", "--checks", "500")
	require.Contains(t, c.out, "check pbft: agreement: ")
	require.Contains(t, c.out, "no traitors, loss 0, jitter 0s", "a calm network")
	require.Regexp(t, `crash-restarts \S+ \S+ \S+\n`, c.out, "shrunk to three crashes")
	require.Contains(t, c.replayOut, "agreement: NO")

	// Crashes given with --crash are scheduled in every searched run too.
	_, errOut, code = cli("check", "pbft", "--traitors", "0", "--bug", "amnesia", "--requests", "6", "--checkpoint", "4",
		"--crash", "0@2ms..3ms", "--crash", "1@4ms..5ms", "--crash", "2@5ms..6ms", "--checks", "50")
	require.Equal(t, 1, code, errOut)

	requireBadInput(t, [][]string{
		{"check", "pbft", "--crashes", "-1"},
		{"check", "pbft", "--crashes", "17"},
	})
}

// TestPBFTSilentTraitorCatchUp: the schedule the catch-up search found
// before replicas could catch up past a silent traitor (issue 18): n3 is
// silent and n0 cut off from 60 to 80 ms, so every quorum needs n2, which
// lost the prepares of #2 and never executed it — no checkpoint can become
// stable without it. Now the others' Executed claims bring it up to date
// within the bound.
func TestPBFTSilentTraitorCatchUp(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("pbft", "--checkpoint", "2", "--gst", "300ms", "--limit", "30s", "--requests", "4",
		"--stop-on-violation", "--strategy", "", "--swarm",
		"--schedule", "0=3,1=1,3=3,4=1,6=6,8=4,9=4,12=16,16=3,21=17,22=15,38=15,40=9,43=11,44=11,51=3", "--seed", "3")
	require.Equal(t, 0, code, errOut+out)
	require.Contains(t, out, "traitors [3] playing silent")
	require.Contains(t, out, "every property held")
}
