package paxos

import (
	"encoding/binary"
	"fmt"

	"simulate/sim"
)

// Ballot orders proposals: a higher round wins, and the proposer's id breaks
// ties, so two proposers never use the same ballot. The zero Ballot is "none".
type Ballot struct {
	Round int64
	Node  sim.NodeID
}

// Less reports whether b is ordered before o.
func (b Ballot) Less(o Ballot) bool {
	if b.Round != o.Round {
		return b.Round < o.Round
	}
	return b.Node < o.Node
}

// IsZero reports whether b is the "no ballot" value.
func (b Ballot) IsZero() bool { return b.Round == 0 }

// String renders b as round@node, e.g. "2@n1"; the zero ballot is "-".
func (b Ballot) String() string {
	if b.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%d@n%d", b.Round, b.Node)
}

func (b Ballot) appendTo(dst []byte) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(b.Round))
	return binary.BigEndian.AppendUint64(dst, uint64(int64(b.Node)))
}

func readBallot(src []byte) (Ballot, []byte, bool) {
	if len(src) < 16 {
		return Ballot{}, nil, false
	}
	return Ballot{Round: int64(binary.BigEndian.Uint64(src)), Node: sim.NodeID(int64(binary.BigEndian.Uint64(src[8:])))}, src[16:], true
}

func appendString(dst []byte, s string) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(s)))
	return append(dst, s...)
}

func readString(src []byte) (string, []byte, bool) {
	if len(src) < 4 {
		return "", nil, false
	}
	n := int(binary.BigEndian.Uint32(src))
	if len(src) < 4+n {
		return "", nil, false
	}
	return string(src[4 : 4+n]), src[4+n:], true
}

// Message tags, the first byte of every digest, so that two message types
// with the same fields never hash alike.
const (
	tagPrepare byte = iota + 1
	tagPromise
	tagAccept
	tagAccepted
	tagNack
	tagQuery
	tagDecided
)

// Prepare is phase 1a: "promise to ignore ballots below B".
type Prepare struct{ B Ballot }

// Promise is phase 1b: the acceptor promises B and reports the proposal it
// accepted last (AccB zero if none), which the proposer must adopt.
type Promise struct {
	B    Ballot
	AccB Ballot
	AccV string
}

// Accept is phase 2a: "accept value V at ballot B".
type Accept struct {
	B Ballot
	V string
}

// Accepted is phase 2b, sent to every learner: "I accepted V at B".
type Accepted struct {
	B Ballot
	V string
}

// Nack tells a proposer its ballot B lost to Promised, so it can retry
// above it at once instead of waiting for a timeout.
type Nack struct {
	B        Ballot
	Promised Ballot
}

// Query is sent by an undecided learner that has heard nothing for a while:
// "tell me the decision if you know it". It is how a node that missed the
// Accepted messages (loss, or it was down) catches up.
type Query struct{}

// Decided carries a decision to a node that has not learned it.
type Decided struct{ V string }

// AppendDigest implements sim.Message.
func (m Prepare) AppendDigest(b []byte) []byte { return m.B.appendTo(append(b, tagPrepare)) }

// AppendDigest implements sim.Message.
func (m Promise) AppendDigest(b []byte) []byte {
	b = m.B.appendTo(append(b, tagPromise))
	b = m.AccB.appendTo(b)
	return appendString(b, m.AccV)
}

// AppendDigest implements sim.Message.
func (m Accept) AppendDigest(b []byte) []byte {
	return appendString(m.B.appendTo(append(b, tagAccept)), m.V)
}

// AppendDigest implements sim.Message.
func (m Accepted) AppendDigest(b []byte) []byte {
	return appendString(m.B.appendTo(append(b, tagAccepted)), m.V)
}

// AppendDigest implements sim.Message.
func (m Nack) AppendDigest(b []byte) []byte {
	return m.Promised.appendTo(m.B.appendTo(append(b, tagNack)))
}

// AppendDigest implements sim.Message.
func (Query) AppendDigest(b []byte) []byte { return append(b, tagQuery) }

// AppendDigest implements sim.Message.
func (m Decided) AppendDigest(b []byte) []byte { return appendString(append(b, tagDecided), m.V) }

func (m Prepare) String() string { return fmt.Sprintf("Prepare{%s}", m.B) }
func (m Promise) String() string {
	if m.AccB.IsZero() {
		return fmt.Sprintf("Promise{%s accepted=none}", m.B)
	}
	return fmt.Sprintf("Promise{%s accepted=%s:%s}", m.B, m.AccB, m.AccV)
}
func (m Accept) String() string   { return fmt.Sprintf("Accept{%s %s}", m.B, m.V) }
func (m Accepted) String() string { return fmt.Sprintf("Accepted{%s %s}", m.B, m.V) }
func (m Nack) String() string     { return fmt.Sprintf("Nack{%s promised=%s}", m.B, m.Promised) }
func (Query) String() string      { return "Query{}" }
func (m Decided) String() string  { return fmt.Sprintf("Decided{%s}", m.V) }
