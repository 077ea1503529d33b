package generals

import (
	"simulate/check"
	"strconv"
	"strings"

	"simulate/sim"
)

// Signed is an order of SM(m) with its chain of signatures: Chain[0] is
// the commander's signature on the order and every relay countersigns
// what it received. Signatures are the kernel's, so a traitor can copy,
// relay or withhold one but cannot make one in another general's name: a
// changed value no longer matches the commander's signature.
type Signed struct {
	Value Value
	Chain []sim.Signature
}

// signPayload is what the k-th signer signs: the order and every
// signature before its own.
func signPayload(v Value, chain []sim.Signature) []byte {
	b := make([]byte, 0, 2+16*len(chain))
	b = append(b, 'S', byte(v))
	for _, s := range chain {
		b = s.AppendDigest(b)
	}
	return b
}

// countersign returns m with ctx's signature added, claiming value v.
// With v == m.Value it is an honest relay; otherwise a forgery that every
// earlier signature will refuse.
func countersign(ctx sim.Context, m Signed, v Value) Signed {
	chain := make([]sim.Signature, len(m.Chain)+1)
	copy(chain, m.Chain)
	chain[len(m.Chain)] = ctx.Sign(signPayload(v, m.Chain))
	return Signed{Value: v, Chain: chain}
}

// Genuine reports whether every signature of the chain is valid for the
// value it carries.
func (m Signed) Genuine() bool {
	for i, s := range m.Chain {
		if !s.Verify(signPayload(m.Value, m.Chain[:i])) {
			return false
		}
	}
	return true
}

// Signers lists who signed, in order.
func (m Signed) Signers() []sim.NodeID {
	out := make([]sim.NodeID, len(m.Chain))
	for i, s := range m.Chain {
		out[i] = s.Signer()
	}
	return out
}

// AppendDigest implements sim.Message.
func (m Signed) AppendDigest(b []byte) []byte {
	b = append(b, 'S', byte(m.Value), byte(len(m.Chain)))
	for _, s := range m.Chain {
		b = s.AppendDigest(b)
	}
	return b
}

// String renders the order for traces, e.g. "Signed{attack: 0:2}" (signed
// by n0, countersigned by n2), marked FORGED when a signature fails.
func (m Signed) String() string {
	var b strings.Builder
	b.WriteString("Signed{")
	b.WriteString(m.Value.String())
	b.WriteString(": ")
	for i, s := range m.Chain {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(int(s.Signer())))
	}
	if !m.Genuine() {
		b.WriteString(" FORGED")
	}
	b.WriteByte('}')
	return b.String()
}

// smNode is a general running SM(m), loyal or traitor. A lieutenant
// accepts an order only with a valid chain that starts at the commander and
// arrived in time (a chain of k+1 signatures during round k at the
// latest); each new value it accepts joins its set V and, while the chain
// has at most m signatures, is countersigned and relayed at the next round
// boundary to every lieutenant who has not signed it. After round m it
// decides choice(V): the value if V holds exactly one, else Retreat.
type smNode struct {
	p       *plan
	self    sim.NodeID
	strat   Strategy
	v       [2]bool // V, the set of accepted values
	first   Value   // the first accepted value (BugTrustCommander)
	any     bool
	pending []Signed // accepted this round, relayed at the next boundary
	signed  [2]bool  // values this node signed as commander
	st      nodeStats
}

func (g *smNode) stats() nodeStats {
	st := g.st
	st.equivocated = g.signed[Attack] && g.signed[Retreat]
	return st
}

// Start signs the commander's orders and sets each lieutenant's first
// round boundary.
func (g *smNode) Start(ctx sim.Context) {
	announceRole(ctx, g.strat)
	if g.self != Commander {
		ctx.After(RoundLength, round(1))
		return
	}
	order := g.p.s.Order
	for j := 1; j < g.p.n; j++ {
		to := sim.NodeID(j)
		v, ok := order, true
		switch g.strat {
		case Lie:
			v = order.Not()
		case Split:
			v = splitValue(to, g.p.n)
		case Random:
			v = Value(ctx.Rand().IntN(2))
		case Silent:
			ok = false
		case Collude:
			// Attack for camp A; Retreat goes to the first colluding
			// lieutenant, who passes it down the colluders so that camp B
			// gets it as late as possible — or straight to camp B when the
			// commander conspires alone.
			switch {
			case g.p.loyal(to) && g.p.camp[to] == Attack:
				v = Attack
			case g.p.loyal(to):
				v, ok = Retreat, len(g.p.colluders) == 0
			default:
				v, ok = Retreat, len(g.p.colluders) > 0 && to == g.p.colluders[0]
			}
		}
		if !ok {
			g.st.withheld++
			continue
		}
		g.signed[v] = true
		ctx.Send(to, Signed{Value: v, Chain: []sim.Signature{ctx.Sign(signPayload(v, nil))}})
	}
	if g.strat == "" {
		ctx.Observe(check.KindDecide, 0, order.String())
	}
}

// Deliver accepts a valid, timely chain and queues a new value for relay.
func (g *smNode) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	m, ok := msg.(Signed)
	if !ok || !g.acceptable(ctx, from, m) {
		g.st.rejected++
		return
	}
	if !g.any {
		g.first, g.any = m.Value, true
	}
	if g.v[m.Value] {
		return
	}
	g.v[m.Value] = true
	if len(m.Chain) <= g.p.m {
		g.pending = append(g.pending, m)
	}
}

func (g *smNode) acceptable(ctx sim.Context, from sim.NodeID, m Signed) bool {
	c := len(m.Chain)
	if g.self == Commander || c == 0 || c > g.p.m+1 || m.Value > Attack {
		return false
	}
	if m.Chain[0].Signer() != Commander || m.Chain[c-1].Signer() != from {
		return false
	}
	if ctx.Now() >= sim.Time(c)*RoundLength {
		return false // late: a chain of c signatures is due by round c-1
	}
	var seen [MaxGenerals]bool
	for _, s := range m.Chain {
		id := s.Signer()
		if id < 0 || int(id) >= g.p.n || id == g.self || seen[id] {
			return false
		}
		seen[id] = true
	}
	if g.p.s.Bug == BugSkipVerify {
		return true
	}
	return m.Genuine()
}

// Fire handles a round boundary: relay what was accepted (rounds 1..m) or
// decide (m+1).
func (g *smNode) Fire(ctx sim.Context, _ sim.TimerID, tag any) {
	g.p.atRound(ctx, tag, g.strat, func(int) {
		for _, m := range g.pending {
			g.relay(ctx, m)
		}
	}, func() Value {
		switch {
		case g.p.s.Bug == BugTrustCommander:
			return g.first
		case g.v[Attack] && !g.v[Retreat]:
			return Attack
		}
		return Retreat
	})
	g.pending = g.pending[:0] // relayed, or dropped by the bug
}

// relay countersigns m and sends it on, according to the node's strategy,
// to every lieutenant who has not signed it.
func (g *smNode) relay(ctx sim.Context, m Signed) {
	var signed [MaxGenerals]bool
	for _, s := range m.Chain {
		signed[s.Signer()] = true
	}
	var next sim.NodeID = -1 // the next colluder down the chain
	if g.strat == Collude {
		for _, c := range g.p.colluders {
			if !signed[c] && c != g.self {
				next = c
				break
			}
		}
	}
	var honest, forged Signed
	honest = countersign(ctx, m, m.Value)
	for j := 1; j < g.p.n; j++ {
		to := sim.NodeID(j)
		if signed[to] || to == g.self {
			continue
		}
		out, send := honest, true
		switch g.strat {
		case Lie:
			out = forged
		case Split:
			send = splitValue(to, g.p.n) == Attack
		case Random:
			switch ctx.Rand().IntN(3) {
			case 1:
				send = false
			case 2:
				out = forged
			}
		case Silent:
			send = false
		case Collude:
			if next >= 0 {
				send = to == next
			} else {
				send = g.p.loyal(to) && g.p.camp[to] == m.Value
			}
		}
		if !send {
			g.st.withheld++
			continue
		}
		if out.Chain == nil { // the forgery, made on first use
			forged = countersign(ctx, m, m.Value.Not())
			out = forged
		}
		if !out.Genuine() {
			g.st.forged++
		}
		ctx.Send(to, out)
	}
}
