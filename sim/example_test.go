package sim_test

import (
	"fmt"

	"simulate/sim"
)

// ball is the message of the ping-pong example: the rally's count.
type ball struct{ N int }

func (b ball) AppendDigest(buf []byte) []byte { return append(buf, byte(b.N)) }
func (b ball) String() string                 { return fmt.Sprintf("ball{%d}", b.N) }

// player returns every ball with the count raised by one; n0 serves, and
// whoever receives ball 6 (n0) ends the rally and records it.
type player struct{}

func (player) Start(ctx sim.Context) {
	if ctx.Self() == 0 {
		ctx.Send(1, ball{N: 1})
	}
}

func (player) Deliver(ctx sim.Context, from sim.NodeID, m sim.Message) {
	b := m.(ball)
	if b.N == 6 {
		ctx.Observe("rally", 0, fmt.Sprint(b.N))
		return
	}
	ctx.Send(from, ball{N: b.N + 1})
}

func (player) Fire(sim.Context, sim.TimerID, any) {}

// Two nodes play ping-pong on the default network (every message takes
// 1ms). The same configuration always gives the same counters, end time
// and trace hash, on any machine.
func Example() {
	res := sim.New(sim.Config{
		Nodes: 2,
		New:   func(sim.NodeID) sim.Node { return player{} },
	}).Run()
	fmt.Printf("events %d, sent %d, delivered %d\n", res.Events, res.Sent, res.Delivered)
	fmt.Printf("ended at %v (%s)\n", res.End, res.Reason)
	fmt.Printf("observed %s=%s by n%d\n", res.Observations[0].Kind, res.Observations[0].Value, res.Observations[0].Node)
	fmt.Println("hash", res.HashString())
	// Output:
	// events 6, sent 6, delivered 6
	// ended at 6ms (quiescent)
	// observed rally=6 by n0
	// hash ca496fb5f320c024
}

// A Log records every event of a run, for reading or for writing a trace
// file; here n1 crashes at 2.5ms and the ball it was sent is dropped.
func ExampleLog() {
	log := &sim.Log{}
	w := sim.New(sim.Config{
		Nodes:  2,
		New:    func(sim.NodeID) sim.Node { return player{} },
		Tracer: log,
	})
	w.CrashAt(2500*sim.Microsecond, 1)
	w.Run()
	fmt.Print(log.Text())
	// Output:
	// #1            0s  start     n0
	// #2            0s  send      n0 -> n1  ball{1}
	// #3            0s  start     n1
	// #4           1ms  deliver   n0 -> n1  ball{1}
	// #5           1ms  send      n1 -> n0  ball{2}
	// #6           2ms  deliver   n1 -> n0  ball{2}
	// #7           2ms  send      n0 -> n1  ball{3}
	// #8         2.5ms  crash     n1
	// #9           3ms  drop      n0 -> n1  ball{3}  (crashed)
}
