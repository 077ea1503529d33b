// Package bench measures what the simulator costs: the simulated
// Multi-Paxos of protocols/paxos beside etcd's production raft library
// (go.etcd.io/raft/v3) driven by a bare in-memory message pump, doing the
// same job — a fresh cluster elects a leader and commits K commands, one at
// a time — in the same process. It is a nested module so that raft and its
// dependencies stay out of the main module.
//
// Run it with `go test -bench . -benchmem` in this directory; README.md has
// the figures and what makes the two workloads differ.
package bench

import (
	"fmt"

	"simulate/check"
	"simulate/protocols/paxos"
	"simulate/sim"
)

// Stats is what one run did: commands committed (and acknowledged to the
// proposer) and messages delivered.
type Stats struct {
	Commands  int
	Delivered int
	// Time is the run's virtual duration (Multi-Paxos: simulated time;
	// raft: pump rounds, one per millisecond of the same 1ms network).
	Time sim.Time
	// Hash is the simulated run's trace hash (0 for the pumps).
	Hash uint64
}

// MultiPaxosScenario is the benchmark's Multi-Paxos run: replicas nodes, one
// candidate leader, one client issuing k commands one at a time, on a calm
// network (1ms every hop, no jitter, loss or duplication).
func MultiPaxosScenario(replicas, k int) paxos.Scenario {
	return paxos.Scenario{
		Mode: paxos.ModeMulti, Nodes: replicas, Proposers: 1,
		Clients: 1, Ops: k,
		Latency: sim.Millisecond,
		Limit:   sim.Time(k+100) * 100 * sim.Millisecond,
	}
}

// MultiPaxosWindowScenario is MultiPaxosScenario with window clients,
// each issuing k/window commands one at a time, so that up to window
// commands are in flight (the pipelined workload; k a multiple of window).
func MultiPaxosWindowScenario(replicas, k, window int) paxos.Scenario {
	s := MultiPaxosScenario(replicas, k)
	s.Clients, s.Ops = window, k/window
	return s
}

// RunMultiPaxosWindow runs MultiPaxosWindowScenario once on the simulator,
// as RunMultiPaxos does.
func RunMultiPaxosWindow(replicas, k, window int, seed uint64) (Stats, error) {
	return runMultiPaxosWindow(replicas, k, window, seed, false, nil)
}

// RunMultiPaxosBatched is RunMultiPaxosWindow with the leader batching
// the requests that reach it at one instant (paxos.Scenario.Batch).
func RunMultiPaxosBatched(replicas, k, window int, seed uint64) (Stats, error) {
	return runMultiPaxosWindow(replicas, k, window, seed, true, nil)
}

func runMultiPaxosWindow(replicas, k, window int, seed uint64, batch bool, tracer sim.Tracer) (Stats, error) {
	s := MultiPaxosWindowScenario(replicas, k, window)
	s.Batch = batch
	in := s.Instance(seed, nil, tracer)
	w := sim.New(in.Config)
	in.Setup(w)
	return simStats("multi-paxos pipelined", w.Run(), k)
}

// RunMultiPaxos runs MultiPaxosScenario once on the simulator, exactly as
// `simulate` would (trace hash on, observations recorded), and counts the
// client operations that returned and the messages the world delivered.
func RunMultiPaxos(replicas, k int, seed uint64) (Stats, error) {
	return runMultiPaxos(replicas, k, seed, simOptions{})
}

// simOptions strip parts of the simulator off a run, to price them.
type simOptions struct {
	tracer sim.Tracer
	// calm replaces the scenario's network.Net with calmNet, which routes
	// every message the same way with none of Net's bookkeeping.
	calm bool
	// noHash turns off the running trace hash.
	noHash bool
}

func runMultiPaxos(replicas, k int, seed uint64, o simOptions) (Stats, error) {
	s := MultiPaxosScenario(replicas, k)
	in := s.Instance(seed, nil, o.tracer)
	if o.calm {
		in.Config.Network = calmNet{latency: s.Latency}
	}
	in.Config.NoHash = o.noHash
	w := sim.New(in.Config)
	in.Setup(w)
	return simStats("multi-paxos", w.Run(), k)
}

// simStats reads a simulated run's Stats, counting the client operations
// that returned (the same observation in Multi-Paxos and Raft), and fails
// unless all k did: a benchmark that timed an unfinished workload would
// report a cost for less work.
func simStats(what string, res sim.Result, k int) (Stats, error) {
	st := Stats{Delivered: res.Delivered, Time: res.End, Hash: res.Hash}
	for _, o := range res.Observations {
		if o.Kind == check.ObsReturn {
			st.Commands++
		}
	}
	if st.Commands != k {
		return st, fmt.Errorf("%s: %d of %d commands returned (stopped: %s at %s)", what, st.Commands, k, res.Reason, res.End)
	}
	return st, nil
}

// calmNet is network.Net on a calm network (no jitter, loss, duplication
// or partition) reduced to its arithmetic: on such a network Net already
// makes no draws, so the difference prices its checks (topology,
// partition, cuts, GST, queues). Every message still takes latency, and a
// node's message to itself none, so the run is the same event for event
// (TestWorkloads checks the trace hash).
type calmNet struct{ latency sim.Time }

func (n calmNet) Route(l sim.Link) sim.Fate {
	if l.From == l.To {
		return sim.Fate{}
	}
	return sim.Fate{Delay: n.latency}
}
