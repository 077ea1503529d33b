package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// jsonCommands are the commands docs/json.md documents, each with small
// arguments so the test stays quick; the keys do not depend on the sizes.
var jsonCommands = [][]string{
	{"byzantine"},
	{"byzantine", "--protocol", "pbft"},
	{"paxos"},
	{"paxos", "--mode", "multi"},
	{"pbft"},
	{"nakamoto", "--blocks", "10"},
	{"pos", "--blocks", "5"},
	{"dpos", "--blocks", "5"},
	{"poet", "--blocks", "5"},
	{"flp", "--runs", "10"},
	{"cap", "--runs", "1"},
	{"nines", "--runs", "1", "--horizon", "60d"},
	{"consensus", "compare", "--runs", "1", "--blocks", "10"},
	{"nakamoto", "stale", "--runs", "1"},
	{"nakamoto", "throughput", "--runs", "1"},
	{"nakamoto", "partition", "--runs", "1"},
	{"nakamoto", "doublespend", "--runs", "2", "--needed-runs", "0"},
	{"nakamoto", "selfish", "--runs", "2", "--blocks", "100"},
	{"experiment", "byzantine-bound", "--runs", "1", "--max-generals", "4"},
}

const jsonDocIntro = `# JSON output

Every command that prints a table also prints JSON with ` + "`--format json`" + `:
one document, the same numbers as the tables, never text standing in for a
number. This page lists each command's keys and their JSON types; it is
generated from real runs and pinned by a test (` + "`cmd/simulate/jsondoc_test.go`" + `,
regenerate with ` + "`UPDATE_GOLDEN=1 go test ./cmd/simulate/ -run TestJSONDoc`" + `),
so it cannot drift from the output.

Conventions:

- Durations are in seconds, and their keys end in ` + "`_s`" + ` (` + "`deadline_s`" + `,
  ` + "`time_to_decide_s`" + `). Simulated time counts nanoseconds inside the
  simulator; no output shows them.
- Other units are in the key too: ` + "`downtime_minutes_per_year`" + `, ` + "`_pct`" + `
  for percentages; a bare fraction (` + "`availability`" + `, ` + "`stale_rate`" + `) is
  between 0 and 1. A mean's standard error sits beside it (` + "`_se`" + ` or
  ` + "`stderr`" + `).
- Nodes are named as the tables name them: decisions are keyed ` + "`n0`" + `,
  ` + "`n1`" + `, ...; below, ` + "`nN`" + ` stands for any node.
- A value that does not exist is ` + "`null`" + ` (for example ` + "`nines`" + ` when no
  request failed: infinitely many nines), never a dash.
- ` + "`[]`" + ` in a key means "each element of this array".

CSV (` + "`--format csv`" + `) holds one table: numbers bare, units in the header
(` + "`t_s`" + `, ` + "`stale_rate_pct`" + `, ` + "`size_bytes`" + `), a "mean ± s.e." column split
into ` + "`name`" + ` and ` + "`name_se`" + `. A command that prints several tables prints
the first and names the others on stderr; ` + "`--table NAME`" + ` picks one.
`

var nodeKey = regexp.MustCompile(`^n\d+$`)

// jsonKeys lists every key path of a JSON document with the types seen.
func jsonKeys(v any, path string, out map[string]map[string]bool) {
	add := func(t string) {
		if out[path] == nil {
			out[path] = map[string]bool{}
		}
		out[path][t] = true
	}
	switch x := v.(type) {
	case map[string]any:
		if path != "" {
			add("object")
		}
		for k, e := range x {
			if nodeKey.MatchString(k) {
				k = "nN"
			}
			p := k
			if path != "" {
				p = path + "." + k
			}
			jsonKeys(e, p, out)
		}
	case []any:
		add("array")
		for _, e := range x {
			jsonKeys(e, path+"[]", out)
		}
	case string:
		add("string")
	case float64:
		add("number")
	case bool:
		add("boolean")
	case nil:
		add("null")
	}
}

// TestJSONDoc is issue 18's: the JSON is documented (docs/json.md) and
// the page is pinned to the output. It also checks the conventions the
// page states: no key ends in _ns, and no duration in nanoseconds hides
// under a plain key (a whole number above 1e6 under a _s key would be one).
func TestJSONDoc(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs every command")
	}
	var b strings.Builder
	b.WriteString(jsonDocIntro)
	for _, args := range jsonCommands {
		all := append(append([]string{}, args...), "--format", "json")
		out, stderr, code := cli(all...)
		require.Equal(t, 0, code, "%v: %s", args, stderr)
		var doc any
		require.NoError(t, json.Unmarshal([]byte(out), &doc), "%v", args)
		keys := map[string]map[string]bool{}
		jsonKeys(doc, "", keys)
		var paths []string
		for p := range keys {
			require.False(t, strings.HasSuffix(p, "_ns"), "%v: %s is in nanoseconds", args, p)
			paths = append(paths, p)
		}
		sort.Strings(paths)
		fmt.Fprintf(&b, "\n## simulate %s\n\n`simulate %s`\n\n| key | type |\n|---|---|\n", args[0]+subcommand(args), strings.Join(all, " "))
		for _, p := range paths {
			var ts []string
			for ty := range keys[p] {
				ts = append(ts, ty)
			}
			sort.Strings(ts)
			fmt.Fprintf(&b, "| `%s` | %s |\n", p, strings.Join(ts, ", "))
		}
	}
	path := filepath.Join("..", "..", "docs", "json.md")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with UPDATE_GOLDEN=1 to create %s", path)
	require.Equal(t, string(want), b.String())
}

// subcommand is " stale" for {"nakamoto", "stale", "--runs", "1"}, and
// the mode for the commands whose JSON differs by flag.
func subcommand(args []string) string {
	var s string
	for _, a := range args[1:] {
		if strings.HasPrefix(a, "--") {
			break
		}
		s += " " + a
	}
	for i, a := range args {
		if (a == "--mode" || a == "--protocol") && i+1 < len(args) {
			s += " " + a + " " + args[i+1]
		}
	}
	return s
}

// Issue 18's JSON complaints, pinned: durations in seconds under _s keys,
// decisions keyed as the tables name the generals.
func TestJSONSecondsAndNodeNames(t *testing.T) {
	t.Parallel()
	var p struct {
		TimeToDecide *float64 `json:"time_to_decide_s"`
		Decisions    []struct {
			Time *float64 `json:"time_s"`
		} `json:"decisions"`
	}
	requireJSON(t, &p, "paxos")
	require.NotNil(t, p.TimeToDecide)
	require.InDelta(t, 0.007, *p.TimeToDecide, 0.005, "seconds, not nanoseconds")
	require.NotEmpty(t, p.Decisions)
	require.NotNil(t, p.Decisions[0].Time)
	require.Less(t, *p.Decisions[0].Time, 1.0)

	var bz struct {
		Decisions map[string]string `json:"decisions"`
	}
	requireJSON(t, &bz, "byzantine")
	require.Contains(t, bz.Decisions, "n1")
}

// Issue 18: one CSV table per invocation, --table to pick another, and
// the byzantine CSV keeps the IC1/IC2 verdict that the notes carry.
func TestCSVOneTable(t *testing.T) {
	t.Parallel()
	out, stderr, code := cli("flp", "--runs", "10", "--events", "20000", "--format", "csv")
	require.Equal(t, 0, code)
	require.Equal(t, 1, strings.Count(out, "protocol,"), out)
	require.NotContains(t, out, "rounds,runs")
	require.NotContains(t, out, "\n\n")
	require.Contains(t, stderr, "--table NAME (flp (1), rounds (2))")

	out, _, code = cli("flp", "--runs", "10", "--events", "20000", "--format", "csv", "--table", "rounds")
	require.Equal(t, 0, code)
	require.True(t, strings.HasPrefix(out, "rounds,runs,share_pct\n"), out)
	out2, _, _ := cli("flp", "--runs", "10", "--events", "20000", "--format", "csv", "--table", "2")
	require.Equal(t, out, out2)

	_, stderr, code = cli("flp", "--runs", "10", "--table", "nope")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `--table "nope": this command prints flp (1), rounds (2)`)
	_, _, code = cli("flp", "--runs", "10", "--format", "json", "--table", "rounds")
	require.Equal(t, 2, code)

	out, _, code = cli("byzantine", "--generals", "3", "--traitors", "1", "--format", "csv")
	require.Equal(t, 0, code)
	require.Contains(t, out, "general,role,loyal,strategy,decision,ic1_agreement_held,ic2_validity_held\n")
	for _, bad := range []string{"—", "∞", " s,", "%"} {
		require.NotContains(t, out, bad)
	}
	out, _, code = cli("nakamoto", "stale", "--runs", "1", "--format", "csv")
	require.Equal(t, 0, code)
	for _, bad := range []string{"—", "600 s", "0.98%"} {
		require.NotContains(t, out, bad)
	}
}
