package faults

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"simulate/network"
	"simulate/sim"
	"simulate/sim/simtest"
)

func TestGenerateZeroIsEmpty(t *testing.T) {
	b := Budget{MaxFaulty: 2, GST: 10 * sim.Second, Horizon: 20 * sim.Second}
	assert.Empty(t, Generate(sim.Boring{}, 7, b))
	assert.Empty(t, Generate(&sim.ReplayChoices{}, 7, b))
	// Nothing to generate for a degenerate budget, whatever the draws.
	assert.Empty(t, Generate(sim.NewPCGChoices(1), 7, Budget{MaxFaulty: 2}))
}

func TestGenerateDeterministic(t *testing.T) {
	b := Budget{MaxFaulty: 2, GST: 10 * sim.Second, Horizon: 20 * sim.Second}
	for seed := uint64(0); seed < 20; seed++ {
		assert.Equal(t, Generate(sim.NewPCGChoices(seed), 7, b), Generate(sim.NewPCGChoices(seed), 7, b))
	}
}

// TestGenerateSwarm checks that drawing rates per run gives both calm runs
// and storms, and that every class of fault turns up.
func TestGenerateSwarm(t *testing.T) {
	b := Budget{MaxFaulty: 2, GST: 10 * sim.Second, Horizon: 20 * sim.Second}
	calm, storms := 0, 0
	seen := map[Kind]int{}
	for seed := uint64(0); seed < 300; seed++ {
		p := Generate(sim.NewPCGChoices(seed), 7, b)
		require.NoError(t, p.CheckBudget(7, b), "seed %d:\n%s", seed, p)
		switch {
		case len(p) == 0:
			calm++
		case len(p) >= 12:
			storms++
		}
		for _, e := range p {
			seen[e.Kind]++
		}
	}
	assert.Greater(t, calm, 3, "some runs are calm")
	assert.Greater(t, storms, 30, "some runs are storms")
	for _, k := range append(slices.Clone(faultClasses), KindRestart, KindHeal) {
		assert.Greater(t, seen[k], 10, "kind %s", k)
	}
	// A budget can switch classes off.
	only := Budget{MaxFaulty: 2, GST: 10 * sim.Second, Horizon: 20 * sim.Second, Kinds: []Kind{KindCrash}}
	for seed := uint64(0); seed < 50; seed++ {
		for _, e := range Generate(sim.NewPCGChoices(seed), 7, only) {
			assert.Contains(t, []Kind{KindCrash, KindRestart}, e.Kind)
		}
	}
}

// TestGenerateRespectsBudget is the generator's contract, checked under
// arbitrary draws: every plan is valid, never has more than MaxFaulty nodes
// faulty at once, starts no fault at or after GST, and leaves every node
// running and the network healed by GST. The healing is checked on a real
// World and Net, not only by CheckBudget's own bookkeeping, and so is the
// budget: at every instant of the plan there is a core of at least n-f
// running nodes that can all reach each other.
func TestGenerateRespectsBudget(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 9).Draw(t, "n")
		horizon := sim.Time(rapid.Int64Range(1, int64(20*sim.Second)).Draw(t, "horizon"))
		b := Budget{
			MaxFaulty: rapid.IntRange(0, n).Draw(t, "f"),
			GST:       sim.Time(rapid.Int64Range(0, int64(horizon)).Draw(t, "gst")),
			Horizon:   horizon,
			MaxLoss:   rapid.Float64Range(0, 1).Draw(t, "max loss"),
		}
		if rapid.Bool().Draw(t, "some kinds") {
			b.Kinds = rapid.SliceOfDistinct(rapid.SampledFrom(faultClasses), func(k Kind) Kind { return k }).Draw(t, "kinds")
		}
		require.NoError(t, b.Validate(n))
		p := Generate(simtest.Choices(t), n, b)
		require.NoError(t, p.Validate(n))
		if err := p.CheckBudget(n, b); err != nil {
			t.Fatalf("%v\nplan:\n%s", err, p)
		}
		gst := b.gst()
		for i, e := range p {
			if e.At > gst {
				t.Fatalf("event %d after GST %s: %s", i, gst, e)
			}
			if i > 0 && e.At < p[i-1].At {
				t.Fatalf("plan not sorted by time")
			}
			if b.Kinds != nil && e.Kind != KindRestart && e.Kind != KindHeal && !slices.Contains(b.Kinds, e.Kind) {
				t.Fatalf("kind %s not in budget %v", e.Kind, b.Kinds)
			}
		}

		net := network.MustNew(n, network.Options{})
		w := sim.New(sim.Config{Nodes: n, New: func(sim.NodeID) sim.Node { return idle{} }, Network: net})
		require.NoError(t, p.Apply(w, net))
		// Probes are scheduled after the plan, so at one instant they run
		// after every plan event of that instant.
		for _, e := range p {
			at := e.At
			w.At(at, "probe", "", func() {
				if core := reachableCore(w, net, n); core < n-b.MaxFaulty {
					t.Fatalf("at %s only %d nodes are up and mutually reachable, want %d\nplan:\n%s", at, core, n-b.MaxFaulty, p)
				}
			})
		}
		w.At(gst, "probe", "", func() {
			for i := 0; i < n; i++ {
				if w.Crashed(sim.NodeID(i)) {
					t.Fatalf("n%d still crashed at GST\nplan:\n%s", i, p)
				}
			}
			if !net.Healed() {
				t.Fatalf("network not healed at GST\nplan:\n%s", p)
			}
		})
		w.Run()
	})
}

// reachableCore greedily finds a large set of running nodes that can all
// reach each other, dropping the node with the most broken pairs first.
// Greedy can only underestimate, so it is a sound check of a lower bound.
func reachableCore(w *sim.World, net *network.Net, n int) int {
	var core []sim.NodeID
	for i := 0; i < n; i++ {
		if !w.Crashed(sim.NodeID(i)) {
			core = append(core, sim.NodeID(i))
		}
	}
	for {
		worst, worstBad := -1, 0
		for i, a := range core {
			bad := 0
			for _, b := range core {
				if !net.Reachable(a, b) || !net.Reachable(b, a) {
					bad++
				}
			}
			if bad > worstBad {
				worst, worstBad = i, bad
			}
		}
		if worst < 0 {
			return len(core)
		}
		core = slices.Delete(core, worst, worst+1)
	}
}

func TestCheckBudget(t *testing.T) {
	b := Budget{MaxFaulty: 1, GST: 10 * sim.Second, Horizon: 20 * sim.Second}
	for _, tc := range []struct {
		p    Plan
		want string
	}{
		{Plan{Crash(1, 0), Crash(2, 1), Restart(3, 0), Restart(3, 1)}, "at 2ns, 2 nodes are faulty (n0 n1), the budget allows 1"},
		{Plan{Crash(1, 0), Restart(2, 0), Partition(2, []sim.NodeID{3, 4}), Heal(3)}, "2 nodes are faulty (n3 n4)"},
		{Plan{Crash(1, 0), Cut(2, 1, 2), Heal(3), Restart(3, 0)}, "(n0 n1)"},
		{Plan{Crash(1, 0)}, "at GST 10s, n0 is still crashed"},
		{Plan{Loss(1, 0.5)}, "a loss window is open"},
		{Plan{Cut(1, 0, 1), Heal(11 * sim.Second)}, "a link is cut"},
		{Plan{Crash(10*sim.Second, 0), Restart(11*sim.Second, 0)}, "at or after GST"},
	} {
		err := tc.p.CheckBudget(5, b)
		if assert.Error(t, err, "%s", tc.p) {
			assert.Contains(t, err.Error(), tc.want)
		}
	}
	ok := Plan{Crash(1, 0), Restart(2, 0), Partition(2, []sim.NodeID{4}), Cut(3, 4, 0), Loss(3, 0.5), Heal(4), Restart(10*sim.Second, 3)}
	assert.NoError(t, ok.CheckBudget(5, b))
	assert.Equal(t, 1, ok.PeakFaulty(5))
	// The bigger side of a partition is the main one, whichever is listed.
	assert.Equal(t, 2, Plan{Partition(0, []sim.NodeID{0, 1, 2})}.PeakFaulty(5))
	// Between equal sides, the one with n0 is the main one.
	assert.Equal(t, []sim.NodeID{2, 3}, partitionFaulty(4, [][]sim.NodeID{{2, 3}}))
	assert.Equal(t, []sim.NodeID{2, 3}, partitionFaulty(4, [][]sim.NodeID{{3, 2}, {1, 0}}))
	assert.ErrorContains(t, Plan{Cut(1, 0, 1), Heal(2)}.CheckBudget(5, Budget{MaxFaulty: 1, Horizon: sim.Second, Kinds: []Kind{KindCrash}}), "does not allow cut")
}

func TestBudgetValidate(t *testing.T) {
	assert.NoError(t, Budget{MaxFaulty: 1, Horizon: sim.Second}.Validate(4))
	for _, b := range []Budget{
		{MaxFaulty: -1, Horizon: sim.Second},
		{MaxFaulty: 5, Horizon: sim.Second},
		{MaxFaulty: 1},
		{MaxFaulty: 1, Horizon: sim.Second, GST: 2 * sim.Second},
		{MaxFaulty: 1, Horizon: sim.Second, MaxLoss: 2},
		{MaxFaulty: 1, Horizon: sim.Second, Kinds: []Kind{KindHeal}},
	} {
		assert.Error(t, b.Validate(4), "%+v", b)
	}
	assert.Error(t, Budget{Horizon: sim.Second}.Validate(0))
}
