package bench

import (
	"fmt"
	"io"
	"log"
	"strconv"

	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"

	"simulate/sim"
)

// Raft timing in ticks, one tick per pump round (one network hop, 1ms in
// the Multi-Paxos scenario): the same heartbeat (5 hops) and base election
// timeout (15 hops) as paxos.DefaultMultiTiming gives the simulated replicas.
const (
	raftHeartbeatTick = 5
	raftElectionTick  = 15
)

var quiet = &raft.DefaultLogger{Logger: log.New(io.Discard, "", 0)}

// raftNode is one member of the pumped cluster: the raft state machine,
// its in-memory log and a key-value store it applies committed entries to.
type raftNode struct {
	rn      *raft.RawNode
	storage *raft.MemoryStorage
	kv      map[string]string
	applied int // applied normal entries carrying a command
}

// raftCluster is etcd raft with nothing of a simulator around it: a
// synchronous, round-based message pump. Each round delivers every message
// sent in the round before (one hop), ticks every node once, and drains
// every node's Ready: append to storage, set the hard state, queue the
// messages, apply committed entries, advance.
type raftCluster struct {
	nodes     []*raftNode
	inflight  []pb.Message
	sending   []pb.Message
	delivered int
	rounds    int
	// count, if set, sees the type of every delivered message.
	count func(typ string)
}

func newRaftCluster(n int) (*raftCluster, error) {
	peers := make([]uint64, n)
	for i := range peers {
		peers[i] = uint64(i + 1)
	}
	c := &raftCluster{}
	for i := 0; i < n; i++ {
		ms := raft.NewMemoryStorage()
		// Bootstrap from a snapshot that names the voters, as etcd's own
		// tests do, so no configuration entries need committing first.
		if err := ms.ApplySnapshot(pb.Snapshot{Metadata: pb.SnapshotMetadata{
			Index: 1, Term: 1, ConfState: pb.ConfState{Voters: peers},
		}}); err != nil {
			return nil, err
		}
		rn, err := raft.NewRawNode(&raft.Config{
			ID: peers[i], ElectionTick: raftElectionTick, HeartbeatTick: raftHeartbeatTick,
			Storage: ms, MaxSizePerMsg: 1 << 20, MaxInflightMsgs: 256,
			Logger: quiet,
		})
		if err != nil {
			return nil, err
		}
		c.nodes = append(c.nodes, &raftNode{rn: rn, storage: ms, kv: map[string]string{}})
	}
	return c, nil
}

// round is one hop of the pump.
func (c *raftCluster) round() error {
	c.rounds++
	c.inflight, c.sending = c.sending, c.inflight[:0]
	for _, m := range c.inflight {
		if err := c.nodes[m.To-1].rn.Step(m); err != nil {
			return fmt.Errorf("raft: step %s: %v", m.Type, err)
		}
		c.delivered++
		if c.count != nil {
			c.count(m.Type.String())
		}
	}
	for _, nd := range c.nodes {
		nd.rn.Tick()
	}
	return c.drain()
}

// drain handles every node's Ready until none has one; messages it
// produces go out in the next round.
func (c *raftCluster) drain() error {
	for _, nd := range c.nodes {
		for nd.rn.HasReady() {
			rd := nd.rn.Ready()
			if err := nd.storage.Append(rd.Entries); err != nil {
				return err
			}
			if !raft.IsEmptyHardState(rd.HardState) {
				if err := nd.storage.SetHardState(rd.HardState); err != nil {
					return err
				}
			}
			c.sending = append(c.sending, rd.Messages...)
			for _, e := range rd.CommittedEntries {
				if e.Type == pb.EntryNormal && len(e.Data) > 0 {
					nd.apply(e.Data)
				}
			}
			nd.rn.Advance(rd)
		}
	}
	return nil
}

// apply runs one command ("p KEY VALUE" or "g KEY") on the node's store.
func (nd *raftNode) apply(cmd []byte) {
	if cmd[0] == 'p' {
		nd.kv[string(cmd[2:3])] = string(cmd[4:])
	} else {
		_ = nd.kv[string(cmd[2:3])]
	}
	nd.applied++
}

func (c *raftCluster) leader() *raftNode {
	for _, nd := range c.nodes {
		if nd.rn.BasicStatus().RaftState == raft.StateLeader {
			return nd
		}
	}
	return nil
}

// RunRaft starts a fresh n-node etcd raft cluster on the pump, has node 1
// campaign, then proposes k commands at the leader one at a time, each
// after the previous one is committed and applied at the leader (as the
// Multi-Paxos client waits for its reply). Commands alternate puts and gets
// on two keys, like the Multi-Paxos client's.
func RunRaft(n, k int) (Stats, error) { return runRaft(n, k, 1, nil) }

// RunRaftWindow is RunRaft with up to window commands in flight: it
// proposes window commands at once, then, after every pump round, as many
// more as the leader applied in it (the pipelined workload, against
// Multi-Paxos with window clients each one command at a time).
func RunRaftWindow(n, k, window int) (Stats, error) { return runRaft(n, k, window, nil) }

func runRaft(n, k, window int, count func(string)) (Stats, error) {
	c, err := newRaftCluster(n)
	if err != nil {
		return Stats{}, err
	}
	c.count = count
	if err := c.nodes[0].rn.Campaign(); err != nil {
		return Stats{}, err
	}
	if err := c.drain(); err != nil {
		return Stats{}, err
	}
	var lead *raftNode
	for lead == nil {
		if c.rounds > 1000 {
			return Stats{}, fmt.Errorf("raft: no leader after %d rounds", c.rounds)
		}
		if err := c.round(); err != nil {
			return Stats{}, err
		}
		lead = c.leader()
	}
	keys := [2]string{"x", "y"}
	buf := make([]byte, 0, 32)
	base := lead.applied
	proposed := 0
	for start := c.rounds; lead.applied-base < k; {
		for proposed < k && proposed-(lead.applied-base) < window {
			proposed++
			i := proposed
			buf = buf[:0]
			key := keys[i%2]
			if i%2 == 0 {
				buf = append(buf, "p "...)
				buf = append(buf, key...)
				buf = append(buf, ' ')
				buf = strconv.AppendInt(buf, int64(i), 10)
			} else {
				buf = append(buf, "g "...)
				buf = append(buf, key...)
			}
			// Propose copies nothing: the entry keeps the slice, so each
			// command gets its own.
			if err := lead.rn.Propose(append([]byte(nil), buf...)); err != nil {
				return Stats{}, fmt.Errorf("raft: propose %d: %v", i, err)
			}
		}
		if err := c.drain(); err != nil {
			return Stats{}, err
		}
		if c.rounds-start > 1000*k {
			return Stats{}, fmt.Errorf("raft: %d of %d commands applied after %d rounds", lead.applied-base, k, c.rounds-start)
		}
		if lead.applied-base < proposed {
			if err := c.round(); err != nil {
				return Stats{}, err
			}
		}
	}
	return Stats{Commands: lead.applied - base, Delivered: c.delivered, Time: sim.Time(c.rounds) * sim.Millisecond}, nil
}
