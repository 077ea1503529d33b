// Package raftetcd runs etcd's Raft library, go.etcd.io/raft/v3 v3.6.0
// unmodified, as simulator nodes: raft.RawNode driven through sim.Context,
// its Ready turned into sim.Storage writes and sends in the order the
// library requires, and the same key-value store, clients, scenarios,
// faults and checks as the teaching Raft of protocols/raft. It is a nested
// module so that etcd and its protobuf dependencies stay out of the main
// module.
//
// One departure from the library's own clock: etcd draws each randomized
// election timeout from crypto/rand, which would make runs
// irreproducible. So only a leader's clock ticks (for its heartbeats); a
// follower or candidate campaigns (RawNode.Campaign) when an election timer
// drawn from the node's own stream (ctx.Rand) fires, reset whenever it
// hears from a leader or grants a vote. etcd's random draw still happens
// but decides nothing.
package raftetcd

import (
	"io"
	"log"
	"strconv"
	"strings"

	etcd "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"

	"simulate/protocols/raft"
	"simulate/sim"
)

// Bug is a planted adapter bug; the zero Bug is the correct adapter.
type Bug string

// SendBeforePersist sends a Ready's messages before its HardState and
// entries reach the disk: a vote or an append acknowledged before it is
// durable. etcd's documentation forbids it.
const SendBeforePersist Bug = "send-before-persist"

// Params configures a replica.
type Params struct {
	raft.Params
	// Disk is how long a write of a Ready's entries and HardState takes.
	// While it lasts, the node keeps receiving messages and ticking, but
	// takes no new Ready (the library's single-threaded loop with a slow
	// disk).
	Disk sim.Time
	// Adapter is a planted adapter bug.
	Adapter Bug
}

// Msg carries an etcd raft message between nodes.
type Msg struct{ M pb.Message }

// AppendDigest implements sim.Message.
func (m Msg) AppendDigest(b []byte) []byte {
	data, err := m.M.Marshal()
	if err != nil {
		panic("raftetcd: marshal: " + err.Error())
	}
	return append(b, data...)
}

func (m Msg) String() string { return etcd.DescribeMessage(m.M, formatEntry) }

func formatEntry(data []byte) string { return string(data) }

type timerTag uint8

const (
	tagTick timerTag = iota + 1
	tagElection
	tagDisk
)

var quiet = &etcd.DefaultLogger{Logger: log.New(io.Discard, "", 0)}

// Node is one etcd raft replica. Its durable state (HardState and log
// entries) lives in ctx.Storage; the library's MemoryStorage is rebuilt
// from it at every start.
type Node struct {
	p     Params
	rn    *etcd.RawNode
	ms    *etcd.MemoryStorage
	store sim.Storage

	// writing is set while rd is being written to disk.
	writing bool
	rd      etcd.Ready
	sent    bool // rd's messages already went out (SendBeforePersist)

	election sim.TimerID
	leading  bool
	wonTerm  int64 // the term won in the Ready being handled, 0 if none
	term     int64
	applied  int // our index (etcd's minus the bootstrap entry)

	kv raft.KV
}

// New returns a replica; it reads its durable state in Start.
func New(p Params) *Node {
	return &Node{p: p, kv: raft.NewKV()}
}

// Index mapping: etcd's log starts with the bootstrap snapshot at index 1
// (it names the voters, as etcd's own tests bootstrap), so etcd index i is
// index i-1 of protocols/raft's observations.
const base = 1

const (
	keyHardState = "hs"
	keyLast      = "last"
)

func entryKey(i uint64) string { return "e" + strconv.FormatUint(i, 10) }

// Start implements sim.Node.
func (n *Node) Start(ctx sim.Context) {
	n.store = ctx.Storage()
	n.ms = etcd.NewMemoryStorage()
	voters := make([]uint64, n.p.N)
	for i := range voters {
		voters[i] = uint64(i + 1)
	}
	must(n.ms.ApplySnapshot(pb.Snapshot{Metadata: pb.SnapshotMetadata{Index: base, Term: 1, ConfState: pb.ConfState{Voters: voters}}}))
	restarted := false
	if b, ok := n.store.Get(keyHardState); ok {
		var hs pb.HardState
		must(hs.Unmarshal(b))
		must(n.ms.SetHardState(hs))
		last, _ := sim.GetInt64(n.store, keyLast)
		var ents []pb.Entry
		for i := uint64(base + 1); i <= uint64(last); i++ {
			b, _ := n.store.Get(entryKey(i))
			var e pb.Entry
			must(e.Unmarshal(b))
			ents = append(ents, e)
		}
		must(n.ms.Append(ents))
		restarted = true
	}
	rn, err := etcd.NewRawNode(&etcd.Config{
		ID: uint64(ctx.Self()) + 1, ElectionTick: 12, HeartbeatTick: 1,
		Storage: n.ms, Applied: base, MaxSizePerMsg: 1 << 20, MaxInflightMsgs: 256,
		Logger: quiet,
	})
	must(err)
	n.rn = rn
	n.term = int64(rn.BasicStatus().Term)
	if restarted {
		ctx.Observe(raft.ObsRestart, int(n.term), "")
	}
	ctx.After(n.p.Timing.Heartbeat, tagTick)
	n.resetElection(ctx)
	n.process(ctx)
}

func must(err error) {
	if err != nil {
		panic("raftetcd: " + err.Error())
	}
}

func (n *Node) resetElection(ctx sim.Context) {
	ctx.Cancel(n.election)
	n.election = ctx.After(n.p.Timing.ElectionTimeout(ctx.Rand()), tagElection)
}

// Fire implements sim.Node.
func (n *Node) Fire(ctx sim.Context, id sim.TimerID, tag any) {
	switch tag {
	case tagTick:
		if n.leading {
			n.rn.Tick() // heartbeats
		}
		ctx.After(n.p.Timing.Heartbeat, tagTick)
	case tagElection:
		if id != n.election {
			return
		}
		if !n.leading {
			must(n.rn.Campaign())
		}
		n.resetElection(ctx)
	case tagDisk:
		n.persisted(ctx)
	}
	n.process(ctx)
}

// Deliver implements sim.Node.
func (n *Node) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	switch m := msg.(type) {
	case Msg:
		if m.M.Term >= uint64(n.rn.BasicStatus().Term) {
			switch m.M.Type {
			case pb.MsgApp, pb.MsgHeartbeat, pb.MsgSnap:
				n.resetElection(ctx) // a leader is alive
			}
		}
		// Step rejects only local message types and unknown peers, which
		// no peer sends.
		_ = n.rn.Step(m.M)
	case raft.Request:
		n.onRequest(ctx, from, m)
	}
	n.process(ctx)
}

func (n *Node) onRequest(ctx sim.Context, from sim.NodeID, m raft.Request) {
	if !n.leading {
		ctx.Send(from, raft.Reply{Seq: m.Cmd.Seq, Leader: sim.NodeID(n.rn.BasicStatus().Lead) - 1})
		return
	}
	if dup, latest, out := n.kv.Duplicate(m.Cmd); dup {
		if latest {
			ctx.Send(from, raft.Reply{Seq: m.Cmd.Seq, OK: true, Leader: ctx.Self(), Output: out})
		}
		return
	}
	// Dropped (ErrProposalDropped) only while leadership is being
	// transferred, which never happens here; the client retries anyway.
	_ = n.rn.Propose([]byte(m.Cmd.String()))
}

// process takes Readys until there is none or one is being written: first
// the durable part (HardState and entries) goes to disk, then — once it is
// there — the messages go out, committed entries are applied, and the node
// advances (etcd raft's documented order for a Ready).
func (n *Node) process(ctx sim.Context) {
	for !n.writing && n.rn.HasReady() {
		rd := n.rn.Ready()
		n.observeState(ctx, rd)
		n.rd, n.sent = rd, false
		if len(rd.Entries) > 0 || !etcd.IsEmptyHardState(rd.HardState) {
			n.writing = true
			if n.p.Adapter == SendBeforePersist {
				n.send(ctx, rd.Messages)
				n.sent = true
			}
			ctx.After(n.p.Disk, tagDisk)
			return
		}
		n.finish(ctx)
	}
}

// persisted completes the disk write of the Ready being written.
func (n *Node) persisted(ctx sim.Context) {
	if !n.writing {
		return
	}
	rd := n.rd
	if len(rd.Entries) > 0 {
		// Writing entry i discards any persisted entry from i on.
		for _, e := range rd.Entries {
			b, err := e.Marshal()
			must(err)
			n.store.Put(entryKey(e.Index), b)
		}
		sim.PutInt64(n.store, keyLast, int64(rd.Entries[len(rd.Entries)-1].Index))
		must(n.ms.Append(rd.Entries))
	}
	if !etcd.IsEmptyHardState(rd.HardState) {
		b, err := rd.HardState.Marshal()
		must(err)
		n.store.Put(keyHardState, b)
		must(n.ms.SetHardState(rd.HardState))
	}
	n.writing = false
	n.finish(ctx)
}

// finish sends the Ready's messages (unless already sent), applies its
// committed entries and advances.
func (n *Node) finish(ctx sim.Context) {
	rd := n.rd
	if n.wonTerm != 0 {
		terms := make([]string, 0, n.LastIndex())
		for i := 1; i <= n.LastIndex(); i++ {
			terms = append(terms, strconv.FormatInt(n.TermAt(i), 10))
		}
		ctx.Observe(raft.ObsLeader, int(n.wonTerm), strings.Join(terms, " "))
		n.wonTerm = 0
	}
	if !n.sent {
		n.send(ctx, rd.Messages)
	}
	for _, e := range rd.CommittedEntries {
		n.apply(ctx, e)
	}
	n.rn.Advance(rd)
	n.rd = etcd.Ready{}
}

func (n *Node) send(ctx sim.Context, msgs []pb.Message) {
	for _, m := range msgs {
		if m.Type == pb.MsgVoteResp && !m.Reject {
			n.resetElection(ctx) // granted a vote: give the candidate time
		}
		ctx.Send(sim.NodeID(m.To-1), Msg{M: m})
	}
}

// observeState reports elections, leadership and commits as the teaching
// Raft does, so the same checkers read both.
func (n *Node) observeState(ctx sim.Context, rd etcd.Ready) {
	st := n.rn.BasicStatus()
	n.term = int64(st.Term)
	if rd.SoftState != nil {
		switch rd.SoftState.RaftState {
		case etcd.StateCandidate:
			ctx.Observe(raft.ObsCandidate, int(st.Term), "")
		case etcd.StateLeader:
			// Reported once this Ready is on disk, with the log it holds
			// then: entries that were still unstable when the node won
			// count as part of its log.
			n.wonTerm = int64(st.Term)
		}
		n.leading = rd.SoftState.RaftState == etcd.StateLeader
	}
	if n.leading && !etcd.IsEmptyHardState(rd.HardState) && int(rd.HardState.Commit)-base > n.committedSeen() {
		ctx.Observe(raft.ObsCommit, int(rd.HardState.Commit)-base, strconv.FormatUint(st.Term, 10))
	}
}

// committedSeen is the durable commit index, in our indexes.
func (n *Node) committedSeen() int {
	hs, _, err := n.ms.InitialState()
	must(err)
	return int(hs.Commit) - base
}

// apply runs a committed entry through the deduplicated store and, as
// leader, answers its client.
func (n *Node) apply(ctx sim.Context, e pb.Entry) {
	if e.Type != pb.EntryNormal || e.Index <= base {
		return
	}
	n.applied = int(e.Index) - base
	ent := toEntry(e)
	ctx.Observe(raft.ObsApply, n.applied, ent.String())
	c := ent.Cmd
	if c.Kind == raft.CmdNoop {
		return
	}
	if seq, out := n.kv.Apply(c); n.leading && c.Seq == seq {
		ctx.Send(c.Client, raft.Reply{Seq: c.Seq, OK: true, Leader: ctx.Self(), Output: out})
	}
}

// Leading reports whether the node leads.
func (n *Node) Leading() bool { return n.leading }

// Term is the node's current term.
func (n *Node) Term() int64 { return n.term }

// LastIndex is the index of the last durable entry, in protocols/raft's
// indexes.
func (n *Node) LastIndex() int {
	last, err := n.ms.LastIndex()
	must(err)
	return int(last) - base
}

// TermAt is the term of the durable entry at index i (0 if none).
func (n *Node) TermAt(i int) int64 {
	if i < 1 || i > n.LastIndex() {
		return 0
	}
	t, err := n.ms.Term(uint64(i + base))
	must(err)
	return int64(t)
}

// Applied is the index of the last entry applied to the store.
func (n *Node) Applied() int { return n.applied }

// Log returns the durable log as protocols/raft entries.
func (n *Node) Log() []raft.Entry {
	out := make([]raft.Entry, 0, n.LastIndex())
	for i := 1; i <= n.LastIndex(); i++ {
		ents, err := n.ms.Entries(uint64(i+base), uint64(i+base+1), 1<<30)
		must(err)
		out = append(out, toEntry(ents[0]))
	}
	return out
}

// toEntry is etcd's log entry as a protocols/raft entry: its term and the
// command its data spells, or a no-op for an entry with no data (the empty
// entry a new leader appends), for the observations and Log.
func toEntry(e pb.Entry) raft.Entry {
	if len(e.Data) == 0 {
		return raft.Entry{Term: int64(e.Term), Cmd: raft.Cmd{Kind: raft.CmdNoop}}
	}
	ent, err := raft.ParseEntry("t" + strconv.FormatUint(e.Term, 10) + " " + string(e.Data))
	must(err)
	return ent
}

// Instance prepares a run of scenario s on etcd raft replicas with the
// planted adapter bug (if any), for any driver.
func Instance(s raft.Scenario, adapter Bug, seed uint64, choices sim.Choices, tracer sim.Tracer) *raft.Instance {
	return s.InstanceOf(seed, choices, tracer, func(p raft.Params) raft.Replica {
		return New(Params{Params: p, Disk: p.Timing.Heartbeat, Adapter: adapter})
	})
}
