package raft

import (
	"simulate/check"
	"simulate/sim"
)

// Observation kinds of clients: an operation's invocation and its
// response, with the client's sequence number as the slot. They make the
// history the linearizability checker reads.
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
	// Keys is the key space; small, so that clients contend.
	Keys    []string
	Timeout sim.Time
	// Retry is how soon the client tries another replica when the one it
	// asked knows no leader; 0 waits for Timeout.
	Retry sim.Time
}

// Client issues gets and puts one at a time, each under a new sequence
// number. It follows "not leader" hints, and on a timeout retries the same
// command (same sequence number) at the next replica, so the store must
// deduplicate it (§8).
type Client struct {
	p      ClientParams
	seq    int
	cur    Cmd
	target sim.NodeID
	timer  sim.TimerID
	// retry is set while the timer is a short retry after "no leader":
	// the target has already moved on.
	retry bool
}

// NewClient returns a key-value client.
func NewClient(p ClientParams) *Client { return &Client{p: p} }

// Start implements sim.Node.
func (c *Client) Start(ctx sim.Context) {
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
	c.retry = false
	ctx.Send(c.target, Request{Cmd: c.cur})
	ctx.Cancel(c.timer)
	c.timer = ctx.After(c.p.Timeout, nil)
}

// Deliver implements sim.Node.
func (c *Client) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	m, ok := msg.(Reply)
	if !ok || m.Seq != c.seq || c.timer == 0 {
		return
	}
	if !m.OK {
		if m.Leader >= 0 && m.Leader != c.target && int(m.Leader) < c.p.Replicas {
			c.target = m.Leader
			c.send(ctx)
			return
		}
		if m.Leader < 0 && c.p.Retry > 0 {
			// Nobody knows a leader: an election is on. Try the next
			// replica soon rather than after the full timeout.
			c.target = sim.NodeID((int(c.target) + 1) % c.p.Replicas)
			ctx.Cancel(c.timer)
			c.timer = ctx.After(c.p.Retry, nil)
			c.retry = true
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
	if !c.retry {
		c.target = sim.NodeID((int(c.target) + 1) % c.p.Replicas)
	}
	c.retry = false
	c.send(ctx)
}
