// Package stale measures how often proof-of-work blocks go stale because
// they propagate slowly, by running the nakamoto protocol: miners on a
// peer-to-peer graph whose links have latency and bandwidth, full blocks of
// a given size, a given block interval. Each row of the experiment is one
// such network; each run of a sweep runs every row on one seed and counts
// the blocks mined and the blocks left off the main chain.
//
// Beside the simulated stale rate it prints the model of Decker and
// Wattenhofer ("Information propagation in the Bitcoin network", IEEE P2P
// 2013): a block meets a competitor when some miner that has not heard of
// it yet finds one, so with blocks found as a Poisson process of rate 1/T
//
//	P(fork) = 1 - exp(-∫(1-f(t))dt / T),
//
// f(t) being the share of the hash power that holds the block t after it
// was found. The integral is the mean time a block takes to reach the hash
// power, the Delay of a row; with a constant delay d the model is the
// familiar 1 - e^(-d/T).
//
// Rows that mimic real chains print the stale rates published for them
// (see Published); those were measured on networks the simulation only
// approximates, and the notes of the CLI table say how.
package stale

import (
	"fmt"
	"math"

	"simulate/protocols/nakamoto"
	"simulate/sim"
)

// Model is Decker and Wattenhofer's probability that a block meets a
// competing block, 1 - e^(-delay/interval): the chance that the rest of the
// network finds a block during the delay in which it has not yet heard of
// this one. It is a formula, not a measurement.
func Model(delay, interval sim.Time) float64 {
	return -math.Expm1(-float64(delay) / float64(interval))
}

// Renewal is the exact stale fraction x/(1+x), x = delay/interval, of the
// idealised network the model describes: every block reaches every miner
// exactly delay after it was found, and miners are infinitely many and
// small. There a block is on the main chain exactly when no main-chain
// block was found in the delay before it (the main chain is a Poisson
// process with dead time delay), so each main-chain block is followed by a
// Poisson(x) number of stale blocks. The model 1 - e^(-x) is the chance
// that there is at least one; the two agree to first order in x and differ
// by about x²/2.
func Renewal(delay, interval sim.Time) float64 {
	x := float64(delay) / float64(interval)
	return x / (1 + x)
}

// Published is a stale rate measured on a real network.
type Published struct {
	// Rate is the fraction of blocks that went stale.
	Rate float64 `json:"rate"`
	// Source cites the measurement.
	Source string `json:"source"`
}

// Published measurements quoted beside the rows that mimic their chains.
//
// Decker and Wattenhofer (2013) measured a Bitcoin fork rate of 1.69 %,
// against 1.78 % from their model, with blocks reaching a node after 6.5 s
// at the median and 12.6 s on average. Gervais et al., "On the Security and
// Performance of Proof of Work Blockchains" (CCS 2016), Table 1, measured
// stale-block rates of 0.41 % for Bitcoin (10 min blocks), 0.273 % for
// Litecoin (2.5 min), 0.619 % for Dogecoin (1 min) and 6.8 % for Ethereum
// (10-20 s), with median block propagation of 8.7 s, 1.02 s, 0.85 s and
// 0.5-0.75 s.
//
// Checked against the searchable sources when this was written: the 6.5 s
// median (and a 26 s 90th percentile) as Croman et al., "On Scaling
// Decentralized Blockchains" (FC 2016 workshops), quote Decker and
// Wattenhofer, and the model's form 1 - (1-P_b)^∫(1-f(t))dt. The 1.69 %,
// the model's 1.78 %, the 12.6 s mean and Gervais et al.'s table are quoted from the papers;
// no stored copy of them was found to check them again, and none said
// otherwise.
var (
	DeckerWattenhofer = Published{Rate: 0.0169, Source: "Decker & Wattenhofer 2013 (Bitcoin)"}
	GervaisBitcoin    = Published{Rate: 0.0041, Source: "Gervais et al. 2016 (Bitcoin)"}
	GervaisLitecoin   = Published{Rate: 0.00273, Source: "Gervais et al. 2016 (Litecoin)"}
	GervaisDogecoin   = Published{Rate: 0.00619, Source: "Gervais et al. 2016 (Dogecoin)"}
	GervaisEthereum   = Published{Rate: 0.068, Source: "Gervais et al. 2016 (Ethereum)"}
)

// Chain is a chain on its network: what a row of this experiment, and of
// throughput's, runs through the nakamoto protocol with full blocks.
type Chain struct {
	// Interval is the mean block interval T.
	Interval sim.Time `json:"interval"`
	// BlockSize is the size every block has (the transaction stream keeps
	// blocks full), TxSize a transaction's.
	BlockSize int `json:"block_size"`
	TxSize    int `json:"tx_size"`
	// Latency and Bandwidth (bits/s, 0 unlimited) are every link's; a block
	// takes Latency + size·8/Bandwidth per hop, store and forward.
	Latency   sim.Time `json:"latency"`
	Bandwidth int64    `json:"bandwidth"`
	// Miners share the hash power equally; each has at least Degree
	// neighbours (Degree >= Miners-1: a complete graph, every block one
	// hop from every miner).
	Miners int `json:"miners"`
	Degree int `json:"degree"`
}

// Capacity is how many transactions a block holds besides its header.
func (c Chain) Capacity() int { return (c.BlockSize - nakamoto.HeaderSize) / c.TxSize }

// Scenario is the nakamoto scenario of the chain, mining blocks blocks,
// with transactions offered at txRate a second (at most the simulator's
// million).
func (c Chain) Scenario(blocks int, txRate float64) nakamoto.Scenario {
	s := nakamoto.DefaultScenario()
	s.Miners = c.Miners
	s.Degree = min(c.Degree, c.Miners-1)
	s.Interval = c.Interval
	s.BlockSize = c.BlockSize
	s.TxSize = c.TxSize
	s.TxRate = math.Min(1e6, txRate)
	s.Delay = c.Latency
	s.Bandwidth = c.Bandwidth
	s.Blocks = blocks
	s.Quiet = true
	return s
}

// Config is one row of the experiment: a network and its chain's
// parameters.
type Config struct {
	Name string `json:"name"`
	// Group names the rows drawn as one series in the plot.
	Group string `json:"group"`
	Chain
	// Published, if set, is the real chain's measured stale rate.
	Published []Published `json:"published,omitempty"`
}

// Complete reports whether the row's network is a complete graph.
func (c Config) Complete() bool { return c.Degree >= c.Miners-1 }

// FullSize is the size of a full block: the header and as many whole
// transactions as fit.
func (c Config) FullSize() int {
	return nakamoto.HeaderSize + (c.BlockSize-nakamoto.HeaderSize)/c.TxSize*c.TxSize
}

// Hop is the time a full block takes over one idle link.
func (c Config) Hop() sim.Time { return c.Latency + nakamoto.Transmission(c.FullSize(), c.Bandwidth) }

// Saturation is how many times the block capacity per interval the
// transaction stream offers, so that every block leaves full.
const Saturation = 20

// Scenario is the nakamoto scenario of the row, mining blocks blocks.
func (c Config) Scenario(blocks int) nakamoto.Scenario {
	return c.Chain.Scenario(blocks, Saturation*float64(c.Capacity())/c.Interval.Seconds())
}

// Validate reports what makes the row impossible to run.
func (c Config) Validate() error {
	switch {
	case c.Interval <= 0:
		return fmt.Errorf("%s: interval must be positive", c.Name)
	case c.Miners < 2 || c.Miners > 10_000:
		return fmt.Errorf("%s: miners must be between 2 and 10000, got %d", c.Name, c.Miners)
	case c.Degree < 1:
		return fmt.Errorf("%s: degree must be at least 1, got %d", c.Name, c.Degree)
	case c.Latency < 0 || c.Bandwidth < 0:
		return fmt.Errorf("%s: latency and bandwidth must not be negative", c.Name)
	case c.TxSize < 1 || c.BlockSize < nakamoto.HeaderSize+c.TxSize:
		return fmt.Errorf("%s: a block of %d bytes holds no transaction of %d bytes", c.Name, c.BlockSize, c.TxSize)
	}
	return c.Scenario(10).Validate()
}

// Sweep is the rows C of a sweep over chains (this experiment's networks,
// throughput's chains) and how many blocks each run mines. It is
// JSON-serialisable, so a sweep file records it and `simulate merge`
// rebuilds the table from it.
type Sweep[C interface{ Validate() error }] struct {
	Rows []C `json:"rows"`
	// Blocks is the chain height at which each run stops mining.
	Blocks int `json:"blocks"`
}

// Params are the experiment's rows.
type Params = Sweep[Config]

// MaxBlocks bounds one run.
const MaxBlocks = 1_000_000

// Validate reports what is wrong with p in words for a user.
func (p Sweep[C]) Validate() error {
	if len(p.Rows) == 0 {
		return fmt.Errorf("no rows to run")
	}
	if p.Blocks < 10 || p.Blocks > MaxBlocks {
		return fmt.Errorf("blocks must be between 10 and %d, got %d", MaxBlocks, p.Blocks)
	}
	for _, c := range p.Rows {
		if err := c.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Bitcoin-like rows: 600 s, full 1 MB blocks of 250-byte transactions, 50
// miners with 8 neighbours each (Bitcoin Core's outbound connections), 100
// ms links; the bandwidth sets how long a block takes per hop.
func bitcoin(name string, bandwidth int64, pub ...Published) Config {
	return Config{Name: name, Group: "Bitcoin-like (600 s, 1 MB)", Chain: Chain{Interval: 600 * sim.Second, BlockSize: 1_000_000, TxSize: 250,
		Latency: 100 * sim.Millisecond, Bandwidth: bandwidth, Miners: 50, Degree: 8}, Published: pub}
}

// Ethereum-like rows: 15 s blocks of 224 simple transfers (a 4.7 M gas
// limit / 21,000 gas) of 110 bytes, about 25 kB; the link latency sets the
// delay.
func ethereum(name string, latency sim.Time, pub ...Published) Config {
	return Config{Name: name, Group: "Ethereum-like (15 s, 25 kB)", Chain: Chain{Interval: 15 * sim.Second, BlockSize: nakamoto.HeaderSize + 224*110, TxSize: 110,
		Latency: latency, Bandwidth: 10_000_000, Miners: 50, Degree: 8}, Published: pub}
}

// ideal rows: a complete graph with a constant delay, the network the
// model describes, at delay/interval = x.
func ideal(x float64) Config {
	T := 600 * sim.Second
	return Config{Name: fmt.Sprintf("complete graph, d/T = %g", x), Group: "complete graph, constant delay", Chain: Chain{Interval: T,
		BlockSize: nakamoto.HeaderSize + 250, TxSize: 250, Latency: sim.Time(x * float64(T)), Miners: 50, Degree: 49}}
}

// DefaultParams: the model's own network at four ratios of delay to
// interval; Bitcoin-like networks from a relay network's speed down to
// bandwidths whose propagation times match the measured ones (2 Mbit/s: a
// block reaches a typical miner in about 8 s, Gervais et al.'s 8.7 s
// median; 1.33 Mbit/s: about 12 s on average, Decker and Wattenhofer's
// 12.6 s mean); Ethereum-like networks (300 ms links: about 0.6 s to a
// typical miner, Gervais et al.'s 0.5-0.75 s median); Litecoin- and
// Dogecoin-like ones with about 1 s, their measured medians; 300 blocks a
// run.
func DefaultParams() Params {
	return Params{Blocks: 300, Rows: []Config{
		ideal(0.01), ideal(0.03), ideal(0.1), ideal(0.3),
		bitcoin("Bitcoin, 100 Mbit/s links (relay network)", 100_000_000),
		bitcoin("Bitcoin, 10 Mbit/s links", 10_000_000),
		bitcoin("Bitcoin, 2 Mbit/s links (~2016 medians)", 2_000_000, GervaisBitcoin),
		bitcoin("Bitcoin, 1.33 Mbit/s links (~2013 mean)", 1_333_333, DeckerWattenhofer),
		ethereum("Ethereum, 100 ms links", 100*sim.Millisecond),
		ethereum("Ethereum, 300 ms links (~2016 medians)", 300*sim.Millisecond, GervaisEthereum),
		{Name: "Litecoin, 150 s, 8 kB, 500 ms links", Group: "Litecoin/Dogecoin-like (8 kB)", Chain: Chain{Interval: 150 * sim.Second, BlockSize: 8000, TxSize: 250,
			Latency: 500 * sim.Millisecond, Bandwidth: 10_000_000, Miners: 50, Degree: 8}, Published: []Published{GervaisLitecoin}},
		{Name: "Dogecoin, 60 s, 8 kB, 500 ms links", Group: "Litecoin/Dogecoin-like (8 kB)", Chain: Chain{Interval: 60 * sim.Second, BlockSize: 8000, TxSize: 250,
			Latency: 500 * sim.Millisecond, Bandwidth: 10_000_000, Miners: 50, Degree: 8}, Published: []Published{GervaisDogecoin}},
	}}
}

// Outcome is what one run of one row measured: the JSON record a sweep
// stores per row.
type Outcome struct {
	Mined int `json:"mined"`
	Stale int `json:"stale"`
	// Delay is the mean time a block takes to reach a miner on this run's
	// graph with idle links (EffectiveDelay); Propagation the measured mean
	// time a main-chain block took to reach every node.
	Delay       sim.Time `json:"delay"`
	Propagation sim.Time `json:"propagation"`
}

// RunSeed runs every row on seed, in row order.
func RunSeed(p Params, seed uint64) []Outcome { return RunRows(p, seed, Run) }

// RunRows runs every row of p on seed, in row order, with run.
func RunRows[C interface{ Validate() error }, O any](p Sweep[C], seed uint64, run func(c C, blocks int, seed uint64) O) []O {
	out := make([]O, len(p.Rows))
	for i, c := range p.Rows {
		out[i] = run(c, p.Blocks, seed)
	}
	return out
}

// Run runs one row on seed until the chain is blocks high.
func Run(c Config, blocks int, seed uint64) Outcome {
	r := c.Scenario(blocks).Build(seed)
	res := sim.New(r.Config).Run()
	st := r.Stats(res)
	return Outcome{Mined: st.Mined, Stale: st.Stale, Delay: EffectiveDelay(r.Net.Peers, c.Hop()), Propagation: st.Propagation}
}

// EffectiveDelay is the exponent's integral ∫(1-f(t))dt of Decker and
// Wattenhofer's model for a flood over peers whose every hop takes hop:
// the mean, over ordered pairs of miners with equal hash power, of the
// time a block found by one reaches the other — hops on a shortest path
// times hop, 0 for the finder itself, which mines on its own block at once.
// With idle links the simulated flood takes exactly that long, so this is
// the configured delay the model should be given. (Using the time to reach
// every node instead, about the graph's diameter in hops, would overstate
// it: most miners hear of a block well before the last one does.)
func EffectiveDelay(peers [][]sim.NodeID, hop sim.Time) sim.Time {
	n := len(peers)
	if n == 0 {
		return 0
	}
	dist := make([]int, n)
	queue := make([]int, 0, n)
	var total float64
	for src := 0; src < n; src++ {
		for i := range dist {
			dist[i] = -1
		}
		dist[src] = 0
		queue = append(queue[:0], src)
		for k := 0; k < len(queue); k++ {
			u := queue[k]
			for _, v := range peers[u] {
				if dist[v] < 0 {
					dist[v] = dist[u] + 1
					queue = append(queue, int(v))
				}
			}
		}
		for _, d := range dist {
			total += float64(d) // a disconnected pair cannot occur: RandomGraph is connected
		}
	}
	return sim.Time(math.Round(total / float64(n*n) * float64(hop)))
}
