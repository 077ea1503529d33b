package raft_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/protocols/raft"
	"simulate/sim"
)

func ob(node int, kind string, slot int, value string) sim.Observation {
	return sim.Observation{Node: sim.NodeID(node), Kind: kind, Slot: slot, Value: value}
}

// TestCheckers: each checker passes a good run and catches the bad one it
// is for.
func TestCheckers(t *testing.T) {
	e1 := "t1 c3#1 put x=3.1"
	e2 := "t2 c4#1 put x=4.1"
	for _, tc := range []struct {
		name  string
		check func(n int, obs []sim.Observation) string
		good  []sim.Observation
		bad   []sim.Observation
	}{
		{"election safety", raft.ElectionSafety,
			[]sim.Observation{ob(0, raft.ObsLeader, 1, ""), ob(1, raft.ObsLeader, 2, ""), ob(0, raft.ObsLeader, 1, "")},
			[]sim.Observation{ob(0, raft.ObsLeader, 1, ""), ob(1, raft.ObsLeader, 1, "")}},
		{"state machine safety", raft.StateMachineSafety,
			[]sim.Observation{ob(0, raft.ObsApply, 1, e1), ob(1, raft.ObsApply, 1, e1), ob(1, raft.ObsApply, 2, e2)},
			[]sim.Observation{ob(0, raft.ObsApply, 1, e1), ob(1, raft.ObsApply, 1, e2)}},
		{"leader completeness", raft.LeaderCompleteness,
			// Entry 1 (term 1) committed in term 1; the term-2 leader holds it.
			[]sim.Observation{ob(0, raft.ObsLeader, 1, ""), ob(0, raft.ObsCommit, 1, "1"), ob(0, raft.ObsApply, 1, e1), ob(1, raft.ObsLeader, 2, "1")},
			[]sim.Observation{ob(0, raft.ObsLeader, 1, ""), ob(0, raft.ObsCommit, 1, "1"), ob(0, raft.ObsApply, 1, e1), ob(1, raft.ObsLeader, 2, "")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Empty(t, tc.check(3, tc.good))
			require.NotEmpty(t, tc.check(3, tc.bad))
		})
	}
}

func TestLogMatching(t *testing.T) {
	a := raft.Entry{Term: 1, Cmd: raft.Cmd{Client: 3, Seq: 1, Kind: raft.CmdGet, Key: "x"}}
	b := raft.Entry{Term: 1, Cmd: raft.Cmd{Client: 4, Seq: 1, Kind: raft.CmdGet, Key: "x"}}
	c := raft.Entry{Term: 2, Cmd: raft.Cmd{Client: 5, Seq: 1, Kind: raft.CmdGet, Key: "y"}}
	require.Empty(t, raft.LogMatching([][]raft.Entry{{a, c}, {a}, nil, {a, c, c}}))
	require.Empty(t, raft.LogMatching([][]raft.Entry{{a}, {c}}), "different terms at an index are allowed")
	require.NotEmpty(t, raft.LogMatching([][]raft.Entry{{a, c}, {b, c}}), "same term at index 2, different at index 1")
}

func TestLinearizability(t *testing.T) {
	put := raft.Op{Client: 3, Seq: 1, Kind: raft.CmdPut, Key: "x", Value: "1", Output: "ok", Call: 0, Return: 10, Done: true}
	fresh := raft.Op{Client: 4, Seq: 1, Kind: raft.CmdGet, Key: "x", Output: "1", Call: 20, Return: 30, Done: true}
	stale := fresh
	stale.Output = ""
	require.Empty(t, raft.Linearizability([]raft.Op{put, fresh}))
	require.NotEmpty(t, raft.Linearizability([]raft.Op{put, stale}), "a read after a completed write must see it")
	pending := put
	pending.Done, pending.Return, pending.Output = false, 0, ""
	require.Empty(t, raft.Linearizability([]raft.Op{pending, fresh}), "a pending put may have taken effect")
}

// TestLiveness: after GST with a majority up, every operation must have
// completed by the end; with a majority down nothing is promised.
func TestLiveness(t *testing.T) {
	s := raft.Scenario{Nodes: 3, Clients: 1, Ops: 2, GST: sim.Second, Limit: 3 * sim.Second}
	done := raft.Op{Kind: raft.CmdGet, Key: "x", Done: true}
	o := raft.Outcome{Scenario: s, Up: []bool{true, true, false}, History: []raft.Op{done, {Kind: raft.CmdGet, Key: "x"}}}
	o.Result.End = s.Limit
	require.True(t, o.LivenessApplies())
	require.Contains(t, raft.Liveness(o), "1 of 2 client operations completed")
	o.History[1].Done = true
	require.Empty(t, raft.Liveness(o))
	o.History[1].Done = false
	o.Up = []bool{true, false, false}
	require.False(t, o.LivenessApplies())
	require.Empty(t, raft.Liveness(o))
}
