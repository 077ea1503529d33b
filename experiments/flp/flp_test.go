package flp

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/check"
	"simulate/sim"
)

// TestDeterministicPaxosNeverDecides: under the adversary, fixed retries
// duel for the whole horizon, the ballots climbing without end.
func TestDeterministicPaxosNeverDecides(t *testing.T) {
	p := DefaultDuel()
	p.MaxEvents = shortened(p.MaxEvents, 100_000)
	o := Duel(p, 1, nil)
	// The proposers keep preempting each other.
	requireStalled(t, o.Decided, o.Events, o.Ballots, p.MaxEvents, p.MaxEvents/50, "the adversary must stall fixed retries")
	// The schedule is the adversary's alone: the seed changes nothing.
	require.Equal(t, o.Hash, Duel(p, 2, nil).Hash)
}

// TestRandomizedBackoffAlwaysDecides: the same adversary, randomized
// backoff, every seed decides.
func TestRandomizedBackoffAlwaysDecides(t *testing.T) {
	p := DefaultDuel()
	p.Randomized = true
	seeds := shortened(500, 100)
	var slow int
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		o := Duel(p, seed, nil)
		require.True(t, o.Decided, "seed %d", seed)
		if o.Ballots > 2 {
			slow++
		}
	}
	require.Positive(t, slow, "the adversary must cost some seeds extra ballots")
}

func TestBenOrAlwaysDecides(t *testing.T) {
	p := DefaultBenOr()
	for seed := uint64(1); seed <= 200; seed++ {
		o := BenOr(p, seed)
		require.Equal(t, o.Live, o.Decided, "seed %d", seed)
		require.True(t, o.Agreement)
	}
}

func TestPercentiles(t *testing.T) {
	require.Equal(t, []float64{1, 5, 10}, check.Percentiles([]float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 0, 50, 100))
	require.Equal(t, []float64{0}, check.Percentiles(nil, 50))
	_ = sim.Second
}
