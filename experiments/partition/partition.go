// Package partition is the AP side of CAP for a blockchain: the miners
// of a proof-of-work network are split in two for a while, both sides keep
// mining (every miner stays available), and when the partition heals the
// side with less work reorganises onto the other's chain. The experiment
// sweeps the partition's length and the split of hash power over seeds
// and measures what the heal throws away: the blocks orphaned, the
// transactions whose confirmations vanished, the deepest reorganisation,
// the time to converge, and how often a transaction counted confirmed
// k deep on one side was on the losing branch — k confirmations are not
// final while a partition lasts.
//
// Every run goes through the nakamoto protocol's miners
// (nakamoto.Scenario with a Split). Beside each measurement it prints the
// simple model nakamoto.ExpectedOrphaned: each side mines a Poisson number
// of blocks and the side with fewer loses them all.
package partition

import (
	"fmt"
	"math"

	"simulate/check"
	"simulate/protocols/nakamoto"
	"simulate/sim"
)

// Params are the experiment's parameters: the network, the partitions
// swept, and when they happen.
type Params struct {
	Miners    int      `json:"miners"`
	Degree    int      `json:"degree"`
	Delay     sim.Time `json:"delay"`
	Bandwidth int64    `json:"bandwidth"`
	Interval  sim.Time `json:"interval"`
	BlockSize int      `json:"block_size"`
	TxSize    int      `json:"tx_size"`
	TxRate    float64  `json:"tx_rate"`
	// Start is when every partition begins.
	Start sim.Time `json:"start"`
	// Lengths are the partition lengths swept; Shares the hash-power
	// shares of side A (the first miners).
	Lengths []sim.Time `json:"lengths"`
	Shares  []float64  `json:"shares"`
	// TailBlocks is how many blocks mining goes on past the height the
	// chain is expected to have at the heal, so the sides settle.
	TailBlocks int `json:"tail_blocks"`
	// K is the confirmation depth whose reversal is counted.
	K int `json:"k"`
}

// DefaultParams is 20 equal miners on a random graph of degree 4 with
// 100 ms links of 10 Mbit/s, 10-minute blocks of up to 1 MB, 4
// transactions a second, partitions from 1 h lasting 10 min, 30 min, 1 h
// and 2 h, split 50/50 and 70/30, and k = 6.
func DefaultParams() Params {
	return Params{
		Miners:     20,
		Degree:     4,
		Delay:      100 * sim.Millisecond,
		Bandwidth:  10_000_000,
		Interval:   600 * sim.Second,
		BlockSize:  1_000_000,
		TxSize:     250,
		TxRate:     4,
		Start:      sim.Hour,
		Lengths:    []sim.Time{10 * sim.Minute, 30 * sim.Minute, sim.Hour, 2 * sim.Hour},
		Shares:     []float64{0.5, 0.7},
		TailBlocks: 12,
		K:          6,
	}
}

// Validate reports the first thing wrong with p, in the words of the
// command's flags.
func (p Params) Validate() error {
	switch {
	case len(p.Lengths) == 0 || len(p.Lengths) > 20:
		return fmt.Errorf("lengths: want 1 to 20 partition lengths, got %d", len(p.Lengths))
	case len(p.Shares) == 0 || len(p.Shares) > 20:
		return fmt.Errorf("shares: want 1 to 20 shares, got %d", len(p.Shares))
	case p.Miners < 2 || p.Miners > 10_000:
		return fmt.Errorf("miners must be between 2 and 10000, got %d", p.Miners)
	case p.TailBlocks < 1 || p.TailBlocks > 1000:
		return fmt.Errorf("tail-blocks must be between 1 and 1000, got %d", p.TailBlocks)
	case p.Start < 0 || p.Start > 1000*sim.Hour:
		return fmt.Errorf("start must be between 0 and 1000h, got %v", p.Start)
	}
	seen := map[sim.Time]bool{}
	for _, l := range p.Lengths {
		if l <= 0 || l > 1000*sim.Hour {
			return fmt.Errorf("lengths: %v is not between 0 and 1000h", l)
		}
		if seen[l] {
			return fmt.Errorf("lengths: %v given twice", l)
		}
		seen[l] = true
	}
	for _, s := range p.Shares {
		if !(s > 0 && s < 1) {
			return fmt.Errorf("shares: %v is not in (0, 1)", s)
		}
	}
	for _, l := range p.Lengths {
		for _, s := range p.Shares {
			if err := p.Scenario(l, s).Validate(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Scenario is one run's scenario: partition of length l from Start with
// side A holding share s. Mining stops TailBlocks blocks above the height
// the chain is expected to reach by the heal, and the run ends once every
// block has arrived, so the final tips are settled.
func (p Params) Scenario(l sim.Time, s float64) nakamoto.Scenario {
	sc := nakamoto.DefaultScenario()
	sc.Miners, sc.Degree, sc.Delay, sc.Bandwidth = p.Miners, p.Degree, p.Delay, p.Bandwidth
	sc.Interval, sc.BlockSize, sc.TxSize, sc.TxRate = p.Interval, p.BlockSize, p.TxSize, p.TxRate
	sc.K = p.K
	sc.Quiet = true
	sc.Blocks = int(math.Ceil(float64(p.Start+l)/float64(p.Interval))) + p.TailBlocks
	sc.Partition = &nakamoto.Split{Share: s, From: p.Start, To: p.Start + l}
	return sc
}

// Outcome is one run at one (length, share): what the partition cost.
type Outcome struct {
	// Healed is false when mining stopped before the heal (the run is
	// then left out).
	Healed    bool  `json:"healed"`
	MinedA    int   `json:"mined_a"`
	MinedB    int   `json:"mined_b"`
	Orphaned  int   `json:"orphaned"`
	TxsOrph   int64 `json:"txs_orphaned"`
	TxsReturn int64 `json:"txs_returned"`
	Deepest   int   `json:"deepest_reorg"`
	Reorgs    int   `json:"reorgs"`
	// Converge is the seconds from the heal until the last node left the
	// losing side's blocks; Converged whether every node ended on a tip
	// of the most work.
	Converge  float64 `json:"converge_s"`
	Converged bool    `json:"converged"`
	// DoubleConfirmed counts transactions honest nodes held K deep on
	// two conflicting branches.
	DoubleConfirmed int64 `json:"double_confirmed"`
}

// Run runs one (length, share) on seed.
func Run(p Params, l sim.Time, s float64, seed uint64) Outcome {
	r := p.Scenario(l, s).Build(seed)
	st := r.Stats(sim.New(r.Config).Run())
	ps := st.Partition
	return Outcome{
		Healed: ps.Healed, MinedA: ps.MinedA, MinedB: ps.MinedB,
		Orphaned: ps.Orphaned, TxsOrph: ps.TxsOrphaned, TxsReturn: ps.TxsReturned,
		Deepest: ps.DeepestReorg, Reorgs: ps.Reorgs,
		Converge: ps.Converge.Seconds(), Converged: ps.Converged,
		DoubleConfirmed: st.DoubleConfirmed,
	}
}

// RunSeed runs every (length, share) on one seed, lengths outermost.
func RunSeed(p Params, seed uint64) []Outcome {
	out := make([]Outcome, 0, len(p.Lengths)*len(p.Shares))
	for _, l := range p.Lengths {
		for _, s := range p.Shares {
			out = append(out, Run(p, l, s, seed))
		}
	}
	return out
}

// Row is one (length, share) over all runs: the JSON row of `simulate
// nakamoto partition --format json`. Means come with their Monte-Carlo
// standard errors (_se).
type Row struct {
	// Length is the partition's length in seconds; Share side A's
	// nominal share and ShareA the share its whole miners hold.
	Length float64 `json:"length_s"`
	Share  float64 `json:"share"`
	ShareA float64 `json:"share_a"`
	// Runs counts the runs that healed; Unhealed those left out.
	Runs     int `json:"runs"`
	Unhealed int `json:"unhealed,omitempty"`
	// Orphaned blocks, and the model's expectation beside them.
	Orphaned   float64 `json:"orphaned"`
	OrphanedSE float64 `json:"orphaned_se"`
	Model      float64 `json:"model"`
	// Deepest is the deepest reorganisation after the heal.
	Deepest   float64 `json:"deepest_reorg"`
	DeepestSE float64 `json:"deepest_reorg_se"`
	// TxsReversed are transactions in orphaned blocks (confirmations that
	// vanished); TxsReturned those of them back in the pool at the heal.
	TxsReversed   float64 `json:"txs_reversed"`
	TxsReversedSE float64 `json:"txs_reversed_se"`
	TxsReturned   float64 `json:"txs_returned"`
	TxsReturnedSE float64 `json:"txs_returned_se"`
	// Converge is the mean time to converge over the ConvergeRuns runs in
	// which some node had to reorganise.
	Converge     float64 `json:"converge_s"`
	ConvergeSE   float64 `json:"converge_s_se"`
	ConvergeRuns int     `json:"converge_runs"`
	// Diverged counts runs that did not end on one chain of most work
	// (0 for the honest protocol).
	Diverged int `json:"diverged"`
	// KReversed is the fraction of runs in which a transaction held K deep
	// by one side was on the losing branch.
	KReversed   float64 `json:"k_deep_reversed"`
	KReversedSE float64 `json:"k_deep_reversed_se"`
}

// Summarize aggregates the outcomes of several seeds (each as RunSeed
// returns them) into one row per (length, share).
func Summarize(p Params, seeds [][]Outcome) ([]Row, error) {
	n := len(p.Lengths) * len(p.Shares)
	rows := make([]Row, 0, n)
	for i := 0; i < n; i++ {
		l, s := p.Lengths[i/len(p.Shares)], p.Shares[i%len(p.Shares)]
		sc := p.Scenario(l, s)
		shareA := 0.0
		for j, a := range sc.Partition.SideA(equal(p.Miners)) {
			if a {
				shareA += equal(p.Miners)[j]
			}
		}
		row := Row{Length: l.Seconds(), Share: s, ShareA: shareA, Model: nakamoto.ExpectedOrphaned(shareA, l, p.Interval)}
		var orph, deep, rev, ret, conv, krev []float64
		for r, outs := range seeds {
			if len(outs) != n {
				return nil, fmt.Errorf("run %d has %d outcomes, want %d", r, len(outs), n)
			}
			o := outs[i]
			if !o.Healed {
				row.Unhealed++
				continue
			}
			row.Runs++
			orph = append(orph, float64(o.Orphaned))
			deep = append(deep, float64(o.Deepest))
			rev = append(rev, float64(o.TxsOrph))
			ret = append(ret, float64(o.TxsReturn))
			if o.Reorgs > 0 {
				conv = append(conv, o.Converge)
			}
			if !o.Converged {
				row.Diverged++
			}
			k := 0.0
			if o.DoubleConfirmed > 0 {
				k = 1
			}
			krev = append(krev, k)
		}
		row.Orphaned, row.OrphanedSE = check.MeanSE(orph)
		row.Deepest, row.DeepestSE = check.MeanSE(deep)
		row.TxsReversed, row.TxsReversedSE = check.MeanSE(rev)
		row.TxsReturned, row.TxsReturnedSE = check.MeanSE(ret)
		row.Converge, row.ConvergeSE = check.MeanSE(conv)
		row.ConvergeRuns = len(conv)
		row.KReversed, row.KReversedSE = check.MeanSE(krev)
		rows = append(rows, row)
	}
	return rows, nil
}

func equal(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = 1 / float64(n)
	}
	return out
}
