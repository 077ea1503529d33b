// Package benor is Ben-Or's randomized binary consensus (1983) for n
// processes of which f < n/2 may crash, in a fully asynchronous network.
//
// It is the standard answer to FLP: no deterministic protocol can
// guarantee termination in every asynchronous schedule with one crash, but
// Ben-Or terminates with probability 1 because a process that sees no
// majority flips a coin (from its own seeded stream), and sooner or later
// enough coins agree. Safety (agreement, validity) never depends on luck.
//
// Each round has two phases, with no timers at all:
//
//	report:   broadcast (R, r, x); wait for n-f reports of round r.
//	          If more than n/2 carry the same v, propose v, else propose ⊥.
//	propose:  broadcast (P, r, v|⊥); wait for n-f proposals of round r.
//	          If at least f+1 propose v, decide v.
//	          If at least one proposes v, x := v; otherwise x := coin flip.
//
// A process that decides keeps taking part (for two more rounds, proposing
// its decision) so the others can finish.
package benor

import (
	"encoding/binary"
	"fmt"

	"simulate/check"
	"simulate/sim"
)

// None is the ⊥ proposal: "I saw no majority".
const None = -1

// Phase distinguishes the two message kinds of a round.
type Phase uint8

// The two phases.
const (
	Report  Phase = 'R'
	Propose Phase = 'P'
)

// Msg is a report or a proposal for one round.
type Msg struct {
	Phase Phase
	Round int
	Value int // 0, 1, or None in a proposal
}

// AppendDigest implements sim.Message.
func (m Msg) AppendDigest(b []byte) []byte {
	b = append(b, byte(m.Phase))
	b = binary.BigEndian.AppendUint32(b, uint32(m.Round))
	return append(b, byte(m.Value+1))
}

func (m Msg) String() string {
	v := fmt.Sprint(m.Value)
	if m.Value == None {
		v = "⊥"
	}
	return fmt.Sprintf("%c(r%d, %s)", m.Phase, m.Round, v)
}

// Node is one Ben-Or process.
type Node struct {
	N, F int
	// EagerDecide is a teaching bug: decide on a single proposal for v
	// instead of f+1. One proposal does not guarantee that every process
	// saw v, so another may flip a coin, land on the other value and
	// decide it later.
	EagerDecide bool
	// CountDuplicates is a teaching bug: count every message rather than
	// every sender. A network that duplicates a message then hands one
	// process's vote two places in a tally, so a value can look like a
	// majority (or reach f+1 proposals) that it is not, and processes
	// decide differently. Swarm testing finds it; calm networks never do.
	CountDuplicates bool
	x               int // current estimate
	round           int
	phase           Phase
	decided         bool
	value           int
	extra           int // rounds still to play after deciding
	// Messages of future rounds arrive early in an asynchronous network;
	// they wait here, counted per (round, phase) and value.
	counts map[key]*tally
}

type key struct {
	round int
	phase Phase
}

type tally struct {
	total int
	by    [3]int // index value+1: ⊥, 0, 1
	// from marks the senders already counted: a duplicated message must
	// not count twice.
	from []bool
}

// New returns a process with initial value input (0 or 1).
func New(n, f, input int) *Node {
	return &Node{N: n, F: f, x: input, counts: map[key]*tally{}}
}

// Start implements sim.Node.
func (p *Node) Start(ctx sim.Context) {
	p.round = 1
	p.phase = Report
	p.broadcast(ctx, Msg{Phase: Report, Round: 1, Value: p.x})
}

func (p *Node) broadcast(ctx sim.Context, m Msg) {
	for _, id := range ctx.Nodes() {
		ctx.Send(id, m) // including itself: its own vote counts
	}
}

// Deliver implements sim.Node.
func (p *Node) Deliver(ctx sim.Context, from sim.NodeID, m sim.Message) {
	msg, ok := m.(Msg)
	if !ok || msg.Round < p.round {
		return
	}
	k := key{msg.Round, msg.Phase}
	t := p.counts[k]
	if t == nil {
		t = &tally{from: make([]bool, p.N)}
		p.counts[k] = t
	}
	if t.from[from] && !p.CountDuplicates {
		return
	}
	t.from[from] = true
	t.total++
	t.by[msg.Value+1]++
	p.advance(ctx)
}

// advance completes as many phases as the counts already allow.
func (p *Node) advance(ctx sim.Context) {
	for {
		t := p.counts[key{p.round, p.phase}]
		if t == nil || t.total < p.N-p.F {
			return
		}
		if p.phase == Report {
			prop := None
			for v := 0; v <= 1; v++ {
				if 2*t.by[v+1] > p.N {
					prop = v
				}
			}
			p.phase = Propose
			p.broadcast(ctx, Msg{Phase: Propose, Round: p.round, Value: prop})
			continue
		}
		// Proposal phase complete.
		next := -1
		for v := 0; v <= 1; v++ {
			need := p.F + 1
			if p.EagerDecide {
				need = 1
			}
			if t.by[v+1] >= need && !p.decided {
				p.decided, p.value = true, v
				p.extra = 2
				ctx.Observe(check.KindDecide, 0, fmt.Sprint(v))
				ctx.Observe("rounds", 0, fmt.Sprint(p.round))
			}
			if t.by[v+1] >= 1 {
				next = v
			}
		}
		if next < 0 {
			next = ctx.Rand().IntN(2) // the coin
		}
		if p.decided {
			next = p.value
		}
		p.x = next
		delete(p.counts, key{p.round, Report})
		delete(p.counts, key{p.round, Propose})
		if p.decided {
			if p.extra == 0 {
				return // done helping
			}
			p.extra--
		}
		p.round++
		p.phase = Report
		p.broadcast(ctx, Msg{Phase: Report, Round: p.round, Value: p.x})
	}
}

// Fire implements sim.Node; Ben-Or uses no timers.
func (p *Node) Fire(sim.Context, sim.TimerID, any) {}

// Decided reports the decision, if any.
func (p *Node) Decided() (int, bool) { return p.value, p.decided }
