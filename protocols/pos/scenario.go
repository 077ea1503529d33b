package pos

import (
	"fmt"
	"math"

	"simulate/protocols/chain"
	"simulate/sim"
)

// Lotteries: what extending one more fork costs a validator.
const (
	// LotteryStake is proof of stake: one slot win signs blocks on as many
	// tips as the validator likes.
	LotteryStake = "stake"
	// LotteryWork is the same slot clock with proof of work's cost: a
	// validator extending m tips wins on each with φ(s/m), its power split.
	LotteryWork = "work"
)

// Bugs lists the teaching bugs a Scenario may switch on: "ignore-forks"
// (validators never leave their branch for a longer one).
var Bugs = []string{"ignore-forks"}

// MaxTips is how many fork tips a nothing-at-stake validator extends: the
// two highest, "both forks".
const MaxTips = 2

// Scenario is one run of proof of stake: a JSON-serialisable value, so a
// trace header can hold it and `simulate replay` rebuild it.
type Scenario struct {
	// Validators is the number of nodes; Stakes their stakes (normalised;
	// empty means equal).
	Validators int       `json:"validators"`
	Stakes     []float64 `json:"stakes,omitempty"`
	// Slot is the slot length and F the active-slot coefficient: the
	// chance that a slot has a leader when one validator holds all the
	// stake. The mean block interval is about Slot/F.
	Slot sim.Time `json:"slot"`
	F    float64  `json:"f"`
	// Workload is the blocks and the transaction stream: BlockSize,
	// TxSize, TxRate.
	chain.Workload
	// Links is the peer-to-peer network, as in package nakamoto: Degree
	// (or Outbound, Bitcoin Core's graph), Delay, Bandwidth, Jitter,
	// JitterSteps.
	chain.Links
	// Blocks stops block making once a block reaches this height; Duration
	// stops the run at this time. Exactly one is set.
	Blocks   int      `json:"blocks,omitempty"`
	Duration sim.Time `json:"duration,omitempty"`
	// K is the depth of the common-prefix check and the deepest
	// confirmation reported.
	K int `json:"k"`
	// NothingAtStake makes the first this many validators extend the
	// MaxTips highest fork tips they know, every time they win.
	NothingAtStake int `json:"nothing_at_stake,omitempty"`
	// Lottery is LotteryStake (default) or LotteryWork.
	Lottery string `json:"lottery,omitempty"`
	// CoinAge weighs validators by coin age instead of stake, paying
	// Interest (yearly, default 5 %) on the coin age a block consumes.
	CoinAge  bool    `json:"coin_age,omitempty"`
	Interest float64 `json:"interest,omitempty"`
	// Quiet drops the per-block observations (for sweeps).
	Quiet bool `json:"quiet,omitempty"`
	// Bug switches on a teaching bug (see Bugs).
	Bug string `json:"bug,omitempty"`
}

// DefaultScenario is Cardano-like proof of stake beside the nakamoto
// default: 16 validators with equal stakes, 1-second slots with f = 0.05
// (a block every 20 s on average), 64 kB blocks, 4 transactions of 250
// bytes a second, 4 neighbours each over 100 ms links at 10 Mbit/s, 100
// blocks, k = 6.
func DefaultScenario() Scenario {
	return Scenario{
		Validators: 16,
		Slot:       sim.Second,
		F:          0.05,
		Workload:   chain.DefaultWorkload(64_000),
		Links:      chain.DefaultLinks(),
		Blocks:     100,
		K:          6,
	}
}

// Validate reports the first thing wrong with s, in words for a user.
func (s Scenario) Validate() error {
	if err := chain.ValidateWeighted(s.Validators, "validators", 10_000, s.Stakes, "stakes"); err != nil {
		return err
	}
	switch {
	case s.Slot <= 0:
		return fmt.Errorf("slot must be positive, got %v", s.Slot)
	case !(s.F > 0 && s.F <= 1):
		return fmt.Errorf("f (active-slot coefficient) must be in (0, 1], got %v", s.F)
	}
	if err := chain.ValidateRun(s.Workload, s.Links, s.Validators, "validators", s.Blocks, s.Duration, s.K); err != nil {
		return err
	}
	switch {
	case s.Duration > 0 && s.Duration/s.Slot > 100_000_000:
		return fmt.Errorf("duration is more than 1e8 slots")
	case s.NothingAtStake < 0 || s.NothingAtStake > s.Validators:
		return fmt.Errorf("nothing-at-stake validators must be between 0 and %d, got %d", s.Validators, s.NothingAtStake)
	case s.Lottery != "" && s.Lottery != LotteryStake && s.Lottery != LotteryWork:
		return fmt.Errorf("lottery must be %q or %q, got %q", LotteryStake, LotteryWork, s.Lottery)
	case s.Interest < 0 || s.Interest > 10 || math.IsNaN(s.Interest):
		return fmt.Errorf("interest must be a yearly rate between 0 and 10, got %v", s.Interest)
	case s.Bug != "" && s.Bug != "ignore-forks":
		return fmt.Errorf("unknown bug %q (known: ignore-forks)", s.Bug)
	}
	return chain.Weights(s.Stakes, "stake", "stakes", "nobody can make a block")
}

// Phi is the Praos leader probability of a validator with stake share s
// under active-slot coefficient f: 1 − (1 − f)^s.
func Phi(f, s float64) float64 {
	if s <= 0 {
		return 0
	}
	return -math.Expm1(s * math.Log1p(-f))
}

// Run is a built scenario: the kernel configuration, the shared state and
// the nodes, which Stats reads after the world has run.
type Run struct {
	chain.Built[Scenario, Net, Node]
}

// Build turns the scenario into a world configuration for seed. The
// topology is drawn from the seed too, so seed and scenario fix the run.
// s must be valid.
func (s Scenario) Build(seed uint64) *Run {
	n := s.Validators
	peers, complete := s.Links.Graph(n, seed)
	net := newNet(n, peers, complete, s)
	net.Quiet = s.Quiet
	net.K = s.K
	for i := 0; i < s.NothingAtStake; i++ {
		net.Honest[i] = false
	}
	r := &Run{chain.NewBuilt[Scenario, Net, Node](s, net, n)}
	r.OnLinks(s.Links, &net.Tree, seed, s.Duration, net.Drained, func(id sim.NodeID) *Node {
		return &Node{Peer: chain.NewPeer(&net.Tree, id), net: net,
			NothingAtStake: int(id) < s.NothingAtStake, IgnoreForks: s.Bug == "ignore-forks"}
	})
	return r
}

// Stats is what a run of the scenario measured.
type Stats struct {
	chain.Summary
	// Slots is the number of slots that passed; Empty how many had no
	// leader, Multi how many had several.
	Slots int64 `json:"slots"`
	Empty int64 `json:"empty_slots"`
	Multi int64 `json:"multi_leader_slots"`
	// MeanInterval is the main chain's mean block interval.
	MeanInterval  sim.Time             `json:"mean_interval_ns"`
	Reorgs        int                  `json:"reorgs"`
	MaxReorgDepth int                  `json:"max_reorg_depth"`
	Branches      chain.Branches       `json:"abandoned_branches"`
	Confirmations []chain.Confirmation `json:"confirmations"`
	CommonPrefix  CommonPrefix         `json:"common_prefix"`
	// Agree is true when every honest validator ended on the same tip.
	Agree   bool   `json:"agree"`
	TipHash string `json:"tip_hash"`
	// Shares are the validators' stake shares; CoinDays and Interest what
	// each consumed and earned in the coin-age variant, on the main chain.
	Shares   []float64 `json:"stake_shares"`
	CoinDays []float64 `json:"coin_days,omitempty"`
	Interest []float64 `json:"interest,omitempty"`
}

// CommonPrefix is the verdict of the common-prefix check at depth K.
type CommonPrefix = chain.CommonPrefix

// MainTip is the tip with the most blocks among the honest validators'
// final tips (every validator's, if none is honest).
func (r *Run) MainTip() chain.BlockID {
	var tips []chain.BlockID
	for _, nd := range r.Nodes {
		if !nd.NothingAtStake {
			tips = append(tips, nd.tip)
		}
	}
	if len(tips) == 0 {
		for _, nd := range r.Nodes {
			tips = append(tips, nd.tip)
		}
	}
	return chain.MainTip(r.Net.Store, tips)
}

// Stats measures the run after the world ran and returned res.
func (r *Run) Stats(res sim.Result) Stats {
	net := r.Net
	tip := r.MainTip()
	st := Stats{Summary: net.Summarize(tip, net.Elapsed(res), len(r.Nodes)), Slots: net.slots, Empty: net.slots - net.led, Multi: net.multi,
		Reorgs: r.Meter.Reorgs, MaxReorgDepth: r.Meter.MaxReorg, Shares: net.shares}
	st.MeanInterval = net.Store.MeanInterval(tip)
	st.Branches = chain.AbandonedBranches(net.Store, tip)
	main := net.Store.Chain(tip)
	st.Confirmations = r.Meter.Confirmations(main, net.Txs.Period, r.Scenario.K)
	st.CommonPrefix = r.Meter.CommonPrefix()
	st.Agree = true
	for _, nd := range r.Nodes {
		if !nd.NothingAtStake && nd.tip != tip {
			st.Agree = false
		}
	}
	st.TipHash = net.Store.Get(tip).HashHex()
	if r.Scenario.CoinAge {
		st.CoinDays = make([]float64, len(r.Nodes))
		st.Interest = make([]float64, len(r.Nodes))
		for _, id := range main[1:] {
			a := net.ages[id]
			m := net.Store.Get(id).Miner
			st.CoinDays[m] += a.consumed
			st.Interest[m] += a.interest
		}
	}
	return st
}

// Check judges a finished run by what honest longest-chain consensus
// promises: common prefix at depth K, and that once every block has
// arrived the honest validators agree on all but a tied last block. It
// returns nil or the violation in words.
func (r *Run) Check(res sim.Result) error {
	if err := r.Meter.CommonPrefix().Err(); err != nil {
		return err
	}
	return chain.Agreed(res, r.Net.Store, r.MainTip(), len(r.Nodes), func(i int) (chain.BlockID, bool) {
		return r.Nodes[i].tip, !r.Nodes[i].NothingAtStake
	})
}

// PropertyScenario is the scenario `simulate check pos` and the property
// tests search: 5 validators with stakes 2:5:4:3:1, the first of them (13 %
// of the stake) a nothing-at-stake validator that extends every fork, the
// rest honest; 1-second slots with f = 0.1 (a block every 10 slots); a
// complete graph whose every message takes 500 ms plus a drawn 0, 0.5, 1
// or 1.5 s, so delay is bounded by 2 slots; 15 blocks; k = 4; and the
// given teaching bug. Common prefix is a probabilistic guarantee over the
// lottery, so the search draws delays freely but the lottery only from a
// few seeds (1..8), against which it must hold for every schedule.
func PropertyScenario(bug string) Scenario {
	s := DefaultScenario()
	s.Validators = 5
	s.Stakes = []float64{2, 5, 4, 3, 1}
	s.NothingAtStake = 1
	s.F = 0.1
	s.Links = chain.PropertyLinks(s.Validators, 500*sim.Millisecond, 500*sim.Millisecond)
	s.Blocks = 15
	s.TxRate = 0
	s.K = 4
	s.Quiet = true
	s.Bug = bug
	return s
}

// PropertySeeds is how many lottery seeds (1..PropertySeeds) the property
// search draws from.
const PropertySeeds = 8
