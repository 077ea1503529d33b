package nakamoto

import (
	"simulate/protocols/chain"
	"simulate/sim"
)

// Presets names the scenarios `simulate nakamoto --preset` knows.
var Presets = map[string]func() Scenario{
	"simblock":      SimBlockScenario,
	"simblock-push": SimBlockPushScenario,
}

// SimBlockScenario is the benchmark that block-propagation simulators
// such as SimBlock (Aoki et al. 2019) publish for Bitcoin, run with
// SimBlock's relay and node model (RelaySimBlock) so the numbers can be
// set side by side: 1,000 nodes, 100 blocks of 535,000 bytes (SimBlock's
// BLOCK_SIZE, "0.5 MB") every 10 minutes, each node opening as many
// outbound connections as SimBlock's degree table draws (8.6 on average,
// inbound ones on top) and mining with a normally drawn power, blocks
// announced by inv, fetched by getdata, sent as compact blocks one upload
// at a time, over SimBlock's 2019 geography: six regions with their
// latency table, upload and download bandwidth and distribution of
// Bitcoin nodes (chain.SimBlockRegions), every message's latency drawn
// from its Pareto.
//
// Transactions arrive at 7 a second, more than a 535 kB block every 10
// minutes holds, so every block is full at SimBlock's size.
func SimBlockScenario() Scenario {
	s := SimBlockPushScenario()
	s.Relay = RelaySimBlock
	return s
}

// SimBlockPushScenario is SimBlockScenario with this simulator's own
// push relay and node model (`--preset simblock-push`): equal hash power,
// exactly 8 outbound connections a node, and every new block pushed to
// every neighbour at once, each link with its own bandwidth queue. It
// propagates blocks faster than SimBlock (about 0.83 / 1.0 / 1.2 s to
// half, 90 % and all of the nodes, against SimBlock's 0.98 / 2.20 /
// 4.65 s): what one upload at a time and compact-block failures cost.
func SimBlockPushScenario() Scenario {
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
// search, before the search adds a partition: PropertyScenario's network
// (a complete graph, 1 s links plus a drawn 0, 20, 40 or 60 s per
// message) grown to 6 miners, one transaction a second, 40 blocks, k = 6,
// and the given teaching bug ("" for none).
func PartitionPropertyScenario(bug string) Scenario {
	s := PropertyScenario(bug)
	s.Miners = 6
	s.Degree = s.Miners - 1
	s.Blocks, s.TxRate, s.K = 40, 1, 6
	return s
}
