package compare

import (
	"math"

	"simulate/check"
	"simulate/experiments/sweep"
	"simulate/protocols/chain"
	"simulate/protocols/pos"
	"simulate/sim"
)

// Profile is a chain's parameters for the throughput line.
type Profile struct {
	Name      string   `json:"name"`
	Interval  sim.Time `json:"interval"`
	BlockSize int      `json:"block_size"`
	TxSize    int      `json:"tx_size"`
	TxRate    float64  `json:"offered_tx_rate"`
	// Notes is the course notes' figure in tx/s.
	Notes float64 `json:"notes_tps"`
}

// Capacity is the closed form: transactions a block holds over the
// interval.
func (p Profile) Capacity() float64 {
	return float64((p.BlockSize-chain.HeaderSize)/p.TxSize) / p.Interval.Seconds()
}

// The notes' throughput line: Bitcoin 7 tx/s, Ethereum 15 tx/s. Both are
// offered more transactions than they can take, so blocks are full.
var (
	Bitcoin  = Profile{Name: "Bitcoin-like", Interval: 600 * sim.Second, BlockSize: 1_000_000, TxSize: 250, TxRate: 10, Notes: 7}
	Ethereum = Profile{Name: "Ethereum-like", Interval: 13 * sim.Second, BlockSize: 200*250 + chain.HeaderSize, TxSize: 250, TxRate: 25, Notes: 15}
)

// throughput measures p through the nakamoto protocol on o's network.
func throughput(o Options, p Profile, seed uint64) float64 {
	s := o.pow()
	s.RealPoW = false
	s.Interval, s.BlockSize, s.TxSize, s.TxRate = p.Interval, p.BlockSize, p.TxSize, p.TxRate
	r := s.Build(seed)
	return r.Stats(sim.New(r.Config).Run()).Throughput
}

// NothingAtStakeArms names the arms of the nothing-at-stake experiment.
var NothingAtStakeArms = []string{
	"PoS, every validator signs on both forks",
	"PoW, every miner mines on both forks",
	"PoS, validators follow the longest chain",
}

// nothingAtStake runs the arms on o's network with equal stakes and a
// delay of a tenth of the interval, so forks arise.
func nothingAtStake(o Options, seed uint64) []Forks {
	base := o.pos()
	base.Stakes = nil
	base.Delay = o.Interval / 10
	var out []Forks
	for arm := range NothingAtStakeArms {
		s := base
		switch arm {
		case 0:
			s.NothingAtStake = s.Validators
		case 1:
			s.NothingAtStake, s.Lottery = s.Validators, pos.LotteryWork
		}
		r := s.Build(seed)
		st := r.Stats(sim.New(r.Config).Run())
		out = append(out, Forks{StaleRate: st.StaleRate, Branches: st.Branches})
	}
	return out
}

// Row is one mechanism in the main table, over all runs.
type Row struct {
	Mechanism string `json:"mechanism"`
	// Means over runs, with standard errors.
	TPS          float64 `json:"tps"`
	TPSSE        float64 `json:"tps_se"`
	ForkRate     float64 `json:"fork_rate"`
	ForkRateSE   float64 `json:"fork_rate_se"`
	Finality     float64 `json:"finality_seconds"`
	FinalitySE   float64 `json:"finality_seconds_se"`
	FinalityRule string  `json:"finality_rule"`
	// Hashes computed per run, and per main-chain block.
	Hashes         float64 `json:"hashes"`
	HashesPerBlock float64 `json:"hashes_per_block"`
	// FairnessZ is the largest |z| of a producer's block count against its
	// power share, pooled over runs; Gini the Gini coefficient of the
	// rewards (main-chain blocks per node), PowerGini that of the power.
	FairnessZ float64 `json:"fairness_max_z"`
	Gini      float64 `json:"gini"`
	PowerGini float64 `json:"power_gini"`
	// Producers is the mean number of distinct block producers per run.
	Producers float64 `json:"producers"`
}

// ThroughputRow is one profile of the throughput line.
type ThroughputRow struct {
	Profile
	TPS      float64 `json:"tps"`
	SE       float64 `json:"tps_se"`
	Capacity float64 `json:"capacity_tps"`
}

// ForksRow is one arm of the nothing-at-stake experiment.
type ForksRow struct {
	Arm       string  `json:"arm"`
	StaleRate float64 `json:"stale_rate"`
	MeanDepth float64 `json:"mean_branch_depth"`
	MaxDepth  int     `json:"max_branch_depth"`
	MeanLife  float64 `json:"mean_fork_life_seconds"`
}

// AttackRow is one attack: how often it succeeded.
type AttackRow struct {
	Attack    string `json:"attack"`
	Runs      int    `json:"runs"`
	Succeeded int    `json:"succeeded"`
}

// Result is the whole comparison.
type Result struct {
	Runs           int             `json:"runs"`
	Mechanisms     []Row           `json:"mechanisms"`
	Throughput     []ThroughputRow `json:"throughput"`
	NothingAtStake []ForksRow      `json:"nothing_at_stake"`
	Attacks        []AttackRow     `json:"attacks"`
}

// Aggregate turns the samples of all seeds into the tables.
func Aggregate(o Options, samples []Sample) Result {
	res := Result{Runs: len(samples)}
	rules := []string{"k confirmations", "k confirmations", "2/3+1 delegates", "k confirmations"}
	for m, name := range Names {
		if len(samples) == 0 || len(samples[0].Mechanisms) <= m {
			break
		}
		var tps, fork, fin, prod []float64
		var hashes, height float64
		counts := make([]float64, o.Nodes)
		exp := make([]float64, o.Nodes)
		vr := make([]float64, o.Nodes)
		power := make([]float64, o.Nodes)
		for _, s := range samples {
			x := s.Mechanisms[m]
			tps, fork, fin, prod = append(tps, x.TPS), append(fork, x.StaleRate), append(fin, x.Finality), append(prod, float64(x.Producers))
			hashes += float64(x.Hashes)
			height += float64(x.Height)
			for i := range counts {
				counts[i] += float64(x.Blocks[i])
				e := float64(x.Height) * x.Power[i]
				exp[i] += e
				vr[i] += float64(e * (1 - x.Power[i]))
				power[i] += x.Power[i] / float64(len(samples))
			}
		}
		row := Row{Mechanism: name, FinalityRule: rules[m], Gini: check.Gini(counts), PowerGini: check.Gini(power)}
		row.TPS, row.TPSSE = check.MeanSE(tps)
		row.ForkRate, row.ForkRateSE = check.MeanSE(fork)
		row.Finality, row.FinalitySE = check.MeanSE(fin)
		row.Producers, _ = check.MeanSE(prod)
		if n := float64(len(samples)); n > 0 {
			row.Hashes = hashes / n
		}
		if height > 0 {
			row.HashesPerBlock = hashes / height
		}
		for i := range counts {
			d := counts[i] - exp[i]
			switch {
			case vr[i] > 0:
				row.FairnessZ = math.Max(row.FairnessZ, math.Abs(d)/math.Sqrt(vr[i]))
			case math.Abs(d) >= 0.5:
				row.FairnessZ = math.Inf(1)
			}
		}
		res.Mechanisms = append(res.Mechanisms, row)
	}
	for i, p := range []Profile{Bitcoin, Ethereum} {
		var xs []float64
		for _, s := range samples {
			xs = append(xs, []float64{s.Bitcoin, s.Ethereum}[i])
		}
		r := ThroughputRow{Profile: p, Capacity: p.Capacity()}
		r.TPS, r.SE = check.MeanSE(xs)
		res.Throughput = append(res.Throughput, r)
	}
	for a, name := range NothingAtStakeArms {
		if len(samples) == 0 || len(samples[0].NothingAtStake) <= a {
			break
		}
		row := ForksRow{Arm: name}
		var stale, depth, life []float64
		for _, s := range samples {
			f := s.NothingAtStake[a]
			stale, depth, life = append(stale, f.StaleRate), append(depth, f.Branches.MeanDepth), append(life, f.Branches.MeanLife.Seconds())
			row.MaxDepth = max(row.MaxDepth, f.Branches.MaxDepth)
		}
		row.StaleRate, _ = check.MeanSE(stale)
		row.MeanDepth, _ = check.MeanSE(depth)
		row.MeanLife, _ = check.MeanSE(life)
		res.NothingAtStake = append(res.NothingAtStake, row)
	}
	var maj, mino, r1, r2 int
	for _, s := range samples {
		maj, mino, r1, r2 = maj+s.MajorityWins, mino+s.MinorityWins, r1+s.Reverted1of4, r2+s.Reverted2of4
	}
	races, coll := o.Races*len(samples), o.Collusions*len(samples)
	res.Attacks = []AttackRow{
		{Attack: "PoS: 60 % of the stake reverses a payment with 6 confirmations", Runs: races, Succeeded: maj},
		{Attack: "PoS: 30 % of the stake reverses a payment with 6 confirmations", Runs: races, Succeeded: mino},
		{Attack: "DPoS: 1 of 4 delegates (< 1/3) equivocates, reverting a final block", Runs: coll, Succeeded: r1},
		{Attack: "DPoS: 2 of 4 delegates (> 1/3) collude, reverting a final block", Runs: coll, Succeeded: r2},
	}
	return res
}

// FairMaxZ is how large the largest |z| of n producers who all get their
// share stays with probability 0.95: the threshold of the fairness column.
func FairMaxZ(n int) float64 {
	tail := 1 - math.Pow(0.95, 1/float64(n)) // two-sided, per producer
	return math.Sqrt2 * math.Erfinv(1-tail)
}

// Run runs the seeds sim.RunSeed(seed, i) for i < runs on workers (every
// core if 0) and aggregates them; the result does not depend on workers.
func Run(o Options, seed uint64, runs, workers int) Result {
	samples := sweep.Map(runs, workers, func(i int) Sample { return RunSeed(o, sim.RunSeed(seed, uint64(i))) }, nil)
	return Aggregate(o, samples)
}
