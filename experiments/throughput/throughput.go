// Package throughput measures how many transactions per second a
// proof-of-work chain confirms, by running the nakamoto protocol with more
// transactions offered than blocks can hold, and prints it beside the
// formula every estimate of blockchain capacity starts from,
//
//	throughput = (transactions a block holds) / (block interval),
//
// and beside the published figure where there is one: Bitcoin's "7
// transactions per second" of 1 MB blocks every 10 minutes.
//
// The formula counts every block; a chain keeps only its main-chain
// blocks, so the simulated throughput is lower by the stale rate — which
// bigger blocks (slower to propagate) and shorter intervals raise.
package throughput

import (
	"fmt"

	"simulate/experiments/stale"
	"simulate/protocols/nakamoto"
	"simulate/sim"
)

// Published is a throughput figure from the literature.
type Published struct {
	TPS    float64 `json:"tps"`
	Source string  `json:"source"`
}

// Croman et al., "On Scaling Decentralized Blockchains (A Position Paper)",
// FC 2016 workshops, section 2: "Today, Bitcoin's maximum throughput is
// 3.3-7 transactions/sec", the 7 for 250-byte transactions (the oft-cited
// estimate) and 3.3 for the then average of about 500 bytes, both from
// 1 MB blocks every 10 minutes; and section 1: "A 4MB block size
// corresponds to a maximum throughput of at most 27 transactions/sec".
var (
	Croman7  = Published{TPS: 7, Source: "Croman et al. 2016 (250-byte txs)"}
	Croman33 = Published{TPS: 3.3, Source: "Croman et al. 2016 (500-byte txs)"}
	Croman27 = Published{TPS: 27, Source: "Croman et al. 2016 (4 MB guideline)"}
)

// Config is one row: a chain's block size, interval and transaction size,
// on a network of Miners miners with Degree neighbours each and links of
// Latency and Bandwidth bits/s, as stale's rows.
type Config struct {
	Name string `json:"name"`
	stale.Chain
	Published *Published `json:"published,omitempty"`
}

// Formula is the capacity per interval in transactions per second: what a
// chain confirms if every block is full and none goes stale.
func (c Config) Formula() float64 { return float64(c.Capacity()) / c.Interval.Seconds() }

// Saturation is how many times the capacity the transaction stream offers,
// so that every block leaves full.
const Saturation = stale.Saturation

// Scenario is the nakamoto scenario of the row, mining blocks blocks.
func (c Config) Scenario(blocks int) nakamoto.Scenario {
	return c.Chain.Scenario(blocks, Saturation*c.Formula())
}

// Validate reports what makes the row impossible to run.
func (c Config) Validate() error {
	switch {
	case c.Interval <= 0:
		return fmt.Errorf("%s: interval must be positive", c.Name)
	case c.TxSize < 1 || c.BlockSize < nakamoto.HeaderSize+c.TxSize:
		return fmt.Errorf("%s: a block of %d bytes holds no transaction of %d bytes", c.Name, c.BlockSize, c.TxSize)
	case c.Miners < 2 || c.Miners > 10_000:
		return fmt.Errorf("%s: miners must be between 2 and 10000, got %d", c.Name, c.Miners)
	case c.Degree < 1:
		return fmt.Errorf("%s: degree must be at least 1, got %d", c.Name, c.Degree)
	case Saturation*c.Formula() > 1e6:
		return fmt.Errorf("%s: %.0f tx/s is more than the simulator's transaction stream offers", c.Name, c.Formula())
	}
	return c.Scenario(10).Validate()
}

// Params are the rows and the chain height each run mines to, checked
// as stale's are; they are JSON-serialisable, so a sweep file records
// them.
type Params = stale.Sweep[Config]

// network puts a row on the experiment's common network: 50 miners with 8
// neighbours each, 100 ms links of 20 Mbit/s (a 1 MB block takes 0.5 s a
// hop, a 32 MB block 13 s).
func network(c Config) Config {
	c.Latency, c.Bandwidth, c.Miners, c.Degree = 100*sim.Millisecond, 20_000_000, 50, 8
	return c
}

// DefaultParams: Bitcoin (1 MB every 600 s) with 250- and 500-byte
// transactions, the 4 MB block Croman et al. take as the limit, Bitcoin
// Cash's 32 MB, Litecoin's 1 MB every 150 s, and an Ethereum-like chain of
// 224 simple transfers (4.7 M gas / 21,000) of 110 bytes every 15 s; 300
// blocks a run.
func DefaultParams() Params {
	return Params{Blocks: 300, Rows: []Config{
		network(Config{Name: "Bitcoin", Chain: stale.Chain{Interval: 600 * sim.Second, BlockSize: 1_000_000, TxSize: 250}, Published: &Croman7}),
		network(Config{Name: "Bitcoin, 500-byte txs", Chain: stale.Chain{Interval: 600 * sim.Second, BlockSize: 1_000_000, TxSize: 500}, Published: &Croman33}),
		network(Config{Name: "4 MB blocks", Chain: stale.Chain{Interval: 600 * sim.Second, BlockSize: 4_000_000, TxSize: 250}, Published: &Croman27}),
		network(Config{Name: "Bitcoin Cash, 32 MB", Chain: stale.Chain{Interval: 600 * sim.Second, BlockSize: 32_000_000, TxSize: 250}}),
		network(Config{Name: "Litecoin", Chain: stale.Chain{Interval: 150 * sim.Second, BlockSize: 1_000_000, TxSize: 250}}),
		network(Config{Name: "Ethereum-like", Chain: stale.Chain{Interval: 15 * sim.Second, BlockSize: nakamoto.HeaderSize + 224*110, TxSize: 110}}),
	}}
}

// Outcome is one run of one row: the transactions on the final main chain,
// the time mining ran (until the last block), and the blocks mined and
// left stale.
type Outcome struct {
	Txs     int64    `json:"txs"`
	Elapsed sim.Time `json:"elapsed"`
	Mined   int      `json:"mined"`
	Stale   int      `json:"stale"`
}

// RunSeed runs every row on seed, in row order.
func RunSeed(p Params, seed uint64) []Outcome { return stale.RunRows(p, seed, Run) }

// Run runs one row on seed until the chain is blocks high.
func Run(c Config, blocks int, seed uint64) Outcome {
	r := c.Scenario(blocks).Build(seed)
	res := sim.New(r.Config).Run()
	st := r.Stats(res)
	return Outcome{Txs: st.Txs, Elapsed: st.Elapsed, Mined: st.Mined, Stale: st.Stale}
}

// Row is one chain over all runs: the JSON row of `simulate nakamoto
// throughput --format json`.
type Row struct {
	Name      string  `json:"name"`
	IntervalS float64 `json:"interval_s"`
	BlockSize int     `json:"block_size"`
	TxSize    int     `json:"tx_size"`
	// TxsPerBlock is the capacity of a block.
	TxsPerBlock int `json:"txs_per_block"`
	// TPSSimulated is transactions on the main chain over the time mining
	// ran, pooled over runs, with its standard error across runs.
	TPSSimulated float64 `json:"tps_simulated"`
	StdErr       float64 `json:"stderr"`
	// TPSFormula is capacity / interval.
	TPSFormula float64 `json:"tps_formula"`
	// Published is the literature's figure (null when there is none).
	Published *Published `json:"published"`
	// StaleRate is the simulated stale rate, with its standard error: the
	// share of blocks, and of capacity, the main chain lost.
	StaleRate   float64 `json:"stale_rate"`
	StaleStdErr float64 `json:"stale_stderr"`
	Runs        int     `json:"runs"`
}

// Summarize aggregates the outcomes of several seeds into one row per
// chain.
func Summarize(p Params, seeds [][]Outcome) ([]Row, error) {
	rows := make([]Row, len(p.Rows))
	for i, c := range p.Rows {
		var txs, secs, st, mined []float64
		err := stale.EachOutcome(seeds, i, len(p.Rows), func(s int, o Outcome) error {
			if o.Elapsed <= 0 || o.Mined < 1 || o.Txs < 0 || o.Stale < 0 || o.Stale >= o.Mined {
				return fmt.Errorf("run %d row %d: malformed outcome", s, i)
			}
			txs, secs = append(txs, float64(o.Txs)), append(secs, o.Elapsed.Seconds())
			st, mined = append(st, float64(o.Stale)), append(mined, float64(o.Mined))
			return nil
		})
		if err != nil {
			return nil, err
		}
		r := Row{Name: c.Name, IntervalS: c.Interval.Seconds(), BlockSize: c.BlockSize, TxSize: c.TxSize, TxsPerBlock: c.Capacity(),
			TPSFormula: c.Formula(), Published: c.Published, Runs: len(seeds)}
		r.TPSSimulated, r.StdErr = stale.Ratio(txs, secs)
		r.StaleRate, r.StaleStdErr = stale.Ratio(st, mined)
		rows[i] = r
	}
	return rows, nil
}
