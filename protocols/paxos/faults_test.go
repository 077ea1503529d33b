package paxos_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/faults"
	"simulate/network"
	"simulate/protocols/paxos"
	"simulate/sim"
)

// TestFaultPlanReachesPaxos: a fault plan's crash, partition and
// duplication window act on a Paxos run through its network.Net, and the
// survivors still agree. On a lossless network every drop is the plan's.
func TestFaultPlanReachesPaxos(t *testing.T) {
	s := paxos.Default()
	s.Loss = 0
	s.Faults = faults.Plan{
		faults.Crash(0, 4),
		faults.Duplicate(0, 1),
		faults.Partition(0, []sim.NodeID{1}),
		faults.Heal(20 * sim.Millisecond),
	}
	require.NoError(t, s.Validate())
	fx := &faults.Effects{}
	o := s.Instance(1, nil, fx).Run()
	require.Equal(t, 1, fx.Crashes, "the crash")
	require.False(t, o.Up[4])
	require.Positive(t, fx.Drops[network.ReasonPartition], "the partition dropped messages")
	require.Positive(t, fx.Duplicates, "the duplication window")
	require.Zero(t, fx.Drops[network.ReasonLoss], "no loss without a loss window")
	require.Empty(t, paxos.Check(o))
	require.Equal(t, 4, o.Decided(), "the partition healed and everyone up decided")

	// Without the plan none of it happens.
	s.Faults = nil
	fx = &faults.Effects{}
	s.Instance(1, nil, fx).Run()
	require.Zero(t, fx.Crashes+fx.Duplicates+len(fx.Drops))

	// Plans are validated with the scenario.
	s.Faults = faults.Plan{faults.Crash(0, 9)}
	require.ErrorContains(t, s.Validate(), "out of range")
}

// clientDrops counts the messages a partition dropped to or from a client.
type clientDrops struct{ replicas, n int }

func (c *clientDrops) Record(ev sim.TraceEvent) {
	if ev.Kind == sim.TraceDrop && ev.Detail == network.ReasonPartition && (int(ev.From) >= c.replicas || int(ev.To) >= c.replicas) {
		c.n++
	}
}

// TestPartitionSparesMultiPaxosClients: a partition among the replicas
// never cuts the key-value clients off (they are in no group, as before the
// move onto network.Net), while it does drop messages between replicas.
func TestPartitionSparesMultiPaxosClients(t *testing.T) {
	s := multiScenario()
	s.Partitions = []paxos.Partition{{Groups: [][]sim.NodeID{{0}, {1, 2}}, From: 0, To: 100 * sim.Millisecond}}
	require.NoError(t, s.Validate())
	cd := &clientDrops{replicas: s.Nodes}
	fx := &faults.Effects{Next: cd}
	o := s.Instance(1, nil, fx).Run()
	require.Positive(t, fx.Drops[network.ReasonPartition], "replicas are split")
	require.Zero(t, cd.n, "no client message meets the partition")
	require.Empty(t, paxos.Check(o))
}
