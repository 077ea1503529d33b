package paxos_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/check"
	"simulate/protocols/paxos"
	"simulate/sim"
)

func multiScenario() paxos.Scenario {
	return paxos.Scenario{
		Mode: paxos.ModeMulti, Nodes: 3, Proposers: 1, Clients: 3, Ops: 8,
		Latency: sim.Millisecond, Jitter: 2 * sim.Millisecond, Loss: 0.05,
		GST: 300 * sim.Millisecond, Limit: 5 * sim.Second,
	}
}

// linearizable checks a client history with the same porcupine model the
// scenario's own property uses (check.KVLinearizability), so the tests and
// the property can never disagree on what linearizable means.
func linearizable(h []paxos.Op) bool { return check.KVLinearizability(h) == "" }

// logsAgree checks that the live replicas hold the same applied log.
func logsAgree(t *testing.T, s paxos.Scenario, seed uint64) ([]paxos.Cmd, paxos.Outcome) {
	in := s.Instance(seed, nil, nil)
	w := sim.New(in.Config)
	in.Setup(w)
	o := in.Outcome(w.Run())
	var ref []paxos.Cmd
	for i := 0; i < s.Nodes; i++ {
		if w.Crashed(sim.NodeID(i)) {
			continue
		}
		l := w.Node(sim.NodeID(i)).(*paxos.Replica).Log()
		if ref == nil {
			ref = l
		}
		require.Equal(t, ref, l, "seed %d: replica n%d's log differs", seed, i)
	}
	return ref, o
}

func TestMultiPaxosCalm(t *testing.T) {
	s := multiScenario()
	s.Loss, s.Jitter = 0, 0
	log, o := logsAgree(t, s, 1)
	require.Empty(t, paxos.Check(o))
	require.Len(t, o.History, 24)
	for _, op := range o.History {
		require.True(t, op.Done)
	}
	require.GreaterOrEqual(t, len(log), 24)
	require.True(t, linearizable(o.History))
	require.Equal(t, sim.StopPredicate, o.Result.Reason, "the run ends once clients are done and replicas caught up")
	require.Equal(t, 1, o.Ballots, "a stable leader: one election")
}

// TestMultiPaxosUnderFaults: loss, duplication, reordering, the leader
// crashing and restarting, a follower down long enough to fall behind.
// Every run must keep the logs identical, complete every operation once
// the network is stable, and give clients a linearizable store.
// faultyScenario is the Multi-Paxos scenario under loss, duplication,
// jitter and two crash-restarts, the second at a time seed picks.
func faultyScenario(seed uint64) paxos.Scenario {
	s := multiScenario()
	s.Loss, s.Dup, s.Jitter = 0.15, 0.05, 4*sim.Millisecond
	s.Crashes = []paxos.Crash{
		{Node: 0, At: 10 * sim.Millisecond, Restart: 150 * sim.Millisecond},
		{Node: 2, At: sim.Time(seed) * 5 * sim.Millisecond, Restart: 250 * sim.Millisecond},
	}
	return s
}

// requireSafe runs s with seed and requires what every run must show: the
// replicas' logs agree, no property broke, the clients' history is
// linearizable and the log holds every command.
func requireSafe(t *testing.T, s paxos.Scenario, seed uint64) paxos.Outcome {
	t.Helper()
	log, o := logsAgree(t, s, seed)
	require.Empty(t, paxos.Check(o), "seed %d", seed)
	require.True(t, linearizable(o.History), "seed %d: history not linearizable", seed)
	require.GreaterOrEqual(t, len(log), s.Clients*s.Ops)
	return o
}

func TestMultiPaxosUnderFaults(t *testing.T) {
	runs := 40
	if testing.Short() {
		runs = 10
	}
	changes, behind := 0, 0
	for seed := uint64(1); seed <= uint64(runs); seed++ {
		s := faultyScenario(seed)
		o := requireSafe(t, s, seed)
		if len(o.BallotNodes) > 1 {
			changes++
		}
		for _, d := range o.Decisions {
			if d.Node == 2 && d.Time > 250*sim.Millisecond && d.Slot < 5 {
				behind++ // n2 learned early slots late: it caught up
				break
			}
		}
	}
	require.Equal(t, runs, changes, "the leader's crash always forces an election")
	require.Greater(t, behind, runs/2, "the follower that was down catches up")
}

func TestMultiPaxosFailoverForGood(t *testing.T) {
	s := multiScenario()
	s.Nodes = 5
	s.Crashes = []paxos.Crash{{Node: 0, At: 20 * sim.Millisecond}, {Node: 1, At: 60 * sim.Millisecond}}
	_, o := logsAgree(t, s, 3)
	require.Empty(t, paxos.Check(o))
	require.True(t, linearizable(o.History))
	require.Greater(t, o.BallotNodes[len(o.BallotNodes)-1], sim.NodeID(1), "a survivor took over: %v", o.BallotNodes)
}

// TestMultiPaxosBugsBreakTheLog: the teaching bugs break Multi-Paxos too —
// two replicas commit different commands for the same slot — under loss,
// reordering and two crash-restarts that the correct protocol survives.
// The volatile acceptor is the rarest: it needs a new leader whose quorum
// holds only replicas that forgot, which a few hundred seeds produce.
func TestMultiPaxosBugsBreakTheLog(t *testing.T) {
	scenario := func(seed uint64, b paxos.Bug) paxos.Scenario {
		s := multiScenario()
		s.Proposers, s.Bug = 2, b
		s.Loss, s.Jitter = 0.3, 4*sim.Millisecond
		a, c := sim.NodeID(seed%3), sim.NodeID((seed/3)%3)
		if a == c {
			c = (a + 1) % 3
		}
		s.Crashes = []paxos.Crash{
			{Node: a, At: sim.Time(seed%13+1) * 5 * sim.Millisecond, Restart: sim.Time(seed%13+2) * 5 * sim.Millisecond},
			{Node: c, At: sim.Time(seed%11+3) * 5 * sim.Millisecond, Restart: sim.Time(seed%11+4) * 5 * sim.Millisecond},
		}
		return s
	}
	for _, b := range []paxos.Bug{"", paxos.NoAdopt, paxos.VolatileAcceptor, paxos.SmallQuorum, paxos.EagerLearner} {
		first := uint64(0)
		limit := uint64(1500)
		if b == "" {
			limit = 150 // the correct protocol: no seed may break it
		}
		for seed := uint64(1); seed <= limit && first == 0; seed++ {
			o := paxos.Run(scenario(seed, b), seed, nil)
			for _, v := range paxos.Check(o) {
				require.NotEmpty(t, b, "seed %d: the correct protocol broke: %s", seed, v)
				if v.Property == "agreement" {
					first = seed
				}
			}
		}
		if b != "" {
			require.NotZero(t, first, "%s never broke the log", b)
			t.Logf("%s breaks the log at seed %d", b, first)
		}
	}
}

// TestMultiPaxosBatchedUnderFaults is TestMultiPaxosUnderFaults with the
// leader batching requests (Scenario.Batch) and more clients, so that
// batches of several commands are lost, duplicated, reordered and
// resent: the logs must agree, every operation complete once the network
// is stable, and the store stay linearizable. A batching leader with no
// faults sends fewer accepts than commands.
func TestMultiPaxosBatchedUnderFaults(t *testing.T) {
	runs := 40
	if testing.Short() {
		runs = 10
	}
	for seed := uint64(1); seed <= uint64(runs); seed++ {
		s := faultyScenario(seed)
		s.Batch, s.Clients, s.Nodes = true, 8, 3+2*int(seed%2)
		o := requireSafe(t, s, seed)
		for _, op := range o.History {
			require.True(t, op.Done, "seed %d: %+v", seed, op)
		}
	}
	s := multiScenario()
	s.Batch, s.Clients, s.Loss, s.Jitter = true, 16, 0, 0
	m := counter{}
	in := s.Instance(1, nil, m)
	w := sim.New(in.Config)
	in.Setup(w)
	o := in.Outcome(w.Run())
	require.Empty(t, paxos.Check(o))
	require.Positive(t, m["MAccepts"])
	require.Less(t, m["MAccepts"]+m["MAccept"], s.Clients*s.Ops, "batching: %v", m)
}

// TestMultiPaxosBatchedBugsBreakTheLog: with batching, the teaching bugs
// that need no election race still break the log.
func TestMultiPaxosBatchedBugsBreakTheLog(t *testing.T) {
	for _, b := range []paxos.Bug{paxos.SmallQuorum, paxos.EagerLearner} {
		first := uint64(0)
		for seed := uint64(1); seed <= 1500 && first == 0; seed++ {
			s := multiScenario()
			s.Proposers, s.Bug, s.Batch, s.Clients = 2, b, true, 6
			s.Loss, s.Jitter = 0.3, 4*sim.Millisecond
			a := sim.NodeID(seed % 3)
			s.Crashes = []paxos.Crash{{Node: a, At: sim.Time(seed%13+1) * 5 * sim.Millisecond, Restart: sim.Time(seed%13+2) * 5 * sim.Millisecond}}
			for _, v := range paxos.Check(paxos.Run(s, seed, nil)) {
				if v.Property == "agreement" {
					first = seed
				}
			}
		}
		require.NotZero(t, first, "%s never broke the batched log", b)
	}
}

// counter counts delivered messages by type.
type counter map[string]int

func (c counter) Record(e sim.TraceEvent) {
	if e.Kind == sim.TraceDeliver {
		c[sim.MessageType(e.Msg)]++
	}
}

// firstRequests records where each client sent its first request.
type firstRequests map[sim.NodeID]sim.NodeID

func (f firstRequests) Record(e sim.TraceEvent) {
	if _, ok := e.Msg.(paxos.Request); ok && e.Kind == sim.TraceSend {
		if _, seen := f[e.From]; !seen {
			f[e.From] = e.To
		}
	}
}

// TestClientsStartAtACandidate: with one replica standing for election,
// every client's first request goes to it (a request to any other
// replica could only be redirected), and, reaching it while its election
// is on, is held and served rather than refused: the first command
// returns long before a client's timeout would have sent it elsewhere.
func TestClientsStartAtACandidate(t *testing.T) {
	s := paxos.Scenario{Mode: paxos.ModeMulti, Nodes: 3, Proposers: 1, Clients: 4, Ops: 2,
		Latency: sim.Millisecond, Limit: 5 * sim.Second}
	first := firstRequests{}
	o := paxos.Run(s, 1, first)
	require.Empty(t, paxos.Check(o))
	require.Len(t, first, 4)
	for client, to := range first {
		require.Equal(t, sim.NodeID(0), to, "client n%d's first request", client)
	}
	timeout := paxos.DefaultMultiTiming(s.MaxDelay()).Client
	for _, ob := range o.Result.Observations {
		if ob.Kind == check.ObsReturn && ob.Slot == 1 {
			require.Less(t, ob.Time, timeout, "n%d's first command waited for a timeout", ob.Node)
		}
	}
}
