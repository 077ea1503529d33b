package bench

import (
	"fmt"
	"math/rand/v2"

	"simulate/protocols/paxos"
	"simulate/sim"
)

// paxosPump drives the very same paxos.Replica and paxos.Client nodes as
// the simulated run, through a bare round-based pump shaped like the raft
// one: no event queue, no network model, no trace hash, no tracer, no
// recorded observations. Each round is 1ms: it delivers every message sent
// in the round before (a node's message to itself is delivered at once, as
// the paxos network does), then fires the timers that are due. Comparing
// it with the simulated run isolates what the simulator costs; comparing
// it with the raft pump, what this Multi-Paxos costs beside etcd's raft.
type paxosPump struct {
	nodes     []sim.Node
	ctxs      []*pumpCtx
	ids       []sim.NodeID
	now       sim.Time
	inflight  []pumpMsg
	sending   []pumpMsg
	timers    []pumpTimer
	live      map[sim.TimerID]bool
	nextTimer sim.TimerID
	delivered int
	returned  int
}

type pumpMsg struct {
	from, to sim.NodeID
	msg      sim.Message
}

type pumpTimer struct {
	at  sim.Time
	id  sim.TimerID
	to  sim.NodeID
	tag any
}

// pumpCtx is a node's sim.Context on the pump.
type pumpCtx struct {
	p       *paxosPump
	self    sim.NodeID
	rng     *rand.Rand
	storage pumpStorage
}

// pumpStorage copies values in and out, as sim's storage does: that is the
// durability contract the replicas are written against.
type pumpStorage map[string][]byte

func (s pumpStorage) Get(key string) ([]byte, bool) {
	v, ok := s[key]
	if !ok {
		return nil, false
	}
	return append([]byte(nil), v...), true
}

// Append adds value to key's value in place, as sim's storage does
// (sim.Appender).
func (s pumpStorage) Append(key string, value []byte) { s[key] = append(s[key], value...) }

// Put copies value in, reusing the key's buffer when the value fits, as
// sim's storage does (the replicas reserve a chunk's buffer once and count
// on it being reused).
func (s pumpStorage) Put(key string, value []byte) {
	if old, ok := s[key]; ok && cap(old) >= len(value) {
		s[key] = append(old[:0], value...)
		return
	}
	s[key] = append([]byte(nil), value...)
}

func (c *pumpCtx) Self() sim.NodeID     { return c.self }
func (c *pumpCtx) Nodes() []sim.NodeID  { return c.p.ids }
func (c *pumpCtx) Now() sim.Time        { return c.p.now }
func (c *pumpCtx) Rand() *rand.Rand     { return c.rng }
func (c *pumpCtx) Storage() sim.Storage { return c.storage }

// Probe implements sim.Context: the pump has no observer.
func (c *pumpCtx) Probe(sim.ProbeKind, int64, int64) {}

func (c *pumpCtx) Sign([]byte) sim.Signature {
	panic("bench: Multi-Paxos does not sign")
}

func (c *pumpCtx) Send(to sim.NodeID, msg sim.Message) {
	m := pumpMsg{from: c.self, to: to, msg: msg}
	if to == c.self {
		c.p.inflight = append(c.p.inflight, m) // this round
		return
	}
	c.p.sending = append(c.p.sending, m)
}

func (c *pumpCtx) After(d sim.Time, tag any) sim.TimerID {
	c.p.nextTimer++
	id := c.p.nextTimer
	c.p.timers = append(c.p.timers, pumpTimer{at: c.p.now + d, id: id, to: c.self, tag: tag})
	c.p.live[id] = true
	return id
}

func (c *pumpCtx) Cancel(id sim.TimerID) { delete(c.p.live, id) }

func (c *pumpCtx) Observe(kind string, _ int, _ string) {
	if kind == paxos.ObsReturn {
		c.p.returned++
	}
}

// RunMultiPaxosPump runs MultiPaxosScenario's nodes (built by the same
// Scenario.Instance, so the same parameters) on the bare pump.
func RunMultiPaxosPump(replicas, k int, seed uint64) (Stats, error) {
	s := MultiPaxosScenario(replicas, k)
	cfg := s.Instance(seed, nil, nil).Config
	p := &paxosPump{live: map[sim.TimerID]bool{}}
	for i := 0; i < cfg.Nodes; i++ {
		p.ids = append(p.ids, sim.NodeID(i))
	}
	for _, id := range p.ids {
		p.nodes = append(p.nodes, cfg.New(id))
		p.ctxs = append(p.ctxs, &pumpCtx{p: p, self: id, rng: rand.New(rand.NewPCG(seed, uint64(id))), storage: pumpStorage{}})
	}
	for i, n := range p.nodes {
		n.Start(p.ctxs[i])
	}
	p.fire() // timers due at once (the candidate stands at t = 0), as the simulator runs them
	for p.returned < k {
		if p.now > s.Limit {
			return Stats{}, fmt.Errorf("multi-paxos pump: %d of %d commands returned by %s", p.returned, k, p.now)
		}
		p.round()
	}
	return Stats{Commands: p.returned, Delivered: p.delivered, Time: p.now}, nil
}

func (p *paxosPump) round() {
	p.now += sim.Millisecond
	p.inflight, p.sending = p.sending, p.inflight[:0]
	// Deliveries append a node's messages to itself to inflight, so it is
	// re-read each time round.
	for i := 0; i < len(p.inflight); i++ {
		m := p.inflight[i]
		p.delivered++
		p.nodes[m.to].Deliver(p.ctxs[m.to], m.from, m.msg)
	}
	p.inflight = p.inflight[:0]
	p.fire()
}

// fire runs the due timers in (time, id) order; a fired timer may set
// another, which fires this round too if it is already due.
func (p *paxosPump) fire() {
	for {
		due := -1
		for i, t := range p.timers {
			if !p.live[t.id] {
				continue
			}
			if t.at <= p.now && (due < 0 || t.at < p.timers[due].at || (t.at == p.timers[due].at && t.id < p.timers[due].id)) {
				due = i
			}
		}
		if due < 0 {
			break
		}
		t := p.timers[due]
		delete(p.live, t.id)
		p.nodes[t.to].Fire(p.ctxs[t.to], t.id, t.tag)
		// Self-messages sent by the timer go out with the round's.
		for i := 0; i < len(p.inflight); i++ {
			m := p.inflight[i]
			p.delivered++
			p.nodes[m.to].Deliver(p.ctxs[m.to], m.from, m.msg)
		}
		p.inflight = p.inflight[:0]
	}
	// Forget dead timers so the list stays short.
	kept := p.timers[:0]
	for _, t := range p.timers {
		if p.live[t.id] {
			kept = append(kept, t)
		}
	}
	p.timers = kept
}
