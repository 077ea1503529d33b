package raft

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"simulate/sim"
)

// Observation kinds a replica reports; the checkers read them.
const (
	// ObsCandidate: the node started an election for term Slot (§5.2).
	ObsCandidate = "candidate"
	// ObsLeader: the node won term Slot. Value lists its log's terms,
	// oldest first ("1 1 2"), so leader completeness can be judged from
	// observations alone.
	ObsLeader = "leader"
	// ObsApply: the node applied the committed entry at index Slot to its
	// state machine; Value is the entry ("t2 c3#1 put x=3.1").
	ObsApply = "apply"
	// ObsCommit: the leader advanced its commit index to Slot; Value is
	// its term, the term in which the entry became committed.
	ObsCommit = "commit"
	// ObsRestart: the node came back from a crash with term Slot on disk.
	ObsRestart = "restart"
)

// Timing holds a replica's timeouts.
type Timing struct {
	// Heartbeat is how often a leader sends AppendEntries to each follower.
	Heartbeat sim.Time `json:"heartbeat"`
	// ElectionMin and ElectionMax bound the randomized election timeout,
	// drawn from the node's own stream at every reset (§5.2: randomized
	// timeouts make split votes rare and short).
	ElectionMin sim.Time `json:"election_min"`
	ElectionMax sim.Time `json:"election_max"`
	// Client is how long a client waits for a reply before it retries at
	// the next replica.
	Client sim.Time `json:"client"`
}

// ElectionTimeout draws one election timeout from rng, uniform in
// [ElectionMin, ElectionMax) (exactly ElectionMin when the range is empty).
// The teaching Raft and the etcd adapter (raftetcd) both draw it here, from
// the node's own stream, so the two cannot drift apart in how they
// randomize elections.
func (t Timing) ElectionTimeout(rng *rand.Rand) sim.Time {
	d := t.ElectionMin
	if span := t.ElectionMax - t.ElectionMin; span > 0 {
		d += sim.Time(rng.Int64N(int64(span)))
	}
	return d
}

// DefaultTiming scales the timeouts to a network whose one-way delay is at
// most maxDelay: broadcastTime ≪ electionTimeout (§5.6). Heartbeats go out
// every maxDelay, so a leader's batches are small and successive
// AppendEntries overlap in flight, as on a busy link.
func DefaultTiming(maxDelay sim.Time) Timing {
	d := max(maxDelay, sim.Millisecond)
	return Timing{Heartbeat: d, ElectionMin: 12 * d, ElectionMax: 24 * d, Client: 24 * d}
}

// Params configures a replica.
type Params struct {
	// N is the number of replicas, ids 0 .. N-1. Ids from N up are clients.
	N      int
	Timing Timing
	Bug    Bug
}

type role uint8

const (
	follower role = iota
	candidate
	leader
)

type timerTag uint8

const (
	tagElection timerTag = iota + 1
	tagHeartbeat
)

// session is the state machine's memory of a client's latest command, so
// that a retry is answered without applying it twice (§8).
// Node is a Raft replica. Its persistent state (currentTerm, votedFor and
// the log, Figure 2) is written to sim.Storage before any message that
// depends on it is sent; everything else is rebuilt after a restart.
type Node struct {
	p     Params
	store sim.Storage

	// Persistent state (Figure 2).
	term     int64
	votedFor sim.NodeID // -1: none
	log      []Entry    // log[i-1] is index i

	// Volatile state.
	role     role
	leader   sim.NodeID // -1: unknown
	commit   int
	applied  int
	votes    []bool
	answered []bool
	next     []int
	match    []int
	election sim.TimerID
	beat     sim.TimerID

	kv KV
}

// NewNode returns a replica; its durable state is read in Start.
func NewNode(p Params) *Node {
	return &Node{p: p, votedFor: -1, leader: -1, kv: NewKV()}
}

// Storage keys.
const (
	keyTerm = "term"
	keyVote = "vote" // votedFor+1; 0 is no vote
	keyLen  = "len"
)

func entryKey(i int) string { return "e" + strconv.Itoa(i) }

// Start implements sim.Node: read the durable state back and wait for a
// leader as a follower.
func (n *Node) Start(ctx sim.Context) {
	n.store = ctx.Storage()
	if t, ok := sim.GetInt64(n.store, keyTerm); ok {
		n.term = t
		if v, ok := sim.GetInt64(n.store, keyVote); ok && n.p.Bug != VolatileVote {
			n.votedFor = sim.NodeID(v - 1)
		}
		l, _ := sim.GetInt64(n.store, keyLen)
		n.log = make([]Entry, 0, l)
		for i := 1; i <= int(l); i++ {
			b, _ := n.store.Get(entryKey(i))
			e, err := parseEntry(string(b))
			if err != nil {
				panic("raft: corrupt log on disk: " + err.Error())
			}
			n.log = append(n.log, e)
		}
		ctx.Observe(ObsRestart, int(n.term), "")
	} else {
		sim.PutInt64(n.store, keyTerm, 0)
	}
	n.resetElection(ctx)
}

// persistTermVote writes currentTerm and votedFor; with VolatileVote the
// vote stays in memory.
func (n *Node) persistTermVote() {
	sim.PutInt64(n.store, keyTerm, n.term)
	if n.p.Bug != VolatileVote {
		sim.PutInt64(n.store, keyVote, int64(n.votedFor)+1)
	}
}

// truncate drops the entries after index i, on disk too.
func (n *Node) truncate(i int) {
	if i >= len(n.log) {
		return
	}
	n.log = n.log[:i]
	sim.PutInt64(n.store, keyLen, int64(i))
}

// appendEntries appends es to the log, on disk too.
func (n *Node) appendEntries(es ...Entry) {
	for _, e := range es {
		n.log = append(n.log, e)
		n.store.Put(entryKey(len(n.log)), []byte(e.String()))
	}
	sim.PutInt64(n.store, keyLen, int64(len(n.log)))
}

func (n *Node) lastIndex() int { return len(n.log) }

func (n *Node) termAt(i int) int64 {
	if i <= 0 || i > len(n.log) {
		return 0
	}
	return n.log[i-1].Term
}

func (n *Node) quorum() int { return n.p.N/2 + 1 }

func (n *Node) resetElection(ctx sim.Context) {
	ctx.Cancel(n.election)
	n.election = ctx.After(n.p.Timing.ElectionTimeout(ctx.Rand()), tagElection)
}

// stepDown adopts a newer term as a follower (§5.1: a node that sees a
// larger term updates its own and reverts to follower).
func (n *Node) stepDown(ctx sim.Context, term int64) {
	if term > n.term {
		n.term, n.votedFor = term, -1
		n.persistTermVote()
	}
	if n.role != follower {
		ctx.Cancel(n.beat)
		n.beat = 0
	}
	if n.role == leader {
		n.resetElection(ctx)
	}
	n.role = follower
}

// Fire implements sim.Node.
func (n *Node) Fire(ctx sim.Context, id sim.TimerID, tag any) {
	switch tag {
	case tagElection:
		if id == n.election && n.role != leader {
			n.campaign(ctx)
		}
	case tagHeartbeat:
		if id != n.beat {
			return
		}
		switch n.role {
		case leader:
			n.broadcast(ctx)
			n.beat = ctx.After(n.p.Timing.Heartbeat, tagHeartbeat)
		case candidate:
			n.requestVotes(ctx)
			n.beat = ctx.After(n.p.Timing.Heartbeat, tagHeartbeat)
		}
	}
}

// campaign starts an election for the next term, voting for itself (§5.2).
func (n *Node) campaign(ctx sim.Context) {
	n.term++
	n.votedFor = ctx.Self()
	n.persistTermVote()
	n.role = candidate
	n.leader = -1
	n.votes = make([]bool, n.p.N)
	n.votes[ctx.Self()] = true
	ctx.Observe(ObsCandidate, int(n.term), "")
	n.resetElection(ctx)
	if n.quorum() == 1 {
		n.becomeLeader(ctx)
		return
	}
	n.answered = make([]bool, n.p.N)
	n.requestVotes(ctx)
	ctx.Cancel(n.beat)
	n.beat = ctx.After(n.p.Timing.Heartbeat, tagHeartbeat)
}

// requestVotes asks every node that has not answered yet for its vote;
// a candidate repeats it every heartbeat until the election ends (§5.1:
// servers retry RPCs that get no timely response).
func (n *Node) requestVotes(ctx sim.Context) {
	m := RequestVote{Term: n.term, Candidate: ctx.Self(), LastIndex: n.lastIndex(), LastTerm: n.termAt(n.lastIndex())}
	for i := 0; i < n.p.N; i++ {
		if sim.NodeID(i) != ctx.Self() && !n.answered[i] {
			ctx.Send(sim.NodeID(i), m)
		}
	}
}

func (n *Node) becomeLeader(ctx sim.Context) {
	n.role = leader
	n.leader = ctx.Self()
	ctx.Cancel(n.beat)
	ctx.Cancel(n.election)
	n.election = 0
	n.next = make([]int, n.p.N)
	n.match = make([]int, n.p.N)
	for i := range n.next {
		n.next[i] = n.lastIndex() + 1
	}
	n.match[ctx.Self()] = n.lastIndex()
	terms := make([]string, len(n.log))
	for i, e := range n.log {
		terms[i] = strconv.FormatInt(e.Term, 10)
	}
	ctx.Observe(ObsLeader, int(n.term), strings.Join(terms, " "))
	n.broadcast(ctx)
	n.beat = ctx.After(n.p.Timing.Heartbeat, tagHeartbeat)
}

// broadcast sends every follower the entries it is missing (a heartbeat
// if none).
func (n *Node) broadcast(ctx sim.Context) {
	for i := 0; i < n.p.N; i++ {
		if sim.NodeID(i) != ctx.Self() {
			n.sendAppend(ctx, sim.NodeID(i))
		}
	}
}

func (n *Node) sendAppend(ctx sim.Context, to sim.NodeID) {
	prev := n.next[to] - 1
	ctx.Send(to, AppendEntries{
		Term: n.term, Leader: ctx.Self(), PrevIndex: prev, PrevTerm: n.termAt(prev),
		// A copy: the log's array is reused after a truncation, and a
		// message in flight must not change.
		Entries: slices.Clone(n.log[prev:]),
		Commit:  n.commit,
	})
}

// Deliver implements sim.Node.
func (n *Node) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	switch m := msg.(type) {
	case RequestVote:
		n.onRequestVote(ctx, m)
	case Vote:
		n.onVote(ctx, from, m)
	case AppendEntries:
		n.onAppend(ctx, from, m)
	case AppendReply:
		n.onAppendReply(ctx, from, m)
	case Request:
		n.onRequest(ctx, from, m)
	}
}

// onRequestVote grants at most one vote per term (persisted before the
// reply), and only to a candidate whose log is at least as up-to-date as
// this node's: a later last term, or the same last term and at least as
// long (§5.4.1).
func (n *Node) onRequestVote(ctx sim.Context, m RequestVote) {
	if m.Term > n.term {
		n.stepDown(ctx, m.Term)
	}
	lastTerm := n.termAt(n.lastIndex())
	upToDate := m.LastTerm > lastTerm || (m.LastTerm == lastTerm && m.LastIndex >= n.lastIndex())
	if n.p.Bug == NoLogCheck {
		upToDate = true
	}
	granted := m.Term == n.term && (n.votedFor == -1 || n.votedFor == m.Candidate) && upToDate
	if granted {
		n.votedFor = m.Candidate
		n.persistTermVote()
		n.resetElection(ctx)
	}
	ctx.Send(m.Candidate, Vote{Term: n.term, Granted: granted})
}

func (n *Node) onVote(ctx sim.Context, from sim.NodeID, m Vote) {
	if m.Term > n.term {
		n.stepDown(ctx, m.Term)
		n.resetElection(ctx)
		return
	}
	if n.role != candidate || m.Term != n.term || int(from) >= n.p.N {
		return
	}
	n.answered[from] = true
	if !m.Granted {
		return
	}
	n.votes[from] = true
	count := 0
	for _, v := range n.votes {
		if v {
			count++
		}
	}
	if count >= n.quorum() {
		n.becomeLeader(ctx)
	}
}

// onAppend is the follower's side of replication (§5.3): reject a stale
// leader, then the consistency check on (PrevIndex, PrevTerm), then append,
// truncating only where an existing entry conflicts with a new one.
func (n *Node) onAppend(ctx sim.Context, from sim.NodeID, m AppendEntries) {
	if m.Term < n.term {
		ctx.Send(from, AppendReply{Term: n.term, Match: n.lastIndex()})
		return
	}
	if m.Term > n.term || n.role != follower {
		n.stepDown(ctx, m.Term)
	}
	n.leader = m.Leader
	n.resetElection(ctx)
	if m.PrevIndex > n.lastIndex() || n.termAt(m.PrevIndex) != m.PrevTerm {
		ctx.Send(from, AppendReply{Term: n.term, Match: min(n.lastIndex(), m.PrevIndex-1)})
		return
	}
	last := m.PrevIndex + len(m.Entries)
	if n.p.Bug == StaleTruncate {
		// The bug: the log is cut right after the message's entries, so a
		// stale AppendEntries erases newer entries already acknowledged.
		n.truncate(m.PrevIndex)
		n.appendEntries(m.Entries...)
	} else {
		for j, e := range m.Entries {
			i := m.PrevIndex + 1 + j
			if i <= n.lastIndex() {
				if n.termAt(i) == e.Term {
					continue // already there: a duplicate or stale message
				}
				n.truncate(i - 1) // a conflict: this entry and all after it go
			}
			n.appendEntries(m.Entries[j:]...)
			break
		}
	}
	if m.Commit > n.commit {
		n.commit = max(n.commit, min(m.Commit, last))
		n.apply(ctx)
	}
	ctx.Send(from, AppendReply{Term: n.term, Success: true, Match: last})
}

func (n *Node) onAppendReply(ctx sim.Context, from sim.NodeID, m AppendReply) {
	if m.Term > n.term {
		n.stepDown(ctx, m.Term)
		return
	}
	if n.role != leader || m.Term != n.term || int(from) >= n.p.N {
		return
	}
	if !m.Success {
		// Back up, using the follower's hint to skip entries it lacks.
		n.next[from] = max(1, min(n.next[from]-1, m.Match+1))
		n.sendAppend(ctx, from)
		return
	}
	// Replies can be stale or reordered: progress only moves forward.
	if m.Match > n.match[from] {
		n.match[from] = m.Match
	}
	n.next[from] = max(n.next[from], m.Match+1)
	n.advanceCommit(ctx)
	if n.role == leader && n.next[from] <= n.lastIndex() {
		// The follower is behind and idle: send what came in since, as
		// etcd's leader does on an append response, without waiting for
		// the next heartbeat.
		n.sendAppend(ctx, from)
	}
}

// advanceCommit applies the commit rule (§5.3, §5.4.2): the largest index
// stored on a majority becomes committed, but only if its entry is of the
// current term; earlier entries are then committed indirectly. Counting
// replicas of an older term's entry is Figure 8's mistake.
func (n *Node) advanceCommit(ctx sim.Context) {
	for i := n.lastIndex(); i > n.commit; i-- {
		if n.termAt(i) != n.term && n.p.Bug != CommitOldTerm {
			break // entries before the current term's are not counted
		}
		count := 0
		for _, mi := range n.match {
			if mi >= i {
				count++
			}
		}
		if count >= n.quorum() {
			n.commit = i
			ctx.Observe(ObsCommit, i, strconv.FormatInt(n.term, 10))
			n.apply(ctx)
			return
		}
	}
}

// apply runs the committed entries through the key-value state machine,
// once per client command, and the leader answers the client.
func (n *Node) apply(ctx sim.Context) {
	for n.applied < n.commit && n.applied < n.lastIndex() {
		n.applied++
		e := n.log[n.applied-1]
		ctx.Observe(ObsApply, n.applied, e.String())
		c := e.Cmd
		if seq, out := n.kv.Apply(c); n.role == leader && c.Seq == seq {
			ctx.Send(c.Client, Reply{Seq: c.Seq, OK: true, Leader: ctx.Self(), Output: out})
		}
	}
}

// onRequest appends a client's command as a leader, or points the client
// at the leader. A command the state machine already applied is answered
// from its session without entering the log again (§8).
func (n *Node) onRequest(ctx sim.Context, from sim.NodeID, m Request) {
	if n.role != leader {
		ctx.Send(from, Reply{Seq: m.Cmd.Seq, Leader: n.leader})
		return
	}
	if dup, latest, out := n.kv.Duplicate(m.Cmd); dup {
		if latest {
			ctx.Send(from, Reply{Seq: m.Cmd.Seq, OK: true, Leader: ctx.Self(), Output: out})
		}
		return
	}
	n.appendEntries(Entry{Term: n.term, Cmd: m.Cmd})
	n.match[ctx.Self()] = n.lastIndex()
	if n.quorum() == 1 {
		n.advanceCommit(ctx)
	}
	// The leader batches: the new entry goes out with the next heartbeat,
	// one AppendEntries per follower for every request that came in since.
	// Until then only the leader holds it — the situation of Figure 8.
}

// Term is the node's current term.
func (n *Node) Term() int64 { return n.term }

// Leading reports whether the node believes it leads.
func (n *Node) Leading() bool { return n.role == leader }

// Log returns a copy of the node's log.
func (n *Node) Log() []Entry { return slices.Clone(n.log) }

// Applied is the index of the last entry applied to the state machine.
func (n *Node) Applied() int { return n.applied }

// LastIndex is the index of the last log entry (0 if the log is empty).
func (n *Node) LastIndex() int { return n.lastIndex() }

// TermAt is the term of the log entry at index i (0 if there is none).
func (n *Node) TermAt(i int) int64 { return n.termAt(i) }
