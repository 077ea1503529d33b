package nakamoto

import (
	"simulate/protocols/chain"
	"simulate/sim"
)

// RandomGraph returns a connected random graph on n nodes with at least
// degree neighbours each (chain.RandomGraph).
func RandomGraph(n, degree int, seed uint64) [][]sim.NodeID {
	return chain.RandomGraph(n, degree, seed)
}

// CompleteGraph connects every node to every other.
func CompleteGraph(n int) [][]sim.NodeID { return chain.CompleteGraph(n) }

// BlockMsg announces and carries a block (chain.BlockMsg).
type BlockMsg = chain.BlockMsg

// Transmission is how long size bytes take on a link of bandwidth bits/s.
func Transmission(size int, bandwidth int64) sim.Time { return chain.Transmission(size, bandwidth) }
