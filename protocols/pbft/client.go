package pbft

import (
	"fmt"

	"simulate/sim"
)

// Client issues its requests one at a time: it signs a request, sends it to
// the primary it believes in, and accepts a result once f+1 replicas sent
// the same reply — at least one of them honest, so the result is real. If
// the primary stays silent it broadcasts the request to every replica,
// which relay it and start watching the primary.
type Client struct {
	p       Params
	id      sim.NodeID
	total   int
	ts      int
	view    int
	sentAt  sim.Time
	replies map[sim.NodeID]string
	timer   sim.TimerID
	// Latencies holds, per completed request, the time from first send to
	// the accepted result.
	Latencies []sim.Time
}

// NewClient returns client id, which will issue total requests.
func NewClient(p Params, id sim.NodeID, total int) *Client {
	return &Client{p: p, id: id, total: total}
}

// Done reports whether every request completed.
func (c *Client) Done() bool { return c.ts >= c.total && c.replies == nil }

// Completed is the number of requests that completed.
func (c *Client) Completed() int { return len(c.Latencies) }

// Op is the operation of client id's request ts.
func Op(id sim.NodeID, ts int) string { return fmt.Sprintf("c%d/%d", id, ts) }

// Start implements sim.Node.
func (c *Client) Start(ctx sim.Context) { c.next(ctx) }

func (c *Client) request() Request {
	req := Request{Client: c.id, TS: c.ts, Op: Op(c.id, c.ts)}
	return req
}

func (c *Client) next(ctx sim.Context) {
	if c.ts >= c.total {
		c.replies = nil
		return
	}
	c.ts++
	c.replies = map[sim.NodeID]string{}
	c.sentAt = ctx.Now()
	req := c.request()
	req.Sig = ctx.Sign(req.payload())
	ctx.Send(c.p.Primary(c.view), req)
	c.timer = ctx.After(c.p.ClientTimeout, nil)
}

// Deliver implements sim.Node.
func (c *Client) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	r, ok := msg.(Reply)
	if !ok || c.replies == nil || r.TS != c.ts || !c.p.isReplica(from) {
		return
	}
	if r.View > c.view {
		c.view = r.View
	}
	c.replies[from] = r.Result
	n := 0
	for _, res := range c.replies {
		if res == r.Result {
			n++
		}
	}
	if n < c.p.Weak() {
		return
	}
	ctx.Cancel(c.timer)
	c.Latencies = append(c.Latencies, ctx.Now()-c.sentAt)
	ctx.Observe("complete", c.ts, Op(c.id, c.ts)+" "+r.Result)
	c.next(ctx)
}

// Fire implements sim.Node: the primary is slow or faulty, so tell everyone.
func (c *Client) Fire(ctx sim.Context, _ sim.TimerID, _ any) {
	if c.replies == nil {
		return
	}
	req := c.request()
	req.Sig = ctx.Sign(req.payload())
	for i := 0; i < c.p.N; i++ {
		ctx.Send(sim.NodeID(i), req)
	}
	c.timer = ctx.After(c.p.ClientTimeout, nil)
}
