package chain

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math/bits"

	"simulate/sim"
)

// BlockID names a block in its run's Store. Messages and nodes carry ids,
// never copies of blocks or chains.
type BlockID int32

// NoBlock is the parent of the genesis block.
const NoBlock BlockID = -1

// Genesis is the id of the genesis block every node starts from.
const Genesis BlockID = 0

// Block content flags. A block's Flags say what it holds; its ChainFlags
// are the union along its chain, so "does this chain pay the merchant?" is
// one lookup instead of a walk.
const (
	// FlagPay marks the block holding the merchant's payment.
	FlagPay uint8 = 1 << iota
	// FlagSpend marks the attacker's conflicting spend of the same coins.
	FlagSpend
)

// HeaderSize is the size in bytes of a block header, as in Bitcoin.
const HeaderSize = 80

// BaseWork is the difficulty of the genesis block: the expected number of
// hashes a block costs at the nominal hash rate. Work adds up along a
// chain; nodes follow the chain with the most of it. Protocols without
// proof of work give every block BaseWork, so the most work is the
// longest chain.
const BaseWork uint64 = 1 << 32

// Block is an immutable block. Once added to a Store it never changes, so
// every node may share it.
type Block struct {
	ID     BlockID
	Parent BlockID
	Height int
	// Miner made the block: the miner in proof of work, the slot leader
	// in proof of stake, the delegate in DPoS, the validator whose timer
	// ran out first in PoET.
	Miner sim.NodeID
	// Time is when the block was made.
	Time sim.Time
	// Slot is the time slot the block claims (proof of stake, DPoS); 0
	// where time is not slotted.
	Slot int64
	// Work is this block's difficulty; CumWork sums it from genesis.
	Work    uint64
	CumWork uint64
	// TxCount transactions of the stream are in this block; TxEnd counts
	// them from genesis, so the block holds stream positions
	// [TxEnd-TxCount, TxEnd).
	TxCount int
	TxEnd   int64
	// Size is the block's size in bytes: header plus transactions.
	Size       int
	Flags      uint8
	ChainFlags uint8
	// PayHeight is the height of the block paying the merchant on this
	// chain, 0 if the chain has no payment.
	PayHeight int
	// Nonce and Hash make the proof of work; Hashes counts the nonces tried
	// (real proof-of-work mode only).
	Nonce  uint64
	Hash   [32]byte
	Hashes uint64
}

// HashHex renders the block hash in hex, most significant byte first, so
// leading zeros show.
func (b *Block) HashHex() string { return hex.EncodeToString(b.Hash[:]) }

// ShortHash is the first 8 hex digits of the hash.
func (b *Block) ShortHash() string { return hex.EncodeToString(b.Hash[:4]) }

// Header returns the 80-byte block header that proof of work hashes:
// version, parent hash, a digest of the content, time, target bits, nonce.
func (b *Block) Header(parentHash [32]byte, bitsTarget uint8) []byte {
	h := make([]byte, 0, HeaderSize)
	h = binary.LittleEndian.AppendUint32(h, 1)
	h = append(h, parentHash[:]...)
	content := sha256.Sum256(b.contentBytes())
	h = append(h, content[:]...)
	h = binary.LittleEndian.AppendUint32(h, uint32(b.Time/sim.Second))
	h = append(h, bitsTarget, 0, 0, 0)
	h = binary.LittleEndian.AppendUint64(h, b.Nonce)
	return h[:HeaderSize]
}

// contentBytes stands in for the Merkle root's input: what the block holds.
func (b *Block) contentBytes() []byte {
	c := make([]byte, 0, 40)
	c = binary.BigEndian.AppendUint64(c, uint64(b.TxEnd))
	c = binary.BigEndian.AppendUint64(c, uint64(b.TxCount))
	c = binary.BigEndian.AppendUint64(c, uint64(b.Miner))
	c = binary.BigEndian.AppendUint64(c, uint64(b.Height))
	c = binary.BigEndian.AppendUint64(c, b.Work)
	return append(c, b.Flags)
}

// DoubleSHA256 is Bitcoin's block hash, written most significant byte first.
func DoubleSHA256(header []byte) [32]byte {
	h1 := sha256.Sum256(header)
	return sha256.Sum256(h1[:])
}

// LeadingZeroBits counts the zero bits at the front of h.
func LeadingZeroBits(h [32]byte) int {
	n := 0
	for _, c := range h {
		if c == 0 {
			n += 8
			continue
		}
		return n + bits.LeadingZeros8(c)
	}
	return n
}

// Target64 is the proof-of-work target for a block of difficulty work when
// a BaseWork block needs zeroBits leading zero bits: a hash is valid when
// its first 64 bits are below it. Harder blocks (more work) get a
// proportionally lower target.
func Target64(zeroBits int, work uint64) uint64 {
	if zeroBits <= 0 {
		zeroBits = 0
	}
	if zeroBits >= 64 {
		return 1
	}
	base := uint64(1) << (64 - zeroBits) // 2^(64-zeroBits)
	if zeroBits == 0 {
		base = ^uint64(0)
	}
	hi, lo := bits.Mul64(base, BaseWork)
	if hi >= work {
		return ^uint64(0)
	}
	q, _ := bits.Div64(hi, lo, work)
	if q == 0 {
		q = 1
	}
	return q
}

// MeetsTarget reports whether h satisfies target t.
func MeetsTarget(h [32]byte, t uint64) bool { return binary.BigEndian.Uint64(h[:8]) < t }

// QuickHash stands in for the block hash when proof of work is not real:
// a well-mixed function of the parent's hash and the block's content,
// unique per block, at a fraction of SHA-256's cost (sweeps make millions
// of blocks).
func QuickHash(parent [32]byte, b *Block) [32]byte {
	var h [32]byte
	x := binary.BigEndian.Uint64(parent[:8]) ^ uint64(b.Height)<<32 ^ uint64(b.Miner)
	y := uint64(b.Time) ^ uint64(b.TxEnd)<<20 ^ uint64(b.Flags)<<56
	for i := 0; i < 4; i++ {
		x = mix64(x ^ y + uint64(i)*0x9e3779b97f4a7c15)
		binary.BigEndian.PutUint64(h[8*i:], x)
	}
	return h
}

// mix64 is splitmix64's finaliser.
func mix64(x uint64) uint64 {
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// Store holds every block of one run. Blocks are added, never changed.
type Store struct {
	blocks   []*Block
	children []int32
}

// NewStore returns a store holding only the genesis block.
func NewStore() *Store {
	s := &Store{}
	g := &Block{ID: Genesis, Parent: NoBlock, Miner: -1, Work: BaseWork, CumWork: BaseWork, Size: HeaderSize}
	g.Hash = DoubleSHA256(g.Header([32]byte{}, 0))
	s.blocks = append(s.blocks, g)
	s.children = append(s.children, 0)
	return s
}

// Len is the number of blocks, genesis included.
func (s *Store) Len() int { return len(s.blocks) }

// Get returns block id. The block is shared: do not modify it.
func (s *Store) Get(id BlockID) *Block { return s.blocks[id] }

// Children returns how many blocks extend block id.
func (s *Store) Children(id BlockID) int { return int(s.children[id]) }

// Add assigns b its id and appends it. Most callers want Tree.Add, which
// also makes room for the block's measurements.
func (s *Store) Add(b *Block) *Block {
	b.ID = BlockID(len(s.blocks))
	s.blocks = append(s.blocks, b)
	s.children = append(s.children, 0)
	if b.Parent != NoBlock {
		s.children[b.Parent]++
	}
	return b
}

// AtHeight returns the ancestor of id at height h (id itself if h is its
// height). It walks parents: chains are short next to the run.
func (s *Store) AtHeight(id BlockID, h int) BlockID {
	for id != NoBlock && s.blocks[id].Height > h {
		id = s.blocks[id].Parent
	}
	return id
}

// IsAncestor reports whether a is b or one of b's ancestors.
func (s *Store) IsAncestor(a, b BlockID) bool {
	ha := s.blocks[a].Height
	if s.blocks[b].Height < ha {
		return false
	}
	return s.AtHeight(b, ha) == a
}

// Conflict reports whether neither of a and b is an ancestor of the other:
// no single chain holds both.
func (s *Store) Conflict(a, b BlockID) bool { return !s.IsAncestor(a, b) && !s.IsAncestor(b, a) }

// Fork returns the last common ancestor of a and b.
func (s *Store) Fork(a, b BlockID) BlockID {
	for a != b {
		if s.blocks[a].Height >= s.blocks[b].Height {
			a = s.blocks[a].Parent
		} else {
			b = s.blocks[b].Parent
		}
	}
	return a
}

// Chain returns the ids from genesis to tip, in order.
func (s *Store) Chain(tip BlockID) []BlockID {
	out := make([]BlockID, s.blocks[tip].Height+1)
	for id := tip; id != NoBlock; id = s.blocks[id].Parent {
		out[s.blocks[id].Height] = id
	}
	return out
}

// Heavier reports whether a has more cumulative work than b.
func (s *Store) Heavier(a, b BlockID) bool { return s.blocks[a].CumWork > s.blocks[b].CumWork }

// Bitset is a growable set of block ids: a node's "seen" set costs one bit
// per block of the run.
type Bitset []uint64

// Has reports whether id is in the set.
func (b Bitset) Has(id BlockID) bool {
	w := int(id) >> 6
	return w < len(b) && b[w]&(1<<(uint(id)&63)) != 0
}

// Set adds id to the set.
func (b *Bitset) Set(id BlockID) {
	w := int(id) >> 6
	for w >= len(*b) {
		*b = append(*b, 0)
	}
	(*b)[w] |= 1 << (uint(id) & 63)
}

// Confirmed reports whether the chain ending at tip holds the merchant's
// payment with at least z confirmations (the paying block counts as the
// first). z = 0 accepts an unconfirmed payment.
func Confirmed(tip *Block, z int) bool {
	if z <= 0 {
		return true
	}
	return tip.ChainFlags&FlagPay != 0 && tip.Height-tip.PayHeight+1 >= z
}
