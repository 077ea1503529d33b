package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestByzantineJSON(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("byzantine", "--generals", "7", "--traitors", "2", "--seed", "5", "--format", "json")
	require.Equal(t, 0, code, errOut)
	matchGolden(t, "byzantine-n7-m2-seed5.json.golden", out)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	requireKeys(t, got, "generals", "traitors", "algorithm", "agreement", "validity", "messages", "decisions")
	require.EqualValues(t, 7, got["generals"])
	require.Equal(t, "om", got["algorithm"])
	require.EqualValues(t, 156, got["messages_closed_form"])
	require.Len(t, got["traitors"], 2)
	require.Len(t, got["decisions"], 5, "one decision per loyal general")
}

// TestByzantineFailureIsAFinding: below the bound a broken IC2 is printed
// and the exit status is still 0.
func TestByzantineFailureIsAFinding(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("byzantine", "--generals", "3", "--traitors", "1", "--traitor", "n1=lie", "--order", "attack")
	require.Equal(t, 0, code, errOut)
	out = strings.Join(strings.Fields(out), " ") // notes wrap at 80 columns
	require.Contains(t, out, "IC2 validity: FAILED — the loyal commander ordered attack, but n2 decided retreat")
	require.Contains(t, out, "n1 told n2 that n0 said retreat (it heard attack)")
	require.Contains(t, out, "n = 3 ≤ 3m = 3: below the 3m+1 bound")
	// The same traitor cannot forge a signature: SM holds.
	out, _, code = cli("byzantine", "--generals", "3", "--traitors", "1", "--traitor", "n1=lie", "--algorithm", "sm")
	require.Equal(t, 0, code)
	require.Contains(t, out, "IC2 validity: held")
	require.Contains(t, out, "n1 tried to forge")
}

func TestByzantineTraceReplays(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "t.jsonl")
	requireRun(t, "byzantine", "--traitors", "1", "--seed", "42", "--trace", path)
	requireReplayMatches(t, path)
	// Every strategy and SM replay too.
	for _, args := range [][]string{
		{"--generals", "7", "--traitors", "2", "--strategy", "random", "--seed", "9"},
		{"--generals", "5", "--traitors", "3", "--algorithm", "sm", "--commander", "traitor", "--strategy", "collude"},
	} {
		requireRun(t, append([]string{"byzantine", "--trace", path, "--check-determinism"}, args...)...)
		requireReplayMatches(t, path)
	}
}

// byzCheck is the part of `simulate check byzantine --format json` the
// tests read.
type byzCheck struct {
	Runs      int  `json:"runs"`
	Found     bool `json:"found"`
	Violation struct {
		Property, Message string
	} `json:"violation"`
	NonzeroDraws int    `json:"nonzero_draws"`
	Replay       string `json:"replay"`
	Coverage     []struct {
		Name string `json:"name"`
		Runs int    `json:"runs"`
	} `json:"coverage"`
}

// TestCheckByzantineBelowBound: with n = 3 and m = 1 the search finds the
// classic IC2 failure, shrinks it to one lie, exits 1, and its replay
// command reruns the very same run.
func TestCheckByzantineBelowBound(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "ce.jsonl")
	out, errOut, code := cli("check", "byzantine", "--generals", "3", "--traitors", "1", "--trace", path)
	require.Equal(t, 1, code, errOut)
	require.Equal(t, "simulate: check byzantine: IC2: IC2 (validity) broken: the loyal commander ordered attack, but n2 decided retreat\n", errOut)
	require.Contains(t, out, "shrunk in")
	require.Contains(t, out, "to 1 non-boring draws")
	require.Contains(t, out, "traitors n1=lie")
	line := replayCommand(t, out)
	require.Equal(t, "byzantine --generals 3 --swarm --traitors 1 --schedule 3=1 --seed 1", line)
	replay := strings.Fields(line)

	// The replay command breaks the same property.
	again, errOut, code := cli(append(replay, "--format", "json")...)
	require.Equal(t, 1, code, errOut)
	require.Contains(t, again, `"property": "IC2"`)
	// In table form it shows who decided what, as a plain run does, and
	// the very trace the old bespoke counterexample printed.
	shown, _, code := cli(replay...)
	require.Equal(t, 1, code)
	require.Contains(t, shown, "IC2 validity: FAILED — the loyal commander ordered attack, but n2 decided")
	require.Contains(t, shown, "6209660d6ff815f1")
	// And the counterexample's trace replays.
	requireReplayMatches(t, path)

	// JSON form.
	out, _, code = cli("check", "byzantine", "--generals", "3", "--traitors", "1", "--format", "json")
	require.Equal(t, 1, code)
	var res byzCheck
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.True(t, res.Found)
	require.Equal(t, 1, res.NonzeroDraws)
}

// TestCheckByzantineAtBound: at n = 3m+1 (OM) and with SM below it, the
// search finds nothing, exits 0 and shows what it covered.
func TestCheckByzantineAtBound(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--generals", "4", "--traitors", "1"},
		{"--generals", "7", "--traitors", "2", "--checks", "100"},
		{"--generals", "4", "--traitors", "2", "--algorithm", "sm"},
	} {
		var res byzCheck
		requireJSON(t, &res, append([]string{"check", "byzantine"}, args...)...)
		require.False(t, res.Found)
		require.GreaterOrEqual(t, res.Runs, 100)
		cov := map[string]int{}
		for _, c := range res.Coverage {
			cov[c.Name] = c.Runs
		}
		require.GreaterOrEqual(t, cov["a traitor commander"], res.Runs/5, "%v", args)
		require.GreaterOrEqual(t, cov["a loyal commander (IC2 tested)"], res.Runs/5, "%v", args)
		require.GreaterOrEqual(t, cov["a traitor that equivocated"], res.Runs/10, "%v", args)
		for _, s := range []string{"honest", "lie", "split", "random", "silent", "collude"} {
			require.GreaterOrEqual(t, cov["a traitor playing "+s], res.Runs/20, "%v strategy %s", args, s)
		}
		if args[len(args)-1] == "sm" {
			require.GreaterOrEqual(t, cov["a forged order refused"], res.Runs/10)
		}
	}
}

// TestCheckByzantineTeachingBug: SM without signature checks is broken by
// one forged relay.
func TestCheckByzantineTeachingBug(t *testing.T) {
	t.Parallel()
	out, errOut, code := cli("check", "byzantine", "--generals", "4", "--traitors", "1", "--algorithm", "sm", "--bug", "skip-verify")
	require.Equal(t, 1, code, errOut)
	require.Contains(t, out, "--bug skip-verify")
}

// TestByzantineBound runs a small sweep of the experiment: the bound shows,
// the output does not depend on the worker count or on sharding, and the
// worst case of the n = 3 row replays from its seed.
func TestByzantineBound(t *testing.T) {
	t.Parallel()
	args := []string{"experiment", "byzantine-bound", "--runs", "30", "--max-generals", "7"}
	one := requireSameForWorkersAndShards(t, "table", args...)
	matchGolden(t, "byzantine-bound-runs30.golden", one)
	require.Contains(t, one, "The bound, shown")
	whole := requireSameForWorkersAndShards(t, "json", args...)

	var res struct {
		BoundShown bool `json:"bound_shown"`
		Rows       []struct {
			Generals int    `json:"generals"`
			Algo     string `json:"algorithm"`
			Worst    *struct {
				Seed uint64 `json:"seed"`
			} `json:"worst"`
		} `json:"rows"`
	}
	require.NoError(t, json.Unmarshal([]byte(whole), &res))
	require.True(t, res.BoundShown)
	w := res.Rows[0].Worst
	require.NotNil(t, w)
	out := requireRun(t, "byzantine", "--generals", "3", "--traitors", "1", "--algorithm", "om", "--seed", jsonNumber(w.Seed), "--format", "json")
	require.Contains(t, out, `"validity": false`)
}

func jsonNumber(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
