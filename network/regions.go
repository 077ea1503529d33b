package network

import (
	"fmt"
	"math"

	"simulate/sim"
)

// Regions is a geography for the peer-to-peer network: every node lives in
// one region, a message between two regions takes that pair's latency, and
// a link's bandwidth is the smaller of the sender's upload and the
// receiver's download speed. Block-propagation simulators measure Bitcoin
// this way because a block crossing from Europe to Australia is what makes
// the stale rate, not the average link.
//
// It is a plain value, so a scenario holding it stays JSON-serialisable.
type Regions struct {
	// Names of the regions, in the order of every table below.
	Names []string `json:"names"`
	// Latency[i][j] is the mean one-way latency from region i to j.
	Latency [][]sim.Time `json:"latency_ns"`
	// Upload and Download are each region's speeds in bits per second.
	Upload   []int64 `json:"upload_bps"`
	Download []int64 `json:"download_bps"`
	// Distribution is the share of nodes in each region; it is
	// normalised, and nodes are assigned by drawing from it with the seed.
	Distribution []float64 `json:"distribution"`
	// ParetoSteps, when above 1, makes each message's latency a draw from
	// SimBlock's Pareto distribution around the pair's mean (shape 0.2·mean
	// in ms, scale mean − 5 ms), cut into that many equally likely
	// quantiles. Draw 0 is the fastest quantile, so zero stays boring;
	// 0 or 1 means every message takes exactly the mean.
	ParetoSteps int `json:"pareto_steps,omitempty"`
}

// SimBlockRegions is the network of SimBlock (Aoki et al., "SimBlock: A
// Blockchain Network Simulator", 2019), as its NetworkConfiguration ships
// for Bitcoin in 2019: six regions with their latency table
// (LATENCY_2019, ms), upload and download bandwidth (UPLOAD_BANDWIDTH_2019,
// DOWNLOAD_BANDWIDTH_2019, bit/s; the tables' seventh "inter-regional"
// entry is not used by SimBlock's getBandwidth and is left out) and the
// share of Bitcoin nodes in each region (REGION_DISTRIBUTION_BITCOIN_2019).
// The values are SimBlock's published ones, read from its repository
// (dsg-titech/simblock, simulator/src/main/java/simblock/settings).
//
// Two differences from SimBlock remain: SimBlock sends a node's block
// messages one after another (and announces with inv before sending),
// while here every directed link queues its own messages, so a node
// uploads to its peers in parallel and propagation is somewhat faster;
// and SimBlock draws every message's latency from its Pareto, while here
// that draw is discretised into ParetoSteps quantiles.
func SimBlockRegions() Regions {
	ms := func(rows ...[]int64) [][]sim.Time {
		out := make([][]sim.Time, len(rows))
		for i, r := range rows {
			for _, v := range r {
				out[i] = append(out[i], sim.Time(v)*sim.Millisecond)
			}
		}
		return out
	}
	return Regions{
		Names: []string{"North America", "Europe", "South America", "Asia Pacific", "Japan", "Australia"},
		Latency: ms(
			[]int64{32, 124, 184, 198, 151, 189},
			[]int64{124, 11, 227, 237, 252, 294},
			[]int64{184, 227, 88, 325, 301, 322},
			[]int64{198, 237, 325, 85, 58, 198},
			[]int64{151, 252, 301, 58, 12, 126},
			[]int64{189, 294, 322, 198, 126, 16},
		),
		Upload:       []int64{19_200_000, 20_700_000, 5_800_000, 15_700_000, 10_200_000, 11_300_000},
		Download:     []int64{52_000_000, 40_000_000, 18_000_000, 22_800_000, 22_800_000, 29_900_000},
		Distribution: []float64{0.3316, 0.4998, 0.0090, 0.1177, 0.0224, 0.0195},
		ParetoSteps:  8,
	}
}

// Validate reports the first thing wrong with r, in words for a user.
func (r Regions) Validate() error {
	k := len(r.Names)
	switch {
	case k < 1 || k > 64:
		return fmt.Errorf("regions: want 1 to 64 regions, got %d", k)
	case len(r.Latency) != k || len(r.Upload) != k || len(r.Download) != k || len(r.Distribution) != k:
		return fmt.Errorf("regions: every table needs one entry per region (%d)", k)
	case r.ParetoSteps < 0 || r.ParetoSteps > 1000:
		return fmt.Errorf("regions: pareto steps must be between 0 and 1000, got %d", r.ParetoSteps)
	}
	sum := 0.0
	for i := 0; i < k; i++ {
		if len(r.Latency[i]) != k {
			return fmt.Errorf("regions: latency row %d has %d entries, want %d", i, len(r.Latency[i]), k)
		}
		for _, d := range r.Latency[i] {
			if d < 0 || d > 24*sim.Hour {
				return fmt.Errorf("regions: latency %v out of range", d)
			}
		}
		if r.Upload[i] <= 0 || r.Download[i] <= 0 {
			return fmt.Errorf("regions: bandwidth of %s must be positive", r.Names[i])
		}
		x := r.Distribution[i]
		if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("regions: share of %s is %v", r.Names[i], x)
		}
		sum += x
	}
	if sum <= 0 {
		return fmt.Errorf("regions: the distribution adds up to 0")
	}
	return nil
}

// Assign draws each of n nodes' region from the distribution, with a PCG
// stream seeded by seed (independent of the graph's), as SimBlock does:
// the same seed gives the same geography.
func (r Regions) Assign(n int, seed uint64) []uint8 {
	cum := make([]float64, len(r.Distribution))
	sum := 0.0
	for i, x := range r.Distribution {
		sum += x
		cum[i] = sum
	}
	rng := sim.SetupStream(seed, "network regions")
	out := make([]uint8, n)
	for i := range out {
		u := rng.Float64() * sum
		j := 0
		for j < len(cum)-1 && u >= cum[j] {
			j++
		}
		out[i] = uint8(j)
	}
	return out
}

// ParetoQuantiles cuts SimBlock's latency distribution around mean into
// steps equally likely values, fastest first: the Pareto with shape
// 0.2·mean (mean in milliseconds) and scale mean − 5 ms, evaluated at the
// middle of each of steps equal slices of probability. A mean too small
// for that Pareto (5 ms or less, or a shape of at most 1) gives the mean
// every time.
func ParetoQuantiles(mean sim.Time, steps int) []sim.Time {
	out := make([]sim.Time, steps)
	meanMS := float64(mean) / float64(sim.Millisecond)
	shape, scale := 0.2*meanMS, meanMS-5
	for k := range out {
		if shape <= 1 || scale <= 0 {
			out[k] = mean
			continue
		}
		q := (float64(k) + 0.5) / float64(steps)
		out[k] = sim.Time(scale / math.Pow(1-q, 1/shape) * float64(sim.Millisecond))
	}
	return out
}
