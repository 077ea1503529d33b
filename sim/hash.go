package sim

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// The running trace hash folds every event into 64 bits, two machine words
// at a time. It needs to be fast (it runs on every event) and stable across
// machines and releases, not cryptographic: it detects divergence between
// two runs, it does not defend against an adversary.

// fold folds the words a and b into h with one 64×64→128-bit multiply
// (wyhash's "mum"): the high and low halves of (h^a^k0)·(b^k1), xored.
// Every input bit reaches the output; the constants keep an all-zero
// input from zeroing the product. One multiply per two words is a quarter
// of what a multiply-xorshift step per word (the fold before this one)
// cost, and the kernel folds two pairs an event.
func fold(h, a, b uint64) uint64 {
	hi, lo := bits.Mul64(h^a^0xa0761d6478bd642f, b^0xe7037ed1a0b428db)
	return hi ^ lo
}

// foldBytes folds b into h sixteen bytes at a time, then its length, so
// that "ab"+"c" and "a"+"bc" differ.
func foldBytes(h uint64, b []byte) uint64 {
	n := len(b)
	for len(b) >= 16 {
		h = fold(h, binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:]))
		b = b[16:]
	}
	// The last 0-15 bytes, read as two little-endian words padded with
	// zeros — in whole loads, not byte by byte: a loop over a block
	// message's 9-byte tail was a tenth of a Nakamoto run.
	var t0, t1 uint64
	if len(b) >= 8 {
		t0, t1 = binary.LittleEndian.Uint64(b), partialWord(b[8:])
	} else {
		t0 = partialWord(b)
	}
	return fold(fold(h, t0, t1), uint64(n), 0)
}

// partialWord reads the 0-7 bytes of b as a little-endian word padded
// with zeros. Two loads that overlap in the middle cover any length from
// one to twice their size; the bytes both read land in the same place.
func partialWord(b []byte) uint64 {
	switch k := len(b); {
	case k >= 4:
		return uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint32(b[k-4:]))<<(8*(k-4))
	case k >= 2:
		return uint64(binary.LittleEndian.Uint16(b)) | uint64(binary.LittleEndian.Uint16(b[k-2:]))<<(8*(k-2))
	case k == 1:
		return uint64(b[0])
	}
	return 0
}

// foldString is foldBytes for a string, read in place (foldBytes neither
// keeps nor changes what it reads).
func foldString(h uint64, s string) uint64 {
	return foldBytes(h, unsafe.Slice(unsafe.StringData(s), len(s)))
}

// codeSend is kindCode(TraceSend), which the kernel also tests for.
const codeSend = 2

// kindCode gives the kernel's own kinds a fixed small code and hashes any
// other (environment action) kind by name.
func kindCode(k TraceKind) uint64 {
	switch k {
	case TraceStart:
		return 1
	case TraceSend:
		return codeSend
	case TraceDeliver:
		return 3
	case TraceDrop:
		return 4
	case TraceDuplicate:
		return 5
	case TraceTimer:
		return 6
	case TraceCrash:
		return 7
	case TraceRestart:
		return 8
	case TraceObserve:
		return 9
	}
	return foldString(10, string(k))
}
