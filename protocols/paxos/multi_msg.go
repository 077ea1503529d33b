package paxos

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"simulate/protocols/internal/kvclient"
)

// Command kinds of the replicated key-value store.
const (
	CmdNoop = "noop" // fills a slot a new leader found empty
	CmdGet  = "get"
	CmdPut  = "put"
	// CmdSell takes one ticket from the stock named Key, of size Value
	// (decimal): its output is the ticket number, 1 .. size, or SoldOut.
	// It is the CAP experiment's box office: one shared stock of tickets
	// sold through the replicated log.
	CmdSell = "sell"
)

// SoldOut is the output of a CmdSell once every ticket of its stock is gone.
const SoldOut = "sold-out"

// Cmd is one entry of the replicated log: a client's get or put, or a no-op.
// (Client, Seq) names it, so a command retried through a second leader is
// applied once. Its fields are the key-value client's (kvclient.Cmd).
type Cmd kvclient.Cmd

// Op renders the operation without its origin: "put x=5.3", "get x", "noop".
func (c Cmd) Op() string {
	switch c.Kind {
	case CmdPut:
		return "put " + c.Key + "=" + c.Value
	case CmdGet:
		return "get " + c.Key
	case CmdSell:
		return "sell " + c.Key
	}
	return CmdNoop
}

// String renders c for traces and decisions: "c5#3 put x=5.3", or "noop".
func (c Cmd) String() string {
	if c.Kind == CmdNoop || c.Kind == "" {
		return CmdNoop
	}
	return string(c.appendText(make([]byte, 0, 24+len(c.Key)+len(c.Value))))
}

// appendText appends c.String() to b, without fmt: every replica renders
// every command it commits for its decide observation.
func (c Cmd) appendText(b []byte) []byte {
	if c.Kind == CmdNoop || c.Kind == "" {
		return append(b, CmdNoop...)
	}
	b = c.appendOrigin(b)
	switch c.Kind {
	case CmdPut:
		return append(append(append(append(b, "put "...), c.Key...), '='), c.Value...)
	case CmdGet:
		return append(append(b, "get "...), c.Key...)
	case CmdSell:
		return append(append(b, "sell "...), c.Key...)
	}
	return append(b, CmdNoop...)
}

// appendOrigin appends the prefix of c.String() that names c's origin:
// "c5#3 ".
func (c Cmd) appendOrigin(b []byte) []byte {
	b = append(b, 'c')
	b = strconv.AppendInt(b, int64(c.Client), 10)
	b = append(b, '#')
	b = strconv.AppendInt(b, int64(c.Seq), 10)
	return append(b, ' ')
}

// originLen is the length of c's origin prefix, for a command that is
// not a no-op.
func (c Cmd) originLen() int {
	var a [48]byte
	return len(c.appendOrigin(a[:0]))
}

func (c Cmd) appendTo(b []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(int64(c.Client)))
	b = binary.BigEndian.AppendUint64(b, uint64(int64(c.Seq)))
	b = appendString(b, c.Kind)
	b = appendString(b, c.Key)
	return appendString(b, c.Value)
}

// Entry is an acceptor's accepted proposal for one slot, as reported in a
// promise.
type Entry struct {
	Slot int
	B    Ballot
	Cmd  Cmd
}

const (
	tagMPrepare byte = iota + 32
	tagMPromise
	tagMAccept
	tagMAccepted
	tagMNack
	tagMCommit
	tagHeartbeat
	tagCatchUp
	tagRequest
	tagReply
	tagMAccepts
	tagMAccepteds
	tagMCommits
)

// MPrepare is Multi-Paxos phase 1a for every slot from From on: a would-be
// leader asks for promises once, for the whole rest of the log.
type MPrepare struct {
	B    Ballot
	From int
}

// MPromise promises B and reports the acceptor's accepted entries from From on.
type MPromise struct {
	B       Ballot
	From    int
	Entries []Entry
}

// MAccept is phase 2a for one slot.
type MAccept struct {
	B    Ballot
	Slot int
	Cmd  Cmd
}

// MAccepted is phase 2b for one slot, sent to the leader.
type MAccepted struct {
	B    Ballot
	Slot int
}

// MNack tells a leader or candidate its ballot lost to Promised.
type MNack struct {
	B        Ballot
	Promised Ballot
}

// MCommit tells a replica slot Slot is chosen: the leader sends it when a
// quorum accepted, and again to a replica catching up.
type MCommit struct {
	Slot int
	Cmd  Cmd
	text string // Cmd.String() if known, as in Request
}

// MAccepts is phase 2a for the consecutive slots from Slot on, one
// command each: a batching leader's MAccept (Scenario.Batch).
type MAccepts struct {
	B    Ballot
	Slot int
	Cmds []Cmd
}

// MAccepteds is phase 2b for the N consecutive slots from Slot on.
type MAccepteds struct {
	B    Ballot
	Slot int
	N    int
}

// MCommits tells a replica the consecutive slots from Slot on chose Cmds.
type MCommits struct {
	Slot  int
	Cmds  []Cmd
	texts []string // each command's String() if known, as in Request
}

// Heartbeat keeps followers from starting an election and tells them how far
// the leader's log is applied, so a lagging replica asks to catch up.
type Heartbeat struct {
	B      Ballot
	Commit int
}

// CatchUp asks the leader for committed entries from From on.
type CatchUp struct{ From int }

// Request is a client's command to the replica it believes leads.
type Request struct {
	Cmd Cmd
	// text is Cmd.String(), when the sender rendered it (the paxos
	// client does, for its invoke observation): the leader passes it on
	// in MCommit, so that no replica renders the command again for its
	// decide observation. It is no part of the message's digest or text.
	text string
}

// Reply answers a Request: OK with the command's output, or not OK with a
// hint of the leader (-1 if unknown). Its fields are what the key-value
// client reads (kvclient.Reply).
type Reply kvclient.Reply

// ClientReply implements kvclient.Answer: a Reply is what the client reads.
func (m Reply) ClientReply() kvclient.Reply { return kvclient.Reply(m) }

func appendInt(b []byte, v int) []byte { return binary.BigEndian.AppendUint64(b, uint64(int64(v))) }

// AppendDigest implements sim.Message.
func (m MPrepare) AppendDigest(b []byte) []byte {
	return appendInt(m.B.appendTo(append(b, tagMPrepare)), m.From)
}

// AppendDigest implements sim.Message.
func (m MPromise) AppendDigest(b []byte) []byte {
	b = appendInt(m.B.appendTo(append(b, tagMPromise)), m.From)
	b = appendInt(b, len(m.Entries))
	for _, e := range m.Entries {
		b = e.Cmd.appendTo(e.B.appendTo(appendInt(b, e.Slot)))
	}
	return b
}

// AppendDigest implements sim.Message.
func (m MAccept) AppendDigest(b []byte) []byte {
	return m.Cmd.appendTo(appendInt(m.B.appendTo(append(b, tagMAccept)), m.Slot))
}

// AppendDigest implements sim.Message.
func (m MAccepted) AppendDigest(b []byte) []byte {
	return appendInt(m.B.appendTo(append(b, tagMAccepted)), m.Slot)
}

// AppendDigest implements sim.Message.
func (m MAccepts) AppendDigest(b []byte) []byte {
	b = appendInt(appendInt(m.B.appendTo(append(b, tagMAccepts)), m.Slot), len(m.Cmds))
	for _, c := range m.Cmds {
		b = c.appendTo(b)
	}
	return b
}

// AppendDigest implements sim.Message.
func (m MAccepteds) AppendDigest(b []byte) []byte {
	return appendInt(appendInt(m.B.appendTo(append(b, tagMAccepteds)), m.Slot), m.N)
}

// AppendDigest implements sim.Message.
func (m MCommits) AppendDigest(b []byte) []byte {
	b = appendInt(appendInt(append(b, tagMCommits), m.Slot), len(m.Cmds))
	for _, c := range m.Cmds {
		b = c.appendTo(b)
	}
	return b
}

// AppendDigest implements sim.Message.
func (m MNack) AppendDigest(b []byte) []byte {
	return m.Promised.appendTo(m.B.appendTo(append(b, tagMNack)))
}

// AppendDigest implements sim.Message.
func (m MCommit) AppendDigest(b []byte) []byte {
	return m.Cmd.appendTo(appendInt(append(b, tagMCommit), m.Slot))
}

// AppendDigest implements sim.Message.
func (m Heartbeat) AppendDigest(b []byte) []byte {
	return appendInt(m.B.appendTo(append(b, tagHeartbeat)), m.Commit)
}

// AppendDigest implements sim.Message.
func (m CatchUp) AppendDigest(b []byte) []byte { return appendInt(append(b, tagCatchUp), m.From) }

// AppendDigest implements sim.Message.
func (m Request) AppendDigest(b []byte) []byte { return m.Cmd.appendTo(append(b, tagRequest)) }

// AppendDigest implements sim.Message.
func (m Reply) AppendDigest(b []byte) []byte {
	b = appendInt(append(b, tagReply), m.Seq)
	if m.OK {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = appendString(b, m.Output)
	return appendInt(b, int(m.Leader))
}

func (m MPrepare) String() string { return fmt.Sprintf("Prepare{%s from slot %d}", m.B, m.From) }
func (m MPromise) String() string {
	var es []string
	for _, e := range m.Entries {
		es = append(es, fmt.Sprintf("%d:%s:%s", e.Slot, e.B, e.Cmd))
	}
	return fmt.Sprintf("Promise{%s from slot %d accepted=[%s]}", m.B, m.From, strings.Join(es, " "))
}
func (m MAccept) String() string   { return fmt.Sprintf("Accept{%s slot %d %s}", m.B, m.Slot, m.Cmd) }
func (m MAccepted) String() string { return fmt.Sprintf("Accepted{%s slot %d}", m.B, m.Slot) }
func (m MNack) String() string     { return fmt.Sprintf("Nack{%s promised=%s}", m.B, m.Promised) }
func (m MCommit) String() string   { return fmt.Sprintf("Commit{slot %d %s}", m.Slot, m.Cmd) }
func (m Heartbeat) String() string { return fmt.Sprintf("Heartbeat{%s commit=%d}", m.B, m.Commit) }
func (m CatchUp) String() string   { return fmt.Sprintf("CatchUp{from slot %d}", m.From) }
func (m Request) String() string   { return fmt.Sprintf("Request{%s}", m.Cmd) }
func (m Reply) String() string {
	if !m.OK {
		return fmt.Sprintf("Reply{#%d not leader, try n%d}", m.Seq, m.Leader)
	}
	return fmt.Sprintf("Reply{#%d %q}", m.Seq, m.Output)
}

func (m MAccepts) String() string {
	return fmt.Sprintf("Accepts{%s slots %d..%d %s}", m.B, m.Slot, m.Slot+len(m.Cmds)-1, cmdList(m.Cmds))
}
func (m MAccepteds) String() string {
	return fmt.Sprintf("Accepteds{%s slots %d..%d}", m.B, m.Slot, m.Slot+m.N-1)
}
func (m MCommits) String() string {
	return fmt.Sprintf("Commits{slots %d..%d %s}", m.Slot, m.Slot+len(m.Cmds)-1, cmdList(m.Cmds))
}

// cmdList renders commands for a batch's text: "[c5#3 put x=5.3, noop]".
func cmdList(cs []Cmd) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, c := range cs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.String())
	}
	b.WriteByte(']')
	return b.String()
}
