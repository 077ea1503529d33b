package raft_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"simulate/protocols/raft"
	"simulate/sim"
	"simulate/sim/simtest"
)

// property is the search's property as a plain function of the
// environment's draws: the first violation of a swarm run of s, "" if
// none. (It is what a search engine needs and nothing more.)
func property(s raft.Scenario) func(c sim.Choices) string {
	return func(c sim.Choices) string {
		if v := raft.Check(s.Instance(1, c, nil).Run()); len(v) > 0 {
			return v[0].String()
		}
		return ""
	}
}

// propertyName is the property a violation string names.
func propertyName(v string) string {
	name, _, _ := strings.Cut(v, ":")
	return name
}

// found is the first failing run of a search.
type found struct {
	values    []int
	violation string
	runs      int // runs tried up to and including it
}

// search runs prop on up to checks rapid-drawn environments from seed and
// returns the first want failing runs' draws. It does not fail the rapid
// property, so rapid does not shrink: shrink does, replaying the recorded
// draws, which is much faster for runs of thousands of draws.
func search(checks int, seed uint64, want int, prop func(sim.Choices) string) []found {
	var fs []found
	runs := 0
	simtest.Search(checks, seed, func(t *rapid.T) {
		if len(fs) >= want {
			return
		}
		runs++
		rec := &sim.Recorder{Inner: simtest.Choices(t)}
		if v := prop(rec); v != "" {
			vals := make([]int, len(rec.Log))
			for i, c := range rec.Log {
				vals[i] = c.Value
			}
			fs = append(fs, found{values: vals, violation: v, runs: runs})
		}
	})
	return fs
}

// fails replays values (draws past the end are 0) and reports whether the
// run breaks the named property.
func fails(prop func(sim.Choices) string, values []int, name string) bool {
	v := prop(&sim.ReplayChoices{Values: values})
	return v != "" && propertyName(v) == name
}

// shrink simplifies a failing list of draws while it still breaks the same
// property: it cuts the tail, then zeroes ever smaller chunks of non-zero
// draws (delta debugging), then lowers the survivors. Zero is the boring
// draw, so what remains is the few environment decisions the failure
// needs.
func shrink(prop func(sim.Choices) string, values []int, name string) []int {
	cur := append([]int(nil), values...)
	// The shortest failing prefix (every draw after it boring).
	for n := len(cur) / 2; n >= 1; n /= 2 {
		for len(cur) > n && fails(prop, cur[:len(cur)-n], name) {
			cur = cur[:len(cur)-n]
		}
	}
	for chunk := len(cur) / 2; chunk >= 1; chunk /= 2 {
		cur = zeroChunks(prop, cur, name, chunk)
	}
	// Then, until nothing improves: zero single draws, lower the rest.
	for improved := true; improved; {
		improved = false
		for i, v := range cur {
			for _, smaller := range []int{0, 1, v / 2} {
				if v == 0 || smaller >= cur[i] || smaller < 0 {
					continue
				}
				try := append([]int(nil), cur...)
				try[i] = smaller
				if fails(prop, try, name) {
					cur, improved = try, true
				}
			}
		}
	}
	return cur
}

// zeroChunks tries to zero each chunk of draws that holds a non-zero one.
func zeroChunks(prop func(sim.Choices) string, cur []int, name string, chunk int) []int {
	for i := 0; i < len(cur); i += chunk {
		end := min(i+chunk, len(cur))
		nonzero := false
		for _, v := range cur[i:end] {
			nonzero = nonzero || v != 0
		}
		if !nonzero {
			continue
		}
		try := append([]int(nil), cur...)
		clear(try[i:end])
		if fails(prop, try, name) {
			cur = try
		}
	}
	return cur
}

func nonZero(values []int) int {
	n := 0
	for _, v := range values {
		if v != 0 {
			n++
		}
	}
	return n
}

// schedule lists the non-boring draws of a replay in words.
func schedule(s raft.Scenario, values []int) string {
	rec := &sim.Recorder{Inner: &sim.ReplayChoices{Values: values}}
	s.Instance(1, rec, nil).Run()
	var b strings.Builder
	for i, c := range rec.Log {
		if c.Value != 0 {
			b.WriteString("  draw ")
			b.WriteString(itoa(i))
			b.WriteString(": ")
			b.WriteString(c.Label)
			b.WriteString(" = ")
			b.WriteString(itoa(c.Value))
			b.WriteString("\n")
		}
	}
	return b.String()
}

func itoa(i int) string {
	const digits = "0123456789"
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{digits[i%10]}, b...)
	}
	return string(b)
}

// budget is the number of swarm runs of every search here: correct Raft
// passes it, and every teaching bug is found within it.
const budget = 300

// checks is how many checks to ask rapid for so that it makes n runs: it
// runs a fifth of them under -short, and a budget should mean the same in
// both modes.
func checks(n int) int {
	if testing.Short() {
		return 5 * n
	}
	return n
}

// TestBugsAreFoundAndShrunk: a seeded search over the swarm's draws finds
// each teaching bug within the budget, and shrinking leaves a handful of
// environment decisions that still break the same property; with the bug
// switched off the same draws are safe.
func TestBugsAreFoundAndShrunk(t *testing.T) {
	for _, b := range raft.Bugs() {
		t.Run(string(b.Name), func(t *testing.T) {
			s := raft.SwarmScenario(3, b.Name)
			prop := property(s)
			start := time.Now()
			fs := search(checks(budget), 1, 3, prop)
			require.NotEmpty(t, fs, "the search must catch %s within %d runs", b.Name, budget)
			// Shrink the first few failures and keep the simplest.
			var f found
			var shrunk []int
			for _, c := range fs {
				sh := shrink(prop, c.values, propertyName(c.violation))
				if shrunk == nil || nonZero(sh) < nonZero(shrunk) {
					f, shrunk = c, sh
				}
			}
			name := propertyName(f.violation)
			require.LessOrEqual(t, nonZero(shrunk), 10, "shrunk schedule:\n%s", schedule(s, shrunk))
			require.True(t, fails(prop, shrunk, name))
			fixed := s
			fixed.Bug = ""
			require.Empty(t, property(fixed)(&sim.ReplayChoices{Values: shrunk}), "the counterexample needs the bug")
			t.Logf("%s: found at run %d (%s), shrunk from %d to %d non-zero draws in %v:\n%s", b.Name, f.runs, f.violation,
				nonZero(f.values), nonZero(shrunk), time.Since(start).Round(time.Millisecond), schedule(s, shrunk))
		})
	}
}

// swarmCoverage counts, over a search, the runs that did each interesting
// thing: a property that holds because the interesting case never
// happened proves nothing.
type swarmCoverage struct {
	runs, splitVotes, uncommittedChanges, midTermRestarts, leaderChanges int
	restarts, partitions, drops, dups, rolling, liveness, afterGST       int
}

// TestCorrectRaftUnderSearch: correct Raft breaks no property in a few
// hundred swarm runs of 3 and 5 replicas — loss, duplication, reordering,
// crash-restarts, partitions, rolling leader crashes — and the runs did
// hold split votes, leader changes with uncommitted entries, restarts in
// the middle of a term, and liveness checks after GST.
func TestCorrectRaftUnderSearch(t *testing.T) {
	for _, tc := range []struct {
		nodes, runs int
		seed        uint64
	}{{3, budget, 1}, {5, budget / 3, 2}} {
		s := raft.SwarmScenario(tc.nodes, "")
		var cov swarmCoverage
		var bad []string
		simtest.Search(checks(tc.runs), tc.seed, func(rt *rapid.T) {
			o := s.Instance(1, simtest.Choices(rt), nil).Run()
			if v := raft.Check(o); len(v) > 0 {
				bad = append(bad, v[0].String())
			}
			cov.runs++
			c := o.Coverage()
			count := func(n *int, ok bool) {
				if ok {
					*n++
				}
			}
			count(&cov.splitVotes, c.SplitVotes > 0)
			count(&cov.uncommittedChanges, c.UncommittedLeaderChanges > 0)
			count(&cov.midTermRestarts, c.MidTermRestarts > 0)
			count(&cov.leaderChanges, c.LeaderChanges > 0)
			count(&cov.restarts, o.Result.Restarts > 0)
			count(&cov.partitions, len(o.Scenario.Partitions) > 0)
			count(&cov.drops, o.Result.Dropped > 0)
			count(&cov.dups, o.Result.Duplicated > 0)
			count(&cov.rolling, o.RollingEnd > 0)
			count(&cov.liveness, o.LivenessApplies())
			count(&cov.afterGST, o.LivenessApplies() && o.Result.End > s.GST)
		})
		require.Empty(t, bad, "%d nodes", tc.nodes)
		require.Equal(t, tc.runs, cov.runs)
		t.Logf("%d nodes: %+v", tc.nodes, cov)
		n := cov.runs
		for _, c := range []struct {
			what     string
			got, min int
		}{
			{"split votes", cov.splitVotes, n / 10},
			{"leader changes with uncommitted entries", cov.uncommittedChanges, n / 4},
			{"restarts mid-term", cov.midTermRestarts, n / 3},
			{"crash-restarts", cov.restarts, n / 2},
			{"partitions", cov.partitions, n / 2},
			{"drops", cov.drops, n / 2},
			{"duplicates", cov.dups, n / 3},
			{"rolling leader crashes", cov.rolling, n / 3},
			{"liveness judged", cov.liveness, n / 2},
			{"liveness judged past GST", cov.afterGST, n / 20},
		} {
			require.GreaterOrEqual(t, c.got, c.min, "%d nodes: too few runs with %s: %+v", tc.nodes, c.what, cov)
		}
	}
}
