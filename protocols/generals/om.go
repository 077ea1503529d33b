package generals

import (
	"simulate/check"
	"strconv"
	"strings"

	"simulate/sim"
)

// Order is an oral message of OM(m): "Path[0] ordered Value", as relayed
// along a path. Path[0] is the commander and the last id is the sender, so
// a message on path p reached its receiver in round len(p)-1 of the
// recursion: it is the value of the sub-algorithm OM(m-len(p)+1) whose
// commander is the last id on the path.
//
// The path travels as its rank among the paths of its length (pathRank),
// not as a slice: OM(3) among 33 generals has some 860,000 orders in
// flight at once, and eight bytes an order, boxed without a pointer, is a
// third of what a slice header and its array cost. NewOrder makes one;
// Path decodes it.
type Order struct {
	rank   uint32
	n, len uint8
	Value  Value
}

// NewOrder is the order "path[0] ordered v" relayed along path among n
// generals; path must start at the commander and hold distinct
// lieutenants below n.
func NewOrder(n int, path []sim.NodeID, v Value) Order {
	return Order{rank: uint32(pathRank(n, path)), n: uint8(n), len: uint8(len(path)), Value: v}
}

// pathID names the order's path as a number (its length and rank).
func (o Order) pathID() uint64 { return uint64(o.len)<<32 | uint64(o.rank) }

// Path decodes the order's relay path.
func (o Order) Path() []sim.NodeID {
	var buf [MaxGenerals]sim.NodeID
	return append([]sim.NodeID(nil), o.path(&buf)...)
}

// path decodes the relay path into buf (see pathUnrank).
func (o Order) path(buf *[MaxGenerals]sim.NodeID) []sim.NodeID {
	return pathUnrank(int(o.n), int(o.len), int(o.rank), buf)
}

// AppendDigest implements sim.Message.
func (o Order) AppendDigest(b []byte) []byte {
	var buf [MaxGenerals]sim.NodeID
	p := o.path(&buf)
	b = append(b, 'O', byte(o.Value), byte(len(p)))
	for _, id := range p {
		b = append(b, byte(id))
	}
	return b
}

// String renders the order for traces, e.g. "Order{0>2: retreat}": n2 says
// n0 ordered retreat.
func (o Order) String() string {
	var buf [MaxGenerals]sim.NodeID
	return "Order{" + pathString(o.path(&buf)) + ": " + o.Value.String() + "}"
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

// pathIndex numbers the paths of OM(m) among n generals densely, so a
// lieutenant keeps what it received in a slice rather than a map keyed by
// path: a path is the commander followed by k distinct lieutenants, and
// those of length k+1 are ranked as partial permutations of the n-1
// lieutenants (mixed radix n-1, n-2, …), after every shorter path. The
// slice has one slot per possible path — about the messages of the run
// over n (MaxMessages bounds it) — where a map of string keys cost a
// third of OM(3)'s time among 33 generals.
type pathIndex struct {
	n      int
	offset []int // offset[k]: the first slot of the paths of k lieutenants
}

func newPathIndex(n, m int) pathIndex {
	x := pathIndex{n: n, offset: make([]int, m+2)}
	count := 1 // paths of k lieutenants: (n-1)(n-2)…(n-k)
	for k := 1; k <= m+1; k++ {
		x.offset[k] = x.offset[k-1] + count
		count *= max(n-k, 0)
	}
	return x
}

// size is the number of slots: every path of at most m lieutenants.
func (x pathIndex) size() int { return x.offset[len(x.offset)-1] }

// of returns p's slot. p must start at the commander and hold distinct
// lieutenants, at most m of them (what wellFormed checks).
func (x pathIndex) of(p []sim.NodeID) int { return x.offset[len(p)-1] + pathRank(x.n, p) }

// pathRank numbers p among the paths of its length: its lieutenants as a
// partial permutation of the n-1 lieutenants, in mixed radix n-1, n-2, …
// (each digit is a lieutenant's rank among those not yet on the path).
func pathRank(n int, p []sim.NodeID) int {
	rank := 0
	for i := 1; i < len(p); i++ {
		r := int(p[i]) - 1
		for _, q := range p[1:i] {
			if q < p[i] {
				r--
			}
		}
		rank = rank*(n-i) + r
	}
	return rank
}

// pathCount is how many paths of length l there are among n generals.
func pathCount(n, l int) int {
	c := 1
	for i := 1; i < l; i++ {
		c *= n - i
	}
	return c
}

// pathUnrank is pathRank's inverse: the path of length l with that rank,
// written into buf. A length or rank out of range (a forged order) gives
// nil.
func pathUnrank(n, l, rank int, buf *[MaxGenerals]sim.NodeID) []sim.NodeID {
	if l < 1 || l > n || l > MaxGenerals || rank < 0 || rank >= pathCount(n, l) {
		return nil
	}
	p := buf[:l]
	p[0] = Commander
	var digit [MaxGenerals]int
	for i := l - 1; i >= 1; i-- {
		digit[i] = rank % (n - i)
		rank /= n - i
	}
	var used [MaxGenerals]bool
	for i := 1; i < l; i++ {
		d := digit[i]
		for id := 1; id < n; id++ {
			if used[id] {
				continue
			}
			if d == 0 {
				p[i] = sim.NodeID(id)
				used[id] = true
				break
			}
			d--
		}
	}
	return p
}

// omNode is a general running OM(m), loyal or traitor. A lieutenant keeps
// every value it receives, by path (vals, at pathIndex slots, 0 for none
// and 1+v for value v); at round boundary k it acts as
// the commander of every OM(m-k) sub-algorithm it is part of, relaying the
// value it holds for each path of length k to everyone not on the path;
// after round m it evaluates the recursion bottom-up with majorities.
type omNode struct {
	p     *plan
	self  sim.NodeID
	strat Strategy // "" when loyal
	vals  []uint8
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
	var buf [MaxGenerals]sim.NodeID
	if !ok || int(o.n) != g.p.n || !g.wellFormed(ctx, from, o.path(&buf)) {
		g.st.rejected++
		return
	}
	if g.vals == nil {
		g.vals = make([]uint8, g.p.paths.size())
	}
	k := g.p.paths.offset[o.len-1] + int(o.rank)
	if g.vals[k] != 0 {
		g.st.rejected++ // a second order on one path: keep the first
		return
	}
	g.vals[k] = 1 + uint8(o.Value)
}

// held is the value received for path p, Retreat if none came.
func (g *omNode) held(p []sim.NodeID) Value {
	if g.vals == nil {
		return Retreat
	}
	if v := g.vals[g.p.paths.of(p)]; v != 0 {
		return Value(v - 1)
	}
	return Retreat
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
	g.p.atRound(ctx, tag, g.strat, func(k int) { g.relay(ctx, k) }, func() Value {
		if g.p.s.Bug == BugTrustCommander {
			return g.held([]sim.NodeID{Commander})
		}
		used := make([]bool, g.p.n)
		used[Commander] = true
		return g.decide(make([]sim.NodeID, 1, g.p.m+2), used)
	})
}

// relay sends round k: for every path p of length k from the commander
// that avoids this node, the value held for p (Retreat if it never came)
// goes to every general not on p·self.
func (g *omNode) relay(ctx sim.Context, k int) {
	used := make([]bool, g.p.n)
	used[Commander] = true
	used[g.self] = true
	g.walk(make([]sim.NodeID, 1, k+1), used, k, func(p []sim.NodeID) {
		honest := g.held(p)
		q := append(p, g.self) // p has room: walk's buffer holds k+1
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
	v := g.held(p)
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
	ctx.Send(to, NewOrder(g.p.n, path, v))
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
	return g.held([]sim.NodeID{Commander})
}
