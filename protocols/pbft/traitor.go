package pbft

import (
	"fmt"
	"slices"
	"sort"

	"simulate/sim"
)

// The Byzantine replica strategies. A traitor is a sim.Node like any other;
// most wrap an honest Replica and tamper with what it sends, because the
// cheapest lie is a small change to the truth. None can forge another
// node's signature: the kernel's signatures see to that.
const (
	// Honest behaves correctly: a traitor slot that draws 0 in a search.
	Honest = "honest"
	// Silent never sends anything: a crashed or mute replica.
	Silent = "silent"
	// Equivocate, as primary, sends the client's request to some backups
	// and a null request at the same sequence number to the others, and
	// commits both.
	Equivocate = "equivocate"
	// VoteAll prepares and commits every (view, sequence, request) it
	// hears of, conflicting or not.
	VoteAll = "vote-all"
	// WithholdCommits does everything but send its commits.
	WithholdCommits = "withhold-commits"
	// SkipSeq, as primary, leaves a gap before every sequence number it
	// assigns, so nothing after the gap can execute.
	SkipSeq = "skip-seq"
	// Collude: the traitors act together. A traitor primary equivocates
	// and every traitor votes each side's request to that side; in view
	// changes they hide their prepared certificates.
	Collude = "collude"
	// Twins runs two honest copies of the replica under one identity, each
	// talking to a different half of the other replicas.
	Twins = "twins"
	// ForgeNewView sends, as soon as it sees a pre-prepare, a new-view for
	// the next view it leads that replaces the request with a null one,
	// without the view changes that should justify it.
	ForgeNewView = "forge-new-view"
)

// Strategies lists the traitor strategies, Honest first: a search draws an
// index into it, and 0 is the boring case.
var Strategies = []string{Honest, Silent, Equivocate, VoteAll, WithholdCommits, SkipSeq, Collude, Twins, ForgeNewView}

// ValidStrategy reports whether s names a strategy.
func ValidStrategy(s string) bool { return slices.Contains(Strategies, s) }

// cabal is what colluding traitors share: who they are, and which request
// each side was shown at each equivocated (view, sequence number).
type cabal struct {
	members map[sim.NodeID]bool
	splits  map[[2]int][2]string
}

func newCabal(ids ...sim.NodeID) *cabal {
	c := &cabal{members: map[sim.NodeID]bool{}, splits: map[[2]int][2]string{}}
	for _, id := range ids {
		c.members[id] = true
	}
	return c
}

// sides splits the replicas other than self and the cabal in two: the
// first half (rounded down) is side A, the rest side B.
func (c *cabal) sides(p Params, self sim.NodeID) (a, b []sim.NodeID) {
	var others []sim.NodeID
	for i := 0; i < p.N; i++ {
		id := sim.NodeID(i)
		if id != self && !c.members[id] {
			others = append(others, id)
		}
	}
	h := len(others) / 2
	return others[:h], others[h:]
}

// NewTraitor returns replica id playing strategy. Traitors that collude
// must share one cabal; pass nil for a traitor acting alone.
func newTraitor(p Params, id sim.NodeID, strategy string, cab *cabal) sim.Node {
	if cab == nil {
		cab = newCabal(id)
	}
	switch strategy {
	case Honest:
		return NewReplica(p, id)
	case Silent:
		return silent{}
	case Twins:
		return &twins{p: p, id: id}
	}
	t := &traitor{p: p, id: id, strategy: strategy, cab: cab, inner: NewReplica(p, id), voted: map[string]bool{}, forged: map[int]bool{}}
	if strategy == SkipSeq {
		t.inner.skipSeq = true
	}
	return t
}

type silent struct{}

func (silent) Start(sim.Context)                            {}
func (silent) Deliver(sim.Context, sim.NodeID, sim.Message) {}
func (silent) Fire(sim.Context, sim.TimerID, any)           {}

// interceptCtx hands the inner replica a context whose sends go through
// the traitor.
type interceptCtx struct {
	sim.Context
	send func(to sim.NodeID, m sim.Message)
}

func (c interceptCtx) Send(to sim.NodeID, m sim.Message) { c.send(to, m) }

type traitor struct {
	p        Params
	id       sim.NodeID
	strategy string
	cab      *cabal
	inner    *Replica
	voted    map[string]bool
	forged   map[int]bool
}

// Inner is the honest replica a traitor wraps, for tests to inspect.
func (t *traitor) Inner() *Replica { return t.inner }

func (t *traitor) wrap(ctx sim.Context) sim.Context {
	return interceptCtx{Context: ctx, send: func(to sim.NodeID, m sim.Message) { t.send(ctx, to, m) }}
}

func (t *traitor) Start(ctx sim.Context) { t.inner.Start(t.wrap(ctx)) }

func (t *traitor) Fire(ctx sim.Context, id sim.TimerID, tag any) {
	t.inner.Fire(t.wrap(ctx), id, tag)
}

func (t *traitor) Deliver(ctx sim.Context, from sim.NodeID, m sim.Message) {
	t.inner.Deliver(t.wrap(ctx), from, m)
	switch t.strategy {
	case VoteAll:
		switch m := m.(type) {
		case PrePrepare:
			t.voteAll(ctx, m.View, m.Seq, m.Req.Digest())
		case Prepare:
			t.voteAll(ctx, m.View, m.Seq, m.Digest)
		case Commit:
			t.voteAll(ctx, m.View, m.Seq, m.Digest)
		}
	case Collude:
		if pp, ok := m.(PrePrepare); ok && pp.Sig.Signer() != t.id {
			t.colludeVote(ctx, pp.View, pp.Seq)
		}
	case ForgeNewView:
		if pp, ok := m.(PrePrepare); ok {
			t.forge(ctx, pp)
		}
	}
}

// send is where the traitor's lies are told: every message the inner
// honest replica sends passes through here.
func (t *traitor) send(ctx sim.Context, to sim.NodeID, m sim.Message) {
	switch t.strategy {
	case WithholdCommits:
		if _, ok := m.(Commit); ok {
			return
		}
	case Equivocate, Collude:
		switch msg := m.(type) {
		case PrePrepare:
			if msg.Sig.Signer() == t.id && msg.View == t.inner.view {
				t.equivocate(ctx, to, msg)
				return
			}
		case Prepare, Commit:
			if t.strategy == Collude && t.splitSeq(msg) {
				return // the cabal votes each side's own request instead
			}
		case ViewChange:
			if t.strategy == Collude {
				msg.Prepared = nil // hide what prepared
				msg.Sig = ctx.Sign(msg.payload())
				ctx.Send(to, msg)
				return
			}
		}
	}
	ctx.Send(to, m)
}

func (t *traitor) splitSeq(m sim.Message) bool {
	var k [2]int
	switch m := m.(type) {
	case Prepare:
		k = [2]int{m.View, m.Seq}
	case Commit:
		k = [2]int{m.View, m.Seq}
	}
	_, ok := t.cab.splits[k]
	return ok
}

// equivocate sends the true pre-prepare to side A and a null request at the
// same sequence number to side B; the cabal commits each side's version.
func (t *traitor) equivocate(ctx sim.Context, to sim.NodeID, pp PrePrepare) {
	a, b := t.cab.sides(t.p, t.id)
	k := [2]int{pp.View, pp.Seq}
	if _, ok := t.cab.splits[k]; !ok {
		t.cab.splits[k] = [2]string{pp.Req.Digest(), Null}
	}
	switch {
	case slices.Contains(b, to):
		forged := PrePrepare{View: pp.View, Seq: pp.Seq}
		forged.Sig = ctx.Sign(forged.payload())
		ctx.Send(to, forged)
		ctx.Send(to, Commit{View: pp.View, Seq: pp.Seq, Digest: Null})
	case slices.Contains(a, to):
		ctx.Send(to, pp)
		ctx.Send(to, Commit{View: pp.View, Seq: pp.Seq, Digest: pp.Req.Digest()})
	default: // a fellow traitor
		ctx.Send(to, pp)
	}
}

// colludeVote: a fellow traitor led (view, seq) with two requests; vote
// each side's request to that side, so both sides come as close as they
// can to a quorum.
func (t *traitor) colludeVote(ctx sim.Context, view, seq int) {
	split, ok := t.cab.splits[[2]int{view, seq}]
	key := fmt.Sprintf("%d/%d", view, seq)
	if !ok || t.voted[key] {
		return
	}
	t.voted[key] = true
	a, b := t.cab.sides(t.p, t.p.Primary(view))
	for i, side := range [][]sim.NodeID{a, b} {
		p := Prepare{View: view, Seq: seq, Digest: split[i], Replica: t.id}
		p.Sig = ctx.Sign(p.payload())
		for _, to := range side {
			ctx.Send(to, p)
			ctx.Send(to, Commit{View: view, Seq: seq, Digest: split[i]})
		}
	}
}

func (t *traitor) voteAll(ctx sim.Context, view, seq int, d string) {
	key := fmt.Sprintf("%d/%d/%s", view, seq, d)
	if t.voted[key] {
		return
	}
	t.voted[key] = true
	p := Prepare{View: view, Seq: seq, Digest: d, Replica: t.id}
	p.Sig = ctx.Sign(p.payload())
	for i := 0; i < t.p.N; i++ {
		if id := sim.NodeID(i); id != t.id {
			if t.p.Primary(view) != t.id {
				ctx.Send(id, p)
			}
			ctx.Send(id, Commit{View: view, Seq: seq, Digest: d})
		}
	}
}

// forge: on a pre-prepare of another primary, claim the next view this
// traitor leads and fill every open sequence number with the null request.
// Honest replicas reject it: it carries no view changes.
func (t *traitor) forge(ctx sim.Context, pp PrePrepare) {
	if pp.Sig.Signer() == t.id || t.forged[pp.Seq] {
		return
	}
	t.forged[pp.Seq] = true
	w := pp.View + 1
	for t.p.Primary(w) != t.id {
		w++
	}
	nv := NewView{View: w}
	for s := t.inner.stable + 1; s <= pp.Seq; s++ {
		o := PrePrepare{View: w, Seq: s}
		o.Sig = ctx.Sign(o.payload())
		nv.PrePrepares = append(nv.PrePrepares, o)
	}
	nv.Sig = ctx.Sign(nv.payload())
	for i := 0; i < t.p.N; i++ {
		id := sim.NodeID(i)
		if id == t.id || id == t.p.Primary(pp.View) {
			continue
		}
		ctx.Send(id, nv)
		for _, o := range nv.PrePrepares {
			ctx.Send(id, Commit{View: w, Seq: o.Seq, Digest: Null})
		}
	}
}

// twins are two honest replicas with one identity. Twin 0 hears from and
// talks to the first half of the other replicas, twin 1 to the rest; both
// hear the clients. Each is correct; together they are one replica that
// says different things to different peers, as a bug in a failover setup
// (two live copies of one node) would.
type twins struct {
	p    Params
	id   sim.NodeID
	pair [2]*Replica
	side map[sim.NodeID]int
}

type twinTag struct {
	twin int
	tag  any
}

type twinCtx struct {
	sim.Context
	t    *twins
	twin int
}

func (c twinCtx) Send(to sim.NodeID, m sim.Message) {
	if side, ok := c.t.side[to]; ok && side != c.twin {
		return
	}
	c.Context.Send(to, m)
}

func (c twinCtx) After(d sim.Time, tag any) sim.TimerID {
	return c.Context.After(d, twinTag{twin: c.twin, tag: tag})
}

func (t *twins) Start(ctx sim.Context) {
	t.side = map[sim.NodeID]int{}
	var others []sim.NodeID
	for i := 0; i < t.p.N; i++ {
		if id := sim.NodeID(i); id != t.id {
			others = append(others, id)
		}
	}
	sort.Slice(others, func(i, j int) bool { return others[i] < others[j] })
	for i, id := range others {
		if i >= len(others)/2 {
			t.side[id] = 1
		} else {
			t.side[id] = 0
		}
	}
	for i := range t.pair {
		t.pair[i] = NewReplica(t.p, t.id)
		t.pair[i].Start(twinCtx{Context: ctx, t: t, twin: i})
	}
}

func (t *twins) Deliver(ctx sim.Context, from sim.NodeID, m sim.Message) {
	for i, r := range t.pair {
		if side, ok := t.side[from]; !ok || side == i {
			r.Deliver(twinCtx{Context: ctx, t: t, twin: i}, from, m)
		}
	}
}

func (t *twins) Fire(ctx sim.Context, id sim.TimerID, tag any) {
	if tt, ok := tag.(twinTag); ok {
		t.pair[tt.twin].Fire(twinCtx{Context: ctx, t: t, twin: tt.twin}, id, tt.tag)
	}
}
