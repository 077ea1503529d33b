package raftetcd_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/network"
	"simulate/protocols/raft"
	"simulate/raftetcd"
	"simulate/sim"
)

func calm() raft.Scenario {
	return raft.Scenario{Nodes: 3, Clients: 3, Ops: 8, Latency: network.Constant(sim.Millisecond), GST: 500 * sim.Millisecond, Limit: 3 * sim.Second}
}

// TestCalm: etcd raft on a perfect network answers every operation, its
// replicas hold the same log, and the run stops by itself.
func TestCalm(t *testing.T) {
	o := raftetcd.Instance(calm(), "", 1, nil, nil).Run()
	require.Empty(t, raft.Check(o))
	require.Equal(t, sim.StopPredicate, o.Result.Reason)
	require.Len(t, o.History, 24)
	for _, op := range o.History {
		require.True(t, op.Done)
	}
	for i := 1; i < 3; i++ {
		require.Equal(t, o.Logs[0], o.Logs[i])
	}
	t.Logf("%d events, %d messages, end %s, log %d entries", o.Result.Events, o.Result.Sent, o.Result.End, len(o.Logs[0]))
}
