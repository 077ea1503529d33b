package pbft_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"simulate/protocols/pbft"
	"simulate/sim"
	"simulate/sim/simtest"
)

// leftBehind is the scenario of the missed view change: the first
// primary n0 crashes at 3ms, the others vote it out and go on in view 1,
// and n0 restarts at 300ms, active in view 0 as it was.
func leftBehind(requests int) pbft.Scenario {
	s := pbft.Default()
	s.Traitors, s.Strategy, s.Requests = 0, "", requests
	s.Crashes = []pbft.CrashRestart{{Node: 0, At: 3 * sim.Millisecond, RestartAt: 300 * sim.Millisecond}}
	s.Limit = 5 * sim.Second
	return s
}

// TestRestartedReplicaRejoinsView: a replica that was down while the
// others changed views comes back, learns of the later view from f+1
// replicas' messages, asks for the new-view, installs it and takes part
// again: it ends in the others' view, commits requests itself, and
// executes every committed request within CatchUpBound. Before, n0 stayed
// in view 0 for good, adopting only the stable checkpoints it was shown:
// with 62 requests (the last stable checkpoint #60) it ended two behind.
func TestRestartedReplicaRejoinsView(t *testing.T) {
	for _, requests := range []int{60, 62} {
		t.Run(fmt.Sprintf("requests=%d", requests), func(t *testing.T) {
			s := leftBehind(requests)
			st, err := pbft.NewSetup(s, 1)
			require.NoError(t, err)
			w := sim.New(st.Config())
			st.ScheduleFaults(w)
			o := st.Outcome(w, w.Run())
			require.True(t, o.Agreement, o.Violation)
			require.Equal(t, requests, o.Completed)
			require.Empty(t, pbft.CheckCatchUp(s, o, pbft.CatchUpBound))
			n0 := o.PerReplica[0]
			for _, r := range o.PerReplica[1:] {
				require.Equal(t, r.View, n0.View, "n0 ends in the view of n%d", r.ID)
			}
			require.Equal(t, requests, n0.Executed)
			own := 0
			for _, d := range n0.Committed {
				if d != "" {
					own++
				}
			}
			require.Greater(t, own, 0, "n0 commits requests itself after it rejoined")
		})
	}
}

// TestCatchUpSearch is the search that finds a replica left behind: it
// draws traitors' places, loss before GST, jitter, a partition that cuts
// off up to f replicas for up to 200ms, and crash-restarts, and checks
// CheckCatchUp besides safety and client liveness. Five requests with
// checkpoints every four, so the last request is not covered by a stable
// checkpoint: a replica that only adopts checkpoints stays behind. Before
// replicas rejoined a view they had missed, the search found a primary cut
// off by the partition while the others voted it out.
func TestCatchUpSearch(t *testing.T) {
	base := safetyBase(1)
	base.Traitors, base.Strategy = 0, ""
	base.Requests, base.Checkpoint = 5, 4
	base.GST, base.Limit = 300*sim.Millisecond, 30*sim.Second
	base.StopOnViolation = false
	checks := 100
	res := simtest.Search(checks, 21, func(t *rapid.T) {
		c := simtest.Choices(t)
		r := runScenario(t, pbft.DrawCrashes(c, pbft.Draw(c, base), 2, 300*sim.Millisecond))
		r.requireSafe(t, nil)
		r.requireCaughtUp(t, nil)
	})
	require.False(t, res.Failed, res.Report)
}
