package sim

import (
	"encoding/binary"
	"math/rand/v2"
)

// NodeID names a node: 0 .. n-1.
type NodeID int

// TimerID names a timer set through Context.After; it is unique within a run.
type TimerID uint64

// Message is anything nodes send each other. AppendDigest appends a stable
// encoding of the message's fields to b; the kernel feeds it to the trace
// hash on every send and delivery, so it must not allocate needlessly and
// must not depend on map order or pointers. For readable traces a message
// may also implement fmt.Stringer.
type Message interface {
	AppendDigest(b []byte) []byte
}

// Node is a protocol participant: a pure state machine. It reacts to Start,
// a delivered message or a fired timer and acts only through ctx. It must not
// start goroutines, do I/O, read clocks or use global randomness.
type Node interface {
	Start(ctx Context)
	Deliver(ctx Context, from NodeID, msg Message)
	Fire(ctx Context, timer TimerID, tag any)
}

// Context is a node's only window on the world.
type Context interface {
	Self() NodeID
	// Nodes lists every node of the run, in order. The slice is shared: do not modify it.
	Nodes() []NodeID
	Now() Time
	Send(to NodeID, msg Message)
	// After sets a timer that fires after d with the given tag, unless cancelled
	// or the node crashes first.
	After(d Time, tag any) TimerID
	Cancel(id TimerID)
	// Rand is this node's own stream, derived from the seed. It survives restarts.
	Rand() *rand.Rand
	// Storage is this node's durable state: the only thing that survives a crash.
	Storage() Storage
	// Observe records something checkers read (a decision, a client result).
	Observe(kind string, slot int, value string)
	// Probe reports a measurement to the run's observer (Config.Probe), if
	// any: what happened at this node, as a kind and two numbers. Unlike
	// Observe it is neither stored, traced nor hashed, so a measurement
	// taken at every node for every block costs one call, not a record;
	// and since nothing comes back, a node cannot depend on it.
	Probe(kind ProbeKind, a, b int64)
	// Sign makes a signature by this node over payload. Only the kernel can
	// make one, so no node can forge another's.
	Sign(payload []byte) Signature
}

// Storage is a node's durable key-value store. Values are copied in and out,
// as a disk would, so a node cannot keep an alias that outlives a crash.
type Storage interface {
	Get(key string) ([]byte, bool)
	Put(key string, value []byte)
}

type memStorage map[string][]byte

func (s memStorage) Get(key string) ([]byte, bool) {
	v, ok := s[key]
	if !ok {
		return nil, false
	}
	return append([]byte(nil), v...), true
}

// Put copies value in. Rewriting a key reuses its buffer when the value
// fits: a node that logs every accepted command rewrites the same keys,
// and nothing outside can hold the old buffer (Get hands out copies).
func (s memStorage) Put(key string, value []byte) {
	if old, ok := s[key]; ok && cap(old) >= len(value) {
		s[key] = append(old[:0], value...)
		return
	}
	s[key] = append([]byte(nil), value...)
}

// GetInt64 reads an int64 written by PutInt64; ok is false if the key is absent.
func GetInt64(s Storage, key string) (v int64, ok bool) {
	b, ok := s.Get(key)
	if !ok || len(b) != 8 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(b)), true
}

// PutInt64 writes v under key.
func PutInt64(s Storage, key string, v int64) {
	s.Put(key, binary.BigEndian.AppendUint64(nil, uint64(v)))
}

// ProbeKind names what a Probe measures; each observer defines its own.
type ProbeKind uint8

// Probe is one measurement a node reported (Context.Probe): at Time, node
// Node, Kind with its two numbers.
type Probe struct {
	Time Time
	Node NodeID
	Kind ProbeKind
	A, B int64
}

// Observation is something a node reported for checkers: typically a
// decision ("decide", slot, value).
type Observation struct {
	Time  Time   `json:"t"`
	Node  NodeID `json:"node"`
	Kind  string `json:"kind"`
	Slot  int    `json:"slot"`
	Value string `json:"value"`
}

// Signature is a kernel-made signature. Its fields are unexported so only
// this package can create one: a node can copy, relay or withhold a
// signature it received, but cannot make one in another node's name.
type Signature struct {
	signer NodeID
	mac    uint64
	ok     bool
}

// Signer returns who signed.
func (s Signature) Signer() NodeID { return s.signer }

// Verify reports whether s is a genuine signature by its signer over payload.
func (s Signature) Verify(payload []byte) bool {
	return s.ok && s.mac == signMAC(s.signer, payload)
}

// AppendDigest appends the signature's identity to b for trace hashing.
func (s Signature) AppendDigest(b []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(s.signer))
	return binary.BigEndian.AppendUint64(b, s.mac)
}

func signMAC(signer NodeID, payload []byte) uint64 {
	h := fnvOffset
	h = fnvUint64(h, uint64(signer))
	return fnvBytes(h, payload)
}

const (
	fnvOffset uint64 = 14695981039346656037
	fnvPrime  uint64 = 1099511628211
)

func fnvBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

func fnvUint64(h uint64, v uint64) uint64 {
	for i := 0; i < 8; i++ {
		h ^= v & 0xff
		h *= fnvPrime
		v >>= 8
	}
	return h
}
