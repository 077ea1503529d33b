package paxos

import (
	"fmt"
	"sort"
	"strings"

	"simulate/check"
	"simulate/sim"
)

// Observation kinds of key-value clients: an operation's invocation and its
// response, with the client's sequence number as the slot. Together they are
// the client history a linearizability checker reads.
const (
	ObsInvoke = check.ObsInvoke
	ObsReturn = check.ObsReturn
)

// ClientParams configures a key-value client.
type ClientParams struct {
	// Replicas is the number of replicas (ids 0 .. Replicas-1).
	Replicas int
	// Ops is how many operations the client issues, one at a time.
	Ops int
	// Keys is the key space; small, so clients contend.
	Keys    []string
	Timeout sim.Time
}

// Client issues gets and puts to the replicated store one at a time and
// records each invocation and response. It sends to the replica it believes
// leads, follows "not leader" hints, and on a timeout tries the next replica
// with the same sequence number, which the store applies at most once.
type Client struct {
	p      ClientParams
	seq    int
	cur    Cmd
	target sim.NodeID
	timer  sim.TimerID
}

// NewClient returns a key-value client.
func NewClient(p ClientParams) *Client { return &Client{p: p} }

// Start implements sim.Node.
func (c *Client) Start(ctx sim.Context) {
	// Clients spread over the replicas until they learn who leads.
	c.target = sim.NodeID(int(ctx.Self()) % c.p.Replicas)
	c.next(ctx)
}

func (c *Client) next(ctx sim.Context) {
	if c.seq >= c.p.Ops {
		return
	}
	c.seq++
	cmd := Cmd{Client: ctx.Self(), Seq: c.seq}
	cmd.Kind, cmd.Key, cmd.Value = check.DrawKVOp(ctx.Rand(), c.p.Keys, ctx.Self(), c.seq)
	c.cur = cmd
	ctx.Observe(ObsInvoke, c.seq, cmd.Op())
	c.send(ctx)
}

func (c *Client) send(ctx sim.Context) {
	ctx.Send(c.target, Request{Cmd: c.cur})
	ctx.Cancel(c.timer)
	c.timer = ctx.After(c.p.Timeout, nil)
}

// Deliver implements sim.Node.
func (c *Client) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	m, ok := msg.(Reply)
	if !ok || m.Seq != c.seq || c.cur.Seq != c.seq || c.timer == 0 {
		return
	}
	if !m.OK {
		if m.Leader >= 0 && m.Leader != c.target && int(m.Leader) < c.p.Replicas {
			c.target = m.Leader
			c.send(ctx)
		}
		return // no better idea: wait for the timeout
	}
	c.target = from
	ctx.Cancel(c.timer)
	c.timer = 0
	ctx.Observe(ObsReturn, c.seq, m.Output)
	c.next(ctx)
}

// Fire implements sim.Node.
func (c *Client) Fire(ctx sim.Context, id sim.TimerID, _ any) {
	if id != c.timer {
		return
	}
	c.target = sim.NodeID((int(c.target) + 1) % c.p.Replicas)
	c.send(ctx)
}

// Op is one client operation of a history (check.Op).
type Op = check.Op

// history rebuilds the clients' operations from their observations.
func history(obs []sim.Observation, replicas int) []Op { return check.KVHistory(obs, replicas) }

func (in *Instance) newMultiNode(id sim.NodeID) sim.Node {
	s := in.resolved
	t := DefaultMultiTiming(s.MaxDelay())
	if int(id) >= s.Nodes {
		return NewClient(ClientParams{Replicas: s.Nodes, Ops: s.Ops, Keys: []string{"x", "y"}, Timeout: t.Client})
	}
	p := MultiParams{N: s.Nodes, Timing: t, Bug: s.Bug}
	if int(id) < s.Proposers {
		p.Candidate = true
		if int(id) < len(s.Starts) {
			p.StartAt = s.Starts[id]
		}
	}
	return NewReplica(p)
}

// multiStop ends a Multi-Paxos run once every client finished and every
// live replica has applied the same log (leaders heartbeat forever, so the
// world is never quiescent).
func (in *Instance) multiStop() func(w *sim.World) bool {
	s := in.resolved
	want := s.Clients * s.Ops
	returned, seen := 0, 0
	return func(w *sim.World) bool {
		obs := w.Observations()
		for ; seen < len(obs); seen++ {
			if obs[seen].Kind == ObsReturn {
				returned++
			}
		}
		if returned < want {
			return false
		}
		applied := -1
		for i := 0; i < s.Nodes; i++ {
			id := sim.NodeID(i)
			if w.Crashed(id) {
				continue
			}
			r, ok := w.Node(id).(*Replica)
			if !ok {
				return false
			}
			if applied >= 0 && r.Applied() != applied {
				return false
			}
			applied = r.Applied()
		}
		return true
	}
}

// checkMulti checks validity for the replicated store: every committed
// command is a no-op or was invoked by a client. (Linearizability of the
// client history is checked with porcupine in the tests and by check/.)
func checkMulti(o Outcome) []Violation {
	var out []Violation
	invoked := map[string]bool{}
	for _, op := range o.History {
		invoked[Cmd{Client: op.Client, Seq: op.Seq, Kind: op.Kind, Key: op.Key, Value: op.Value}.String()] = true
	}
	var bad []string
	for _, ob := range o.Result.Observations {
		if ob.Kind == ObsDecide && ob.Value != CmdNoop && !invoked[ob.Value] {
			bad = append(bad, fmt.Sprintf("slot %d (%s) at n%d", ob.Slot, ob.Value, ob.Node))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		out = append(out, Violation{"validity", "committed commands no client issued: " + strings.Join(bad, "; ")})
	}
	return out
}

// checkMultiTermination: after GST with a majority up, every client
// operation completed.
func checkMultiTermination(o Outcome) (Violation, bool) {
	pending := 0
	for _, op := range o.History {
		if !op.Done {
			pending++
		}
	}
	total := o.Scenario.Clients * o.Scenario.Ops
	if got := len(o.History) - pending; got < total {
		return Violation{"termination", fmt.Sprintf("%d of %d client operations completed by %s, %s after GST", got, total, o.Result.End, o.Result.End-o.Scenario.GST)}, false
	}
	return Violation{}, true
}
