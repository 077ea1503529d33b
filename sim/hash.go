package sim

import "encoding/binary"

// The running trace hash folds every event into 64 bits, one machine word at
// a time. It needs to be fast (it runs on every event) and stable across
// machines and releases, not cryptographic: it detects divergence between
// two runs, it does not defend against an adversary.

// mix folds v into h with a multiply-xorshift step (from the wyhash/
// SplitMix family): every input bit reaches every output bit.
func mix(h, v uint64) uint64 {
	h ^= v
	h *= 0x9e3779b97f4a7c15
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 32
	return h
}

// mixBytes folds b into h eight bytes at a time, then its length, so that
// "ab"+"c" and "a"+"bc" differ.
func mixBytes(h uint64, b []byte) uint64 {
	n := len(b)
	for len(b) >= 8 {
		h = mix(h, binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	var tail uint64
	for i, c := range b {
		tail |= uint64(c) << (8 * i)
	}
	h = mix(h, tail)
	return mix(h, uint64(n))
}

func mixString(h uint64, s string) uint64 {
	n := len(s)
	for len(s) >= 8 {
		v := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = mix(h, v)
		s = s[8:]
	}
	var tail uint64
	for i := 0; i < len(s); i++ {
		tail |= uint64(s[i]) << (8 * i)
	}
	h = mix(h, tail)
	return mix(h, uint64(n))
}

// kindCode gives the kernel's own kinds a fixed small code and hashes any
// other (environment action) kind by name.
func kindCode(k TraceKind) uint64 {
	switch k {
	case TraceStart:
		return 1
	case TraceSend:
		return 2
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
	return mixString(10, string(k))
}
