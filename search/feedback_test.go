package search_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/search"
)

// deep is a property whose bug needs a chain of rare steps: each of six
// draws must hit 7 out of 8, and every step reached is reported as a
// Sometimes condition. A fresh random run finds it once in 262,144 runs;
// a coverage-guided search keeps the runs that got furthest and builds on
// them.
func deep(t *search.T) {
	for k := 1; k <= 6; k++ {
		if t.Intn(fmt.Sprintf("step %d", k), 8) != 7 {
			return
		}
		t.Cover(fmt.Sprintf("depth %d", k))
	}
	t.Fail("deep", "reached depth 6")
}

func TestFeedbackFindsDeepBugPlainSearchMisses(t *testing.T) {
	const checks = 2000
	for _, tc := range []struct {
		feedback int
		found    bool
	}{
		{feedback: 0, found: false},
		{feedback: 2, found: true},
	} {
		t.Run(fmt.Sprintf("feedback=%d", tc.feedback), func(t *testing.T) {
			found := 0
			for seed := uint64(1); seed <= 5; seed++ {
				res := search.Run(search.Config{Checks: checks, Seed: seed, Feedback: tc.feedback}, deep)
				if res.Failed {
					found++
					t.Logf("seed %d: first failure at run %d", seed, res.FirstAt)
				}
			}
			if tc.found {
				require.Equal(t, 5, found)
			} else {
				require.Zero(t, found)
			}
		})
	}
}

// TestFeedbackIsDeterministic: same Config, same runs, same report.
func TestFeedbackIsDeterministic(t *testing.T) {
	cfg := search.Config{Checks: 2000, Seed: 3, Feedback: 2}
	a, b := search.Run(cfg, deep), search.Run(cfg, deep)
	require.Equal(t, a, b)
}
