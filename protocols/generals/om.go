package generals

import (
	"simulate/check"
	"strconv"
	"strings"

	"simulate/sim"
)

// Order is an oral message of OM(m): "Path[0] ordered Value", as relayed
// along Path. Path[0] is the commander and the last id is the sender, so a
// message on path p reached its receiver in round len(p)-1 of the
// recursion: it is the value of the sub-algorithm OM(m-len(p)+1) whose
// commander is the last id on the path.
type Order struct {
	Path  []sim.NodeID
	Value Value
}

// AppendDigest implements sim.Message.
func (o Order) AppendDigest(b []byte) []byte {
	b = append(b, 'O', byte(o.Value), byte(len(o.Path)))
	for _, id := range o.Path {
		b = append(b, byte(id))
	}
	return b
}

// String renders the order for traces, e.g. "Order{0>2: retreat}": n2 says
// n0 ordered retreat.
func (o Order) String() string {
	return "Order{" + pathString(o.Path) + ": " + o.Value.String() + "}"
}

func pathString(p []sim.NodeID) string {
	var b strings.Builder
	for i, id := range p {
		if i > 0 {
			b.WriteByte('>')
		}
		b.WriteString(strconv.Itoa(int(id)))
	}
	return b.String()
}

// pathKey encodes a path as a map key (ids fit a byte: MaxGenerals).
func pathKey(p []sim.NodeID) string {
	var buf [MaxGenerals]byte
	for i, id := range p {
		buf[i] = byte(id)
	}
	return string(buf[:len(p)])
}

// omNode is a general running OM(m), loyal or traitor. A lieutenant keeps
// every value it receives, keyed by path; at round boundary k it acts as
// the commander of every OM(m-k) sub-algorithm it is part of, relaying the
// value it holds for each path of length k to everyone not on the path;
// after round m it evaluates the recursion bottom-up with majorities.
type omNode struct {
	p     *plan
	self  sim.NodeID
	strat Strategy // "" when loyal
	vals  map[string]Value
	sent  [][2]int // per round: attack/retreat orders sent (equivocation)
	st    nodeStats
}

func (g *omNode) stats() nodeStats {
	st := g.st
	for _, c := range g.sent {
		if c[0] > 0 && c[1] > 0 {
			st.equivocated = true
		}
	}
	return st
}

// Start sends the commander's orders (round 0) and sets each lieutenant's
// first round boundary.
func (g *omNode) Start(ctx sim.Context) {
	announceRole(ctx, g.strat)
	g.sent = make([][2]int, g.p.m+1)
	if g.self == Commander {
		path := []sim.NodeID{Commander}
		for j := 1; j < g.p.n; j++ {
			g.send(ctx, path, g.p.s.Order, sim.NodeID(j), 0)
		}
		if g.strat == "" {
			ctx.Observe(check.KindDecide, 0, g.p.s.Order.String())
		}
		return
	}
	ctx.After(RoundLength, round(1))
}

// Deliver stores a well-formed, timely order. Anything else — a path that
// does not start at the commander, does not end at the sender, repeats a
// general, or arrives after its round — is treated as missing, which is
// all a receiver can do with oral messages.
func (g *omNode) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	o, ok := msg.(Order)
	if !ok || !g.wellFormed(ctx, from, o.Path) {
		g.st.rejected++
		return
	}
	k := pathKey(o.Path)
	if _, dup := g.vals[k]; dup {
		g.st.rejected++ // a second order on one path: keep the first
		return
	}
	g.vals[k] = o.Value
}

func (g *omNode) wellFormed(ctx sim.Context, from sim.NodeID, path []sim.NodeID) bool {
	if g.self == Commander || len(path) == 0 || len(path) > g.p.m+1 {
		return false
	}
	if path[0] != Commander || path[len(path)-1] != from {
		return false
	}
	if ctx.Now() >= sim.Time(len(path))*RoundLength {
		return false // late: round len(path)-1 is over
	}
	var seen [MaxGenerals]bool
	for _, id := range path {
		if id < 0 || int(id) >= g.p.n || id == g.self || seen[id] {
			return false
		}
		seen[id] = true
	}
	return true
}

// Fire handles a round boundary: relay (rounds 1..m) or decide (m+1).
func (g *omNode) Fire(ctx sim.Context, _ sim.TimerID, tag any) {
	k, ok := tag.(round)
	if !ok {
		return
	}
	if int(k) <= g.p.m {
		if g.p.s.Bug != BugTrustCommander {
			g.relay(ctx, int(k))
		}
		ctx.After(RoundLength, k+1)
		return
	}
	if g.strat != "" {
		return // a traitor's decision means nothing
	}
	var v Value
	if g.p.s.Bug == BugTrustCommander {
		v = g.vals[pathKey([]sim.NodeID{Commander})]
	} else {
		used := make([]bool, g.p.n)
		used[Commander] = true
		v = g.decide(make([]sim.NodeID, 1, g.p.m+2), used)
	}
	ctx.Observe(check.KindDecide, 0, v.String())
}

// relay sends round k: for every path p of length k from the commander
// that avoids this node, the value held for p (Retreat if it never came)
// goes to every general not on p·self.
func (g *omNode) relay(ctx sim.Context, k int) {
	used := make([]bool, g.p.n)
	used[Commander] = true
	used[g.self] = true
	g.walk(make([]sim.NodeID, 1, k+1), used, k, func(p []sim.NodeID) {
		honest := g.vals[pathKey(p)]
		q := make([]sim.NodeID, len(p)+1)
		copy(q, p)
		q[len(p)] = g.self
		for j := 1; j < g.p.n; j++ {
			if !used[j] {
				g.send(ctx, q, honest, sim.NodeID(j), k)
			}
		}
	})
}

// walk calls fn for every path of length k that starts at the commander
// and visits distinct generals not marked used, in lexicographic order.
// While fn runs, used marks the path (and whatever the caller marked).
func (g *omNode) walk(p []sim.NodeID, used []bool, k int, fn func(p []sim.NodeID)) {
	if len(p) == k {
		fn(p)
		return
	}
	for j := 1; j < g.p.n; j++ {
		if used[j] {
			continue
		}
		used[j] = true
		g.walk(append(p, sim.NodeID(j)), used, k, fn)
		used[j] = false
	}
}

// decide evaluates OM for path p at this lieutenant: at depth m the value
// received is used as is (OM(0)); above it, the majority of the value
// received directly from p's last general and the values each other
// lieutenant j reports for p·j (their OM(m-len(p)) runs). Ties fall to
// Retreat.
func (g *omNode) decide(p []sim.NodeID, used []bool) Value {
	v := g.vals[pathKey(p)]
	if len(p) == g.p.m+1 {
		return v
	}
	votes := [2]int{}
	votes[v]++
	for j := 1; j < g.p.n; j++ {
		if used[j] || sim.NodeID(j) == g.self {
			continue
		}
		used[j] = true
		votes[g.decide(append(p, sim.NodeID(j)), used)]++
		used[j] = false
	}
	switch {
	case votes[Attack] > votes[Retreat]:
		return Attack
	case votes[Attack] == votes[Retreat]:
		g.st.ties++
	}
	return Retreat
}

// send applies the node's strategy to one order it would honestly send.
func (g *omNode) send(ctx sim.Context, path []sim.NodeID, honest Value, to sim.NodeID, k int) {
	v, ok := g.say(ctx, honest, to)
	if !ok {
		g.st.withheld++
		return
	}
	g.sent[k][v]++
	ctx.Send(to, Order{Path: path, Value: v})
}

// say is the heart of each traitor strategy under OM: what to tell to
// instead of honest, and whether to say anything at all.
func (g *omNode) say(ctx sim.Context, honest Value, to sim.NodeID) (Value, bool) {
	switch g.strat {
	case Lie:
		return g.heard().Not(), true
	case Split:
		return splitValue(to, g.p.n), true
	case Random:
		return Value(ctx.Rand().IntN(2)), true
	case Silent:
		return 0, false
	case Collude:
		if !g.p.loyal(to) {
			return honest, true
		}
		return g.p.camp[to], true
	}
	return honest, true // loyal or Honest
}

// heard is the order this node got from the commander (its own order, for
// the commander).
func (g *omNode) heard() Value {
	if g.self == Commander {
		return g.p.s.Order
	}
	return g.vals[pathKey([]sim.NodeID{Commander})]
}
