package sim_test

import (
	"encoding/binary"
	"fmt"

	"simulate/sim"
)

// The toy protocol of the kernel's tests: a flooding broadcast that
// exercises sends, timers, cancels, storage and observations. (The planted
// bug that rapid must find and shrink lives in sim/simtest's tests.)

// value is the flooded message.
type value struct {
	V   int
	Ack bool // an echo: "I have it too"
}

func (m value) AppendDigest(b []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(m.V))
	if m.Ack {
		b = append(b, 1)
	}
	return b
}

func (m value) String() string {
	if m.Ack {
		return fmt.Sprintf("ack{%d}", m.V)
	}
	return fmt.Sprintf("value{%d}", m.V)
}

// flood: node 0 broadcasts; every node relays the first copy it sees to all,
// records it durably, observes "deliver", and re-broadcasts on a retry timer
// until it has heard an echo from everyone (so it survives loss).
type flood struct {
	got     bool
	v       int
	heard   map[sim.NodeID]bool
	retry   sim.TimerID
	noRelay bool // teaching bug: do not relay
}

func (f *flood) Start(ctx sim.Context) {
	f.heard = map[sim.NodeID]bool{}
	if v, ok := sim.GetInt64(ctx.Storage(), "v"); ok {
		f.got, f.v = true, int(v) // recovered after a restart
		f.broadcast(ctx)
		return
	}
	if ctx.Self() == 0 {
		f.accept(ctx, 7)
	}
}

func (f *flood) accept(ctx sim.Context, v int) {
	f.got, f.v = true, v
	sim.PutInt64(ctx.Storage(), "v", int64(v))
	ctx.Observe("deliver", 0, fmt.Sprint(v))
	f.broadcast(ctx)
}

func (f *flood) broadcast(ctx sim.Context) {
	if f.noRelay && ctx.Self() != 0 {
		return
	}
	for _, id := range ctx.Nodes() {
		if id != ctx.Self() && !f.heard[id] {
			ctx.Send(id, value{V: f.v})
		}
	}
	f.retry = ctx.After(10*sim.Millisecond, "retry")
}

func (f *flood) Deliver(ctx sim.Context, from sim.NodeID, m sim.Message) {
	f.heard[from] = true
	v := m.(value)
	if !f.got {
		f.accept(ctx, v.V)
	}
	if !v.Ack {
		ctx.Send(from, value{V: f.v, Ack: true})
	}
	if len(f.heard) == len(ctx.Nodes())-1 {
		ctx.Cancel(f.retry)
	}
}

func (f *flood) Fire(ctx sim.Context, _ sim.TimerID, _ any) {
	if len(f.heard) < len(ctx.Nodes())-1 {
		f.broadcast(ctx)
	}
}

// jitter is a test network: delay 1ms plus a drawn 0..9ms, and a drawn
// loss (value 0 = deliver).
type jitter struct{ lossy bool }

func (j jitter) Route(l sim.Link) sim.Fate {
	if l.From == l.To {
		return sim.Fate{}
	}
	f := sim.Fate{Delay: sim.Millisecond + sim.Time(l.Choices.Intn(fmt.Sprintf("delay n%d->n%d", l.From, l.To), 10))*sim.Millisecond}
	if j.lossy && l.Choices.Intn(fmt.Sprintf("drop n%d->n%d", l.From, l.To), 10) == 9 {
		f.Drop, f.Reason = true, "loss"
	}
	return f
}
