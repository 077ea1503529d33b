package nakamoto

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"simulate/faults"
	"simulate/protocols/chain"
	"simulate/sim"
)

// Scenario is one run of honest Nakamoto consensus: a JSON-serialisable
// value, so a trace header can hold it and `simulate replay` rebuild it.
type Scenario struct {
	// Miners is the number of nodes; all mine.
	Miners int `json:"miners"`
	// Shares are the miners' hash-power shares (normalised); empty means
	// equal shares.
	Shares []float64 `json:"shares,omitempty"`
	// Interval is the target block interval.
	Interval sim.Time `json:"interval"`
	// Workload is the blocks and the transaction stream: BlockSize,
	// TxSize, TxRate.
	chain.Workload
	// Links is the peer-to-peer network: Degree (or Outbound, Bitcoin
	// Core's graph), Delay, Bandwidth, Jitter, JitterSteps.
	chain.Links
	// Relay is how blocks travel: "" (or "push") sends every new block to
	// every neighbour at once, each link with its own bandwidth queue;
	// RelaySimBlock is SimBlock's inv/getdata relay with compact blocks,
	// one upload at a time, and its node model (see RelaySimBlock). It
	// needs Regions.
	Relay string `json:"relay,omitempty"`
	// Regions, if set, replaces Delay and Bandwidth with a geography:
	// nodes placed in regions, region-to-region latencies and per-region
	// upload and download speeds (chain.SimBlockRegions is SimBlock's).
	Regions *chain.Regions `json:"regions,omitempty"`
	// Partition, if set, cuts the network in two for a while.
	Partition *Split `json:"partition,omitempty"`
	// Eclipse, if set, puts one node behind an eclipse attacker.
	Eclipse *Eclipse `json:"eclipse,omitempty"`
	// Blocks stops mining once a block reaches this height; Duration stops
	// the run at this time. One of them is set.
	Blocks   int      `json:"blocks,omitempty"`
	Duration sim.Time `json:"duration,omitempty"`
	// RealPoW makes miners search nonces with double SHA-256 until the
	// hash has PoWBits leading zero bits.
	RealPoW bool `json:"real_pow,omitempty"`
	PoWBits int  `json:"pow_bits,omitempty"`
	// Retarget adjusts the difficulty every Retarget blocks (0: never);
	// HashScale is the network's hash power relative to the power the
	// initial difficulty was set for (1 if 0).
	Retarget  int     `json:"retarget,omitempty"`
	HashScale float64 `json:"hash_scale,omitempty"`
	// K is the depth of the common-prefix check and the deepest
	// confirmation reported.
	K int `json:"k"`
	// Quiet drops the per-block observations (for sweeps).
	Quiet bool `json:"quiet,omitempty"`
	// Bug switches on a teaching bug: "ignore-forks" (nodes never leave
	// their branch for a heavier one) or "no-reannounce-on-heal" (nodes do
	// not ask their neighbours across a healed partition for the blocks
	// they missed).
	Bug string `json:"bug,omitempty"`
}

// Bugs lists the teaching bugs a Scenario may switch on.
var Bugs = []string{"ignore-forks", "no-reannounce-on-heal"}

// DefaultScenario is a small Bitcoin: 10-minute blocks of up to 1 MB,
// 16 miners with equal shares, 4 neighbours each, 100 ms links at
// 10 Mbit/s, 4 transactions of 250 bytes per second, k = 6.
func DefaultScenario() Scenario {
	return Scenario{
		Miners:   16,
		Interval: 600 * sim.Second,
		Workload: chain.DefaultWorkload(1_000_000),
		Links:    chain.DefaultLinks(),
		Blocks:   100,
		PoWBits:  16,
		K:        6,
	}
}

// Validate reports the first thing wrong with s, in words for a user.
func (s Scenario) Validate() error {
	if err := chain.ValidateWeighted(s.Miners, "miners", 100_000, s.Shares, "shares"); err != nil {
		return err
	}
	if s.Interval <= 0 {
		return fmt.Errorf("interval must be positive, got %v", s.Interval)
	}
	if err := chain.ValidateRun(s.Workload, s.Links, s.Miners, "miners", s.Blocks, s.Duration, s.K); err != nil {
		return err
	}
	switch {
	case !slices.Contains(Relays, s.Relay):
		return fmt.Errorf("relay must be push or simblock, got %q", s.Relay)
	case s.Relay == RelaySimBlock && s.Regions == nil:
		return fmt.Errorf("relay simblock needs SimBlock's regions (--regions simblock, or --preset simblock)")
	}
	switch {
	case s.RealPoW && (s.PoWBits < 1 || s.PoWBits > 28):
		return fmt.Errorf("pow bits must be between 1 and 28, got %d", s.PoWBits)
	case s.Retarget == 1 || s.Retarget < 0:
		return fmt.Errorf("retarget window must be 0 (off) or at least 2 blocks, got %d", s.Retarget)
	case s.HashScale < 0 || math.IsNaN(s.HashScale) || math.IsInf(s.HashScale, 0):
		return fmt.Errorf("hash scale must be positive, got %v", s.HashScale)
	case s.Bug != "" && !slices.Contains(Bugs, s.Bug):
		return fmt.Errorf("unknown bug %q (known: %s)", s.Bug, strings.Join(Bugs, ", "))
	}
	if s.Regions != nil {
		if err := s.Regions.Validate(); err != nil {
			return err
		}
	}
	if s.Partition != nil {
		if err := s.Partition.validate(s.Miners); err != nil {
			return err
		}
	}
	if s.Eclipse != nil {
		if err := s.Eclipse.validate(s.Miners); err != nil {
			return err
		}
	}
	return chain.Weights(s.Shares, "share", "shares", "nobody mines")
}

// Run is a built scenario: the kernel configuration, the shared state and
// the nodes, which Stats reads after the world has run.
type Run struct {
	chain.Built[Scenario, Net, Node]
	// Region is each node's region (nil without Regions).
	Region []uint8
	shares []float64
	// meter measures what only Nakamoto reports, beside Built's Meter.
	meter *meter
}

// Build turns the scenario into a world configuration for seed. The
// topology is drawn from the seed too, so seed and scenario fix the run.
// s must be valid.
func (s Scenario) Build(seed uint64) *Run {
	n := s.Miners
	// SimBlock's node model draws each node's outbound connections and,
	// unless Shares are given, its hash power from the seed; the scenario
	// itself keeps what the user asked for.
	var peers [][]sim.NodeID
	var complete bool
	weights := s.Shares
	if s.Relay == RelaySimBlock {
		peers = chain.OutboundGraphOf(SimBlockOutbound(n, seed), seed)
		if len(weights) == 0 {
			weights = SimBlockShares(n, seed)
		}
	} else {
		peers, complete = s.Links.Graph(n, seed)
	}
	net := newNet(n, peers, complete)
	net.Interval = s.Interval
	if s.HashScale > 0 {
		net.HashScale = s.HashScale
	}
	net.Retarget = s.Retarget
	if s.RealPoW {
		net.PoWBits = s.PoWBits
	}
	net.Txs = s.Workload.Txs()
	net.StopHeight = s.Blocks
	net.Quiet = s.Quiet
	net.K = s.K
	shares := chain.Shares(weights, n)
	net.rate = func(id sim.NodeID, _ int) (float64, float64) { return shares[id], shares[id] }
	r := &Run{Built: chain.NewBuilt[Scenario, Net, Node](s, net, n), shares: shares}
	// The link queues are laid out for the graph (a hint, see
	// network.Net.Reserve), except on a complete graph, where only the
	// producers of blocks send and most links are never used.
	regions := s.Regions
	if s.Relay == RelaySimBlock {
		// The senders draw each message's latency (relayModel): the Net
		// places the nodes and carries the messages at the mean.
		calm := *regions
		calm.ParetoSteps = 0
		regions = &calm
	}
	ln := s.Links.Net(n, regions, seed)
	if s.Regions != nil {
		r.Region = ln.RegionOf()
	}
	if !complete && s.Relay != RelaySimBlock && (s.Regions != nil || s.Bandwidth > 0) {
		ln.Reserve(peers)
	}
	r.Setup = s.Links.Setup(&net.Tree, ln)
	var model sim.Model = ln
	if s.Relay == RelaySimBlock {
		net.sb = buildSimBlock(s, seed)
		net.sb.of = ln.RegionOf()
		model = relayModel{inner: ln}
	}
	if p := s.Partition; p != nil {
		net.split = p
		net.sideA = p.SideA(shares)
		net.noHealSync = s.Bug == "no-reannounce-on-heal"
		var side []sim.NodeID
		for i, a := range net.sideA {
			if a {
				side = append(side, sim.NodeID(i))
			}
		}
		// The Net drops every message that crosses the cut while it lasts.
		ln.PartitionDuring(p.From, p.To, side)
	}
	if e := s.Eclipse; e != nil {
		net.victim = sim.NodeID(e.Victim)
		model = &eclipseModel{inner: model, victim: net.victim, delay: e.Delay}
	}
	// A run whose mining stops while the network is cut goes on until the
	// cut heals and the nodes have resynchronised, so that convergence is
	// judged on a healed network.
	var settle sim.Time
	if p := s.Partition; p != nil {
		settle = p.To
	}
	for _, e := range s.Faults {
		if e.Kind == faults.KindHeal {
			settle = max(settle, e.At)
		}
	}
	// Once mining has stopped, end the run as soon as every block has
	// arrived: no message in flight.
	stop := func(w *sim.World) bool { return w.Now() >= settle && net.Drained(w) }
	r.Configure(seed, model, s.Duration, stop, &net.Tree, func(id sim.NodeID) *Node {
		return &Node{peer: newPeer(net, id), IgnoreForks: s.Bug == "ignore-forks"}
	})
	r.meter = newMeter(r.Meter, net) // Configure measured the run with the chain Meter
	r.Config.Probe = r.meter.Probe
	return r
}

// CommonPrefix is the verdict of the common-prefix check at depth K.
type CommonPrefix = chain.CommonPrefix

// Stats is what a run of the scenario measured.
type Stats struct {
	Height        int     `json:"height"`
	Mined         int     `json:"blocks_mined"`
	Stale         int     `json:"stale_blocks"`
	StaleRate     float64 `json:"stale_rate"`
	Forks         int     `json:"forks"`
	Reorgs        int     `json:"reorgs"`
	MaxReorgDepth int     `json:"max_reorg_depth"`
	// Elapsed is the time mining ran: until the last block (--blocks) or
	// the run's end (--duration).
	Elapsed      sim.Time `json:"elapsed_ns"`
	MeanInterval sim.Time `json:"mean_interval_ns"`
	Txs          int64    `json:"txs"`
	Throughput   float64  `json:"throughput_tx_per_s"`
	// Propagation is the mean time a main-chain block took to reach every
	// node; MaxPropagation the longest.
	Propagation    sim.Time       `json:"propagation_p100_ns"`
	MaxPropagation sim.Time       `json:"max_propagation_ns"`
	Confirmations  []Confirmation `json:"confirmations"`
	CommonPrefix   CommonPrefix   `json:"common_prefix"`
	// Agree is true when every node ended on the same tip.
	Agree   bool   `json:"agree"`
	TipHash string `json:"tip_hash"`
	// Hashes is the number of nonces tried (real proof of work).
	Hashes uint64 `json:"hashes,omitempty"`
	// Difficulty is the last main-chain block's work relative to BaseWork.
	Difficulty float64 `json:"difficulty"`
	// Propagation50 and Propagation90 are the mean times a main-chain
	// block took to reach half and 90 % of the nodes: the figures
	// block-propagation simulators such as SimBlock report.
	Propagation50 sim.Time `json:"propagation_p50_ns,omitempty"`
	Propagation90 sim.Time `json:"propagation_p90_ns,omitempty"`
	// ConfirmedForks counts the blocks from which two branches left that
	// honest nodes each held with at least K confirmations;
	// DoubleConfirmed counts the transactions counted confirmed on two
	// such conflicting branches. Both are 0 while k confirmations mean
	// final.
	ConfirmedForks  int   `json:"confirmed_forks,omitempty"`
	DoubleConfirmed int64 `json:"double_confirmed_txs,omitempty"`
	// Partition and Eclipse are present when the scenario had one.
	Partition *PartitionStats `json:"partition,omitempty"`
	Eclipse   *EclipseStats   `json:"eclipse,omitempty"`
}

// MainTip is the tip with the most work among the nodes' final tips (the
// earliest mined on a tie): the chain the network settles on.
func (r *Run) MainTip() BlockID {
	best := r.Nodes[0].tip
	for _, nd := range r.Nodes[1:] {
		t := nd.tip
		if r.Net.Store.Heavier(t, best) || (r.Net.Store.Get(t).CumWork == r.Net.Store.Get(best).CumWork && t < best) {
			best = t
		}
	}
	return best
}

// Stats measures the run after the world ran and returned res.
func (r *Run) Stats(res sim.Result) Stats {
	net, s := r.Net, r.Net.Store
	tip := r.MainTip()
	chain := s.Chain(tip)
	m := r.Meter
	st := Stats{Height: len(chain) - 1, Mined: net.mined, Reorgs: m.Reorgs, MaxReorgDepth: m.MaxReorg}
	st.Stale = st.Mined - st.Height
	if st.Mined > 0 {
		st.StaleRate = float64(st.Stale) / float64(st.Mined)
	}
	for id := 0; id < s.Len(); id++ {
		if s.Children(BlockID(id)) > 1 {
			st.Forks += s.Children(BlockID(id)) - 1
		}
		st.Hashes += s.Get(BlockID(id)).Hashes
	}
	st.Elapsed = net.Elapsed(res)
	st.MeanInterval = s.MeanInterval(tip)
	st.Txs = s.Get(tip).TxEnd
	if st.Elapsed > 0 {
		st.Throughput = float64(st.Txs) / st.Elapsed.Seconds()
	}
	var prop sim.Time
	nprop := 0
	for _, id := range chain[1:] {
		if f := m.FullAt(id); f != sim.Never {
			d := f - s.Get(id).Time
			prop += d
			nprop++
			st.MaxPropagation = max(st.MaxPropagation, d)
		}
	}
	if nprop > 0 {
		st.Propagation = prop / sim.Time(nprop)
	}
	st.Propagation50 = meanSince(chain[1:], s, m.HalfAt)
	st.Propagation90 = meanSince(chain[1:], s, m.NinetyAt)
	st.ConfirmedForks, st.DoubleConfirmed = r.meter.DoubleConfirmed()
	if r.Scenario.Partition != nil {
		st.Partition = r.partitionStats(res, chain)
	}
	if r.Scenario.Eclipse != nil {
		st.Eclipse = r.eclipseStats(chain)
	}
	st.Confirmations = m.Confirmations(chain, net.Txs.Period, r.Scenario.K)
	st.CommonPrefix = m.CommonPrefix()
	st.Agree = true
	for _, nd := range r.Nodes {
		if nd.tip != r.Nodes[0].tip {
			st.Agree = false
		}
	}
	st.TipHash = s.Get(tip).HashHex()
	st.Difficulty = float64(s.Get(tip).Work) / float64(BaseWork)
	return st
}

// meanSince averages at(b) - b.Time over the blocks that got there.
func meanSince(blocks []BlockID, s *Store, at func(BlockID) sim.Time) sim.Time {
	var sum sim.Time
	n := 0
	for _, id := range blocks {
		if t := at(id); t != sim.Never {
			sum += t - s.Get(id).Time
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / sim.Time(n)
}

// Check judges a finished run by the properties honest Nakamoto consensus
// promises: common prefix at depth K, and that once every block has
// arrived the nodes agree on everything but possibly a tied last block.
// It returns nil or the violation in words.
func (r *Run) Check(res sim.Result) error {
	if err := r.Meter.CommonPrefix().Err(); err != nil {
		return err
	}
	return r.agreed(res)
}

// agreed is Check's second half (chain.Agreed): once every block has
// arrived no node is on a branch that left the main chain more than one
// block below its tip.
func (r *Run) agreed(res sim.Result) error {
	return chain.Agreed(res, r.Net.Store, r.MainTip(), len(r.Nodes), func(i int) (BlockID, bool) { return r.Nodes[i].tip, true })
}

// PropertyScenario is the scenario `simulate check nakamoto` and the
// property tests search: 5 miners on a complete graph, 1 s links plus a
// drawn 0, 20, 40 or 60 s per message, 15 blocks, k = 3, and the given
// teaching bug ("" for none).
func PropertyScenario(bug string) Scenario {
	s := DefaultScenario()
	s.Miners = 5
	s.Links = chain.PropertyLinks(s.Miners, sim.Second, 20*sim.Second)
	s.Blocks = 15
	s.TxRate = 0
	s.K = 3
	s.Bug = bug
	return s
}
