package raftetcd_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"simulate/protocols/raft"
	"simulate/raftetcd"
	"simulate/sim"
	"simulate/sim/simtest"
)

// budget is the number of swarm runs of every search here, the same as
// the teaching Raft's: the correct adapter passes it and the planted bug
// is found within it.
const budget = 300

// checks asks rapid for n runs in both modes (it runs a fifth under -short).
func checks(n int) int {
	if testing.Short() {
		return 5 * n
	}
	return n
}

// property is the first violation of a swarm run of etcd raft with the
// given adapter bug, "" if none.
func property(s raft.Scenario, adapter raftetcd.Bug) func(sim.Choices) string {
	return func(c sim.Choices) string {
		if v := raft.Check(raftetcd.Instance(s, adapter, 1, c, nil).Run()); len(v) > 0 {
			return v[0].String()
		}
		return ""
	}
}

func propertyName(v string) string {
	name, _, _ := strings.Cut(v, ":")
	return name
}

func fails(prop func(sim.Choices) string, values []int, name string) bool {
	v := prop(&sim.ReplayChoices{Values: values})
	return v != "" && propertyName(v) == name
}

// shrink zeroes ever smaller chunks of draws, then single draws, while the
// run still breaks the same property (as protocols/raft's tests do).
func shrink(prop func(sim.Choices) string, values []int, name string) []int {
	cur := append([]int(nil), values...)
	for n := len(cur) / 2; n >= 1; n /= 2 {
		for len(cur) > n && fails(prop, cur[:len(cur)-n], name) {
			cur = cur[:len(cur)-n]
		}
	}
	for chunk := len(cur) / 2; chunk >= 1; chunk /= 2 {
		for i := 0; i < len(cur); i += chunk {
			end := min(i+chunk, len(cur))
			if nonZero(cur[i:end]) == 0 {
				continue
			}
			try := append([]int(nil), cur...)
			clear(try[i:end])
			if fails(prop, try, name) {
				cur = try
			}
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

// TestEtcdRaftUnderSearch: etcd raft, through the adapter, breaks no
// property in the swarm runs that find every teaching bug of the
// simulated Raft — loss, duplication, reordering, crash-restarts,
// partitions, rolling leader crashes — and those runs did change leaders,
// restart nodes mid-term and check liveness after GST.
func TestEtcdRaftUnderSearch(t *testing.T) {
	s := raft.SwarmScenario(3, "")
	var bad []string
	runs, changes, uncommitted, midTerm, restarts, rolling, liveness := 0, 0, 0, 0, 0, 0, 0
	simtest.Search(checks(budget), 1, func(rt *rapid.T) {
		o := raftetcd.Instance(s, "", 1, simtest.Choices(rt), nil).Run()
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
	prop := property(s, raftetcd.SendBeforePersist)
	var values []int
	var violation string
	runs := 0
	simtest.Search(checks(budget), 1, func(rt *rapid.T) {
		if values != nil {
			return
		}
		runs++
		rec := &sim.Recorder{Inner: simtest.Choices(rt)}
		if v := prop(rec); v != "" {
			violation = v
			for _, c := range rec.Log {
				values = append(values, c.Value)
			}
		}
	})
	require.NotNil(t, values, "the search must catch the planted bug within %d runs", budget)
	name := propertyName(violation)
	shrunk := shrink(prop, values, name)
	require.True(t, fails(prop, shrunk, name))
	require.LessOrEqual(t, nonZero(shrunk), 10)
	require.Empty(t, property(s, "")(&sim.ReplayChoices{Values: shrunk}), "the counterexample needs the bug")
	t.Logf("found at run %d: %s; shrunk from %d to %d non-zero draws", runs, violation, nonZero(values), nonZero(shrunk))
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
