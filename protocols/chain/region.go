package chain

import (
	"simulate/network"
	"simulate/sim"
)

// Regions is a geography for the peer-to-peer network (network.Regions,
// where the table and its SimBlock values now live).
type Regions = network.Regions

// SimBlockRegions is SimBlock's 2019 Bitcoin network: network.SimBlockRegions.
func SimBlockRegions() Regions { return network.SimBlockRegions() }

// ParetoQuantiles is SimBlock's latency distribution cut into steps
// quantiles: network.ParetoQuantiles.
func ParetoQuantiles(mean sim.Time, steps int) []sim.Time {
	return network.ParetoQuantiles(mean, steps)
}
