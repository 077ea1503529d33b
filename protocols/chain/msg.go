package chain

import (
	"encoding/binary"
	"fmt"

	"simulate/sim"
)

// BlockMsg announces and carries a block. The block itself lives in the
// run's Store; the message names it and says how big it is on the wire.
type BlockMsg struct {
	ID     BlockID
	Height int
	Miner  sim.NodeID
	Size   int
	Hash   uint64 // first 8 bytes of the block hash, for traces
}

// AppendDigest implements sim.Message.
func (m BlockMsg) AppendDigest(b []byte) []byte {
	b = append(b, 'B')
	b = binary.BigEndian.AppendUint32(b, uint32(m.ID))
	b = binary.BigEndian.AppendUint32(b, uint32(m.Height))
	b = binary.BigEndian.AppendUint32(b, uint32(m.Miner))
	b = binary.BigEndian.AppendUint32(b, uint32(m.Size))
	return binary.BigEndian.AppendUint64(b, m.Hash)
}

// WireSize implements Sizer: a block costs its size in bandwidth.
func (m BlockMsg) WireSize() int { return m.Size }

func (m BlockMsg) String() string {
	return fmt.Sprintf("block{#%d h%d by n%d %s %016x}", m.ID, m.Height, m.Miner, SizeText(m.Size), m.Hash)
}

// SizeText renders a byte count for people: "1.0MB", "40.1kB", "80B".
func SizeText(n int) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fMB", float64(n)/1e6)
	case n >= 1000:
		return fmt.Sprintf("%.1fkB", float64(n)/1e3)
	}
	return fmt.Sprintf("%dB", n)
}

// MsgOf is the message that carries b.
func MsgOf(b *Block) BlockMsg {
	return BlockMsg{ID: b.ID, Height: b.Height, Miner: b.Miner, Size: b.Size, Hash: binary.BigEndian.Uint64(b.Hash[:8])}
}
