package chain

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/sim"
)

// relayNode sends one block to its neighbours at start (node 0 only) and
// records who delivered what to it.
type relayNode struct {
	Peer
	except sim.NodeID
	got    []sim.NodeID // senders of the messages it received
}

func (n *relayNode) Start(ctx sim.Context) {
	if n.ID == 0 {
		n.Send(ctx, n.Tree.Store.Get(Genesis), n.except)
	}
}
func (n *relayNode) Deliver(_ sim.Context, from sim.NodeID, _ sim.Message) {
	n.got = append(n.got, from)
}
func (n *relayNode) Fire(sim.Context, sim.TimerID, any) {}

// TestPeerRelaysToEveryNeighbourButTheSender: a node with few neighbours
// keeps them in its Peer (near), one with more reads its row of the
// table; either way a relay reaches each neighbour once and
// skips the one the block came from.
func TestPeerRelaysToEveryNeighbourButTheSender(t *testing.T) {
	for _, degree := range []int{0, 1, inlinePeers, inlinePeers + 1, 20} {
		for _, except := range []sim.NodeID{-1, 3} {
			t.Run(fmt.Sprintf("degree=%d/except=%d", degree, except), func(t *testing.T) {
				n := 25
				peers := make([][]sim.NodeID, n)
				for q := 1; q <= degree; q++ {
					peers[0] = append(peers[0], sim.NodeID(q))
				}
				tree := NewTree(n, peers, false)
				nodes := make([]*relayNode, n)
				w := sim.New(sim.Config{Nodes: n, New: func(id sim.NodeID) sim.Node {
					nodes[id] = &relayNode{Peer: NewPeer(&tree, id), except: except}
					return nodes[id]
				}})
				w.Run()
				require.Equal(t, degree <= inlinePeers, nodes[0].inline())
				var reached []sim.NodeID
				for id, nd := range nodes {
					for _, from := range nd.got {
						require.Equal(t, sim.NodeID(0), from)
						reached = append(reached, sim.NodeID(id))
					}
				}
				want := slices.DeleteFunc(slices.Clone(peers[0]), func(q sim.NodeID) bool { return q == except })
				require.Equal(t, len(want), len(reached), "one copy to each neighbour but the sender")
				require.ElementsMatch(t, want, reached)
			})
		}
	}
}
