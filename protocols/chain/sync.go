package chain

import (
	"encoding/binary"
	"fmt"

	"simulate/sim"
)

// GetBlocksMsg asks a peer for the blocks of its chain that the sender
// lacks. The sender names its own chain by a locator, as Bitcoin's
// getheaders does: its tip, the nine blocks below it, then blocks at
// doubling distances down to genesis. The peer answers with the blocks of
// its chain above the highest locator entry that chain holds (their fork
// point, or a little below it).
//
// Gossip alone never repairs a split: a block whose parent a node missed
// waits as an orphan for a parent nobody sends. Nodes that reconnect
// (after a partition heals) exchange locators so the lighter side learns
// the heavier chain and reorganises.
type GetBlocksMsg struct {
	// TipHeight is the height of the sender's tip, for traces.
	TipHeight int
	Locator   []BlockID
}

// AppendDigest implements sim.Message.
func (m GetBlocksMsg) AppendDigest(b []byte) []byte {
	b = append(b, 'G')
	b = binary.BigEndian.AppendUint32(b, uint32(m.TipHeight))
	b = binary.BigEndian.AppendUint32(b, uint32(len(m.Locator)))
	for _, id := range m.Locator {
		b = binary.BigEndian.AppendUint32(b, uint32(id))
	}
	return b
}

// WireSize implements Sizer: 32 bytes a hash, as on Bitcoin's wire.
func (m GetBlocksMsg) WireSize() int { return 8 + 32*len(m.Locator) }

func (m GetBlocksMsg) String() string {
	if len(m.Locator) == 0 {
		return "getblocks{}"
	}
	return fmt.Sprintf("getblocks{tip #%d h%d, %d locator ids}", m.Locator[0], m.TipHeight, len(m.Locator))
}

// Locator lists the chain ending at tip as Bitcoin's block locator does:
// tip and the nine blocks below it, then every 2nd, 4th, 8th ... block,
// and genesis last.
func Locator(s *Store, tip BlockID) []BlockID {
	var out []BlockID
	h := s.Get(tip).Height
	step := 1
	id := tip
	for {
		out = append(out, id)
		if h == 0 {
			return out
		}
		if len(out) >= 10 {
			step *= 2
		}
		h = max(0, h-step)
		id = s.AtHeight(id, h)
	}
}

// Serve answers a GetBlocksMsg from peer to: it sends, oldest first, the
// blocks of the chain ending at tip above the highest locator entry on
// that chain, and returns how many it sent.
func (p *Peer) Serve(ctx sim.Context, to sim.NodeID, tip BlockID, locator []BlockID) int {
	s := p.Tree.Store
	fork := Genesis
	for _, id := range locator {
		if id >= 0 && int(id) < s.Len() && p.Knows(id) && s.IsAncestor(id, tip) {
			fork = id
			break
		}
	}
	chain := s.Chain(tip)
	sent := 0
	for _, id := range chain[s.Get(fork).Height+1:] {
		ctx.Send(to, p.Tree.Msg(s.Get(id)))
		sent++
	}
	return sent
}

// Incoming sorts a message delivered to a chain node: a GetBlocksMsg is
// served from the node's chain ending at tip (Serve) and ok is false; a
// BlockMsg gives its block's id and ok true; anything else is ignored.
func (p *Peer) Incoming(ctx sim.Context, from sim.NodeID, msg sim.Message, tip BlockID) (id BlockID, ok bool) {
	switch m := msg.(type) {
	case GetBlocksMsg:
		p.Serve(ctx, from, tip, m.Locator)
	case BlockMsg:
		return m.ID, true
	}
	return NoBlock, false
}
