package flp

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRaftElection: with fixed election timeouts the symmetric schedule
// splits every vote for the whole horizon, whatever the seed; with
// randomized ones every seed elects a leader, some after a split vote.
func TestRaftElection(t *testing.T) {
	p := DefaultRaft()
	require.NoError(t, p.Validate())
	p.MaxEvents = shortened(p.MaxEvents, 100_000)
	fixed := RaftElection(p, 1, nil)
	// The replicas keep standing, term after term.
	requireStalled(t, fixed.Elected, fixed.Events, fixed.Candidacies, p.MaxEvents, p.MaxEvents/20, "fixed timeouts must split every vote")
	require.Equal(t, fixed.Hash, RaftElection(p, 2, nil).Hash, "no draw is made: the seed changes nothing")

	p.Randomized = true
	seeds := shortened(500, 100)
	split := 0
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		o := RaftElection(p, seed, nil)
		require.True(t, o.Elected, "seed %d", seed)
		if o.Candidacies > 1 {
			split++
		}
	}
	t.Logf("%d of %d seeds needed more than one candidacy", split, seeds)
}

func TestRaftValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*RaftParams)
	}{
		{"two nodes", func(p *RaftParams) { p.Nodes = 2 }},
		{"no delay", func(p *RaftParams) { p.Delay = 0 }},
		{"no range", func(p *RaftParams) { p.ElectionMax = p.ElectionMin }},
		{"short horizon", func(p *RaftParams) { p.MaxEvents = 10 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := DefaultRaft()
			c.edit(&p)
			require.Error(t, p.Validate())
		})
	}
}
