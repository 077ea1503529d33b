package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/internal/goldenfile"
)

// The shapes every command's tests share — run the CLI, require an exit
// status, replay a trace, follow a printed replay command, read a drawn
// figure, decode JSON — live here once, so a test says only what is
// particular to its command.

// cli runs the simulate CLI in-process and returns its output and exit status.
func cli(args ...string) (stdout, stderr string, code int) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return o.String(), e.String(), code
}

// matchGolden compares got with testdata/name; UPDATE_GOLDEN=1 rewrites it.
func matchGolden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, name, got)
}

// requireBadInput runs each command line and requires what bad input must
// get: exit status 2, nothing on stdout, one line on stderr naming simulate.
func requireBadInput(t *testing.T, cases [][]string) {
	t.Helper()
	for _, args := range cases {
		out, errOut, code := cli(args...)
		require.Equal(t, 2, code, "%v: %s", args, errOut)
		require.Empty(t, out, "%v", args)
		require.Equal(t, 1, strings.Count(errOut, "\n"), "%v: one line, got %q", args, errOut)
		require.True(t, strings.HasPrefix(errOut, "simulate: "), "%v: %q", args, errOut)
	}
}

// requireSameForWorkersAndShards runs an experiment with --workers 1 and 2
// and as two shards merged afterwards (in either order), in format, and
// requires the same bytes every way and nothing printed by a shard; it
// returns them.
func requireSameForWorkersAndShards(t *testing.T, format string, args ...string) string {
	t.Helper()
	args = append(append([]string{}, args...), "--format", format)
	one, errOut, code := cli(append(args, "--workers", "1")...)
	require.Equal(t, 0, code, errOut)
	two, errOut, code := cli(append(args, "--workers", "2")...)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, one, two, "--workers 1 and --workers 2 differ")

	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	for _, shard := range []struct{ k, path string }{{"1/2", a}, {"2/2", b}} {
		out, errOut, code := cli(append(args, "--shard", shard.k, "--out", shard.path)...)
		require.Equal(t, 0, code, errOut)
		require.Empty(t, out, "a shard prints no table")
	}
	for _, files := range [][]string{{a, b}, {b, a}} {
		merged, errOut, code := cli("merge", files[0], files[1], "--format", format)
		require.Equal(t, 0, code, errOut)
		require.Equal(t, one, merged, "two merged shards differ from one run")
	}
	return one
}

// requireRun runs a command line that must succeed (exit status 0) and
// returns its output.
func requireRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := cli(args...)
	require.Equal(t, 0, code, "%v: %s", args, errOut)
	return out
}

// requireJSON runs a command line with --format json that must succeed
// and decodes its output into v.
func requireJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out := requireRun(t, append(append([]string{}, args...), "--format", "json")...)
	require.NoError(t, json.Unmarshal([]byte(out), v), "%v", args)
}

// requireStats runs a command line with --format json that must succeed
// and decodes the "stats" object of its output into a T, the statistics
// a test reads without the wrapper around them.
func requireStats[T any](t *testing.T, args ...string) T {
	t.Helper()
	var o struct {
		Stats T `json:"stats"`
	}
	requireJSON(t, &o, args...)
	return o.Stats
}

// requireBugList runs `PROTOCOL --list-bugs --format csv` and requires a
// header and one row per teaching bug, in the order given: its name
// first (what --bug takes) and a description of more than words words
// beside it. It returns the rows, header first, for what else the caller
// requires of them (the flags a bug needs).
func requireBugList(t *testing.T, protocol string, words int, bugs ...string) []string {
	t.Helper()
	out := requireRun(t, protocol, "--list-bugs", "--format", "csv")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 1+len(bugs), "a header and %d bugs", len(bugs))
	for i, name := range bugs {
		fields := strings.Split(lines[i+1], ",")
		require.Equal(t, name, fields[0])
		require.Greater(t, len(strings.Fields(fields[1])), words, "a description beside %s", name)
	}
	return lines
}

// replaceResult writes to dst the results file at src with the result of
// its line i (0 is the header, then a run a line) replaced by result, as a
// hand edit or a forger would leave it, and returns that line's run
// number, which merge's errors name.
func replaceResult(t *testing.T, src, dst string, i int, result string) int {
	t.Helper()
	b, err := os.ReadFile(src)
	require.NoError(t, err)
	lines := strings.SplitAfter(string(b), "\n")
	at := strings.Index(lines[i], `"result":`)
	require.Positive(t, at, lines[i])
	var rec struct {
		Run int `json:"run"`
	}
	require.NoError(t, json.Unmarshal([]byte(lines[i]), &rec))
	lines[i] = lines[i][:at] + `"result":` + result + "}\n"
	require.NoError(t, os.WriteFile(dst, []byte(strings.Join(lines, "")), 0o644))
	return rec.Run
}

// sweepRows is the JSON of a sweep that prints one table: its runs and
// its rows.
type sweepRows struct {
	Runs int              `json:"runs"`
	Rows []map[string]any `json:"rows"`
}

// requireRows requires n rows of a JSON table, each with every one of keys.
func requireRows(t *testing.T, rows []map[string]any, n int, keys ...string) {
	t.Helper()
	require.Len(t, rows, n)
	for _, r := range rows {
		requireKeys(t, r, keys...)
	}
}

// requireKeys requires every one of keys in a JSON object.
func requireKeys(t *testing.T, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		require.Contains(t, m, k)
	}
}

// requireReplayMatches replays the trace at path and requires that the
// rerun matches it; it returns what replay printed.
func requireReplayMatches(t *testing.T, path string) string {
	t.Helper()
	out := requireRun(t, "replay", path)
	require.Contains(t, out, "matches")
	return out
}

// replayLine is the command a counterexample prints to rerun itself.
var replayLine = regexp.MustCompile(`(?m)^replay: simulate (.*)$`)

// replayCommand is the command line (after "simulate ") that a
// counterexample printed in out says reruns it.
func replayCommand(t *testing.T, out string) string {
	t.Helper()
	m := replayLine.FindStringSubmatch(out)
	require.NotNil(t, m, out)
	return m[1]
}

// counterexample is what a check that finds a violation printed, and what
// its printed replay command printed when run.
type counterexample struct {
	out, errOut             string
	replayOut, replayErrOut string
}

// requireCounterexampleReplays runs a check that must find a violation
// (exit status 1), runs the replay command it prints as a shell would,
// and requires that the replayed run breaks a property too (exit 1).
func requireCounterexampleReplays(t *testing.T, args ...string) counterexample {
	t.Helper()
	var c counterexample
	var code int
	c.out, c.errOut, code = cli(args...)
	require.Equal(t, 1, code, "%v: %s", args, c.errOut)
	line := replayCommand(t, c.out)
	c.replayOut, c.replayErrOut, code = cli(shellFields(line)...)
	require.Equal(t, 1, code, "a run whose property breaks exits 1: %s: %s", line, c.replayErrOut)
	return c
}

// requireCheckPasses runs a check (check PROTOCOL ... --checks N ...)
// that must find nothing: exit status 0 and "check PROTOCOL: no property
// broke in N runs". It returns the output, whose coverage the caller reads.
func requireCheckPasses(t *testing.T, args ...string) string {
	t.Helper()
	i := slices.Index(args, "--checks")
	require.True(t, i >= 0 && i+1 < len(args), "%v: give --checks N", args)
	out := requireRun(t, args...)
	require.Contains(t, out, "check "+args[1]+": no property broke in "+args[i+1]+" runs")
	return out
}

// requirePlot runs a command line with --plot path, requires exit status
// 0, a line on stderr saying where the figure went, and a figure of the
// kind the file name's extension asks for (PNG or SVG); it returns the
// figure and what the command printed on stdout.
func requirePlot(t *testing.T, path string, args ...string) (figure, out string) {
	t.Helper()
	out, errOut, code := cli(append(append([]string{}, args...), "--plot", path)...)
	require.Equal(t, 0, code, "%v: %s", args, errOut)
	require.Contains(t, errOut, "wrote "+path)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	if strings.HasSuffix(path, ".png") {
		require.Equal(t, "\x89PNG", string(b[:4]))
	} else {
		require.Contains(t, string(b), "<svg")
	}
	return string(b), out
}

// shellFields splits a printed command line as a shell would: words
// separated by spaces, single quotes kept together.
func shellFields(line string) []string {
	var out []string
	var word strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				out = append(out, word.String())
				word.Reset()
			}
			inWord = false
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, word.String())
	}
	return out
}
