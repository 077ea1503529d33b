package nakamoto

import (
	"simulate/protocols/chain"
)

// Blocks, the store and the proof-of-work hash live in package chain,
// which every blockchain protocol shares; these names keep nakamoto's API.

// BlockID names a block in its run's Store.
type BlockID = chain.BlockID

// Block is an immutable block.
type Block = chain.Block

// Store holds every block of one run.
type Store = chain.Store

// Confirmation is the mean time from a transaction's arrival until it is
// buried k deep in the final main chain, as the observer (node 0) saw it.
type Confirmation = chain.Confirmation

// NoBlock is the parent of the genesis block.
const NoBlock = chain.NoBlock

// Genesis is the id of the genesis block every node starts from.
const Genesis = chain.Genesis

// Block content flags: the merchant's payment and the attacker's spend.
const (
	FlagPay   = chain.FlagPay
	FlagSpend = chain.FlagSpend
)

// HeaderSize is the size in bytes of a block header, as in Bitcoin.
const HeaderSize = chain.HeaderSize

// BaseWork is the difficulty of the genesis block.
const BaseWork = chain.BaseWork

// NewStore returns a store holding only the genesis block.
func NewStore() *Store { return chain.NewStore() }

// DoubleSHA256 is Bitcoin's block hash.
func DoubleSHA256(header []byte) [32]byte { return chain.DoubleSHA256(header) }

// LeadingZeroBits counts the zero bits at the front of h.
func LeadingZeroBits(h [32]byte) int { return chain.LeadingZeroBits(h) }

// Target64 is the proof-of-work target for a block of difficulty work.
func Target64(zeroBits int, work uint64) uint64 { return chain.Target64(zeroBits, work) }

// MeetsTarget reports whether h satisfies target t.
func MeetsTarget(h [32]byte, t uint64) bool { return chain.MeetsTarget(h, t) }
