package main

import (
	"bytes"
	"os"
	"path/filepath"
	"simulate/scenario"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Issue 18: on nines, cap, consensus compare, nakamoto stale, experiment
// byzantine-bound and render, --trace and --diagram exited 0 having
// written nothing. A command that cannot honour a global flag refuses it:
// exit 2, one line naming the flag, and no file.
func TestIgnoredGlobalFlagsAreRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, args := range [][]string{
		{"nines", "--runs", "1"},
		{"cap", "--runs", "1"},
		{"consensus", "compare", "--runs", "1"},
		{"nakamoto", "stale", "--runs", "1"},
		{"nakamoto", "throughput", "--runs", "1"},
		{"nakamoto", "partition", "--runs", "1"},
		{"nakamoto", "doublespend", "--runs", "2"},
		{"nakamoto", "selfish", "--runs", "2"},
		{"experiment", "byzantine-bound", "--runs", "1"},
		{"render", "no-such.jsonl"},
		{"replay", "no-such.jsonl"},
		{"merge", "no-such.jsonl"},
		{"version"},
	} {
		for _, flag := range []string{"--trace", "--diagram"} {
			path := filepath.Join(dir, "out.svg")
			_, stderr, code := cli(append(append([]string{}, args...), flag, path)...)
			name := strings.Join(args, " ") + " " + flag
			require.Equal(t, 2, code, name)
			require.Equal(t, 1, strings.Count(stderr, "\n"), "%s: one line: %q", name, stderr)
			require.Contains(t, stderr, flag+" does not apply", name)
			require.NoFileExists(t, path, name)
		}
	}
	_, stderr, code := cli("flp", "--trace", filepath.Join(dir, "t.jsonl"))
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "--trace does not apply to flp")
}

// Every runnable command either honours --trace, --diagram and
// --check-determinism or is listed in refusals: a new command must decide.
func TestEveryCommandHonoursOrRefuses(t *testing.T) {
	t.Parallel()
	root := newRoot(&bytes.Buffer{}, &bytes.Buffer{})
	for _, path := range leafCommands(root) {
		_, refused := refusals[path]
		_, registered := scenario.Lookup(strings.TrimPrefix(path, "simulate "))
		honoured := honours[path] || registered || strings.HasPrefix(path, "simulate check ") || strings.HasPrefix(path, "simulate run ")
		require.True(t, refused != honoured, "%s: list it in honours or in refusals (exactly one)", path)
	}
	for path := range refusals {
		require.Contains(t, leafCommands(root), path, "refusals names a command that does not exist")
	}
}

// --check-determinism used to pass silently, so a user could not tell it
// from an ignored flag: it says on stderr that it ran and what it compared,
// for one run and for a sweep.
func TestCheckDeterminismSaysWhatItCompared(t *testing.T) {
	t.Parallel()
	_, stderr, code := cli("byzantine", "--check-determinism")
	require.Equal(t, 0, code)
	require.Regexp(t, `^check-determinism: ran the scenario twice with seed 1: all \d+ events and the final hash [0-9a-f]{16} agree\n$`, stderr)

	_, stderr, code = cli("byzantine", "--check-determinism", "--trace", filepath.Join(t.TempDir(), "t.jsonl"))
	require.Equal(t, 0, code)
	require.Contains(t, stderr, "check-determinism: ran the scenario twice")

	_, stderr, code = cli("cap", "--runs", "2", "--check-determinism")
	require.Equal(t, 0, code)
	require.Equal(t, "check-determinism: ran each of the 2 runs twice: their results agree\n", stderr)
}

func TestMergeKeepsTheSweepsSeed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "cap.jsonl")
	want, _, code := cli("cap", "--runs", "2", "--seed", "7", "--format", "json")
	require.Equal(t, 0, code)
	_, _, code = cli("cap", "--runs", "2", "--seed", "7", "--shard", "1/1", "--out", out)
	require.Equal(t, 0, code)
	got, _, code := cli("merge", out, "--format", "json")
	require.Equal(t, 0, code)
	require.Equal(t, want, got)
	_, stderr, code := cli("merge", out, "--seed", "8")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "from a sweep with --seed 7")
	_, err := os.Stat(out)
	require.NoError(t, err)
}
