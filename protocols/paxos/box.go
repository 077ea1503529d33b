package paxos

import (
	"unsafe"

	"simulate/sim"
)

// A boxer turns message values into sim.Message interface values without
// a heap allocation per message. Converting a struct of more than one word
// to an interface copies it to the heap; a boxer instead copies it into a
// slab it owns and makes an interface value that points there, so that one
// allocation serves a whole slab of messages. The message keeps its type —
// a receiver, a trace or another package's type assertion (the nines
// experiment reads a paxos.Reply) sees exactly the value it would have seen.
//
// A slab entry is written once, before the interface value exists, and
// never again: a boxer does not recycle, so a message the network
// duplicates or a tracer keeps stays valid, and a full slab is simply left
// to the collector once no message in flight points into it. Slabs start
// small and double up to boxSlabMax entries, so a short run (a property
// search runs thousands) pays for no more than it sends.
type boxer[T sim.Message] struct {
	slab []T
	tmpl sim.Message // a T boxed once: its type word is reused
}

// boxSlabMax bounds a boxer's slab: past it, each new slab is this long.
const boxSlabMax = 256

// iface is the layout of a non-empty interface value: its type word and a
// pointer to its data, which for a struct of more than one word is always
// a pointer to a copy of the value.
type iface struct {
	tab  unsafe.Pointer
	data unsafe.Pointer
}

// box returns v as a sim.Message. T must not be pointer-shaped (a pointer,
// or a struct holding just one): every message type of this package is a
// struct of several words, whose interface value points to its data.
func (b *boxer[T]) box(v T) sim.Message {
	if len(b.slab) == cap(b.slab) {
		if b.tmpl == nil {
			var zero T
			b.tmpl = zero
		}
		b.slab = make([]T, 0, min(boxSlabMax, max(8, 2*cap(b.slab))))
	}
	b.slab = append(b.slab, v)
	m := b.tmpl
	(*iface)(unsafe.Pointer(&m)).data = unsafe.Pointer(&b.slab[len(b.slab)-1])
	return m
}

// boxes holds a node's boxers, one per message type it sends often.
type boxes struct {
	accept   boxer[MAccept]
	accepted boxer[MAccepted]
	commit   boxer[MCommit]
	beat     boxer[Heartbeat]
	reply    boxer[Reply]
}

// A textArena renders commands' texts (Cmd.String) into blocks of bytes it
// owns and hands out strings that point into them, so that one allocation
// serves many commands. The bytes behind a string are written once, before
// the string exists, and never again; a block full or not is left to the
// collector once no string points into it.
type textArena struct{ block []byte }

// textBlock bounds a textArena's blocks: they start at a tenth of it and
// double, so a client of a few commands does not take a whole block.
const textBlock = 2048

// text returns c.String().
func (a *textArena) text(c Cmd) string {
	if c.Kind == CmdNoop || c.Kind == "" {
		return CmdNoop
	}
	if cap(a.block)-len(a.block) < 64+len(c.Key)+len(c.Value) {
		size := min(textBlock, max(textBlock/10, 2*cap(a.block)))
		a.block = make([]byte, 0, max(size, 64+len(c.Key)+len(c.Value)))
	}
	start := len(a.block)
	a.block = c.appendText(a.block)
	return unsafe.String(&a.block[start], len(a.block)-start)
}
