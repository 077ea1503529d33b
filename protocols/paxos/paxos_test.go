package paxos_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/faults"
	"simulate/internal/goldenfile"
	"simulate/protocols/paxos"
	"simulate/sim"
)

// calm is s on the boring network: every environment draw 0.
func calm(s paxos.Scenario) paxos.Scenario {
	s.Scripted, s.Schedule = true, nil
	return s
}

func TestCalmNetworkDecidesInTwoRoundTrips(t *testing.T) {
	s := calm(paxos.Default())
	s.Proposers = 1
	o := paxos.Run(s, 1, nil)
	require.Empty(t, paxos.Check(o))
	require.Equal(t, 5, o.Decided())
	for _, d := range o.Decisions {
		require.Equal(t, "v0", d.Value)
		// Prepare, Promise, Accept, Accepted: four one-way delays of 1ms,
		// except the proposer's own acceptor answers at once.
		require.LessOrEqual(t, d.Time, 4*sim.Millisecond)
	}
	require.Equal(t, sim.StopQuiescent, o.Result.Reason, "nothing is left to do once every node decided")
	require.Equal(t, 0, o.Retries())
}

func TestDuelOfProposersIsSettled(t *testing.T) {
	// Two proposers start together on the calm network: the higher ballot
	// wins the first round, and everyone agrees on its value.
	s := calm(paxos.Default())
	o := paxos.Run(s, 1, nil)
	require.Empty(t, paxos.Check(o))
	require.Equal(t, 5, o.Decided())
	require.True(t, o.Competing())
	require.Equal(t, "v1", o.Decisions[0].Value)
}

func TestSeededSwarmRunsAreSafeAndTerminate(t *testing.T) {
	runs := 300
	if testing.Short() {
		runs = 60
	}
	var restarts, competing, drops, dups, term int
	var worst sim.Time
	for seed := uint64(1); seed <= uint64(runs); seed++ {
		for _, np := range [][2]int{{3, 2}, {5, 3}} {
			s := paxos.SwarmScenario(np[0], np[1], "")
			o := paxos.Run(s, seed, nil)
			require.Empty(t, paxos.Check(o), "seed %d, %d nodes: %+v", seed, np[0], o.Scenario)
			if o.Result.Restarts > 0 {
				restarts++
			}
			if o.Competing() {
				competing++
			}
			if o.Result.Dropped > 0 {
				drops++
			}
			if o.Result.Duplicated > 0 {
				dups++
			}
			if o.TerminationApplies() {
				term++
			}
			for _, d := range o.Decisions {
				worst = max(worst, d.Time)
			}
		}
	}
	total := 2 * runs
	// Sometimes assertions: a pass means nothing unless these happened.
	require.Greater(t, restarts, total/5)
	require.Greater(t, competing, total/2)
	require.Greater(t, drops, total/2)
	require.Greater(t, dups, total/5)
	require.Greater(t, term, total*3/4)
	require.Less(t, worst, 200*sim.Millisecond+paxos.TerminationBound)
	t.Logf("%d runs: %d crash-restart, %d competing, %d lossy, %d duplicating, %d held to termination; latest decision %s",
		total, restarts, competing, drops, dups, term, worst)
}

func TestTerminationAfterGSTUnderHeavyLoss(t *testing.T) {
	// 90% of messages are lost for the first second, three proposers duel,
	// one node crashes for good and another restarts: once the network
	// stabilises, randomized backoff lets one proposer through and every
	// live node decides — in well under the 2s bound (at most 158ms after
	// GST over 500 seeds).
	var worst sim.Time
	for seed := uint64(1); seed <= 100; seed++ {
		s := paxos.Scenario{
			Nodes: 5, Proposers: 3, Latency: sim.Millisecond, Jitter: 4 * sim.Millisecond,
			Loss: 0.9, Dup: 0.1, GST: sim.Second, Limit: sim.Second + paxos.TerminationBound,
			Crashes: []paxos.Crash{{Node: 4, At: 2 * sim.Millisecond}, {Node: 0, At: 3 * sim.Millisecond, Restart: 500 * sim.Millisecond}},
		}
		o := paxos.Run(s, seed, nil)
		require.True(t, o.TerminationApplies())
		require.Empty(t, paxos.Check(o), "seed %d", seed)
		require.Equal(t, 4, o.Decided(), "seed %d", seed)
		for _, d := range o.Decisions {
			worst = max(worst, d.Time-s.GST)
		}
	}
	require.Less(t, worst, 400*sim.Millisecond)
	t.Logf("every live node decided by GST + %s", worst)
}

func TestAcceptorPromiseSurvivesRestart(t *testing.T) {
	for _, bug := range []paxos.Bug{"", paxos.VolatileAcceptor} {
		// n2 promises and accepts by 3ms, is down 5ms..6ms and is idle after.
		s := calm(paxos.Scenario{Nodes: 3, Proposers: 1, Latency: sim.Millisecond, Limit: sim.Second, Bug: bug,
			Crashes: []paxos.Crash{{Node: 2, At: 5 * sim.Millisecond, Restart: 6 * sim.Millisecond}}})
		in := s.Instance(1, nil, nil)
		w := sim.New(in.Config)
		in.Setup(w)
		w.Run()
		promised, accepted, v := w.Node(2).(*paxos.Node).Promised()
		if bug == "" {
			require.Equal(t, paxos.Ballot{Round: 1, Node: 0}, promised)
			require.Equal(t, paxos.Ballot{Round: 1, Node: 0}, accepted)
			require.Equal(t, "v0", v)
		} else {
			require.True(t, promised.IsZero(), "the volatile acceptor forgot its promise")
			require.True(t, accepted.IsZero())
		}
	}
}

func TestSameSeedSameRun(t *testing.T) {
	for _, s := range []paxos.Scenario{paxos.Default(), paxos.SwarmScenario(5, 3, ""), multiScenario()} {
		for seed := uint64(1); seed <= 10; seed++ {
			a, b := paxos.Run(s, seed, nil), paxos.Run(s, seed, nil)
			require.Equal(t, a.Result.Hash, b.Result.Hash)
			require.Equal(t, a.Result.Counters, b.Result.Counters)
		}
		require.NotEqual(t, paxos.Run(s, 1, nil).Result.Hash, paxos.Run(s, 2, nil).Result.Hash)
	}
}

// TestGoldenHash pins the trace hash of two scenarios. If it changes, the
// protocol's behaviour (or the kernel's) changed and recorded traces and
// replay commands no longer reproduce: update deliberately with
// UPDATE_GOLDEN=1.
func TestGoldenHash(t *testing.T) {
	crashy := paxos.Default()
	crashy.Crashes = []paxos.Crash{{Node: 1, At: 2 * sim.Millisecond, Restart: 30 * sim.Millisecond}}
	crashy.Dup = 0.1
	var b strings.Builder
	for _, c := range []struct {
		name string
		s    paxos.Scenario
	}{{"default", paxos.Default()}, {"crash-restart", crashy}, {"multi", multiScenario()}} {
		o := paxos.Run(c.s, 42, nil)
		r := o.Result
		fmt.Fprintf(&b, "%s seed=42 %s events=%d sent=%d delivered=%d dropped=%d duplicated=%d end=%s\n",
			c.name, r.HashString(), r.Events, r.Sent, r.Delivered, r.Dropped, r.Duplicated, r.End)
	}
	goldenfile.Check(t, "hashes.golden", b.String())
}

func TestParseFlagsRoundTrip(t *testing.T) {
	c, err := paxos.ParseCrash("2@5ms..40ms")
	require.NoError(t, err)
	require.Equal(t, paxos.Crash{Node: 2, At: 5 * sim.Millisecond, Restart: 40 * sim.Millisecond}, c)
	require.Equal(t, "2@5ms..40ms", c.String())
	c, err = paxos.ParseCrash("0@1s")
	require.NoError(t, err)
	require.Equal(t, "0@1s", c.String())
	p, err := paxos.ParsePartition("0,1|2,3,4@10ms..200ms")
	require.NoError(t, err)
	require.Equal(t, "0,1|2,3,4@10ms..200ms", p.String())
	require.Equal(t, faults.Plan{
		faults.Partition(10*sim.Millisecond, []sim.NodeID{0, 1}, []sim.NodeID{2, 3, 4}),
		faults.Heal(200 * sim.Millisecond),
	}, p.Plan(), "a partition is a plan's partition and heal")
	for _, bad := range []string{"x", "2", "2@", "2@5ms..1ms", "-1@5ms", "a@1ms"} {
		_, err := paxos.ParseCrash(bad)
		require.Error(t, err, bad)
	}
	for _, bad := range []string{"0,1", "0,x|1@1ms"} {
		_, err := paxos.ParsePartition(bad)
		require.Error(t, err, bad)
	}
}

func TestValidateRejectsNonsense(t *testing.T) {
	bad := []func(*paxos.Scenario){
		func(s *paxos.Scenario) { s.Nodes = 0 },
		func(s *paxos.Scenario) { s.Proposers = 6 },
		func(s *paxos.Scenario) { s.Loss = 1 },
		func(s *paxos.Scenario) { s.Latency = 0 },
		func(s *paxos.Scenario) { s.Limit = 0 },
		func(s *paxos.Scenario) { s.Bug = "typo" },
		func(s *paxos.Scenario) { s.Mode = "raft" },
		func(s *paxos.Scenario) { s.Crashes = []paxos.Crash{{Node: 5, At: 1}} },
		func(s *paxos.Scenario) { s.Jitter = sim.Hour },
		func(s *paxos.Scenario) {
			s.Partitions = []paxos.Partition{{Groups: [][]sim.NodeID{{0, 1}, {1, 2}}}}
		},
	}
	for i, f := range bad {
		s := paxos.Default()
		f(&s)
		require.Error(t, s.Validate(), "case %d", i)
	}
	require.NoError(t, paxos.Default().Validate())
}

func TestMessagesDigestApart(t *testing.T) {
	b := paxos.Ballot{Round: 1, Node: 0}
	msgs := []sim.Message{
		paxos.Prepare{B: b}, paxos.Promise{B: b}, paxos.Accept{B: b, V: "v0"}, paxos.Accepted{B: b, V: "v0"},
		paxos.Nack{B: b}, paxos.Query{}, paxos.Decided{V: "v0"}, paxos.Accept{B: b, V: "v1"},
		paxos.MPrepare{B: b}, paxos.MPromise{B: b}, paxos.MAccept{B: b}, paxos.MAccepted{B: b},
		paxos.MNack{B: b}, paxos.MCommit{}, paxos.Heartbeat{B: b}, paxos.CatchUp{}, paxos.Request{}, paxos.Reply{},
		paxos.MAccepts{B: b}, paxos.MAccepteds{B: b}, paxos.MCommits{},
	}
	seen := map[string]int{}
	for i, m := range msgs {
		d := string(m.AppendDigest(nil))
		j, dup := seen[d]
		require.False(t, dup, "%v and %v digest alike", msgs[j], m)
		seen[d] = i
		require.NotEmpty(t, sim.MessageText(m))
	}
}

func TestListOfBugs(t *testing.T) {
	var names []string
	for _, b := range paxos.Bugs {
		names = append(names, string(b.Name))
		got, err := paxos.ParseBug(string(b.Name))
		require.NoError(t, err)
		require.Equal(t, b.Name, got)
	}
	require.Equal(t, []string{"no-adopt", "volatile-acceptor", "small-quorum", "eager-learner"}, names)
	_, err := paxos.ParseBug("off-by-one")
	require.Error(t, err)
	require.Equal(t, 3, paxos.Quorum(5, ""))
	require.Equal(t, 2, paxos.Quorum(5, paxos.SmallQuorum))
}

// Example runs two proposers on a calm network of five nodes: the higher
// ballot wins the duel and every node learns its value.
func Example() {
	s := paxos.Default()
	s.Loss, s.Jitter = 0, 0
	o := paxos.Run(s, 1, nil)
	for _, d := range o.Decisions {
		fmt.Printf("n%d decided %s at %s\n", d.Node, d.Value, d.Time)
	}
	fmt.Println("violations:", len(paxos.Check(o)))
	// Output:
	// n0 decided v1 at 4ms
	// n1 decided v1 at 4ms
	// n2 decided v1 at 4ms
	// n3 decided v1 at 4ms
	// n4 decided v1 at 4ms
	// violations: 0
}

// FuzzParsers: the flag parsers never panic, and what they accept prints
// back to an equivalent flag.
func FuzzParsers(f *testing.F) {
	for _, s := range []string{"2@5ms..40ms", "0@1s", "0,1|2,3,4@10ms..200ms", "3=1,17=950", "", "1@", "|@", "9=9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if c, err := paxos.ParseCrash(s); err == nil {
			again, err := paxos.ParseCrash(c.String())
			require.NoError(t, err)
			require.Equal(t, c, again)
		}
		if p, err := paxos.ParsePartition(s); err == nil {
			again, err := paxos.ParsePartition(p.String())
			require.NoError(t, err)
			require.Equal(t, p, again)
		}
	})
}
