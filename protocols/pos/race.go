package pos

import (
	"fmt"

	"simulate/network"
	"simulate/protocols/chain"
	"simulate/sim"
)

// Merchant is the payee of a double spend: it hands over the goods once the
// payment has Z confirmations (observation "confirmed") and notices when a
// reorganisation takes the payment away ("reversed").
type Merchant = chain.Merchant

// Attacker is the stake-majority attacker, proof of stake's 51 %: it pays
// the merchant on the public chain while signing, in every slot it wins, a
// private chain from genesis whose first block spends the same coins
// elsewhere. It publishes the private chain once the merchant has seen Z
// confirmations and the private chain is longer; the honest validators
// then switch to it and the payment is gone. It gives up GiveUp blocks
// behind (0: never). With most of the stake its chain grows faster than
// the honest one, so it always wins in the end, however large Z is.
type Attacker struct {
	chain.Peer
	net    *Net
	Z      int
	GiveUp int
	pub    chain.BlockID
	priv   chain.BlockID
	chain  []chain.BlockID
	done   bool
}

// Start implements sim.Node.
func (a *Attacker) Start(ctx sim.Context) {
	a.pub, a.priv = chain.Genesis, chain.Genesis
	ctx.After(a.net.Slot, slotTag{S: 1})
}

// Deliver implements sim.Node: honest blocks move the public tip.
func (a *Attacker) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	m, ok := msg.(chain.BlockMsg)
	if !ok {
		return
	}
	a.Receive(ctx, from, m.ID, a.net.valid, func(b *chain.Block, from sim.NodeID) {
		a.Relay(ctx, b, from)
		if b.Miner != a.ID && a.net.Store.Heavier(b.ID, a.pub) {
			a.pub = b.ID
		}
	})
	a.check(ctx)
}

// Fire implements sim.Node: a slot begins; a win extends the private chain.
func (a *Attacker) Fire(ctx sim.Context, _ sim.TimerID, tag any) {
	t, ok := tag.(slotTag)
	if !ok || a.done {
		return
	}
	ctx.After(a.net.Slot, slotTag{S: t.S + 1})
	won := ctx.Rand().Float64() < Phi(a.net.F, a.net.shares[a.ID])
	a.net.countSlot(t.S, won)
	if !won {
		return
	}
	a.net.wins[[2]int64{int64(a.ID), t.S}] = struct{}{}
	var flags uint8
	if a.priv == chain.Genesis {
		flags = chain.FlagSpend
	}
	b := a.net.makeBlock(ctx, a.ID, a.priv, t.S, flags)
	a.Learn(ctx, b)
	a.priv = b.ID
	a.chain = append(a.chain, b.ID)
	a.check(ctx)
}

// check publishes or gives up as the race stands (chain.Peer.Spend).
func (a *Attacker) check(ctx sim.Context) {
	if !a.done {
		a.done = a.Spend(ctx, a.Z, a.GiveUp, a.pub, a.priv, a.chain)
	}
}

// Race is the stake-majority double spend as a kernel world: node 0 is the
// Attacker with stake share Q, nodes 1..Honest are honest validators
// sharing 1-Q, and the last node is the merchant (no stake), who waits for
// Z confirmations. Blocks travel instantly over a complete graph.
type Race struct {
	Q      float64
	Z      int
	Honest int
	GiveUp int
	// F is the active-slot coefficient (0: 0.05); MaxSlots bounds a run
	// (0: 200000 slots).
	F        float64
	MaxSlots int64
}

// Validate reports what is wrong with r.
func (r Race) Validate() error {
	if err := chain.ValidateRace(r.Q, "stake", r.Z, 1, r.Honest, "validator"); err != nil {
		return err
	}
	switch {
	case r.GiveUp < 0 || r.F < 0 || r.F > 1 || r.MaxSlots < 0:
		return fmt.Errorf("give-up margin, f and max slots must be in range")
	}
	return nil
}

// RaceOutcome is how one race ended.
type RaceOutcome struct {
	// RaceResult: whether the payment was reversed, or the attacker
	// gave up.
	chain.RaceResult
	Blocks int    `json:"blocks"`
	Hash   uint64 `json:"hash"`
}

// Run runs the race once with seed.
func (r Race) Run(seed uint64) RaceOutcome {
	n := r.Honest + 2
	merchant := sim.NodeID(n - 1)
	stakes := make([]float64, n)
	stakes[0] = r.Q
	for i := 1; i <= r.Honest; i++ {
		stakes[i] = (1 - r.Q) / float64(r.Honest)
	}
	f := r.F
	if f == 0 {
		f = 0.05
	}
	s := Scenario{Validators: n, Stakes: stakes, Slot: sim.Second, F: f, Workload: chain.Workload{BlockSize: chain.HeaderSize, TxSize: 1}, Quiet: true}
	peers := chain.CompleteGraph(n)
	net := newNet(n, peers, true, s)
	net.Quiet = true
	net.payment = true
	net.Honest[0] = false
	net.Observer = merchant
	maxSlots := r.MaxSlots
	if maxSlots == 0 {
		maxSlots = 200_000
	}
	cfg := sim.Config{
		Nodes: n,
		New: func(id sim.NodeID) sim.Node {
			if id == 0 {
				return &Attacker{Peer: chain.NewPeer(&net.Tree, id), net: net, Z: r.Z, GiveUp: r.GiveUp}
			}
			nd := &Node{Peer: chain.NewPeer(&net.Tree, id), net: net}
			if id == merchant {
				nd.Merchant = &Merchant{Z: r.Z}
			}
			return nd
		},
		Network: network.MustNew(n, network.Options{}),
		Seed:    seed,
		Limit:   sim.Time(maxSlots) * sim.Second,
		Stop:    chain.RaceOver,
	}
	res := sim.New(cfg).Run()
	return RaceOutcome{RaceResult: chain.RaceEnd(res.Observations), Blocks: net.Store.Len() - 1, Hash: res.Hash}
}
