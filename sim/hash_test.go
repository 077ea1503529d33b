package sim

import (
	"encoding/binary"
	"strings"
	"testing"
)

// TestFoldBytesAndStringAgree: an observation's detail is hashed from
// bytes and an action's from a string; the same text must hash alike
// whichever form carries it, at every length around the 16-byte steps.
func TestFoldBytesAndStringAgree(t *testing.T) {
	text := strings.Repeat("kind[17]=value ", 4)
	for n := 0; n <= len(text); n++ {
		if got, want := foldBytes(7, []byte(text[:n])), foldString(7, text[:n]); got != want {
			t.Fatalf("length %d: bytes fold to %x, the string to %x", n, got, want)
		}
	}
}

// TestFoldBytesSeparates: texts that differ in one byte, in where they
// split, or only in trailing zero bytes fold to different values.
func TestFoldBytesSeparates(t *testing.T) {
	seen := map[uint64]string{}
	add := func(parts ...string) {
		h := uint64(1)
		for _, p := range parts {
			h = foldString(h, p)
		}
		key := strings.Join(parts, "|")
		if prev, ok := seen[h]; ok {
			t.Fatalf("%q and %q fold alike", prev, key)
		}
		seen[h] = key
	}
	add("ab", "c")
	add("a", "bc")
	add("abc")
	add("abc\x00")
	add("abc\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	for i := 0; i < 40; i++ {
		b := []byte(strings.Repeat("x", 40))
		b[i] = 'y'
		add(string(b))
	}
}

// TestFoldBytesTail: the tail of up to 15 bytes, read in whole loads, folds
// exactly as reading it byte by byte into two zero-padded little-endian
// words (the definition every pinned trace hash was computed with).
func TestFoldBytesTail(t *testing.T) {
	byteByByte := func(h uint64, b []byte) uint64 {
		n := len(b)
		for len(b) >= 16 {
			h = fold(h, binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:]))
			b = b[16:]
		}
		var tail [2]uint64
		for i, c := range b {
			tail[i>>3] |= uint64(c) << (8 * (i & 7))
		}
		return fold(fold(h, tail[0], tail[1]), uint64(n), 0)
	}
	b := make([]byte, 48)
	for i := range b {
		b[i] = byte(0x9e + 37*i)
	}
	for n := 0; n <= len(b); n++ {
		if got, want := foldBytes(3, b[:n]), byteByByte(3, b[:n]); got != want {
			t.Fatalf("length %d: %x, byte by byte %x", n, got, want)
		}
	}
}
