package stale

import (
	"fmt"
	"math"

	"simulate/sim"
)

// Row is one network over all runs: the JSON row of `simulate nakamoto
// stale --format json`. Times are in seconds.
type Row struct {
	Name  string `json:"name"`
	Group string `json:"group"`
	// IntervalS is the block interval T.
	IntervalS float64 `json:"interval_s"`
	// DelayS is the delay given to the model: the mean time a block takes
	// to reach a miner (EffectiveDelay, averaged over the runs' graphs).
	DelayS float64 `json:"delay_s"`
	// HopS is the time a full block takes over one link.
	HopS float64 `json:"hop_s"`
	// PropagationS is the measured mean time a main-chain block took to
	// reach every node.
	PropagationS float64 `json:"propagation_s"`
	// Simulated is the stale rate, stale blocks over blocks mined, pooled
	// over the runs; StdErr its standard error across runs.
	Simulated float64 `json:"simulated"`
	StdErr    float64 `json:"stderr"`
	// Model is 1 - e^(-delay/interval); Renewal is (d/T)/(1+d/T), exact
	// for the complete graph with a constant delay and many small miners.
	Model   float64 `json:"model"`
	Renewal float64 `json:"model_renewal"`
	// Published lists the real chain's measured stale rates, if the row
	// mimics one.
	Published []Published `json:"published"`
	Runs      int         `json:"runs"`
	Mined     int         `json:"blocks_mined"`
	Stale     int         `json:"stale_blocks"`
	BlockSize int         `json:"block_size"`
	Miners    int         `json:"miners"`
	Degree    int         `json:"degree"`
	Complete  bool        `json:"complete_graph"`
}

// Summarize aggregates the outcomes of several seeds (each as RunSeed
// returns them) into one row per network.
func Summarize(p Params, seeds [][]Outcome) ([]Row, error) {
	rows := make([]Row, len(p.Rows))
	for i, c := range p.Rows {
		stale := make([]float64, 0, len(seeds))
		mined := make([]float64, 0, len(seeds))
		var delay, prop float64
		r := Row{Name: c.Name, Group: c.Group, IntervalS: c.Interval.Seconds(), HopS: c.Hop().Seconds(), Published: c.Published,
			Runs: len(seeds), BlockSize: c.FullSize(), Miners: c.Miners, Degree: min(c.Degree, c.Miners-1), Complete: c.Complete()}
		if r.Published == nil {
			r.Published = []Published{}
		}
		err := EachOutcome(seeds, i, len(p.Rows), func(s int, o Outcome) error {
			if o.Mined < 1 || o.Stale < 0 || o.Stale >= o.Mined {
				return fmt.Errorf("run %d row %d: %d stale of %d mined", s, i, o.Stale, o.Mined)
			}
			stale, mined = append(stale, float64(o.Stale)), append(mined, float64(o.Mined))
			r.Mined += o.Mined
			r.Stale += o.Stale
			delay += float64(o.Delay)
			prop += float64(o.Propagation)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if r.Runs > 0 {
			delay /= float64(r.Runs)
			prop /= float64(r.Runs)
		}
		d := sim.Time(math.Round(delay))
		r.DelayS = d.Seconds()
		r.PropagationS = sim.Time(math.Round(prop)).Seconds()
		r.Simulated, r.StdErr = Ratio(stale, mined)
		r.Model = Model(d, c.Interval)
		r.Renewal = Renewal(d, c.Interval)
		rows[i] = r
	}
	return rows, nil
}

// EachOutcome hands f row i's outcome of every seed, in seed order, once
// it has checked that the seed has one outcome per row (rows of them):
// the records of a sweep whose every run is one seed over all the rows.
// The first error, the check's or f's, ends it.
func EachOutcome[O any](seeds [][]O, i, rows int, f func(seed int, o O) error) error {
	for s, outs := range seeds {
		if len(outs) != rows {
			return fmt.Errorf("run %d has %d outcomes, want %d", s, len(outs), rows)
		}
		if err := f(s, outs[i]); err != nil {
			return err
		}
	}
	return nil
}

// Ratio is the pooled ratio Σy/Σx of per-run counts with its standard
// error across runs (the delta method: the spread of y_i - R·x_i). Pooling
// weighs each run by its blocks and, unlike the mean of per-run ratios,
// has no bias of order 1/(blocks per run).
func Ratio(y, x []float64) (r, se float64) {
	n := len(y)
	var sy, sx float64
	for i := range y {
		sy += y[i]
		sx += x[i]
	}
	if sx == 0 {
		return 0, 0
	}
	r = sy / sx
	if n < 2 {
		return r, 0
	}
	mx := sx / float64(n)
	var ss float64
	for i := range y {
		e := y[i] - r*x[i]
		ss += e * e
	}
	return r, math.Sqrt(ss/float64(n-1)/float64(n)) / mx
}
