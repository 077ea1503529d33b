package chain

import (
	"simulate/network"
	"simulate/sim"
)

// linkClocks records, for every directed link, when it finishes sending
// its last message: network.Queues, shared with the network package.
type linkClocks = network.Queues

// wireSize is the size on the wire of m, and whether it has one. Blocks,
// nearly every message of a run, skip the interface lookup.
func wireSize(m sim.Message) (int, bool) {
	switch m := m.(type) {
	case BlockMsg:
		return m.Size, true
	case Sizer:
		return m.WireSize(), true
	}
	return 0, false
}
