package bench

import (
	"fmt"

	"simulate/network"
	"simulate/protocols/raft"
	"simulate/sim"
)

// NativeRaftScenario is the benchmark's run of protocols/raft, the same
// workload as MultiPaxosScenario: replicas nodes, one client issuing k
// commands one at a time, a calm 1ms network (no jitter, loss,
// duplication or faults).
func NativeRaftScenario(replicas, k int) raft.Scenario {
	return raft.Scenario{
		Nodes: replicas, Clients: 1, Ops: k,
		Latency: network.Constant(sim.Millisecond),
		Limit:   sim.Time(k+100) * 100 * sim.Millisecond,
	}
}

// RunNativeRaft runs NativeRaftScenario once on the simulator, exactly as
// `simulate raft` would (trace hash on, observations recorded, the
// scenario's safety monitor fed at every step), and counts the client
// operations that returned and the messages the world delivered.
func RunNativeRaft(replicas, k int, seed uint64) (Stats, error) {
	return runNativeRaft(replicas, k, seed, nil)
}

func runNativeRaft(replicas, k int, seed uint64, tracer sim.Tracer) (Stats, error) {
	s := NativeRaftScenario(replicas, k)
	if err := s.Validate(); err != nil {
		return Stats{}, fmt.Errorf("native raft: %w", err)
	}
	return simStats("native raft", s.Instance(seed, nil, tracer).Run().Result, k)
}
