package generals

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"

	"simulate/faults"
	"simulate/network"
	"simulate/sim"
)

// RoundLength is the time between round boundaries. It exceeds the
// network's largest delay (MaxDelay), so every message sent at a boundary
// arrives before the next one: the synchronous rounds the paper assumes.
const RoundLength = 10 * sim.Millisecond

// MaxDelay is the largest delay of the generals' network.
const MaxDelay = 9 * sim.Millisecond

// MaxGenerals bounds n: node ids are encoded in one byte in paths.
const MaxGenerals = 64

// MaxMessages bounds the messages of one run: OM(m) sends
// (n-1)(n-2)…(n-1-m) messages in its last round alone.
const MaxMessages = 1_000_000

// Commander is general 0.
const Commander sim.NodeID = 0

// Traitor is one traitorous general and how it misbehaves.
type Traitor struct {
	ID       sim.NodeID `json:"id"`
	Strategy Strategy   `json:"strategy"`
}

// Scenario is one run of the generals problem, fully resolved: which
// generals are traitors and how they behave are fixed here, so the scenario
// and the seed replay the run exactly (the seed drives the network's delays
// and the random strategy's coins). It is JSON-serialisable and is what a
// trace header records.
type Scenario struct {
	// Generals is n, the commander included.
	Generals int `json:"generals"`
	// Algorithm is OM or SM.
	Algorithm Algorithm `json:"algorithm"`
	// Rounds is the m of OM(m) / SM(m): the number of traitors the
	// algorithm is built to tolerate.
	Rounds int `json:"rounds"`
	// Order is the commander's order (a traitor commander uses it as the
	// starting point of its lies).
	Order Value `json:"order"`
	// Traitors, sorted by id.
	Traitors []Traitor `json:"traitors"`
	// Calm delivers every message after exactly 1ms (no jitter).
	Calm bool `json:"calm,omitempty"`
	// Bug switches on a teaching bug.
	Bug Bug `json:"bug,omitempty"`
	// Faults is a fault plan for the run's network.Net (crashes, partitions,
	// cuts, loss and duplication windows): what happens to the algorithms,
	// which assume reliable synchronous delivery, when that fails.
	Faults faults.Plan `json:"faults,omitempty"`
}

// Validate reports what is wrong with s, in words fit for a command line.
func (s Scenario) Validate() error {
	n := s.Generals
	if n < 2 {
		return fmt.Errorf("generals = %d: need a commander and at least one lieutenant (≥ 2)", n)
	}
	if n > MaxGenerals {
		return fmt.Errorf("generals = %d: at most %d", n, MaxGenerals)
	}
	if s.Algorithm != OM && s.Algorithm != SM {
		return fmt.Errorf("algorithm %q: want om or sm", s.Algorithm)
	}
	if s.Rounds < 0 {
		return fmt.Errorf("rounds = %d: must be ≥ 0", s.Rounds)
	}
	if s.Rounds > n-1 {
		return fmt.Errorf("rounds = %d: at most generals-1 = %d (a relay path visits each general once)", s.Rounds, n-1)
	}
	if s.Algorithm == OM {
		if c := OMMessages(n, s.Rounds); c > MaxMessages {
			return fmt.Errorf("OM(%d) with %d generals sends %s messages; keep it under %d (fewer rounds or generals)", s.Rounds, n, OMMessagesExact(n, s.Rounds), MaxMessages)
		}
	}
	if s.Order != Attack && s.Order != Retreat {
		return fmt.Errorf("order %d: want attack or retreat", s.Order)
	}
	if len(s.Traitors) >= n {
		return fmt.Errorf("traitors = %d: must be fewer than the %d generals", len(s.Traitors), n)
	}
	seen := map[sim.NodeID]bool{}
	for _, t := range s.Traitors {
		if t.ID < 0 || int(t.ID) >= n {
			return fmt.Errorf("traitor n%d: no such general (ids 0..%d)", t.ID, n-1)
		}
		if seen[t.ID] {
			return fmt.Errorf("traitor n%d listed twice", t.ID)
		}
		seen[t.ID] = true
		if _, err := ParseStrategy(string(t.Strategy)); err != nil {
			return fmt.Errorf("traitor n%d: %v", t.ID, err)
		}
	}
	switch s.Bug {
	case NoBug, BugTrustCommander, BugSkipVerify:
	default:
		return fmt.Errorf("bug %q: unknown", s.Bug)
	}
	return s.Faults.Validate(n)
}

// Traitor reports node id's strategy and whether it is a traitor.
func (s Scenario) Traitor(id sim.NodeID) (Strategy, bool) {
	for _, t := range s.Traitors {
		if t.ID == id {
			return t.Strategy, true
		}
	}
	return "", false
}

// CommanderLoyal reports whether the commander is loyal, the case IC2
// speaks about.
func (s Scenario) CommanderLoyal() bool {
	_, t := s.Traitor(Commander)
	return !t
}

// Guaranteed reports whether the theorems promise IC1 and IC2 for s: at
// most m traitors and, for OM(m), n ≥ 3m+1.
func (s Scenario) Guaranteed() bool {
	if len(s.Traitors) > s.Rounds {
		return false
	}
	if s.Algorithm == OM {
		return s.Generals >= 3*s.Rounds+1
	}
	return true
}

// OMMessages is the closed-form number of messages OM(m) sends among n
// loyal generals: the commander sends n-1 orders and each lieutenant then
// runs OM(m-1) among the other n-2, so
//
//	M(n, 0) = n-1,   M(n, m) = (n-1) + (n-1)·M(n-1, m-1).
//
// M(4,1) = 9 and M(7,2) = 156. The result saturates at math.MaxInt.
func OMMessages(n, m int) int {
	if n <= 1 {
		return 0
	}
	if m <= 0 {
		return n - 1
	}
	sub := OMMessages(n-1, m-1)
	if sub > (math.MaxInt-(n-1))/(n-1) {
		return math.MaxInt
	}
	return (n - 1) + (n-1)*sub
}

// OMMessagesExact is OMMessages without saturating, for messages that
// print the count: OM(13) among 40 generals sends about 1.4e21 messages,
// not math.MaxInt of them.
func OMMessagesExact(n, m int) *big.Int {
	if n <= 1 {
		return new(big.Int)
	}
	m = max(0, min(m, n-1))
	// M(n-m, 0) = n-m-1, then M(k, j) = (k-1)·(1 + M(k-1, j-1)) upward.
	c := big.NewInt(int64(n - m - 1))
	for k := n - m + 1; k <= n; k++ {
		c.Add(c, big.NewInt(1))
		c.Mul(c, big.NewInt(int64(k-1)))
	}
	return c
}

// SMMessages is the number of messages SM(m) sends among n loyal generals:
// the commander signs n-1 orders, and when m ≥ 1 each lieutenant countersigns
// the one value it sees and relays it once to the n-2 others.
func SMMessages(n, m int) int {
	if n <= 1 || m <= 0 {
		// No round of relay: only the commander's orders, as in OM(0).
		return OMMessages(n, 0)
	}
	return (n - 1) + (n-1)*(n-2)
}

// CommanderMode says whether the commander may be a traitor.
type CommanderMode string

// The commander modes.
const (
	CommanderLoyal   CommanderMode = "loyal"
	CommanderTraitor CommanderMode = "traitor"
	CommanderRandom  CommanderMode = "random"
)

// ParseCommanderMode reads loyal, traitor or random.
func ParseCommanderMode(s string) (CommanderMode, error) {
	switch m := CommanderMode(s); m {
	case CommanderLoyal, CommanderTraitor, CommanderRandom:
		return m, nil
	}
	return "", fmt.Errorf("commander %q: want loyal, traitor or random", s)
}

// Cast describes how to choose the traitors of a run; Draw resolves it.
type Cast struct {
	// Generals is n.
	Generals int
	// Traitors is how many generals are traitors.
	Traitors int
	// Commander says whether the commander is one of them ("" = random).
	Commander CommanderMode
	// Strategy, if not empty, is every traitor's strategy; otherwise each
	// traitor's is drawn.
	Strategy Strategy
	// AllowHonest lets a drawn strategy be Honest (as draw 0). Searches set
	// it, so shrinking can turn a traitor's lies off; plain runs do not.
	AllowHonest bool
	// Pinned, if not empty, names the traitors instead of drawing them
	// (Traitors and Commander must agree with it). A pinned traitor
	// without a strategy gets Strategy, or a drawn one.
	Pinned []Traitor
}

// Check reports what is wrong with c.
func (c Cast) Check() error {
	if c.Generals < 2 {
		return fmt.Errorf("generals = %d: need a commander and at least one lieutenant (≥ 2)", c.Generals)
	}
	if c.Traitors < 0 {
		return fmt.Errorf("traitors = %d: must be ≥ 0", c.Traitors)
	}
	if c.Traitors >= c.Generals {
		return fmt.Errorf("traitors = %d: must be fewer than the %d generals", c.Traitors, c.Generals)
	}
	switch c.Commander {
	case CommanderTraitor:
		if c.Traitors == 0 {
			return errors.New("commander traitor: needs at least one traitor")
		}
	case CommanderLoyal, CommanderRandom, "":
	default:
		return fmt.Errorf("commander %q: want loyal, traitor or random", c.Commander)
	}
	if c.Strategy != "" {
		if _, err := ParseStrategy(string(c.Strategy)); err != nil {
			return err
		}
	}
	if len(c.Pinned) == 0 {
		return nil
	}
	if len(c.Pinned) != c.Traitors {
		return fmt.Errorf("%d traitors named but traitors = %d", len(c.Pinned), c.Traitors)
	}
	seen := map[sim.NodeID]bool{}
	for _, t := range c.Pinned {
		if t.ID < 0 || int(t.ID) >= c.Generals {
			return fmt.Errorf("traitor n%d: no such general (ids 0..%d)", t.ID, c.Generals-1)
		}
		if seen[t.ID] {
			return fmt.Errorf("traitor n%d named twice", t.ID)
		}
		seen[t.ID] = true
		if t.Strategy != "" {
			if _, err := ParseStrategy(string(t.Strategy)); err != nil {
				return fmt.Errorf("traitor n%d: %v", t.ID, err)
			}
		}
	}
	switch {
	case c.Commander == CommanderLoyal && seen[Commander]:
		return errors.New("commander loyal, but n0 (the commander) is named a traitor")
	case c.Commander == CommanderTraitor && !seen[Commander]:
		return errors.New("commander traitor, but n0 (the commander) is not named a traitor")
	}
	return nil
}

// Draw picks the traitors of a run from ch: whether the commander is one
// (draw 0 = loyal), which lieutenants (draw 0 = the lowest free id), and
// each one's strategy (with AllowHonest, draw 0 = honest). Plain runs pass
// choices seeded from the run's seed; searches pass rapid's, so shrinking
// moves toward a loyal commander, low ids and honest traitors. The result is
// sorted by id. c must pass Check.
func Draw(ch sim.Choices, c Cast) []Traitor {
	if len(c.Pinned) > 0 {
		return drawStrategies(ch, c, c.Pinned)
	}
	var ids []sim.NodeID
	k := c.Traitors
	traitorCommander := false
	switch c.Commander {
	case CommanderTraitor:
		traitorCommander = true
	case CommanderRandom, "":
		if k > 0 {
			traitorCommander = ch.Intn("commander is a traitor", 2) == 1
		}
	}
	if traitorCommander {
		ids = append(ids, Commander)
		k--
	}
	pool := make([]sim.NodeID, 0, c.Generals-1)
	for i := 1; i < c.Generals; i++ {
		pool = append(pool, sim.NodeID(i))
	}
	for i := 0; i < k; i++ {
		j := ch.Intn(fmt.Sprintf("traitor #%d (of the %d loyal lieutenants left)", len(ids)+1, len(pool)), len(pool))
		ids = append(ids, pool[j])
		pool = append(pool[:j], pool[j+1:]...)
	}
	ts := make([]Traitor, len(ids))
	for i, id := range ids {
		ts[i] = Traitor{ID: id}
	}
	return drawStrategies(ch, c, ts)
}

// drawStrategies sorts ts by id and gives every traitor without a
// strategy c.Strategy or, failing that, a drawn one.
func drawStrategies(ch sim.Choices, c Cast, ts []Traitor) []Traitor {
	out := append([]Traitor(nil), ts...)
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	menu := Nasty
	if c.AllowHonest {
		menu = Strategies
	}
	for i := range out {
		if out[i].Strategy != "" {
			continue
		}
		out[i].Strategy = c.Strategy
		if out[i].Strategy == "" {
			out[i].Strategy = menu[ch.Intn(fmt.Sprintf("strategy of n%d", out[i].ID), len(menu))]
		}
	}
	return out
}

// DrawFromSeed is Draw for plain runs: the traitors come from the seed, as
// `simulate byzantine --seed S` and the byzantine-bound experiment pick
// them, so a seed names a whole run. They come from the seed's set-up
// stream "generals traitors", apart from the network's draws.
func DrawFromSeed(seed uint64, c Cast) []Traitor {
	return Draw(sim.SetupChoices(seed, "generals traitors"), c)
}

// Net returns the generals' network: every message arrives after 1ms plus
// a drawn 0..8ms in whole milliseconds (draw 0 = 1ms, the calm case; Calm
// makes no draw), never dropped unless the fault plan says so — the
// algorithms assume reliable, synchronous delivery — and always within
// MaxDelay, so rounds stay synchronous whatever the draws.
func (s Scenario) Net() *network.Net {
	lat := network.UniformSteps(sim.Millisecond, MaxDelay, int(MaxDelay/sim.Millisecond))
	if s.Calm {
		lat = network.Constant(sim.Millisecond)
	}
	return network.MustNew(s.Generals, network.Options{Latency: lat})
}

// Space is a family of scenarios for search: the shape is fixed, and
// Draw picks the rest — the commander's order (draw 0 = attack), whether
// the commander is a traitor, which lieutenants are, and each one's
// strategy, honest being draw 0. Searches hand Draw rapid's choices so all
// of it shrinks toward the loyal, boring case; `simulate check byzantine`
// and the package's property tests share it.
type Space struct {
	Cast
	Algorithm Algorithm
	Rounds    int
	// Order, if not nil, fixes the commander's order.
	Order *Value
	Bug   Bug
}

// Draw resolves one scenario of sp from ch. Cast.AllowHonest is forced on:
// a search must be able to shrink a traitor's lies away.
func (sp Space) Draw(ch sim.Choices) Scenario {
	order := Attack
	if sp.Order != nil {
		order = *sp.Order
	} else if ch.Intn("commander's order is retreat", 2) == 1 {
		order = Retreat
	}
	c := sp.Cast
	c.AllowHonest = true
	return Scenario{
		Generals:  c.Generals,
		Algorithm: sp.Algorithm,
		Rounds:    sp.Rounds,
		Order:     order,
		Traitors:  Draw(ch, c),
		Bug:       sp.Bug,
	}
}
