package raftetcd_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/protocols/raft"
	"simulate/raftetcd"
	"simulate/sim"
)

// TestCalm: etcd raft on a perfect network answers every operation, its
// replicas hold the same log, and the run stops by itself.
func TestCalm(t *testing.T) {
	o := raftetcd.Instance(raft.CalmScenario(), "", 1, nil, nil).Run()
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
