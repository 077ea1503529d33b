package chain

import (
	"math"
	"sort"

	"simulate/sim"
)

// Summary is what every blockchain run is judged by in the comparison of
// mechanisms, measured the same way for each.
type Summary struct {
	// Height is the main chain's height; Made counts every block made,
	// stale ones included; Stale those left off the main chain.
	Height    int     `json:"height"`
	Made      int     `json:"blocks_made"`
	Stale     int     `json:"stale_blocks"`
	StaleRate float64 `json:"stale_rate"`
	// Forks counts second (third, ...) children of one parent.
	Forks int `json:"forks"`
	// Elapsed is the time blocks were made over.
	Elapsed    sim.Time `json:"elapsed_ns"`
	Txs        int64    `json:"txs"`
	Throughput float64  `json:"throughput_tx_per_s"`
	// Blocks counts each node's blocks on the main chain; Producers is how
	// many nodes have at least one.
	Blocks    []int `json:"blocks_by_node"`
	Producers int   `json:"producers"`
	// Hashes counts proof-of-work hashes (zero without proof of work).
	Hashes uint64 `json:"hashes"`
}

// Summarize measures the main chain ending at tip in a run of n nodes
// whose blocks were made over elapsed.
func (t *Tree) Summarize(tip BlockID, elapsed sim.Time, n int) Summary {
	s := t.Store
	main := s.Chain(tip)
	sum := Summary{Height: len(main) - 1, Made: s.Len() - 1, Elapsed: elapsed, Blocks: make([]int, n)}
	sum.Stale = sum.Made - sum.Height
	if sum.Made > 0 {
		sum.StaleRate = float64(sum.Stale) / float64(sum.Made)
	}
	for id := 0; id < s.Len(); id++ {
		if c := s.Children(BlockID(id)); c > 1 {
			sum.Forks += c - 1
		}
		sum.Hashes += s.Get(BlockID(id)).Hashes
	}
	for _, id := range main[1:] {
		if m := s.Get(id).Miner; m >= 0 && int(m) < n {
			if sum.Blocks[m] == 0 {
				sum.Producers++
			}
			sum.Blocks[m]++
		}
	}
	sum.Txs = s.Get(tip).TxEnd
	if elapsed > 0 {
		sum.Throughput = float64(sum.Txs) / elapsed.Seconds()
	}
	return sum
}

// MainTip is the tip with the most work among tips (the lowest id, the
// earliest made, on a tie): the chain the network settles on.
func MainTip(s *Store, tips []BlockID) BlockID {
	best := tips[0]
	for _, t := range tips[1:] {
		if s.Heavier(t, best) || (s.Get(t).CumWork == s.Get(best).CumWork && t < best) {
			best = t
		}
	}
	return best
}

// Branches describes the forks off a main chain: how deep the abandoned
// branches grew and how long they lived before everyone left them.
type Branches struct {
	// Forks is the number of main-chain blocks with an abandoned branch.
	Forks int `json:"forks"`
	// MeanDepth and MaxDepth measure each fork's deepest abandoned block,
	// in blocks above the main-chain block it left from.
	MeanDepth float64 `json:"mean_depth"`
	MaxDepth  int     `json:"max_depth"`
	// MeanLife is the mean time from a fork's first block to the last
	// block made on its abandoned branches.
	MeanLife sim.Time `json:"mean_life_ns"`
}

// AbandonedBranches measures the branches off the main chain ending at tip.
func AbandonedBranches(s *Store, tip BlockID) Branches {
	var on Bitset
	for _, id := range s.Chain(tip) {
		on.Set(id)
	}
	// base[b] is the main-chain block stale block b's branch left from.
	base := make([]BlockID, s.Len())
	depth := map[BlockID]int{}
	last := map[BlockID]sim.Time{}
	for i := 1; i < s.Len(); i++ {
		id := BlockID(i)
		if on.Has(id) {
			continue
		}
		p := s.Get(id).Parent
		if on.Has(p) {
			base[i] = p
		} else {
			base[i] = base[p] // parents are added before children
		}
		a := base[i]
		b := s.Get(id)
		depth[a] = max(depth[a], b.Height-s.Get(a).Height)
		last[a] = max(last[a], b.Time)
	}
	// The first block after each fork base: the earliest of its children.
	first := map[BlockID]sim.Time{}
	for i := 1; i < s.Len(); i++ {
		b := s.Get(BlockID(i))
		if _, ok := depth[b.Parent]; ok {
			if f, seen := first[b.Parent]; !seen || b.Time < f {
				first[b.Parent] = b.Time
			}
		}
	}
	bases := make([]BlockID, 0, len(depth))
	for a := range depth {
		bases = append(bases, a)
	}
	sort.Slice(bases, func(i, j int) bool { return bases[i] < bases[j] })
	var br Branches
	var life sim.Time
	for _, a := range bases {
		br.Forks++
		br.MeanDepth += float64(depth[a])
		br.MaxDepth = max(br.MaxDepth, depth[a])
		life += last[a] - first[a]
	}
	if br.Forks > 0 {
		br.MeanDepth /= float64(br.Forks)
		br.MeanLife = life / sim.Time(br.Forks)
	}
	return br
}

// Shares normalises weights to sum to 1; an empty weights means n equal
// shares.
func Shares(weights []float64, n int) []float64 {
	out := make([]float64, n)
	sum := 0.0
	for i := range out {
		out[i] = 1
		if len(weights) == n {
			out[i] = weights[i]
		}
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

// Zipf returns n weights proportional to 1/(i+1): a few large holders and
// a long tail, as stake and hash power are in practice.
func Zipf(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = 1 / float64(i+1)
	}
	return out
}

// FairnessZ compares each node's count of blocks with its expected share
// of total: z[i] = (count - total·share) / sqrt(total·share·(1-share)),
// the binomial standard score. |z| > 3 says the mechanism does not give
// that node its share. Nodes with share 0 or 1 get z = 0 when they match
// and ±Inf when they do not.
func FairnessZ(counts []int, shares []float64) []float64 {
	total := 0
	for _, c := range counts {
		total += c
	}
	z := make([]float64, len(counts))
	for i, c := range counts {
		e := float64(total) * shares[i]
		v := e * (1 - shares[i])
		d := float64(c) - e
		switch {
		case v > 0:
			z[i] = d / math.Sqrt(v)
		case math.Abs(d) < 0.5:
			z[i] = 0
		default:
			z[i] = math.Copysign(math.Inf(1), d)
		}
	}
	return z
}
