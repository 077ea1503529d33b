package cap

import (
	"fmt"

	"simulate/check"
)

// RunSeed runs every partition length under both configurations on one
// seed, in the order lengths × Configs: the same seed, so the same network
// draws wherever the two configurations send the same messages.
func RunSeed(p Params, seed uint64) []Outcome {
	out := make([]Outcome, 0, len(p.Lengths)*len(Configs))
	for _, l := range p.Lengths {
		for _, c := range Configs {
			out = append(out, Run(Scenario{Config: c, Length: l, Params: p}, seed, nil))
		}
	}
	return out
}

// Row is one configuration at one partition length, over all runs: the
// JSON row of `simulate cap --format json`.
type Row struct {
	Config string `json:"config"`
	// PartitionLength is in seconds.
	PartitionLength float64 `json:"partition_length"`
	Runs            int     `json:"runs"`
	// Refused, Oversold and Sold are means over the runs, each with its
	// standard error.
	Refused    float64 `json:"refused"`
	RefusedSE  float64 `json:"refused_se"`
	Oversold   float64 `json:"oversold"`
	OversoldSE float64 `json:"oversold_se"`
	Sold       float64 `json:"sold"`
	SoldSE     float64 `json:"sold_se"`
	// Linearizable holds when every run's history was linearizable;
	// LinearizableRuns counts the runs whose history was.
	Linearizable     bool `json:"linearizable"`
	LinearizableRuns int  `json:"linearizable_runs"`
	// LeftAtSplit is the mean number of tickets not yet sold when the
	// partition began (with two sides, the ceiling of AP's overselling).
	LeftAtSplit float64 `json:"left_at_split"`
	Duplicates  float64 `json:"duplicate_tickets"`
	Requests    float64 `json:"requests"`
	// Incomplete counts runs that hit the time limit.
	Incomplete int `json:"incomplete,omitempty"`
}

// Summarize aggregates the outcomes of several seeds (each as RunSeed
// returns them) into one row per partition length and configuration.
func Summarize(p Params, seeds [][]Outcome) ([]Row, error) {
	n := len(p.Lengths) * len(Configs)
	rows := make([]Row, n)
	cols := make([][4][]float64, n)
	for r, outs := range seeds {
		if len(outs) != n {
			return nil, fmt.Errorf("run %d has %d outcomes, want %d", r, len(outs), n)
		}
		for i, o := range outs {
			want := Configs[i%len(Configs)]
			if o.Config != want || o.Length != p.Lengths[i/len(Configs)] {
				return nil, fmt.Errorf("run %d outcome %d is %s at %v, want %s at %v", r, i, o.Config, o.Length, want, p.Lengths[i/len(Configs)])
			}
			cols[i][0] = append(cols[i][0], float64(o.Refused))
			cols[i][1] = append(cols[i][1], float64(o.Oversold))
			cols[i][2] = append(cols[i][2], float64(o.Sold))
			if o.Linearizable {
				rows[i].LinearizableRuns++
			}
			if !o.Complete {
				rows[i].Incomplete++
			}
			rows[i].LeftAtSplit += float64(o.LeftAtSplit)
			rows[i].Duplicates += float64(o.Duplicates)
			rows[i].Requests += float64(o.Requests)
		}
	}
	for i := range rows {
		r := &rows[i]
		r.Config = Configs[i%len(Configs)]
		r.PartitionLength = p.Lengths[i/len(Configs)].Seconds()
		r.Runs = len(seeds)
		r.Refused, r.RefusedSE = check.MeanSE(cols[i][0])
		r.Oversold, r.OversoldSE = check.MeanSE(cols[i][1])
		r.Sold, r.SoldSE = check.MeanSE(cols[i][2])
		r.Linearizable = r.Runs > 0 && r.LinearizableRuns == r.Runs
		if r.Runs > 0 {
			r.LeftAtSplit /= float64(r.Runs)
			r.Duplicates /= float64(r.Runs)
			r.Requests /= float64(r.Runs)
		}
	}
	return rows, nil
}
