package chain

import (
	"fmt"

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

// RegionModel is LinkModel with a geography: a message from a node in
// region i to one in region j takes Latency[i][j] (or a Pareto draw
// around it) plus its transmission time at min(Upload[i], Download[j]),
// waiting for the messages ahead of it on the same directed link.
// Jitter adds to that as in LinkModel.
type RegionModel struct {
	Regions Regions
	// Of is each node's region.
	Of          []uint8
	Jitter      sim.Time
	JitterSteps int
	links       linkClocks
	quant       [][][]sim.Time // quant[i][j][k]: the k-th latency quantile
}

// NewRegionModel places n nodes with seed and returns the model.
func NewRegionModel(r Regions, n int, seed uint64) *RegionModel {
	m := &RegionModel{Regions: r, Of: r.Assign(n, seed)}
	if r.ParetoSteps > 1 {
		k := len(r.Names)
		m.quant = make([][][]sim.Time, k)
		for i := 0; i < k; i++ {
			m.quant[i] = make([][]sim.Time, k)
			for j := 0; j < k; j++ {
				m.quant[i][j] = ParetoQuantiles(r.Latency[i][j], r.ParetoSteps)
			}
		}
	}
	return m
}

// Reserve tells the model the peer-to-peer graph, as LinkModel.Reserve
// does: a hint that changes where link queues are kept, never a run.
func (m *RegionModel) Reserve(peers [][]sim.NodeID) { m.links.Reserve(peers) }

// Bandwidth is the speed of the link from node a to node b in bits/s.
func (m *RegionModel) Bandwidth(a, b sim.NodeID) int64 {
	return min(m.Regions.Upload[m.Of[a]], m.Regions.Download[m.Of[b]])
}

// Route implements sim.Model.
func (m *RegionModel) Route(l sim.Link) sim.Fate {
	if l.From == l.To {
		return sim.Fate{}
	}
	ra, rb := m.Of[l.From], m.Of[l.To]
	var tx sim.Time
	if size, ok := wireSize(l.Msg); ok {
		tx = Transmission(size, m.Bandwidth(l.From, l.To))
	}
	start := l.Now
	if tx > 0 {
		busy := m.links.Busy(l.From, l.To)
		start = max(start, *busy)
		*busy = start + tx
	}
	lat := m.Regions.Latency[ra][rb]
	if m.quant != nil {
		lat = m.quant[ra][rb][l.Choices.Intn(drawLabel(l, "latency"), m.Regions.ParetoSteps)]
	}
	d := start - l.Now + tx + lat
	if m.Jitter > 0 && m.JitterSteps > 1 {
		d += sim.Time(l.Choices.Intn(drawLabel(l, "delay"), m.JitterSteps)) * m.Jitter
	}
	return sim.Fate{Delay: d}
}

// drawLabel names a draw for recorders and rapid; the seeded PCG ignores
// labels, so sweeps do not pay for formatting them.
func drawLabel(l sim.Link, what string) string {
	if !sim.Labelled(l.Choices) {
		return ""
	}
	return fmt.Sprintf("%s n%d->n%d", what, l.From, l.To)
}
