package chain_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/check"
	"simulate/protocols/chain"
	"simulate/sim"
)

func TestGini(t *testing.T) {
	require.Zero(t, check.Gini(nil))
	require.Zero(t, check.Gini([]float64{3, 3, 3, 3}))
	require.InDelta(t, 0.75, check.Gini([]float64{0, 0, 0, 1}), 1e-12, "one of four holds all: (n-1)/n")
	require.InDelta(t, 0.25, check.Gini([]float64{1, 2, 3, 4}), 1e-12)
	require.Zero(t, check.Gini([]float64{0, 0}))
}

func TestFairnessZ(t *testing.T) {
	z := chain.FairnessZ([]int{50, 30, 20}, []float64{0.5, 0.3, 0.2})
	for _, x := range z {
		require.Zero(t, x)
	}
	z = chain.FairnessZ([]int{70, 30}, []float64{0.5, 0.5})
	require.InDelta(t, 4, z[0], 1e-12, "20 above 50 with s.d. 5")
	z = chain.FairnessZ([]int{1, 9}, []float64{0, 1})
	require.True(t, math.IsInf(z[0], 1))
}

// A hand-built tree: main chain g-1-2-3-4, a branch 1-a-b (depth 2 off
// block 1) and a branch 3-c (depth 1 off block 3).
func TestAbandonedBranchesAndSummary(t *testing.T) {
	tr := chain.NewTree(3, chain.CompleteGraph(3), true)
	s := tr.Store
	add := func(parent chain.BlockID, miner sim.NodeID, at sim.Time) chain.BlockID {
		p := s.Get(parent)
		b := &chain.Block{Parent: parent, Height: p.Height + 1, Miner: miner, Time: at, Work: chain.BaseWork, CumWork: p.CumWork + chain.BaseWork}
		b.Hash = chain.QuickHash(p.Hash, b)
		return tr.Add(b).ID
	}
	b1 := add(chain.Genesis, 0, 10)
	b2 := add(b1, 1, 20)
	a := add(b1, 2, 22)
	b3 := add(b2, 0, 30)
	add(a, 2, 35)
	b4 := add(b3, 1, 40)
	add(b3, 2, 41)
	require.Equal(t, b4, chain.MainTip(s, []chain.BlockID{b4, a}))
	br := chain.AbandonedBranches(s, b4)
	require.Equal(t, 2, br.Forks)
	require.Equal(t, 2, br.MaxDepth)
	require.InDelta(t, 1.5, br.MeanDepth, 1e-12)
	// Fork at b1: first child at 20, last abandoned block at 35; at b3:
	// 40 and 41.
	require.Equal(t, sim.Time((15+1)/2), br.MeanLife)
	sum := tr.Summarize(b4, 40, 3)
	require.Equal(t, 4, sum.Height)
	require.Equal(t, 7, sum.Made)
	require.Equal(t, 3, sum.Stale)
	require.Equal(t, 2, sum.Forks)
	require.Equal(t, []int{2, 2, 0}, sum.Blocks)
	require.Equal(t, 2, sum.Producers)
}

func TestTxsFillTakesTheOldestUpToCapacity(t *testing.T) {
	tx := chain.NewTxs(10, 250, chain.HeaderSize+250*5)
	require.Equal(t, 5, tx.Capacity)
	g := chain.NewStore().Get(chain.Genesis)
	b := &chain.Block{}
	tx.Fill(b, g, 3*sim.Second) // 30 arrived, room for 5
	require.Equal(t, 5, b.TxCount)
	require.Equal(t, int64(5), b.TxEnd)
	require.Equal(t, chain.HeaderSize+5*250, b.Size)
}

func ExampleGini() {
	// Rewards of four producers: equal, then one taking everything.
	fmt.Printf("%.2f %.2f\n", check.Gini([]float64{5, 5, 5, 5}), check.Gini([]float64{0, 0, 0, 20}))
	// Output: 0.00 0.75
}
