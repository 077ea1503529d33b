package raft_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/network"
	"simulate/protocols/raft"
	"simulate/sim"
)

// TestCalm: on a perfect network one election, every operation answered,
// identical logs holding every command, and the run stops by itself once
// the clients are done and the replicas caught up.
func TestCalm(t *testing.T) {
	in := raft.CalmScenario().Instance(1, nil, nil)
	w := sim.New(in.Config)
	in.Setup(w)
	o := in.Outcome(w.Run())
	require.Empty(t, raft.Check(o))
	require.Equal(t, sim.StopPredicate, o.Result.Reason)
	require.Len(t, o.History, 24)
	for _, op := range o.History {
		require.True(t, op.Done)
	}
	require.Equal(t, raft.Coverage{}, o.Coverage(), "one election, no split vote")
	for i := 1; i < 3; i++ {
		require.Equal(t, o.Logs[0], o.Logs[i])
	}
	require.Len(t, o.Logs[0], 24)
	leaders := 0
	for _, ob := range o.Result.Observations {
		if ob.Kind == raft.ObsLeader {
			leaders++
		}
	}
	require.Equal(t, 1, leaders)
}

// TestWholeClusterRestart: every replica crashes and comes back; the
// committed log is on disk, so nothing the clients saw is lost and the
// store stays linearizable.
func TestWholeClusterRestart(t *testing.T) {
	s := raft.CalmScenario()
	s.Ops = 20
	for i := 0; i < 3; i++ {
		s.Crashes = append(s.Crashes, raft.Crash{Node: sim.NodeID(i), At: 60 * sim.Millisecond, Restart: sim.Time(100+20*i) * sim.Millisecond})
	}
	o := raft.Run(s, 1, nil)
	require.Empty(t, raft.Check(o))
	require.Equal(t, 3, o.Result.Restarts)
	done := 0
	for _, op := range o.History {
		if op.Done {
			done++
		}
	}
	require.Equal(t, 60, done)
	restarts := 0
	for _, ob := range o.Result.Observations {
		if ob.Kind == raft.ObsRestart {
			restarts++
			require.Positive(t, ob.Slot, "the term came back from disk")
		}
	}
	require.Equal(t, 3, restarts)
}

// TestLeaderPartitioned: the leader is cut off alone; the majority elects
// another, and when the old leader returns it gives up its uncommitted
// entries and catches up.
func TestLeaderPartitioned(t *testing.T) {
	s := raft.CalmScenario()
	s.Ops = 20
	s.Partitions = []raft.Partition{{Leader: true, From: 40 * sim.Millisecond, To: 200 * sim.Millisecond}}
	o := raft.Run(s, 1, nil)
	require.Empty(t, raft.Check(o))
	require.Positive(t, o.Coverage().LeaderChanges)
	for i := 1; i < 3; i++ {
		require.Equal(t, o.Logs[0], o.Logs[i], "after the heal every log is the same")
	}
}

// TestDeterministic: same scenario and seed, same run; another seed, a
// different one. The pinned trace hashes catch any change of behaviour:
// update them only for an intended one.
func TestDeterministic(t *testing.T) {
	s := raft.SwarmScenario(3, "")
	a, b, c := raft.Run(s, 7, nil), raft.Run(s, 7, nil), raft.Run(s, 8, nil)
	require.Equal(t, a.Result.Hash, b.Result.Hash)
	require.Equal(t, a.Scenario, b.Scenario)
	require.NotEqual(t, a.Result.Hash, c.Result.Hash)
	require.Equal(t, "d61a25bcbff011b7", a.Result.HashString())
	require.Equal(t, "ed94cb8da35ba78d", raft.Run(raft.CalmScenario(), 1, nil).Result.HashString())
}

// TestResolvedScenarioReplays: a swarm run's resolved scenario, written as
// JSON and read back, is the same valid, plain (non-swarm) scenario, and
// rerun with the recorded draws after the swarm's it is the same run.
func TestResolvedScenarioReplays(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		o := raft.Run(raft.SwarmScenario(3, ""), seed, nil)
		b, err := json.Marshal(o.Scenario)
		require.NoError(t, err)
		var back raft.Scenario
		require.NoError(t, json.Unmarshal(b, &back))
		require.Equal(t, o.Scenario, back)
		require.NoError(t, back.Validate())
		require.False(t, back.Swarm)

		rec := &sim.Recorder{Inner: sim.NewPCGChoices(seed)}
		in := raft.SwarmScenario(3, "").Instance(seed, rec, nil)
		first := in.Run()
		var net []int
		for _, c := range rec.Log[in.SetupDraws():] {
			net = append(net, c.Value)
		}
		again := back.Instance(seed, &sim.ReplayChoices{Values: net}, nil).Run()
		require.Equal(t, first.Result.Hash, again.Result.Hash, "seed %d", seed)
	}
}

func TestValidate(t *testing.T) {
	require.NoError(t, raft.CalmScenario().Validate())
	require.NoError(t, raft.SwarmScenario(5, raft.CommitOldTerm).Validate())
	for _, tc := range []struct {
		name string
		edit func(*raft.Scenario)
		want string
	}{
		{"no nodes", func(s *raft.Scenario) { s.Nodes = 0 }, "nodes 0"},
		{"negative clients", func(s *raft.Scenario) { s.Clients = -1 }, "clients -1"},
		{"no limit", func(s *raft.Scenario) { s.Limit = 0 }, "limit"},
		{"loss above 1", func(s *raft.Scenario) { s.Loss = 1.5 }, "loss probability"},
		{"total loss", func(s *raft.Scenario) { s.Loss = 1 }, "no message would ever arrive"},
		{"bad dup", func(s *raft.Scenario) { s.Dup = -0.1 }, "dup probability"},
		{"bad latency", func(s *raft.Scenario) { s.Latency = network.Uniform(5*sim.Millisecond, sim.Millisecond) }, "max"},
		{"unknown bug", func(s *raft.Scenario) { s.Bug = "nope" }, `unknown bug "nope"`},
		{"crash of no node", func(s *raft.Scenario) { s.Crashes = []raft.Crash{{Node: 3, At: 1}} }, "no replica 3"},
		{"restart before crash", func(s *raft.Scenario) { s.Crashes = []raft.Crash{{Node: 1, At: 5, Restart: 5}} }, "restart must come after"},
		{"partition of no node", func(s *raft.Scenario) { s.Partitions = []raft.Partition{{Groups: [][]sim.NodeID{{7}}, From: 1, To: 2}} }, "out of range"},
		{"heal before split", func(s *raft.Scenario) { s.Partitions = []raft.Partition{{Groups: [][]sim.NodeID{{1}}, From: 5, To: 5}} }, "from < to"},
		{"leader partition with groups", func(s *raft.Scenario) {
			s.Partitions = []raft.Partition{{Leader: true, Groups: [][]sim.NodeID{{1}}, From: 1, To: 2}}
		}, "takes no groups"},
		{"rolling without last down", func(s *raft.Scenario) { s.Rolling = &raft.Rolling{Arm: []sim.Time{1}} }, "last_down"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := raft.CalmScenario()
			tc.edit(&s)
			err := s.Validate()
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestParseBug(t *testing.T) {
	for _, b := range raft.Bugs() {
		got, err := raft.ParseBug(string(b.Name))
		require.NoError(t, err)
		require.Equal(t, b.Name, got)
		require.NotEmpty(t, b.What)
		require.NotEmpty(t, b.Needs)
	}
	got, err := raft.ParseBug("none")
	require.NoError(t, err)
	require.Empty(t, got)
	_, err = raft.ParseBug("commit-old")
	require.ErrorContains(t, err, "known: commit-old-term, volatile-vote, no-log-check, stale-truncate")
}
