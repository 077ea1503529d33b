// Package rally is the smallest world worth running: two nodes hitting a
// numbered ball back and forth. The tests of trace, search, faults,
// sim/simtest and the command line need a real run of some protocol, not
// of a particular one (a trace to write and render, draws to record, a
// message for a partition to catch), so they share this one node rather
// than each writing its own copy of it.
package rally

import (
	"fmt"

	"simulate/sim"
)

// Ball is the rally's message: the count of the hit, which people read
// as Name{N} ("ping{3}"), so that a test keeps the name its pinned
// outputs print.
type Ball struct {
	Name string
	N    int
}

// AppendDigest hashes the count only: the name is for people.
func (b Ball) AppendDigest(buf []byte) []byte { return append(buf, byte(b.N)) }

// String is Name{N}.
func (b Ball) String() string { return fmt.Sprintf("%s{%d}", b.Name, b.N) }

// Player is either side of a rally. Node 0 serves ball 1; a player
// returns every ball raised by one until ball Last, which whoever
// receives it keeps and, when Kind is not empty, records as an
// observation of that kind with the count as its value. It never resends
// and sets no timers, so one lost ball ends the rally early; Last 1 is a
// single serve nobody answers.
type Player struct {
	// Name names the ball (see Ball).
	Name string
	Last int
	Kind string
}

// Start serves from node 0.
func (p Player) Start(ctx sim.Context) {
	if ctx.Self() == 0 {
		ctx.Send(1, Ball{Name: p.Name, N: 1})
	}
}

// Deliver returns the ball, or keeps the last one.
func (p Player) Deliver(ctx sim.Context, from sim.NodeID, m sim.Message) {
	b := m.(Ball)
	switch {
	case b.N < p.Last:
		ctx.Send(from, Ball{Name: p.Name, N: b.N + 1})
	case p.Kind != "":
		ctx.Observe(p.Kind, 0, fmt.Sprint(b.N))
	}
}

// Fire does nothing: a player sets no timers.
func (Player) Fire(sim.Context, sim.TimerID, any) {}

// New gives every node this player, for sim.Config.New.
func (p Player) New(sim.NodeID) sim.Node { return p }
