package raft_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"simulate/protocols/raft"
	"simulate/search"
)

// property is the search's property: the first violation of a swarm run
// of s, failing t with its property's name.
func property(s raft.Scenario) search.Property {
	return func(t *search.T) {
		if v := raft.Check(s.Instance(1, t, nil).Run()); len(v) > 0 {
			t.Fail(v[0].Property, "%s", v[0].Detail)
		}
	}
}

// budget is the number of swarm runs of every search here: correct Raft
// passes it, and every teaching bug is found within it.
const budget = 300

// TestBugsAreFoundAndShrunk: a seeded search over the swarm's draws finds
// each teaching bug within the budget, and shrinking leaves a handful of
// environment decisions that still break the same property; with the bug
// switched off the same draws are safe.
func TestBugsAreFoundAndShrunk(t *testing.T) {
	for _, b := range raft.Bugs() {
		t.Run(string(b.Name), func(t *testing.T) {
			s := raft.SwarmScenario(3, b.Name)
			start := time.Now()
			// Shrink the first few failures and keep the simplest.
			res := search.Run(search.Config{Checks: budget, Seed: 1, Keep: 3}, property(s))
			require.True(t, res.Failed, "the search must catch %s within %d runs", b.Name, budget)
			require.LessOrEqual(t, res.Draws.NonZero(), 10, "shrunk schedule:\n%s", res.Draws)
			shrunk := res.Draws.Values()
			require.True(t, search.Replay(property(s), shrunk).Failed())
			fixed := s
			fixed.Bug = ""
			require.False(t, search.Replay(property(fixed), shrunk).Failed(), "the counterexample needs the bug")
			t.Logf("%s: found at run %d (%s: %s), shrunk to %d non-zero draws in %v:\n%s", b.Name, res.FirstAt, res.Property, res.Message,
				res.Draws.NonZero(), time.Since(start).Round(time.Millisecond), res.Draws)
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
		search.Run(search.Config{Checks: tc.runs, Seed: tc.seed}, func(st *search.T) {
			o := s.Instance(1, st, nil).Run()
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
