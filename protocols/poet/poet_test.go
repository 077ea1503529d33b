package poet_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/protocols/chain"
	"simulate/protocols/chain/chaintest"
	"simulate/protocols/poet"
	"simulate/sim"
)

// run validates, builds and runs a scenario with a seed.
var run = chaintest.Runner[poet.Scenario](func(r *poet.Run) *sim.World { return sim.New(r.Config) })

func quick(blocks int) poet.Scenario {
	s := poet.DefaultScenario()
	s.Blocks = blocks
	s.Quiet = true
	return s
}

// The shortest of n exponential waits of mean n·I is exponential with
// mean I: blocks come at the target interval, and nothing is hashed.
func TestIntervalAndNoHashing(t *testing.T) {
	st, _, _ := run(t, quick(400), 1)
	require.InDelta(t, 20, st.MeanInterval.Seconds(), 20*3/math.Sqrt(400))
	require.Zero(t, st.Hashes)
	require.True(t, st.CommonPrefix)
	require.True(t, st.Agree)
}

// One enclave, one vote: over many seeds every validator gets 1/n of the
// blocks, within 3 standard errors.
func TestEachValidatorGetsItsShare(t *testing.T) {
	s := quick(200)
	s.Validators = 8
	counts := make([]int, 8)
	for seed := uint64(1); seed <= 15; seed++ {
		st, _, _ := run(t, s, seed)
		for i, c := range st.Blocks {
			counts[i] += c
		}
	}
	for i, z := range chain.FairnessZ(counts, chain.Shares(nil, 8)) {
		require.Less(t, math.Abs(z), 3.0, "validator %d: %d blocks (z = %.2f)", i, counts[i], z)
	}
}

// A compromised enclave that waits 10 times shorter wins about 10/(n+9) of
// the blocks instead of 1/n; Sawtooth's z-test rejects its blocks once it
// wins implausibly often, and its share falls back near 1/n.
func TestZTestStopsACompromisedEnclave(t *testing.T) {
	s := quick(300)
	s.Cheaters = 1
	st, _, _ := run(t, s, 1)
	cheat := float64(st.Blocks[0]) / float64(st.Height)
	require.InDelta(t, 10.0/25, cheat, 0.08, "10/(16+9) of the blocks")
	s.ZTest = true
	st, _, _ = run(t, s, 1)
	guarded := float64(st.Blocks[0]) / float64(st.Height)
	require.Greater(t, st.Rejected, 10)
	require.Less(t, guarded, 0.15, "the z-test caps the cheater near its share")
	t.Logf("cheater's share: %.3f without the z-test, %.3f with it (%d blocks rejected)", cheat, guarded, st.Rejected)
}

func TestSameSeedSameRun(t *testing.T) {
	s := quick(30)
	s.Delay = 5 * sim.Second
	chaintest.SameSeed(t, run, s)
}

// TestGoldenHash pins one run's trace hash.
func TestGoldenHash(t *testing.T) {
	s := poet.DefaultScenario()
	s.Blocks = 20
	s.Delay = 2 * sim.Second
	st, res, _ := run(t, s, 1)
	chaintest.GoldenRun(t, "poet-seed1.golden", res, fmt.Sprintf("height=%d made=%d forks=%d", st.Height, st.Made, st.Forks), st.TipHash)
}

func TestValidateRejectsNonsense(t *testing.T) {
	bad := []func(*poet.Scenario){
		func(s *poet.Scenario) { s.Validators = 0 },
		func(s *poet.Scenario) { s.Interval = 0 },
		func(s *poet.Scenario) { s.Cheaters = 17 },
		func(s *poet.Scenario) { s.CheatFactor = 0.5 },
		func(s *poet.Scenario) { s.Blocks = 0 },
		func(s *poet.Scenario) { s.Degree = 16 },
	}
	chaintest.RejectsEach(t, poet.DefaultScenario, bad)
}
