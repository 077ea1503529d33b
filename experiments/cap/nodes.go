package cap

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"simulate/protocols/paxos"
	"simulate/sim"
)

// ObsRefused is a window's observation that a customer gave up at the
// deadline; the slot is the sale's sequence number.
const ObsRefused = "refused"

// ObsGaveUp is a window's observation that a customer still queuing gave
// up: their patience ran out before the window was free to ask for them.
// No sale was attempted, so it is no operation in the history, but it is a
// refusal all the same (counted in Outcome.Refused).
const ObsGaveUp = "gave-up"

// maxHops bounds how often one customer is sent on to another office (the
// leader, as the office they asked believes): enough to find the leader,
// not enough to ping-pong between two offices that disagree.
const maxHops = 2

type windowTimer uint8

const (
	wtArrive windowTimer = iota + 1
	wtDeadline
)

// Window is a ticket window at one office. It serves one customer at a
// time: it asks its office to sell a ticket (a paxos.Request carrying a
// paxos.CmdSell), follows "not leader, try n" hints, and records the
// customer's invocation and its outcome — a ticket number, sold out (the
// window then closes), or refused at the deadline. Customers arrive as a
// Poisson process, with exponential gaps drawn from the window's own
// random stream, independently of service: they queue while the window is
// busy, and each one's patience (the deadline) runs from their arrival, so
// a customer who waited in the queue past it gives up without being
// served. Refusals during a partition are then every customer arriving at
// the cut-off side (rate × share × length), not the fewer a window could
// serve one deadline at a time.
type Window struct {
	office   sim.NodeID
	servers  int
	gap      float64 // mean gap between customers, in nanoseconds
	deadline sim.Time
	stock    string

	seq      int
	target   sim.NodeID
	hops     int
	busy     bool
	closed   bool
	next     sim.Time   // when the next customer arrives
	queue    []sim.Time // arrival times of the customers waiting, oldest first
	arrive   sim.TimerID
	patience sim.TimerID // the customer being served gives up
}

// Closed reports whether the window has closed (it heard "sold out").
func (w *Window) Closed() bool { return w.closed }

// Start implements sim.Node.
func (w *Window) Start(ctx sim.Context) {
	w.next = Open + w.nextGap(ctx)
	w.arrive = ctx.After(w.next-ctx.Now(), wtArrive)
}

func (w *Window) nextGap(ctx sim.Context) sim.Time {
	return sim.Time(ctx.Rand().ExpFloat64() * w.gap)
}

// serveNext serves the oldest customer still waiting, after letting go
// those whose patience ran out in the queue.
func (w *Window) serveNext(ctx sim.Context) {
	for len(w.queue) > 0 && w.queue[0]+w.deadline <= ctx.Now() {
		w.seq++
		ctx.Observe(ObsGaveUp, w.seq, "")
		w.queue = w.queue[1:]
	}
	if len(w.queue) == 0 {
		return
	}
	arrived := w.queue[0]
	w.queue = w.queue[1:]
	w.seq++
	w.busy, w.hops, w.target = true, 0, w.office
	ctx.Observe(paxos.ObsInvoke, w.seq, "sell")
	w.send(ctx)
	w.patience = ctx.After(arrived+w.deadline-ctx.Now(), wtDeadline)
}

func (w *Window) send(ctx sim.Context) {
	ctx.Send(w.target, paxos.Request{Cmd: paxos.Cmd{Client: ctx.Self(), Seq: w.seq, Kind: paxos.CmdSell, Key: StockKey, Value: w.stock}})
}

// done frees the window for the next customer, who may already be waiting.
func (w *Window) done(ctx sim.Context) {
	w.busy = false
	ctx.Cancel(w.patience)
	w.patience = 0
	if w.closed {
		ctx.Cancel(w.arrive)
		w.arrive, w.queue = 0, nil
		return
	}
	w.serveNext(ctx)
}

// Deliver implements sim.Node.
func (w *Window) Deliver(ctx sim.Context, _ sim.NodeID, msg sim.Message) {
	m, ok := msg.(paxos.Reply)
	if !ok || !w.busy || m.Seq != w.seq {
		return
	}
	if !m.OK {
		if m.Leader >= 0 && int(m.Leader) < w.servers && m.Leader != w.target && w.hops < maxHops {
			w.hops++
			w.target = m.Leader
			w.send(ctx)
		}
		return // no better idea: the customer waits for the deadline
	}
	ctx.Observe(paxos.ObsReturn, w.seq, m.Output)
	w.closed = m.Output == paxos.SoldOut
	w.done(ctx)
}

// Fire implements sim.Node.
func (w *Window) Fire(ctx sim.Context, id sim.TimerID, tag any) {
	switch tag.(windowTimer) {
	case wtArrive:
		if id != w.arrive || w.closed {
			return
		}
		w.queue = append(w.queue, ctx.Now())
		w.next += w.nextGap(ctx)
		w.arrive = ctx.After(w.next-ctx.Now(), wtArrive)
		if !w.busy {
			w.serveNext(ctx)
		}
	case wtDeadline:
		if id != w.patience {
			return
		}
		w.patience = 0 // fired: nothing left to cancel
		if w.busy {
			ctx.Observe(ObsRefused, w.seq, "")
			w.done(ctx)
		}
	}
}

// Sales is an AP office's G-counter: Counts[i] is how many tickets office
// i has sold, as far as the sender knows. Merging takes the maximum of
// each count, so counters can be exchanged any number of times, in any
// order, and still converge.
type Sales struct{ Counts []int }

// AppendDigest implements sim.Message.
func (m Sales) AppendDigest(b []byte) []byte {
	b = append(b, 'G')
	for _, c := range m.Counts {
		b = binary.BigEndian.AppendUint64(b, uint64(c))
	}
	return b
}

func (m Sales) String() string {
	parts := make([]string, len(m.Counts))
	for i, c := range m.Counts {
		parts[i] = strconv.Itoa(c)
	}
	return fmt.Sprintf("Sales{%s}", strings.Join(parts, " "))
}

// Office is an AP ticket office: it sells from its own view of the sales,
// never asking anyone, and gossips its G-counter to the other offices
// every period. Its view lags the truth by a gossip period and a message
// delay — and by the whole partition while one lasts.
type Office struct {
	index, offices int
	stock          int
	gossip         sim.Time
	counts         []int
}

// Counts returns the office's view of every office's sales.
func (o *Office) Counts() []int { return o.counts }

// Sold is how many tickets the office believes are sold in all.
func (o *Office) Sold() int {
	n := 0
	for _, c := range o.counts {
		n += c
	}
	return n
}

// Start implements sim.Node.
func (o *Office) Start(ctx sim.Context) {
	o.counts = make([]int, o.offices)
	ctx.After(o.gossip, nil)
}

// Deliver implements sim.Node.
func (o *Office) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	switch m := msg.(type) {
	case paxos.Request:
		out := paxos.SoldOut
		if sold := o.Sold(); sold < o.stock {
			o.counts[o.index]++
			out = strconv.Itoa(sold + 1)
		}
		ctx.Send(from, paxos.Reply{Seq: m.Cmd.Seq, OK: true, Output: out})
	case Sales:
		for i, c := range m.Counts {
			if i < len(o.counts) && c > o.counts[i] {
				o.counts[i] = c
			}
		}
	}
}

// Fire implements sim.Node: gossip the counter and rearm.
func (o *Office) Fire(ctx sim.Context, _ sim.TimerID, _ any) {
	for i := 0; i < o.offices; i++ {
		if i != o.index {
			ctx.Send(sim.NodeID(i), Sales{Counts: append([]int(nil), o.counts...)})
		}
	}
	ctx.After(o.gossip, nil)
}
