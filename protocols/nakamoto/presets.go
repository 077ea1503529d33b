package nakamoto

import (
	"simulate/protocols/chain"
	"simulate/sim"
)

// Presets names the scenarios `simulate nakamoto --preset` knows.
var Presets = map[string]func() Scenario{
	"simblock": SimBlockScenario,
}

// SimBlockScenario is the benchmark that block-propagation simulators
// such as SimBlock (Aoki et al. 2019) publish for Bitcoin, so the numbers
// can be set side by side: 1,000 nodes, 100 blocks of 535,000 bytes
// (SimBlock's BLOCK_SIZE, "0.5 MB") every 10 minutes, every node opening 8
// outbound connections as Bitcoin Core does (so about 16 neighbours), and
// SimBlock's 2019 geography: six regions with their latency table, upload
// and download bandwidth and distribution of Bitcoin nodes
// (chain.SimBlockRegions), latencies drawn from its Pareto.
//
// Transactions arrive at 7 a second, more than a 535 kB block every 10
// minutes holds, so every block is full at SimBlock's size. Where this
// differs from SimBlock: hash power is split equally (SimBlock draws each
// node's from a normal distribution, mean 400,000 and s.d. 100,000
// hashes/ms; set Shares to do the same), a node uploads to its peers in
// parallel instead of one block message at a time, and blocks are pushed
// to neighbours instead of announced with inv and fetched.
func SimBlockScenario() Scenario {
	r := chain.SimBlockRegions()
	return Scenario{
		Miners:   1000,
		Interval: 600 * sim.Second,
		Workload: chain.Workload{BlockSize: 535_000, TxSize: 250, TxRate: 7},
		Links:    chain.Links{Degree: 8, Outbound: 8},
		Regions:  &r,
		Blocks:   100,
		PoWBits:  16,
		K:        6,
	}
}

// PartitionPropertyScenario is the scenario the partition properties
// search, before the search adds a partition: 6 miners on a complete
// graph, 1 s links plus a drawn 0, 20, 40 or 60 s per message, one
// transaction a second, 40 blocks, k = 6, and the given teaching bug (""
// for none).
func PartitionPropertyScenario(bug string) Scenario {
	s := DefaultScenario()
	s.Miners = 6
	s.Degree = 5
	s.Delay = sim.Second
	s.Bandwidth = 0
	s.Jitter = 20 * sim.Second
	s.JitterSteps = 4
	s.Blocks = 40
	s.TxRate = 1
	s.K = 6
	s.Bug = bug
	return s
}
