package nines

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/check"
	"simulate/experiments/experiment/experimenttest"
	"simulate/protocols/paxos"
	"simulate/sim"
)

func TestTableExactRows(t *testing.T) {
	rows := Table()
	require.Len(t, rows, 4)
	want := []struct {
		a       float64
		nines   int
		minutes float64
	}{{0.999, 3, 525.6}, {0.9999, 4, 52.56}, {0.99999, 5, 5.256}, {0.999999, 6, 0.5256}}
	for i, w := range want {
		require.Equal(t, w.a, rows[i].Availability)
		require.Equal(t, w.nines, rows[i].Nines)
		require.Equal(t, w.minutes, rows[i].DowntimeMinutes, "row %d", i)
	}
	require.Equal(t, 500.0, rows[0].NotesMinutes, "the notes' rounded figure is kept beside the exact one")
}

func TestQuorumAvailability(t *testing.T) {
	require.InDelta(t, 0.9, QuorumAvailability(1, 1, 0.9), 1e-12)
	// 2 of 3: p^3 + 3p^2(1-p)
	require.InDelta(t, 0.729+3*0.81*0.1, QuorumAvailability(3, 2, 0.9), 1e-12)
	require.InDelta(t, 1.0, QuorumAvailability(5, 0, 0.3), 1e-12)
}

// mild is a failure regime with many failures in a short run: each node is
// down 2% of the time (MTBF 100h, MTTR 2h), so a 120-day run sees about 30
// crashes per node and quorum outages are rare but present.
// shortened halves a test's simulated horizon under -short: the failures
// still happen (about 7 per node in 30 days at mild's MTBF), in half the
// CPU.
func shortened(h sim.Time) sim.Time {
	if testing.Short() {
		return h / 2
	}
	return h
}

func mild() Params {
	return Params{MTBF: 100 * sim.Hour, MTTR: 2 * sim.Hour, Interval: sim.Hour, Deadline: 100 * sim.Millisecond,
		Horizon: 120 * 24 * sim.Hour, Scale: 3600}
}

// TestRealProtocolsNearAnalytic runs every system, real protocols and all,
// and checks three things per system:
//
//   - the failure process is the model's: the fraction of requests issued
//     while a quorum was up is within 4 standard errors (+0.003) of the
//     analytic k-of-n availability;
//   - the measured availability is within a stated tolerance of the
//     analytic one: above it by at most 4 s.e. + 0.003 (a request issued
//     during a quorum outage is answered only if a replica returns within
//     the 100 ms deadline), and below it by at most 4 s.e. + the protocol's
//     failover allowance. Multi-Paxos: 0.002 (about 6 requests a run) —
//     heartbeats elect a new leader within 60–120 ms, before the client's
//     80 ms retry reaches it, so only duels and unlucky retries cost a
//     request. PBFT: 2.5·Interval/MTBF — a dead primary is noticed only
//     when a request times out (80 ms client timeout + 60 ms view change,
//     longer than the deadline), so each primary crash costs about the
//     next request, Interval/MTBF of them per run; a replica that restarts
//     empty can cost one more while the quorum is tight;
//   - PBFT's failover cost is really there: at least Interval/(2·MTBF).
//
// Failures and failovers must actually happen, and Multi-Paxos, whose
// replicas keep their promises on disk, must never fork.
func TestRealProtocolsNearAnalytic(t *testing.T) {
	p := mild()
	require.NoError(t, p.Validate())
	runs := 4
	if testing.Short() {
		runs, p.Horizon = 2, p.Horizon/2
	}
	perCrash := float64(p.Interval) / float64(p.MTBF)
	for _, s := range Systems {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			var got, up []float64
			failures, failovers := 0, 0
			for seed := uint64(1); seed <= uint64(runs); seed++ {
				o := Run(s, p, seed, nil)
				require.Equal(t, p.Requests(), o.Requests)
				got = append(got, float64(o.Answered)/float64(o.Requests))
				up = append(up, float64(o.QuorumUp)/float64(o.Requests))
				failures += o.Failures
				failovers += o.Failovers
				if s.Protocol != ProtocolPBFT {
					require.Zero(t, o.Forks, "seed %d: a %s log forked", seed, s.Protocol)
				}
			}
			// About Nodes·Horizon/MTBF crashes a run (28.8 per node): demand half.
			require.Greater(t, failures, runs*s.Nodes*int(p.Horizon/p.MTBF)/2, "failures must happen for the test to mean anything")
			if s.Protocol != ProtocolSingle {
				require.Greater(t, failovers, runs*int(p.Horizon/p.MTBF)/2, "leaders and primaries crash, so elections or view changes must happen")
			}
			want := QuorumAvailability(s.Nodes, s.Quorum, p.NodeUp())
			um, use := check.MeanSE(up)
			require.InDelta(t, want, um, 4*use+0.003, "quorum up %.4f ± %.4f, analytic %.4f", um, use, want)

			mean, se := check.MeanSE(got)
			allow := 0.0
			switch s.Protocol {
			case ProtocolPaxos, ProtocolRaft:
				allow = 0.002
			case ProtocolPBFT:
				allow = 2.5 * perCrash
				require.Greater(t, um-mean, perCrash/2, "PBFT's first request after a primary crash misses the deadline")
			}
			msg := fmt.Sprintf("%s: measured %.4f ± %.4f, quorum up %.4f, analytic %.4f", s.Name, mean, se, um, want)
			require.LessOrEqual(t, mean, want+4*se+4*use+0.003, msg)
			require.GreaterOrEqual(t, mean, want-4*se-4*use-allow, msg)
		})
	}
}

// TestDeadlineDecidesWhetherFailoverShows: on the very same failures, a
// deadline shorter than the client's retry (50 ms) makes every system lose
// requests beyond the quorum outages — the first request after a leader or
// primary crash goes to the dead node — while a deadline past PBFT's client
// timeout plus view change (250 ms) hides most of it: all of it for
// Multi-Paxos and PBFT with 7, all but a few requests for PBFT with 4,
// where a replica that restarted empty and does not yet know the view
// stalls a quorum of 3 until the next view change (in the two runs: 23,
// 22, 109 and 80 requests lost at 50 ms; 0, 0, 13 and 0 at 250 ms). The
// measurement sees failover, and what it sees depends on the deadline as
// the notes say.
func TestDeadlineDecidesWhetherFailoverShows(t *testing.T) {
	p := mild()
	p.Horizon = shortened(60 * 24 * sim.Hour)
	for _, s := range Systems[1:] {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			lost := map[sim.Time]int{}
			for _, d := range []sim.Time{50 * sim.Millisecond, 250 * sim.Millisecond} {
				q := p
				q.Deadline = d
				for seed := uint64(1); seed <= 2; seed++ {
					o := Run(s, q, seed, nil)
					lost[d] += o.QuorumUp - o.Answered
				}
			}
			short, long := lost[50*sim.Millisecond], lost[250*sim.Millisecond]
			crashes := 2 * int(p.Horizon/p.MTBF) // of the leader or primary, expected, in two runs
			require.Greater(t, short, crashes/4, "a 50 ms deadline must expose failovers")
			require.Less(t, long, short/4, "a 250 ms deadline must hide most of them")
		})
	}
}

// obsTracer keeps the observations of one node.
type obsTracer struct {
	node sim.NodeID
	obs  []sim.TraceEvent
}

func (o *obsTracer) Record(e sim.TraceEvent) {
	if e.Kind == sim.TraceObserve && e.From == o.node {
		o.obs = append(o.obs, e)
	}
}

// TestPacerIssuesOnTicks: the protocol's own client would send its next
// request the moment the last one returned; paced, it invokes each request
// exactly on a tick, never more than one per tick, and every answered
// request was invoked.
func TestPacerIssuesOnTicks(t *testing.T) {
	p := mild()
	p.Horizon = 20 * 24 * sim.Hour
	sp := p.Simulated()
	tr := &obsTracer{node: 3}
	o := Run(Systems[1], p, 3, tr)
	invoked := 0
	for _, e := range tr.obs {
		if len(e.Detail) >= len(paxos.ObsInvoke) && e.Detail[:len(paxos.ObsInvoke)] == paxos.ObsInvoke {
			invoked++
			require.Zero(t, e.Time%sp.Interval, "invoked off a tick at %v", e.Time)
		}
	}
	require.Equal(t, p.Requests(), o.Requests)
	require.LessOrEqual(t, invoked, o.Requests)
	require.GreaterOrEqual(t, invoked, o.Answered)
	require.Greater(t, o.Answered, o.Requests*9/10)
}

func TestRunDeterministic(t *testing.T) {
	p := mild()
	p.Horizon = 10 * 24 * sim.Hour
	if testing.Short() {
		p.Horizon = 3 * 24 * sim.Hour
	}
	for _, s := range Systems {
		a, b, c := &sim.Log{}, &sim.Log{}, &sim.Log{}
		oa, ob := Run(s, p, 7, a), Run(s, p, 7, b)
		Run(s, p, 8, c)
		require.Equal(t, oa, ob, s.Name)
		require.Equal(t, a.Text(), b.Text(), s.Name)
		require.NotEqual(t, a.Text(), c.Text(), "%s: another seed, other failures", s.Name)
	}
}

// TestSameFailuresAcrossSystems: the failure draws are the only
// environment draws, so systems with as many nodes see the same failures
// for a seed whatever their protocol — what makes the failover column a
// paired comparison.
func TestSameFailuresAcrossSystems(t *testing.T) {
	p := mild()
	p.Horizon = 30 * 24 * sim.Hour
	for seed := uint64(1); seed <= 3; seed++ {
		single := Run(System{Name: "3 servers", Protocol: ProtocolSingle, Nodes: 3, Quorum: 2}, p, seed, nil)
		pax := Run(Systems[1], p, seed, nil)
		require.Equal(t, single.Failures, pax.Failures)
		require.Equal(t, single.QuorumUp, pax.QuorumUp)
	}
}

func TestQuorumUpCountsTicks(t *testing.T) {
	p := Params{Interval: 10, Horizon: 100}
	down := [][]span{{{15, 35}}, {{30, 41}}, nil}
	// Ticks 10, 20, ..., 100; at 30 both are down, at 20 and 40 one.
	require.Equal(t, 9, quorumUp(down, 2, p))
	require.Equal(t, 10, quorumUp(down, 1, p))
	require.Equal(t, 7, quorumUp(down, 3, p)) // 20, 30, 40 have someone down
}

func TestValidate(t *testing.T) {
	experimenttest.RequireInvalid(t, DefaultParams,
		func(q *Params) { q.MTTR = 0 },
		func(q *Params) { q.Scale = 0 },
		func(q *Params) { q.Deadline = q.Interval / sim.Time(q.Scale) },
		func(q *Params) { q.Scale = 1 }, // a real year of heartbeats
		func(q *Params) { q.Interval = sim.Second },
		func(q *Params) { q.Horizon = q.Interval / 2 },
	)
	p := DefaultParams()
	require.True(t, math.IsInf(Nines(1), 1))
	sp := p.Simulated()
	require.Equal(t, sim.Second, sp.MTTR)
	require.Equal(t, p.Deadline, sp.Deadline, "the deadline is protocol time")
	require.InDelta(t, p.NodeUp(), sp.NodeUp(), 1e-12, "scaling keeps MTBF/MTTR")
}

func ExampleQuorumAvailability() {
	up := DefaultParams().NodeUp() // MTBF 30 days, MTTR 1 hour
	for _, n := range []int{1, 3, 5} {
		fmt.Printf("majority of %d: %.2f nines\n", n, Nines(QuorumAvailability(n, n/2+1, up)))
	}
	// Output:
	// majority of 1: 2.86 nines
	// majority of 3: 5.24 nines
	// majority of 5: 7.57 nines
}

// TestPBFTGapIsFailover: PBFT's gap to the analytic model is failover and
// nothing else. On the very same failures, with the 100 ms deadline PBFT
// loses requests issued while a quorum was up (the first after a primary
// crash waits for the client's 80 ms and a 60 ms view change); within the
// fair deadline (500 ms), which outlasts a failover, it loses none. Before
// a restarted replica rejoined the view it had missed, PBFT with 4 lost
// some even so: such a replica, silent in its old view, left the other
// three no spare, and the next crash of any of them stalled the quorum
// until a view change.
func TestPBFTGapIsFailover(t *testing.T) {
	p := mild()
	p.Horizon = shortened(60 * 24 * sim.Hour)
	p.FairDeadline = DefaultFairDeadline
	for _, s := range Systems {
		if s.Protocol != ProtocolPBFT {
			continue
		}
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			short, fair := 0, 0
			for seed := uint64(1); seed <= 2; seed++ {
				o := Run(s, p, seed, nil)
				short += o.QuorumUp - o.Answered
				fair += o.QuorumUp - o.AnsweredFair
			}
			t.Logf("requests lost with a quorum up: %d within %v, %d within %v", short, p.Deadline, fair, p.FairDeadline)
			require.Greater(t, short, 0, "the 100 ms deadline must expose failovers")
			require.LessOrEqual(t, fair, 0, "within the fair deadline, only quorum outages may lose requests")
		})
	}
}

// TestRaftBesideMultiPaxos: the Raft rows are the paired comparison the
// table claims — for each size, Raft sees exactly the crashes and quorum
// outages Multi-Paxos sees on the same seed — and within the fair
// deadline Raft loses no request while a quorum is up, and never forks.
func TestRaftBesideMultiPaxos(t *testing.T) {
	p := mild()
	p.Horizon = shortened(60 * 24 * sim.Hour)
	p.FairDeadline = DefaultFairDeadline
	for _, n := range []int{3, 5} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			t.Parallel()
			var pax, rft System
			for _, s := range Systems {
				if s.Nodes == n && s.Protocol == ProtocolPaxos {
					pax = s
				}
				if s.Nodes == n && s.Protocol == ProtocolRaft {
					rft = s
				}
			}
			require.Equal(t, n, rft.Nodes, "the table must have a Raft row with %d replicas", n)
			require.Equal(t, pax.Quorum, rft.Quorum, "Raft commits with a majority, as Multi-Paxos does")
			failovers := 0
			for seed := uint64(1); seed <= 2; seed++ {
				a, b := Run(pax, p, seed, nil), Run(rft, p, seed, nil)
				require.Equal(t, a.Failures, b.Failures, "seed %d", seed)
				require.Equal(t, a.QuorumUp, b.QuorumUp, "seed %d", seed)
				require.Zero(t, b.Forks, "seed %d", seed)
				require.LessOrEqual(t, b.QuorumUp-b.AnsweredFair, 0, "seed %d: Raft lost requests within %v with a quorum up", seed, p.FairDeadline)
				failovers += b.Failovers
			}
			require.Positive(t, failovers, "leaders crash, so Raft must elect new ones")
		})
	}
}
