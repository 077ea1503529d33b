// Package kvclient is the key-value client that Paxos's and Raft's
// replicated stores share. The two stores speak different messages but ask
// the same of a client — one operation at a time, follow "not leader"
// hints, retry the same sequence number elsewhere on a timeout — so the
// client's logic lives here once and each protocol supplies only its
// request message and a way to read its reply (Answer). One client also
// keeps the two workloads, and so the two protocols' histories, comparable.
package kvclient

import (
	"simulate/check"
	"simulate/sim"
)

// Params configures a key-value client.
type Params struct {
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
	// Candidates, if set, says replicas 0 .. Candidates-1 stand for
	// election at the start (Multi-Paxos's proposers): a client sends its
	// first request to one of them, since any other replica could only
	// redirect it. Later retries go round all replicas. 0 means all.
	Candidates int
}

// Cmd is a key-value command: a client's get or put (or, in a log, an
// entry a protocol adds of its own, such as a no-op). (Client, Seq) names
// it, so a command retried through a second replica can be applied once.
// Paxos's and Raft's Cmd are this struct with their own methods (their
// digests differ).
type Cmd struct {
	Client sim.NodeID
	Seq    int
	Kind   string
	Key    string
	Value  string
}

// text renders a client's command as its invoke observation reads:
// "put x=5.3" or "get x", the form check.KVHistory parses.
func (c Cmd) text() string {
	if c.Kind == check.CmdPut {
		return "put " + c.Key + "=" + c.Value
	}
	return "get " + c.Key
}

// Reply is a replica's answer to a client: OK with the command's output,
// or not OK with the replica's idea of the leader. Paxos's and Raft's Reply
// are this struct with their own digests.
type Reply struct {
	Seq int
	OK  bool
	// Leader is, when OK is false, the replica that the answering one
	// believes leads (-1: none known).
	Leader sim.NodeID
	Output string
}

// An Answer is a protocol's reply message to a client, read as a Reply.
type Answer interface {
	ClientReply() Reply
}

// Client issues gets and puts one at a time, each under a new sequence
// number, and records each invocation and response (check.ObsInvoke and
// check.ObsReturn, the history a linearizability checker reads). It sends
// to the replica it believes leads, follows "not leader" hints, and on a
// timeout retries the same request (same sequence number) at the next
// replica, so the store must apply it at most once.
type Client struct {
	p Params
	// request wraps a command in the protocol's request message; texted
	// does too, and renders the command's invoke text (see NewTexted).
	request func(Cmd) sim.Message
	texted  func(Cmd) (sim.Message, string)
	seq     int
	req     sim.Message
	target  sim.NodeID
	timer   sim.TimerID
	// retry is set while the timer is a short retry after "no leader":
	// the target has already moved on.
	retry bool
}

// New returns a client that asks for each command with request(cmd) and
// reads the replicas' Answers.
func New(p Params, request func(Cmd) sim.Message) *Client {
	return &Client{p: p, request: request}
}

// NewTexted is New for a protocol that renders each command as text anyway
// (Paxos observes "c5#3 put x=5.3" at every replica that decides it):
// request returns the request message and the command's invoke text, "put
// x=5.3" or "get x" as Cmd's own rendering would read, typically the tail
// of its longer form. The client then renders nothing itself.
func NewTexted(p Params, request func(Cmd) (sim.Message, string)) *Client {
	return &Client{p: p, texted: request}
}

// Start implements sim.Node.
func (c *Client) Start(ctx sim.Context) {
	// Clients spread over the replicas that stand first until they learn
	// who leads.
	first := c.p.Replicas
	if c.p.Candidates > 0 && c.p.Candidates < first {
		first = c.p.Candidates
	}
	c.target = sim.NodeID(int(ctx.Self()) % first)
	c.next(ctx)
}

func (c *Client) next(ctx sim.Context) {
	if c.seq >= c.p.Ops {
		return
	}
	c.seq++
	cmd := Cmd{Client: ctx.Self(), Seq: c.seq}
	cmd.Kind, cmd.Key, cmd.Value = check.DrawKVOp(ctx.Rand(), c.p.Keys, ctx.Self(), c.seq)
	var text string
	if c.texted != nil {
		c.req, text = c.texted(cmd)
	} else {
		c.req, text = c.request(cmd), cmd.text()
	}
	ctx.Observe(check.ObsInvoke, c.seq, text)
	c.send(ctx)
}

func (c *Client) send(ctx sim.Context) {
	c.retry = false
	ctx.Send(c.target, c.req)
	ctx.Cancel(c.timer)
	c.timer = ctx.After(c.p.Timeout, nil)
}

// Deliver implements sim.Node.
func (c *Client) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	a, ok := msg.(Answer)
	if !ok || c.timer == 0 {
		return
	}
	m := a.ClientReply()
	if m.Seq != c.seq {
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
	ctx.Observe(check.ObsReturn, c.seq, m.Output)
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
