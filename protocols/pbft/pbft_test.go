package pbft_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/internal/goldenfile"
	"simulate/protocols/pbft"
	"simulate/sim"
)

func run(t *testing.T, s pbft.Scenario, seed uint64) pbft.Outcome {
	t.Helper()
	o, err := pbft.Run(s, seed, nil)
	require.NoError(t, err)
	return o
}

func honestScenario() pbft.Scenario {
	s := pbft.Default()
	s.Traitors, s.Strategy = 0, ""
	return s
}

// TestNormalCase: with no traitors and a calm network every request
// completes in view 0, all replicas commit the same sequence, and a
// request costs the textbook O(n²) messages.
func TestNormalCase(t *testing.T) {
	o := run(t, honestScenario(), 1)
	require.True(t, o.Agreement)
	require.True(t, o.Validity)
	require.Equal(t, 10, o.Completed)
	require.Zero(t, o.ViewChanges)
	for _, r := range o.PerReplica {
		require.Equal(t, 10, r.Executed)
		require.Equal(t, []string{"c4/1", "c4/2", "c4/3", "c4/4", "c4/5", "c4/6", "c4/7", "c4/8", "c4/9", "c4/10"}, r.Committed)
	}
	// request + 3 pre-prepares + 3·3 prepares + 4·3 commits + 4 replies,
	// plus a checkpoint broadcast (4·3) every 4 requests.
	require.Equal(t, 10*(1+3+9+12+4)+2*12, o.Messages)
	require.Equal(t, 5*sim.Millisecond, o.LatencyMean, "request, pre-prepare, prepare, commit, reply: five 1ms hops")
}

// TestSilentPrimaryViewChange: a silent primary stalls the first request
// until the client broadcasts it, the backups' timers expire, and the view
// changes to replica 1, after which everything completes.
func TestSilentPrimaryViewChange(t *testing.T) {
	s := pbft.Default()
	s.Strategy = pbft.Silent
	o := run(t, s, 1)
	require.True(t, o.Agreement)
	require.Equal(t, s.Requests, o.Completed)
	require.Equal(t, 1, o.ViewChanges)
	for _, r := range o.PerReplica[1:] {
		require.Equal(t, 1, r.View)
		require.Equal(t, s.Requests, r.Executed)
	}
	require.Greater(t, o.LatencyMax, 100*sim.Millisecond, "the first request waited for the view change")
}

// TestViewChangeTimersDouble: with the primaries of views 0 and 1 both
// silent, the honest replicas wait twice as long for the second new view
// as for the first.
func TestViewChangeTimersDouble(t *testing.T) {
	s := pbft.Default()
	s.Replicas, s.Traitors, s.Strategy, s.Requests = 7, 2, pbft.Silent, 3
	log := &sim.Log{}
	o, err := pbft.Run(s, 1, log)
	require.NoError(t, err)
	require.Equal(t, 3, o.Completed)
	require.Equal(t, 2, o.ViewChanges)
	waits := map[int]string{}
	for _, ob := range o.Sim.Observations {
		if ob.Kind == "view-change" && ob.Node == 2 {
			waits[ob.Slot] = ob.Value
		}
	}
	require.Equal(t, map[int]string{1: "100ms", 2: "200ms"}, waits)
}

// TestCheckpointsBoundTheLog: with a checkpoint every 4 requests the log
// never holds more than the window of 8 sequence numbers, however many
// requests go through; without checkpoints it grows with every request.
func TestCheckpointsBoundTheLog(t *testing.T) {
	s := honestScenario()
	s.Requests = 60
	o := run(t, s, 1)
	require.Equal(t, 60, o.Completed)
	for _, r := range o.PerReplica {
		require.LessOrEqual(t, r.MaxLog, 2*s.Checkpoint, "n%d", r.ID)
		require.GreaterOrEqual(t, r.Stable, 60-s.Checkpoint, "n%d: old entries were collected", r.ID)
	}
	s.Checkpoint = 1000
	o = run(t, s, 1)
	require.Equal(t, 60, o.Completed)
	require.Equal(t, 60, o.PerReplica[0].MaxLog, "no checkpoint: nothing is ever collected")
}

// TestEveryStrategyFails safely: each Byzantine strategy, as f = 1 or 2
// traitors including the first primary, on a jittery lossy network, never
// breaks agreement or validity and never stops requests completing.
func TestEveryStrategyIsSafeAndLive(t *testing.T) {
	for _, f := range []int{1, 2} {
		for _, strat := range pbft.Strategies {
			for seed := uint64(1); seed <= 3; seed++ {
				s := pbft.Default()
				s.Replicas, s.Traitors, s.Strategy = 3*f+1, f, strat
				s.Jitter, s.Loss, s.GST = 3*sim.Millisecond, 0.05, sim.Second
				o := run(t, s, seed)
				name := fmt.Sprintf("f=%d %s seed %d", f, strat, seed)
				require.True(t, o.Agreement, "%s: %s", name, o.Violation)
				require.True(t, o.Validity, "%s: %s", name, o.Violation)
				require.Equal(t, s.Requests, o.Completed, name)
			}
		}
	}
}

// TestTheBound: an equivocating primary among 3 replicas (n = 3f) splits
// the honest two on a perfectly calm network; among 4 it cannot.
func TestTheBound(t *testing.T) {
	s := pbft.Default()
	s.Replicas = 3
	o := run(t, s, 1)
	require.False(t, o.Agreement)
	require.Equal(t, "agreement: n1 committed c3/1 and n2 committed null at #1", o.Violation)
	s.Replicas = 4
	require.True(t, run(t, s, 1).Agreement)
}

func TestTeachingBugs(t *testing.T) {
	s := pbft.Default()
	s.Bug = pbft.BugSmallQuorum
	require.False(t, run(t, s, 1).Agreement, "quorums of f+1 let an equivocating primary split the backups")

	s = pbft.Default()
	s.Strategy, s.TraitorIDs = pbft.ForgeNewView, []int{1}
	require.True(t, run(t, s, 1).Agreement, "a forged new-view is rejected")
	s.Bug = pbft.BugUncheckedNewView
	o := run(t, s, 1)
	require.False(t, o.Agreement, "an unchecked new-view rewrites a committed request")
	require.Equal(t, "agreement: n0 committed c4/1 and n2 committed null at #1", o.Violation)
}

func TestSameSeedSameRun(t *testing.T) {
	s := pbft.Default()
	s.Jitter, s.Loss = 5*sim.Millisecond, 0.1
	a, b := run(t, s, 7), run(t, s, 7)
	require.Equal(t, a.Hash, b.Hash)
	require.NotEqual(t, a.Hash, run(t, s, 8).Hash)
}

// TestScheduleReplaysARun: recorded draws given as a schedule rerun the run.
func TestScheduleReplaysARun(t *testing.T) {
	s := pbft.Default()
	s.Jitter, s.Loss = 5*sim.Millisecond, 0.1
	st, err := pbft.NewSetup(s, 3)
	require.NoError(t, err)
	cfg := st.Config()
	rec := &sim.Recorder{Inner: cfg.Choices}
	cfg.Choices = rec
	res := sim.New(cfg).Run()
	vals := make([]int, len(rec.Log))
	for i, c := range rec.Log {
		vals[i] = c.Value
	}
	s.Schedule = pbft.FormatSchedule(vals)
	require.Equal(t, res.HashString(), run(t, s, 99).Hash)
}

func TestValidate(t *testing.T) {
	bad := []func(*pbft.Scenario){
		func(s *pbft.Scenario) { s.Replicas = 0 },
		func(s *pbft.Scenario) { s.Traitors = 5 },
		func(s *pbft.Scenario) { s.Strategy = "lie" },
		func(s *pbft.Scenario) { s.Strategy = "silent,silent" },
		func(s *pbft.Scenario) { s.Loss = 1 },
		func(s *pbft.Scenario) { s.Bug = "nope" },
		func(s *pbft.Scenario) { s.TraitorIDs = []int{4} },
		func(s *pbft.Scenario) { s.Schedule = "x" },
		func(s *pbft.Scenario) { s.Checkpoint = 0 },
	}
	for i, b := range bad {
		s := pbft.Default()
		b(&s)
		_, err := pbft.Run(s, 1, nil)
		require.Error(t, err, "case %d", i)
		require.NotContains(t, err.Error(), "\n")
	}
}

func TestByzantine(t *testing.T) {
	for _, strat := range pbft.Strategies {
		o, err := pbft.Byzantine(2, strat, 1)
		require.NoError(t, err)
		require.Equal(t, 7, o.Replicas)
		require.True(t, o.Agreement && o.Validity, strat)
		require.Equal(t, o.Requests, o.Completed, strat)
	}
	_, err := pbft.Byzantine(1, "nope", 1)
	require.Error(t, err)
}

// TestPinnedTraceHash pins the trace hash of the default scenario: any
// change to the protocol, its messages or the kernel that changes the run
// shows up here. Rewrite with UPDATE_GOLDEN=1 when the change is meant.
func TestPinnedTraceHash(t *testing.T) {
	o := run(t, pbft.Default(), 1)
	got := fmt.Sprintf("pbft default scenario, seed 1: %s\n", o.Hash)
	goldenfile.Check(t, "default-seed1.hash", got)
}

func ExampleRun() {
	s := pbft.Default() // 4 replicas; replica 0, the first primary, equivocates
	o, _ := pbft.Run(s, 1, nil)
	fmt.Println("agreement:", o.Agreement)
	fmt.Printf("completed %d of %d after %d view change\n", o.Completed, o.Requests, o.ViewChanges)
	fmt.Println("n1 committed:", strings.Join(o.PerReplica[1].Committed[:4], " "), "...")
	// Output:
	// agreement: true
	// completed 10 of 10 after 1 view change
	// n1 committed: null c4/1 c4/2 c4/3 ...
}

// TestPartitionHealsAndRequestsComplete: a backup cut off for a while
// drops what crosses the cut, and once it heals every request completes;
// the partition's text form reads back.
func TestPartitionHealsAndRequestsComplete(t *testing.T) {
	p, err := pbft.ParsePartition("1,2@50ms..400ms")
	require.NoError(t, err)
	require.Equal(t, "1,2@50ms..400ms", p.String())
	for _, bad := range []string{"", "1", "x@1ms..2ms", "1@5ms..2ms", "1@a..b"} {
		_, err := pbft.ParsePartition(bad)
		require.Error(t, err, bad)
	}
	s := pbft.Default()
	s.Traitors, s.Strategy = 0, ""
	s.Partition = &pbft.Partition{Isolated: []int{3}, From: 0, To: 300 * sim.Millisecond}
	var dropped int
	log := &sim.Log{}
	o, err := pbft.Run(s, 1, log)
	require.NoError(t, err)
	for _, e := range log.Events {
		if e.Kind == sim.TraceDrop && e.Detail == "partition" {
			dropped++
		}
	}
	require.Positive(t, dropped, "messages across the cut are dropped")
	require.Equal(t, o.Requests, o.Completed)
	require.True(t, o.Agreement)
}

// TestMessageComplexityIsQuadratic: on a calm network with no checkpoints
// in the way, every request costs exactly the normal case's messages —
// request 1, pre-prepare n-1, prepare (n-1)(n-1), commit n(n-1), replies n
// — which grows as O(n²): 29, 92, 191 and 326 for n = 4, 7, 10, 13.
func TestMessageComplexityIsQuadratic(t *testing.T) {
	want := map[int]int{4: 29, 7: 92, 10: 191, 13: 326}
	for _, n := range []int{4, 7, 10, 13} {
		s := pbft.Default()
		s.Replicas, s.Traitors, s.Strategy = n, 0, ""
		s.Requests, s.Checkpoint = 10, 10000
		o, err := pbft.Run(s, 1, nil)
		require.NoError(t, err)
		require.Equal(t, s.Requests, o.Completed)
		perRequest := 1 + (n - 1) + (n-1)*(n-1) + n*(n-1) + n
		require.Equal(t, want[n], perRequest)
		require.Equal(t, s.Requests*perRequest, o.Messages, "n=%d", n)
	}
}
