package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/scenario"
)

// TestBugBenchmarkVerdicts pins every case's verdict — found or not, the
// property, and the bound on the shrunk draws — for two search seeds.
func TestBugBenchmarkVerdicts(t *testing.T) {
	t.Parallel()
	// Two search seeds per row; one under -short (the verdicts and the
	// shrunk sizes are pinned all the same, on fewer searches).
	seeds := "2"
	if testing.Short() {
		seeds = "1"
	}
	out, errOut, code := cli("check", "--all", "--seeds", seeds, "--workers", "2", "--format", "json")
	require.Equal(t, 0, code, "%s\n%s", errOut, out)
	var rows []caseRow
	require.NoError(t, json.Unmarshal([]byte(out), &rows))
	require.GreaterOrEqual(t, len(rows), 6)
	for _, r := range rows {
		require.True(t, r.Ok, "%+v", r)
		if r.Expect != "" {
			require.Equal(t, r.Expect, r.Property, "%+v", r)
			require.LessOrEqual(t, r.SliceEvents, maxShownEvents)
		} else {
			require.NotEmpty(t, r.Coverage, "a correct case reports what its search covered: %+v", r)
			require.Empty(t, r.Unreached, "%+v", r)
		}
	}
}

// A correct case whose search never reaches a condition it could reach
// fails the benchmark: 2PC without crashes cannot crash, and once the
// case stops saying so the row is not ok and names the conditions.
func TestCheckAllCorrectCaseMustReachItsConditions(t *testing.T) {
	t.Parallel()
	p, ok := scenario.Lookup("twophase")
	require.True(t, ok)
	var lossy scenario.Case
	for _, c := range p.(scenario.Cased).Cases() {
		if c.Name == "correct, lossy" {
			lossy = c
		}
	}
	require.NotEmpty(t, lossy.Unreachable)
	require.True(t, runCase(p, lossy, 1, 50).Ok)
	lossy.Unreachable = nil
	row := runCase(p, lossy, 1, 50)
	require.False(t, row.Ok)
	require.Equal(t, []string{"a crash-restart", "the coordinator down at the end"}, row.Unreached)
}

// BenchmarkCases is the bug benchmark's clock: for every case of every
// registered protocol, the time to search (200 runs from seed 1) and
// shrink. Run with: go test ./cmd/simulate -run '^$' -bench Cases
func BenchmarkCases(b *testing.B) {
	for _, rc := range registeredCases() {
		p, c := rc.p, rc.c
		b.Run(p.Name()+"/"+c.Name, func(b *testing.B) {
			for b.Loop() {
				rep := searchCase(p, c, 1, 200)
				if (rep.Failed) != (c.Violates != "") {
					b.Fatalf("verdict: found=%v, want a violation of %q", rep.Failed, c.Violates)
				}
			}
		})
	}
}
