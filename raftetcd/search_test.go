package raftetcd_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/protocols/raft"
	"simulate/raftetcd"
	"simulate/search"
)

// budget is the number of swarm runs of every search here, the same as
// the teaching Raft's: the correct adapter passes it and the planted bug
// is found within it.
const budget = 300

// property fails a search run of etcd raft, with the given adapter bug,
// on the first property the swarm run breaks.
func property(s raft.Scenario, adapter raftetcd.Bug) search.Property {
	return func(t *search.T) {
		if v := raft.Check(raftetcd.Instance(s, adapter, 1, t, nil).Run()); len(v) > 0 {
			t.Fail(v[0].Property, "%s", v[0].Detail)
		}
	}
}

// TestEtcdRaftUnderSearch: etcd raft, through the adapter, breaks no
// property in the swarm runs that find every teaching bug of the
// simulated Raft — loss, duplication, reordering, crash-restarts,
// partitions, rolling leader crashes — and those runs did change leaders,
// restart nodes mid-term and check liveness after GST.
func TestEtcdRaftUnderSearch(t *testing.T) {
	s := raft.SwarmScenario(3, "")
	var bad []string
	runs, changes, uncommitted, midTerm, restarts, rolling, liveness := 0, 0, 0, 0, 0, 0, 0
	search.Run(search.Config{Checks: budget, Seed: 1}, func(st *search.T) {
		o := raftetcd.Instance(s, "", 1, st, nil).Run()
		if v := raft.Check(o); len(v) > 0 {
			bad = append(bad, v[0].String())
		}
		runs++
		c := o.Coverage()
		for _, x := range []struct {
			n  *int
			ok bool
		}{
			{&changes, c.LeaderChanges > 0}, {&uncommitted, c.UncommittedLeaderChanges > 0},
			{&midTerm, c.MidTermRestarts > 0}, {&restarts, o.Result.Restarts > 0},
			{&rolling, o.RollingEnd > 0}, {&liveness, o.LivenessApplies()},
		} {
			if x.ok {
				*x.n++
			}
		}
	})
	require.Empty(t, bad)
	require.Equal(t, budget, runs)
	t.Logf("runs %d: leader changes %d, with uncommitted entries %d, mid-term restarts %d, restarts %d, rolling %d, liveness judged %d",
		runs, changes, uncommitted, midTerm, restarts, rolling, liveness)
	require.Greater(t, changes, runs/2)
	require.Greater(t, uncommitted, runs/10)
	require.Greater(t, midTerm, runs/4)
	require.Greater(t, restarts, runs/2)
	require.Greater(t, rolling, runs/3)
	require.Greater(t, liveness, runs/2)
}

// TestPlantedAdapterBug: an adapter that sends a Ready's messages before
// its HardState and entries are on disk acknowledges what it may lose;
// the same search finds it and shrinks it, and the correct adapter is
// safe on the shrunk schedule.
func TestPlantedAdapterBug(t *testing.T) {
	s := raft.SwarmScenario(3, "")
	res := search.Run(search.Config{Checks: budget, Seed: 1}, property(s, raftetcd.SendBeforePersist))
	require.True(t, res.Failed, "the search must catch the planted bug within %d runs", budget)
	require.LessOrEqual(t, res.Draws.NonZero(), 10)
	require.False(t, search.Replay(property(s, ""), res.Draws.Values()).Failed(), "the counterexample needs the bug")
	t.Logf("found at run %d: %s: %s; shrunk to %d non-zero draws", res.FirstAt, res.Property, res.Message, res.Draws.NonZero())
}

// TestDeterministic: etcd raft draws its election timeouts from
// crypto/rand, but the adapter never lets them decide anything: the same
// seed gives the same run.
func TestDeterministic(t *testing.T) {
	s := raft.SwarmScenario(3, "")
	for seed := uint64(1); seed <= 5; seed++ {
		a := raftetcd.Instance(s, "", seed, nil, nil).Run()
		b := raftetcd.Instance(s, "", seed, nil, nil).Run()
		require.Equal(t, a.Result.Hash, b.Result.Hash, "seed %d", seed)
	}
}
