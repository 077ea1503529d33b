package faults

import (
	"simulate/sim"
)

// The Byzantine wrappers turn any honest sim.Node into a traitor that
// misbehaves in a protocol-agnostic way. The inner node runs unchanged; the
// wrapper hands it a Context whose Send is intercepted, so the traitor's
// state machine believes it behaves. Protocol packages ship the traitors
// that need to know message formats (a forged PREPARE); these only withhold,
// delay, repeat or rewrite what the honest code would send.
//
// Wrappers compose: Drop(Delay(n, d), 0.5) delays every message, then drops
// half of them when the delay ends. A wrapper's own timers carry a private
// tag naming the wrapper, so they are never shown to the inner node or to
// another wrapper, and the inner node's timers pass through untouched.
//
// A traitor's random choices (which message to drop or replay, to whom)
// come from ctx.Rand(), the node's own seeded stream, so the traitor's
// behaviour is part of the node and does not shift the environment's draws.

// Wrapper is implemented by every wrapper of this package: Unwrap returns
// the node it wraps.
type Wrapper interface {
	sim.Node
	Unwrap() sim.Node
}

// Unwrap peels off every Wrapper layer and returns the honest node inside,
// for tests and checkers that inspect a traitor's state. A node that is not
// a Wrapper is returned as is.
func Unwrap(n sim.Node) sim.Node {
	for {
		w, ok := n.(Wrapper)
		if !ok {
			return n
		}
		n = w.Unwrap()
	}
}

// strategy is what a wrapper does differently from the honest node.
type strategy interface {
	// send handles one Send of the inner node; ctx is the wrapper's own
	// (outer) Context.
	send(w *wrapper, ctx sim.Context, to sim.NodeID, msg sim.Message)
	// fire handles one of the wrapper's own timers.
	fire(w *wrapper, ctx sim.Context, payload any)
}

// wrapper is a sim.Node that runs inner with an intercepting Context.
type wrapper struct {
	inner sim.Node
	s     strategy
	ctx   wrappedCtx // reused for every call: one run is one goroutine
}

// wrapperTimer is the tag of a wrapper's own timer. owner tells it apart
// from the timers of other wrappers in a stack; the type, unexported, tells
// it apart from every inner node's tag.
type wrapperTimer struct {
	owner   *wrapper
	payload any
}

// wrappedCtx is the Context the inner node sees: the outer Context with
// Send routed through the strategy.
type wrappedCtx struct {
	sim.Context
	w *wrapper
}

func (c *wrappedCtx) Send(to sim.NodeID, msg sim.Message) { c.w.s.send(c.w, c.Context, to, msg) }

func newWrapper(inner sim.Node, s strategy) *wrapper {
	w := &wrapper{inner: inner, s: s}
	w.ctx.w = w
	return w
}

func (w *wrapper) wrap(ctx sim.Context) sim.Context {
	w.ctx.Context = ctx
	return &w.ctx
}

// after sets one of the wrapper's own timers on the outer Context.
func (w *wrapper) after(ctx sim.Context, d sim.Time, payload any) {
	ctx.After(d, wrapperTimer{owner: w, payload: payload})
}

// Unwrap implements Wrapper.
func (w *wrapper) Unwrap() sim.Node { return w.inner }

// Start implements sim.Node.
func (w *wrapper) Start(ctx sim.Context) { w.inner.Start(w.wrap(ctx)) }

// Deliver implements sim.Node.
func (w *wrapper) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	w.inner.Deliver(w.wrap(ctx), from, msg)
}

// Fire implements sim.Node: the wrapper's own timers go to its strategy,
// every other timer to the inner node.
func (w *wrapper) Fire(ctx sim.Context, id sim.TimerID, tag any) {
	if t, ok := tag.(wrapperTimer); ok && t.owner == w {
		w.s.fire(w, ctx, t.payload)
		return
	}
	w.inner.Fire(w.wrap(ctx), id, tag)
}

// Silent wraps inner so that it sends nothing: a crash that keeps
// listening, the simplest traitor. inner still receives messages and
// timers and may observe.
func Silent(inner sim.Node) sim.Node { return newWrapper(inner, silent{}) }

type silent struct{}

func (silent) send(*wrapper, sim.Context, sim.NodeID, sim.Message) {}
func (silent) fire(*wrapper, sim.Context, any)                     {}

// Drop wraps inner so that each message it sends is withheld with
// probability fraction (an omission fault), decided by the node's own
// ctx.Rand(). fraction 0 or less (or NaN) drops nothing and fraction 1 or
// more drops everything; neither draws from the stream.
func Drop(inner sim.Node, fraction float64) sim.Node {
	return newWrapper(inner, dropper{p: fraction})
}

type dropper struct{ p float64 }

func (d dropper) send(_ *wrapper, ctx sim.Context, to sim.NodeID, msg sim.Message) {
	switch {
	case !(d.p > 0): // also NaN
		ctx.Send(to, msg)
	case d.p >= 1:
	case ctx.Rand().Float64() >= d.p:
		ctx.Send(to, msg)
	}
}

func (dropper) fire(*wrapper, sim.Context, any) {}

// Delay wraps inner so that each message it sends leaves d later than the
// honest node sent it: it is held on one of the wrapper's timers. A crash
// loses held messages, as it would lose a real send queue. d of 0 or less
// sends at once.
func Delay(inner sim.Node, d sim.Time) sim.Node { return newWrapper(inner, delayer{d: d}) }

type delayer struct{ d sim.Time }

type heldMessage struct {
	to  sim.NodeID
	msg sim.Message
}

func (d delayer) send(w *wrapper, ctx sim.Context, to sim.NodeID, msg sim.Message) {
	if d.d <= 0 {
		ctx.Send(to, msg)
		return
	}
	w.after(ctx, d.d, heldMessage{to: to, msg: msg})
}

func (delayer) fire(_ *wrapper, ctx sim.Context, payload any) {
	h := payload.(heldMessage)
	ctx.Send(h.to, h.msg)
}

// ReplayHistory is how many of its past messages a Replay traitor keeps to
// replay from.
const ReplayHistory = 64

// Replay wraps inner so that, besides every honest send, it re-sends one
// message it sent earlier to a peer other than itself, both picked with the
// node's ctx.Rand(): stale votes, old proposals and repeated requests that
// a protocol must recognise as such. The first send has nothing to replay;
// replayed messages are not themselves replayed.
func Replay(inner sim.Node) sim.Node { return newWrapper(inner, &replayer{}) }

type replayer struct {
	history []sim.Message // ring of the last ReplayHistory messages sent
	next    int
}

func (r *replayer) send(_ *wrapper, ctx sim.Context, to sim.NodeID, msg sim.Message) {
	ctx.Send(to, msg)
	nodes := ctx.Nodes()
	if len(r.history) > 0 && len(nodes) > 1 {
		rng := ctx.Rand()
		old := r.history[rng.IntN(len(r.history))]
		// Pick among the others by skipping over self.
		peer := nodes[rng.IntN(len(nodes)-1)]
		if peer >= ctx.Self() {
			peer++
		}
		ctx.Send(peer, old)
	}
	if len(r.history) < ReplayHistory {
		r.history = append(r.history, msg)
	} else {
		r.history[r.next] = msg
		r.next = (r.next + 1) % ReplayHistory
	}
}

func (*replayer) fire(*wrapper, sim.Context, any) {}

// Equivocate wraps inner so that every message it sends to a peer is first
// passed through mutator(to, msg), which the protocol supplies: it knows
// how to tell node 1 "attack" and node 2 "retreat". If mutator returns nil
// that peer gets nothing. A nil mutator changes nothing.
func Equivocate(inner sim.Node, mutator func(to sim.NodeID, msg sim.Message) sim.Message) sim.Node {
	return newWrapper(inner, equivocator{mutate: mutator})
}

type equivocator struct {
	mutate func(to sim.NodeID, msg sim.Message) sim.Message
}

func (e equivocator) send(_ *wrapper, ctx sim.Context, to sim.NodeID, msg sim.Message) {
	if e.mutate != nil {
		msg = e.mutate(to, msg)
	}
	if msg != nil {
		ctx.Send(to, msg)
	}
}

func (equivocator) fire(*wrapper, sim.Context, any) {}
