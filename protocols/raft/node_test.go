package raft

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/sim"
)

// fakeCtx is a hand-driven sim.Context: it keeps what a node sends and
// observes, and a disk that survives "restarts" (a new Node on the same
// fakeCtx).
type fakeCtx struct {
	self  sim.NodeID
	nodes []sim.NodeID
	disk  fakeDisk
	rng   *rand.Rand
	sent  []sent
	obs   []sim.Observation
	timer sim.TimerID
}

type sent struct {
	to  sim.NodeID
	msg sim.Message
}

type fakeDisk map[string][]byte

func (d fakeDisk) Get(k string) ([]byte, bool) { v, ok := d[k]; return append([]byte(nil), v...), ok }
func (d fakeDisk) Put(k string, v []byte)      { d[k] = append([]byte(nil), v...) }

func newFakeCtx(self sim.NodeID, n int) *fakeCtx {
	c := &fakeCtx{self: self, disk: fakeDisk{}, rng: rand.New(rand.NewPCG(1, 2))}
	for i := 0; i < n; i++ {
		c.nodes = append(c.nodes, sim.NodeID(i))
	}
	return c
}

func (c *fakeCtx) Self() sim.NodeID                  { return c.self }
func (c *fakeCtx) Nodes() []sim.NodeID               { return c.nodes }
func (c *fakeCtx) Now() sim.Time                     { return 0 }
func (c *fakeCtx) Send(to sim.NodeID, m sim.Message) { c.sent = append(c.sent, sent{to, m}) }
func (c *fakeCtx) After(sim.Time, any) sim.TimerID   { c.timer++; return c.timer }
func (c *fakeCtx) Cancel(sim.TimerID)                {}
func (c *fakeCtx) Rand() *rand.Rand                  { return c.rng }
func (c *fakeCtx) Storage() sim.Storage              { return c.disk }
func (c *fakeCtx) Observe(kind string, slot int, value string) {
	c.obs = append(c.obs, sim.Observation{Node: c.self, Kind: kind, Slot: slot, Value: value})
}
func (c *fakeCtx) Probe(sim.ProbeKind, int64, int64) {}
func (c *fakeCtx) Sign(p []byte) sim.Signature       { return sim.Signature{} }

// lastVote returns the last Vote the node sent.
func (c *fakeCtx) lastVote(t *testing.T) Vote {
	for i := len(c.sent) - 1; i >= 0; i-- {
		if v, ok := c.sent[i].msg.(Vote); ok {
			return v
		}
	}
	t.Fatal("no vote sent")
	return Vote{}
}

func params(bug Bug) Params { return Params{N: 3, Timing: DefaultTiming(sim.Millisecond), Bug: bug} }

// started is node 0 of three, with bug planted, started on a fresh fake
// context: where every test of a single node begins.
func started(bug Bug) (*fakeCtx, *Node) {
	ctx := newFakeCtx(0, 3)
	n := NewNode(params(bug))
	n.Start(ctx)
	return ctx, n
}

// withAndWithout runs check twice on a freshly started node: once correct,
// expecting want, and once with bug planted, expecting buggy. Each teaching
// bug's test shows the rule it breaks beside the behaviour it breaks.
func withAndWithout[W any](t *testing.T, bug Bug, want, buggy W, check func(t *testing.T, bug Bug, ctx *fakeCtx, n *Node, want W)) {
	t.Helper()
	for _, tc := range []struct {
		bug  Bug
		want W
	}{{"", want}, {bug, buggy}} {
		ctx, n := started(tc.bug)
		check(t, tc.bug, ctx, n, tc.want)
	}
}

func put(term int64, seq int) Entry {
	return Entry{Term: term, Cmd: Cmd{Client: 3, Seq: seq, Kind: CmdPut, Key: "x", Value: "v"}}
}

// TestVoteSurvivesRestart: votedFor is on disk, so a node that voted for
// n1 in term 5 and restarts refuses n2 in term 5 — unless votedFor is
// volatile, and then it votes twice.
func TestVoteSurvivesRestart(t *testing.T) {
	withAndWithout(t, VolatileVote, false, true, func(t *testing.T, bug Bug, ctx *fakeCtx, n *Node, secondVote bool) {
		n.Deliver(ctx, 1, RequestVote{Term: 5, Candidate: 1})
		require.True(t, ctx.lastVote(t).Granted)

		again := NewNode(params(bug)) // the restart: a new node on the same disk
		again.Start(ctx)
		require.Equal(t, int64(5), again.Term(), "currentTerm is durable")
		again.Deliver(ctx, 2, RequestVote{Term: 5, Candidate: 2})
		require.Equal(t, secondVote, ctx.lastVote(t).Granted, "bug %q", bug)
	})
}

// TestLogSurvivesRestart: the log, with its terms, comes back from disk,
// and a truncation is durable too.
func TestLogSurvivesRestart(t *testing.T) {
	ctx, n := started("")
	n.Deliver(ctx, 1, AppendEntries{Term: 1, Leader: 1, Entries: []Entry{put(1, 1), put(1, 2), put(1, 3)}})
	n.Deliver(ctx, 2, AppendEntries{Term: 2, Leader: 2, PrevIndex: 1, PrevTerm: 1, Entries: []Entry{put(2, 4)}})
	want := []Entry{put(1, 1), put(2, 4)}
	require.Equal(t, want, n.Log(), "the conflicting term-1 entries are gone")
	again := NewNode(params(""))
	again.Start(ctx)
	require.Equal(t, want, again.Log())
	require.Equal(t, int64(2), again.Term())
}

// TestElectionRestriction: a node refuses its vote to a candidate whose
// log is behind its own (§5.4.1) — unless the check is skipped.
func TestElectionRestriction(t *testing.T) {
	withAndWithout(t, NoLogCheck, false, true, func(t *testing.T, bug Bug, ctx *fakeCtx, n *Node, granted bool) {
		n.Deliver(ctx, 1, AppendEntries{Term: 2, Leader: 1, Entries: []Entry{put(1, 1), put(2, 2)}})
		// n2 stands with a shorter log, or one whose last term is older.
		n.Deliver(ctx, 2, RequestVote{Term: 3, Candidate: 2, LastIndex: 5, LastTerm: 1})
		require.Equal(t, granted, ctx.lastVote(t).Granted, "bug %q", bug)
		n.Deliver(ctx, 2, RequestVote{Term: 4, Candidate: 2, LastIndex: 1, LastTerm: 2})
		require.Equal(t, granted, ctx.lastVote(t).Granted, "bug %q", bug)
	})
}

// TestStaleAppendKeepsEntries: an AppendEntries that arrives late, after
// a longer one from the same leader, must not cut the log (§5.3 truncates
// only on a conflict); with StaleTruncate it drops acknowledged entries.
func TestStaleAppendKeepsEntries(t *testing.T) {
	withAndWithout(t, StaleTruncate, 3, 1, func(t *testing.T, bug Bug, ctx *fakeCtx, n *Node, want int) {
		n.Deliver(ctx, 1, AppendEntries{Term: 1, Leader: 1, Entries: []Entry{put(1, 1), put(1, 2), put(1, 3)}})
		require.Equal(t, AppendReply{Term: 1, Success: true, Match: 3}, ctx.sent[len(ctx.sent)-1].msg)
		n.Deliver(ctx, 1, AppendEntries{Term: 1, Leader: 1, Entries: []Entry{put(1, 1)}}) // the stale one
		require.Len(t, n.Log(), want, "bug %q", bug)
	})
}

// TestCommitOnlyCurrentTerm: a new leader whose log ends in an entry of an
// older term does not commit it by counting replicas (§5.4.2, Figure 8)
// — unless the commit rule is broken.
func TestCommitOnlyCurrentTerm(t *testing.T) {
	withAndWithout(t, CommitOldTerm, 0, 1, func(t *testing.T, bug Bug, ctx *fakeCtx, n *Node, commit int) {
		n.Deliver(ctx, 1, AppendEntries{Term: 2, Leader: 1, Entries: []Entry{put(2, 1)}})
		n.Fire(ctx, n.election, tagElection) // stands for term 3
		require.Equal(t, int64(3), n.Term())
		n.Deliver(ctx, 2, Vote{Term: 3, Granted: true})
		require.True(t, n.Leading())
		n.Deliver(ctx, 2, AppendReply{Term: 3, Success: true, Match: 1})
		require.Equal(t, commit, n.commit, "bug %q", bug)
	})
}

// TestRetriedCommandAppliedOnce: the same (client, seq) twice in the log
// changes the store once and answers with the first output (§8).
func TestRetriedCommandAppliedOnce(t *testing.T) {
	ctx, n := started("")
	first := Entry{Term: 1, Cmd: Cmd{Client: 3, Seq: 1, Kind: CmdPut, Key: "x", Value: "a"}}
	overwrite := Entry{Term: 1, Cmd: Cmd{Client: 4, Seq: 1, Kind: CmdPut, Key: "x", Value: "b"}}
	n.Deliver(ctx, 1, AppendEntries{Term: 1, Leader: 1, Entries: []Entry{first, overwrite, first}, Commit: 3})
	require.Equal(t, 3, n.Applied())
	require.Equal(t, "b", n.kv.kv["x"], "the retry of c3#1 must not overwrite c4's later put")
}

func TestEntryText(t *testing.T) {
	for _, e := range []Entry{put(3, 2), {Term: 4, Cmd: Cmd{Client: 5, Seq: 1, Kind: CmdGet, Key: "y"}}, {Term: 2, Cmd: Cmd{Kind: CmdNoop}}} {
		back, err := ParseEntry(e.String())
		require.NoError(t, err)
		require.Equal(t, e, back)
	}
	_, err := ParseEntry("t1 nonsense")
	require.Error(t, err)
}
