package paxos

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"simulate/sim"
)

// fakeCtx is just enough of a sim.Context to drive one replica by hand.
type fakeCtx struct {
	st    mapStorage
	app   bool // Storage is a sim.Appender
	nodes []sim.NodeID
	rng   *rand.Rand
	timer sim.TimerID
}

type mapStorage map[string][]byte

func (s mapStorage) Get(k string) ([]byte, bool) {
	v, ok := s[k]
	return append([]byte(nil), v...), ok
}
func (s mapStorage) Put(k string, v []byte) { s[k] = append([]byte(nil), v...) }

// appendStorage is a mapStorage that appends in place, as the simulator's
// storage does (sim.Appender).
type appendStorage struct{ mapStorage }

func (s appendStorage) Append(k string, v []byte) { s.mapStorage[k] = append(s.mapStorage[k], v...) }

func (c *fakeCtx) Self() sim.NodeID                { return 0 }
func (c *fakeCtx) Nodes() []sim.NodeID             { return c.nodes }
func (c *fakeCtx) Now() sim.Time                   { return 0 }
func (c *fakeCtx) Send(sim.NodeID, sim.Message)    {}
func (c *fakeCtx) After(sim.Time, any) sim.TimerID { c.timer++; return c.timer }
func (c *fakeCtx) Cancel(sim.TimerID)              {}
func (c *fakeCtx) Rand() *rand.Rand                { return c.rng }
func (c *fakeCtx) Storage() sim.Storage {
	if c.app {
		return appendStorage{c.st}
	}
	return c.st
}
func (c *fakeCtx) Observe(string, int, string)       {}
func (c *fakeCtx) Probe(sim.ProbeKind, int64, int64) {}
func (c *fakeCtx) Sign(payload []byte) sim.Signature { return sim.Signature{} }

// durableState is what a replica must get back from Storage after a crash:
// its promise, every accepted entry, its committed log (and the store
// applied from it) and its proposer round.
type durableState struct {
	Promised Ballot
	Accepted map[int]Entry
	MaxAcc   int
	Log      map[int]Cmd
	LogMax   int
	Applied  int
	KV       map[string]string
	Round    int64
}

func durable(r *Replica) durableState {
	d := durableState{Promised: r.promised, Accepted: map[int]Entry{}, MaxAcc: r.maxAcc,
		Log: map[int]Cmd{}, LogMax: r.logMax, Applied: r.applied, KV: r.kv, Round: r.round}
	for s := 0; s <= max(r.maxAcc, r.logMax); s++ {
		if a := r.accepted.get(s); a != nil && a.ok {
			d.Accepted[s] = Entry{Slot: s, B: a.b, Cmd: a.cmd}
		}
		if c, ok := r.logged(s); ok {
			d.Log[s] = c
		}
	}
	return d
}

// TestReplicaRecoversDurableState drives a replica through random
// prepares, accepts (out of order, sparse, re-accepted at higher ballots),
// commits and elections, and after every step restarts a fresh replica on
// a copy of its Storage: the fresh one must hold exactly the promise,
// accepted entries and committed log the running one holds, and the round
// of its last election, the
// state the replica kept one storage key per slot for before the slots
// were stored in chunks. With the volatile-acceptor bug only the log and
// round survive.
func TestReplicaRecoversDurableState(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		bug := rapid.SampledFrom([]Bug{"", VolatileAcceptor}).Draw(t, "bug")
		p := MultiParams{N: 3, Timing: DefaultMultiTiming(sim.Millisecond), Bug: bug}
		ctx := &fakeCtx{st: mapStorage{}, nodes: []sim.NodeID{0, 1, 2, 3}, rng: rand.New(rand.NewPCG(1, 2))}
		ctx.app = rapid.Bool().Draw(t, "appender")
		r := NewReplica(p)
		r.Start(ctx)
		slot := rapid.IntRange(0, 3*slotsPerChunk+5)
		cmd := rapid.Custom(func(t *rapid.T) Cmd {
			if rapid.Bool().Draw(t, "noop") {
				return Cmd{Kind: CmdNoop}
			}
			return Cmd{Client: 3, Seq: rapid.IntRange(1, 50).Draw(t, "seq"),
				Kind: rapid.SampledFrom([]string{CmdPut, CmdGet}).Draw(t, "kind"),
				Key:  rapid.SampledFrom([]string{"x", "y"}).Draw(t, "key"), Value: rapid.StringN(0, 5, 5).Draw(t, "v")}
		})
		ballot := rapid.Custom(func(t *rapid.T) Ballot {
			return Ballot{Round: rapid.Int64Range(1, 4).Draw(t, "round"), Node: sim.NodeID(rapid.IntRange(0, 2).Draw(t, "node"))}
		})
		steps := rapid.IntRange(1, 60).Draw(t, "steps")
		var stood int64 // the round stored by the last election; stepping down raises r.round only in memory
		for i := 0; i < steps; i++ {
			switch rapid.IntRange(0, 5).Draw(t, "op") {
			case 0:
				r.Deliver(ctx, 1, MPrepare{B: ballot.Draw(t, "b"), From: slot.Draw(t, "from")})
			case 1:
				r.Deliver(ctx, 1, MAccept{B: ballot.Draw(t, "b"), Slot: slot.Draw(t, "slot"), Cmd: cmd.Draw(t, "cmd")})
			case 2:
				r.Deliver(ctx, 1, MCommit{Slot: slot.Draw(t, "slot"), Cmd: cmd.Draw(t, "cmd")})
			case 3:
				r.stand(ctx)
				stood = r.round
			case 4: // a batching leader's accepts for a run of slots
				r.Deliver(ctx, 1, MAccepts{B: ballot.Draw(t, "b"), Slot: slot.Draw(t, "slot"), Cmds: rapid.SliceOfN(cmd, 1, 20).Draw(t, "cmds")})
			case 5:
				r.Deliver(ctx, 1, MCommits{Slot: slot.Draw(t, "slot"), Cmds: rapid.SliceOfN(cmd, 1, 20).Draw(t, "cmds")})
			}
			want := durable(r)
			want.Round = stood
			if bug == VolatileAcceptor {
				want.Promised, want.Accepted, want.MaxAcc = Ballot{}, map[int]Entry{}, -1
			}
			back := &fakeCtx{st: mapStorage{}, nodes: ctx.nodes, rng: rand.New(rand.NewPCG(1, 2))}
			for k, v := range ctx.st {
				back.st[k] = append([]byte(nil), v...)
			}
			fresh := NewReplica(p)
			fresh.Start(back)
			require.Equal(t, want, durable(fresh), "after step %d", i)
		}
	})
}
