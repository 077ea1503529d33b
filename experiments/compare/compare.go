// Package compare runs proof of work, proof of stake, delegated proof of
// stake and proof of elapsed time side by side, as the course notes
// present them, and measures them the same way: the same peer-to-peer
// network, the same block interval, the same seeds, the same transaction
// stream, and package chain's measurements for all four. Beside the main
// table it measures the notes' throughput line (Bitcoin about 7 tx/s,
// Ethereum about 15), the nothing-at-stake problem, and two attacks: a
// stake-majority double spend and colluding DPoS delegates.
package compare

import (
	"fmt"
	"strings"

	"simulate/protocols/chain"
	"simulate/protocols/dpos"
	"simulate/protocols/nakamoto"
	"simulate/protocols/poet"
	"simulate/protocols/pos"
	"simulate/sim"
)

// Names are the mechanisms of the main table, in order.
var Names = []string{"PoW", "PoS", "DPoS", "PoET"}

// Options describe the shared network and chain, and the sweep.
type Options struct {
	// Nodes every mechanism runs on; their stake (and, for proof of work,
	// hash power) follows Zipf's law when Zipf is set, else it is equal.
	Nodes int  `json:"nodes"`
	Zipf  bool `json:"zipf"`
	// Interval is the mean block interval of every mechanism.
	Interval sim.Time `json:"interval"`
	// BlockSize, TxSize, TxRate: blocks and the offered load.
	BlockSize int     `json:"block_size"`
	TxSize    int     `json:"tx_size"`
	TxRate    float64 `json:"tx_rate"`
	// Degree, Delay, Bandwidth: the peer-to-peer network.
	Degree    int      `json:"degree"`
	Delay     sim.Time `json:"delay"`
	Bandwidth int64    `json:"bandwidth"`
	// Blocks per run; K confirmations settle a block under PoW, PoS and
	// PoET.
	Blocks int `json:"blocks"`
	K      int `json:"k"`
	// F is proof of stake's active-slot coefficient; Delegates DPoS's N;
	// PoWBits the real proof-of-work target whose hashes are counted.
	F         float64 `json:"f"`
	Delegates int     `json:"delegates"`
	PoWBits   int     `json:"pow_bits"`
	// Races and Collusions are the attack runs per seed.
	Races      int `json:"races"`
	Collusions int `json:"collusions"`
}

// DefaultOptions: 32 nodes with Zipf stakes on a degree-4 graph of 100 ms,
// 10 Mbit/s links; a block every 15 s, 64 kB blocks, 8 tx/s offered; 100
// blocks a run; k = 6; f = 0.05; 21 delegates; 12-bit proof of work.
func DefaultOptions() Options {
	return Options{Nodes: 32, Zipf: true, Interval: 15 * sim.Second, BlockSize: 64_000, TxSize: 250, TxRate: 8,
		Degree: 4, Delay: 100 * sim.Millisecond, Bandwidth: 10_000_000, Blocks: 100, K: 6, F: 0.05, Delegates: 21,
		PoWBits: 12, Races: 10, Collusions: 25}
}

// Validate reports the first thing wrong with o, in words for a user.
func (o Options) Validate() error {
	switch {
	case o.Nodes < 4 || o.Nodes > 1000:
		return fmt.Errorf("nodes must be between 4 and 1000, got %d", o.Nodes)
	case o.Interval < sim.Second || o.Interval > 24*sim.Hour:
		return fmt.Errorf("interval must be between 1s and 24h, got %v", o.Interval)
	case o.Delegates < 1 || o.Delegates > o.Nodes:
		return fmt.Errorf("delegates must be between 1 and nodes (%d), got %d", o.Nodes, o.Delegates)
	case !(o.F > 0 && o.F <= 1):
		return fmt.Errorf("f must be in (0, 1], got %v", o.F)
	case o.Blocks < 10 || o.Blocks > 100_000:
		return fmt.Errorf("blocks must be between 10 and 100000, got %d", o.Blocks)
	case o.PoWBits < 1 || o.PoWBits > 20:
		return fmt.Errorf("pow bits must be between 1 and 20, got %d", o.PoWBits)
	case o.Races < 1 || o.Races > 10_000 || o.Collusions < 1 || o.Collusions > 10_000:
		return fmt.Errorf("races and collusions must be between 1 and 10000")
	}
	// The protocols check the rest (sizes, rates, degree, delay).
	s := o.pow()
	if err := s.Validate(); err != nil {
		return err
	}
	if err := o.dpos().Validate(); err != nil {
		return err
	}
	return o.pos().Validate()
}

// stakes are the nodes' stake shares (and proof of work's hash shares).
func (o Options) stakes() []float64 {
	if o.Zipf {
		return chain.Shares(chain.Zipf(o.Nodes), o.Nodes)
	}
	return chain.Shares(nil, o.Nodes)
}

func (o Options) pow() nakamoto.Scenario {
	s := nakamoto.DefaultScenario()
	s.Miners, s.Shares, s.Interval = o.Nodes, o.stakes(), o.Interval
	s.BlockSize, s.TxSize, s.TxRate = o.BlockSize, o.TxSize, o.TxRate
	s.Degree, s.Delay, s.Bandwidth = o.Degree, o.Delay, o.Bandwidth
	s.Blocks, s.K, s.Quiet = o.Blocks, o.K, true
	s.RealPoW, s.PoWBits = true, o.PoWBits
	return s
}

func (o Options) pos() pos.Scenario {
	s := pos.DefaultScenario()
	s.Validators, s.Stakes, s.F = o.Nodes, o.stakes(), o.F
	s.Slot = sim.Time(float64(o.Interval) * o.F) // a block every Slot/F = Interval
	s.BlockSize, s.TxSize, s.TxRate = o.BlockSize, o.TxSize, o.TxRate
	s.Degree, s.Delay, s.Bandwidth = o.Degree, o.Delay, o.Bandwidth
	s.Blocks, s.K, s.Quiet = o.Blocks, o.K, true
	return s
}

func (o Options) dpos() dpos.Scenario {
	s := dpos.DefaultScenario()
	s.Nodes, s.Stakes, s.Delegates, s.Slot = o.Nodes, o.stakes(), o.Delegates, o.Interval
	s.BlockSize, s.TxSize, s.TxRate = o.BlockSize, o.TxSize, o.TxRate
	s.Degree, s.Delay, s.Bandwidth = o.Degree, o.Delay, o.Bandwidth
	s.Blocks, s.Quiet = o.Blocks, true
	return s
}

func (o Options) poet() poet.Scenario {
	s := poet.DefaultScenario()
	s.Validators, s.Interval = o.Nodes, o.Interval
	s.BlockSize, s.TxSize, s.TxRate = o.BlockSize, o.TxSize, o.TxRate
	s.Degree, s.Delay, s.Bandwidth = o.Degree, o.Delay, o.Bandwidth
	s.Blocks, s.K, s.Quiet = o.Blocks, o.K, true
	return s
}

// Measure is one mechanism's run.
type Measure struct {
	// TPS is measured with twice the transactions offered that blocks can
	// hold: the mechanism's capacity after fork losses. The rest is
	// measured at the offered rate.
	TPS       float64 `json:"tps"`
	StaleRate float64 `json:"fork_rate"`
	// Finality is in seconds: k confirmations, or DPoS's 2/3+1.
	Finality float64 `json:"finality_seconds"`
	Hashes   uint64  `json:"hashes"`
	Height   int     `json:"height"`
	// Blocks counts each node's main-chain blocks; Power is each node's
	// expected share of them (hash power, stake, delegate seat, enclave).
	Blocks    []int     `json:"blocks"`
	Power     []float64 `json:"power"`
	Producers int       `json:"producers"`
}

// Forks is one arm of the nothing-at-stake experiment.
type Forks struct {
	StaleRate float64        `json:"stale_rate"`
	Branches  chain.Branches `json:"branches"`
}

// Sample is everything one seed measured: one record of the sweep.
type Sample struct {
	Mechanisms []Measure `json:"mechanisms"`
	// Bitcoin-like and Ethereum-like throughput, measured through the
	// nakamoto protocol.
	Bitcoin  float64 `json:"bitcoin_tps"`
	Ethereum float64 `json:"ethereum_tps"`
	// Nothing at stake: PoS validators on both forks, the same under
	// proof of work's cost, and honest PoS.
	NothingAtStake []Forks `json:"nothing_at_stake"`
	// Attack outcomes: stake-majority and minority double spends that
	// succeeded, and DPoS runs with 1 and 2 colluders of 4 in which a
	// final block was reverted.
	MajorityWins int `json:"majority_wins"`
	MinorityWins int `json:"minority_wins"`
	Reverted1of4 int `json:"reverted_1_of_4"`
	Reverted2of4 int `json:"reverted_2_of_4"`
}

func seconds(t sim.Time) float64 { return t.Seconds() }

func measure(sum chain.Summary, finality sim.Time, power []float64) Measure {
	return Measure{TPS: sum.Throughput, StaleRate: sum.StaleRate, Finality: seconds(finality), Hashes: sum.Hashes,
		Height: sum.Height, Blocks: sum.Blocks, Power: power, Producers: sum.Producers}
}

// SaturationBlocks is how many times Blocks the throughput runs make:
// block times are random, so a rate over 100 blocks scatters by 10 %.
const SaturationBlocks = 4

// saturated is o with twice the transactions offered that its blocks can
// carry, over SaturationBlocks times the blocks.
func (o Options) saturated() Options {
	o.TxRate = 2 * Profile{Interval: o.Interval, BlockSize: o.BlockSize, TxSize: o.TxSize}.Capacity()
	o.Blocks *= SaturationBlocks
	return o
}

// Measure4 runs the four mechanisms of the main table for one seed.
func Measure4(o Options, seed uint64) []Measure {
	k := o.K
	var out []Measure
	sat := o.saturated()
	// Proof of work: the nakamoto protocol, real hashes counted.
	{
		r := o.pow().Build(seed)
		res := sim.New(r.Config).Run()
		st := r.Stats(res)
		m := measure(r.Net.Summarize(r.MainTip(), st.Elapsed, o.Nodes), st.Confirmations[k-1].Mean, o.stakes())
		s := sat.pow()
		s.RealPoW = false // hashing does not change the throughput
		rs := s.Build(seed)
		m.TPS = rs.Stats(sim.New(rs.Config).Run()).Throughput
		out = append(out, m)
	}
	// Proof of stake.
	{
		r := o.pos().Build(seed)
		st := r.Stats(sim.New(r.Config).Run())
		m := measure(st.Summary, st.Confirmations[k-1].Mean, o.stakes())
		rs := sat.pos().Build(seed)
		m.TPS = rs.Stats(sim.New(rs.Config).Run()).Throughput
		out = append(out, m)
	}
	// Delegated proof of stake: a delegate's seat is 1/N of the blocks.
	{
		r := o.dpos().Build(seed)
		st := r.Stats(r.World().Run())
		power := make([]float64, o.Nodes)
		for _, d := range st.Delegates {
			power[d] = 1 / float64(o.Delegates)
		}
		m := measure(st.Summary, st.Finality, power)
		rs := sat.dpos().Build(seed)
		m.TPS = rs.Stats(rs.World().Run()).Throughput
		out = append(out, m)
	}
	// Proof of elapsed time: one enclave, one vote.
	{
		r := o.poet().Build(seed)
		st := r.Stats(sim.New(r.Config).Run())
		m := measure(st.Summary, st.Confirmations[k-1].Mean, chain.Shares(nil, o.Nodes))
		rs := sat.poet().Build(seed)
		m.TPS = rs.Stats(sim.New(rs.Config).Run()).Throughput
		out = append(out, m)
	}
	return out
}

// RunSeed measures everything for one seed.
func RunSeed(o Options, seed uint64) Sample {
	smp := Sample{Mechanisms: Measure4(o, seed)}
	smp.Bitcoin, smp.Ethereum = throughput(o, Bitcoin, seed), throughput(o, Ethereum, seed)
	smp.NothingAtStake = nothingAtStake(o, seed)
	for i := 0; i < o.Races; i++ {
		rs := seed*1_000_003 + uint64(i)
		if (pos.Race{Q: 0.6, Z: 6, Honest: 3}).Run(rs).Success {
			smp.MajorityWins++
		}
		if (pos.Race{Q: 0.3, Z: 6, Honest: 3, GiveUp: 10}).Run(rs).Success {
			smp.MinorityWins++
		}
	}
	for i := 0; i < o.Collusions; i++ {
		rs := seed*1_000_003 + uint64(i)
		for t, count := range []*int{&smp.Reverted1of4, &smp.Reverted2of4} {
			if collude(t+1, rs) {
				*count++
			}
		}
	}
	return smp
}

// equivocateAlways is the environment of the collusion runs: the traitors
// equivocate in every slot they hold, and neither hold messages back nor
// delay their own (the search's coalition may: the row measures
// equivocation over the links' own delays); which side each honest node sees and every delay are drawn
// from the seed as usual.
type equivocateAlways struct{ inner sim.Choices }

func (c equivocateAlways) Intn(label string, n int) int {
	switch {
	case strings.HasPrefix(label, "equivocate "):
		return n - 1
	case strings.HasPrefix(label, "hold "), strings.HasPrefix(label, "every traitor "), strings.HasPrefix(label, "delay the coalition"):
		return 0
	}
	return c.inner.Intn(label, n)
}

// collude runs the DPoS property scenario of 4 delegates with traitors
// colluding and reports whether a final block was reverted.
func collude(traitors int, seed uint64) bool {
	r := dpos.PropertyScenario(4, traitors, "").Build(seed)
	r.Config.Choices = equivocateAlways{inner: sim.NewPCGChoices(seed)}
	r.World().Run()
	return r.CheckSafety() != nil
}
