package raft

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"simulate/protocols/internal/kvclient"
	"simulate/sim"
)

// Command kinds of the key-value store.
const (
	CmdGet = "get"
	CmdPut = "put"
	// CmdNoop is an entry that carries no command, such as the empty entry
	// an etcd raft leader appends when it takes office (§8).
	CmdNoop = "noop"
)

// Cmd is a client's operation. (Client, Seq) names it, so a retried
// command that reaches the log twice is applied once (§8). Its fields are
// the key-value client's (kvclient.Cmd).
type Cmd kvclient.Cmd

// Op renders the operation without its origin: "put x=5.3" or "get x".
func (c Cmd) Op() string {
	if c.Kind == CmdPut {
		return "put " + c.Key + "=" + c.Value
	}
	return "get " + c.Key
}

// String renders c as "c5#3 put x=5.3".
func (c Cmd) String() string {
	return "c" + strconv.Itoa(int(c.Client)) + "#" + strconv.Itoa(c.Seq) + " " + c.Op()
}

func (c Cmd) appendDigest(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(c.Client))
	b = binary.BigEndian.AppendUint32(b, uint32(c.Seq))
	b = appendString(b, c.Kind)
	b = appendString(b, c.Key)
	return appendString(b, c.Value)
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// Entry is one log entry: a command and the term in which a leader
// received it (§5.3).
type Entry struct {
	Term int64 `json:"term"`
	Cmd  Cmd   `json:"cmd"`
}

// String renders e as "t3 c5#1 put x=5.1" (or "t3 noop"), the value of
// apply observations.
func (e Entry) String() string {
	if e.Cmd.Kind == CmdNoop {
		return "t" + strconv.FormatInt(e.Term, 10) + " " + CmdNoop
	}
	return "t" + strconv.FormatInt(e.Term, 10) + " " + e.Cmd.String()
}

// parseEntry reads Entry.String back.
func parseEntry(s string) (Entry, error) {
	if t, ok := strings.CutSuffix(s, " "+CmdNoop); ok && strings.HasPrefix(t, "t") {
		term, err := strconv.ParseInt(t[1:], 10, 64)
		if err != nil {
			return Entry{}, fmt.Errorf("bad entry %q", s)
		}
		return Entry{Term: term, Cmd: Cmd{Kind: CmdNoop}}, nil
	}
	f := strings.SplitN(s, " ", 4)
	if len(f) < 4 || !strings.HasPrefix(f[0], "t") || !strings.HasPrefix(f[1], "c") {
		return Entry{}, fmt.Errorf("bad entry %q", s)
	}
	term, err := strconv.ParseInt(f[0][1:], 10, 64)
	if err != nil {
		return Entry{}, fmt.Errorf("bad entry %q", s)
	}
	cs, seqs, ok := strings.Cut(f[1][1:], "#")
	client, err1 := strconv.Atoi(cs)
	seq, err2 := strconv.Atoi(seqs)
	if !ok || err1 != nil || err2 != nil {
		return Entry{}, fmt.Errorf("bad entry %q", s)
	}
	cmd := Cmd{Client: sim.NodeID(client), Seq: seq, Kind: f[2]}
	if cmd.Kind == CmdPut {
		cmd.Key, cmd.Value, _ = strings.Cut(f[3], "=")
	} else {
		cmd.Key = f[3]
	}
	return Entry{Term: term, Cmd: cmd}, nil
}

// RequestVote asks for a vote in Term (§5.2), with the candidate's last
// log position for the election restriction (§5.4.1).
type RequestVote struct {
	Term      int64
	Candidate sim.NodeID
	LastIndex int
	LastTerm  int64
}

// AppendDigest implements sim.Message.
func (m RequestVote) AppendDigest(b []byte) []byte {
	return appendClaim(append(b, 'V'), m.Term, m.Candidate, m.LastIndex, m.LastTerm)
}

// appendClaim appends what a candidate's RequestVote and a leader's
// AppendEntries both open with after their tag: the sender's term and id,
// then a log position, index and term (the candidate's last entry, the
// entry before the leader's new ones).
func appendClaim(b []byte, term int64, from sim.NodeID, index int, indexTerm int64) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(term))
	b = binary.BigEndian.AppendUint32(b, uint32(from))
	b = binary.BigEndian.AppendUint32(b, uint32(index))
	return binary.BigEndian.AppendUint64(b, uint64(indexTerm))
}

func (m RequestVote) String() string {
	return fmt.Sprintf("RequestVote{t%d n%d last=%d/t%d}", m.Term, m.Candidate, m.LastIndex, m.LastTerm)
}

// Vote answers a RequestVote.
type Vote struct {
	Term    int64
	Granted bool
}

// AppendDigest implements sim.Message.
func (m Vote) AppendDigest(b []byte) []byte {
	b = append(b, 'v')
	b = binary.BigEndian.AppendUint64(b, uint64(m.Term))
	return append(b, boolByte(m.Granted))
}

func (m Vote) String() string { return fmt.Sprintf("Vote{t%d granted=%v}", m.Term, m.Granted) }

// AppendEntries replicates Entries after (PrevIndex, PrevTerm) and carries
// the leader's commit index; with no entries it is a heartbeat (§5.3).
type AppendEntries struct {
	Term      int64
	Leader    sim.NodeID
	PrevIndex int
	PrevTerm  int64
	Entries   []Entry
	Commit    int
}

// AppendDigest implements sim.Message.
func (m AppendEntries) AppendDigest(b []byte) []byte {
	b = appendClaim(append(b, 'A'), m.Term, m.Leader, m.PrevIndex, m.PrevTerm)
	b = binary.BigEndian.AppendUint32(b, uint32(m.Commit))
	b = binary.BigEndian.AppendUint32(b, uint32(len(m.Entries)))
	for _, e := range m.Entries {
		b = binary.BigEndian.AppendUint64(b, uint64(e.Term))
		b = e.Cmd.appendDigest(b)
	}
	return b
}

func (m AppendEntries) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "AppendEntries{t%d n%d prev=%d/t%d commit=%d", m.Term, m.Leader, m.PrevIndex, m.PrevTerm, m.Commit)
	for i, e := range m.Entries {
		fmt.Fprintf(&b, " [%d]%s", m.PrevIndex+1+i, e)
	}
	b.WriteByte('}')
	return b.String()
}

// AppendReply answers an AppendEntries. On success Match is the index of
// the last entry the follower now knows to match the leader's; on failure
// it is the follower's last index, a hint for the leader's next try.
type AppendReply struct {
	Term    int64
	Success bool
	Match   int
}

// AppendDigest implements sim.Message.
func (m AppendReply) AppendDigest(b []byte) []byte {
	b = append(b, 'a')
	b = binary.BigEndian.AppendUint64(b, uint64(m.Term))
	b = append(b, boolByte(m.Success))
	return binary.BigEndian.AppendUint32(b, uint32(m.Match))
}

func (m AppendReply) String() string {
	return fmt.Sprintf("AppendReply{t%d ok=%v match=%d}", m.Term, m.Success, m.Match)
}

// Request is a client's command, sent to the replica it believes leads.
type Request struct{ Cmd Cmd }

// AppendDigest implements sim.Message.
func (m Request) AppendDigest(b []byte) []byte { return m.Cmd.appendDigest(append(b, 'R')) }

func (m Request) String() string { return "Request{" + m.Cmd.String() + "}" }

// Reply answers a Request: the output once the command is applied, or
// OK false with the replica's idea of the leader (-1: none). Its fields
// are what the key-value client reads (kvclient.Reply).
type Reply kvclient.Reply

// ClientReply implements kvclient.Answer: a Reply is what the client reads.
func (m Reply) ClientReply() kvclient.Reply { return kvclient.Reply(m) }

// AppendDigest implements sim.Message.
func (m Reply) AppendDigest(b []byte) []byte {
	b = append(b, 'r')
	b = binary.BigEndian.AppendUint32(b, uint32(m.Seq))
	b = append(b, boolByte(m.OK))
	b = binary.BigEndian.AppendUint32(b, uint32(m.Leader))
	return appendString(b, m.Output)
}

func (m Reply) String() string {
	if m.OK {
		return fmt.Sprintf("Reply{#%d %q}", m.Seq, m.Output)
	}
	if m.Leader < 0 {
		return fmt.Sprintf("Reply{#%d not leader, no leader known}", m.Seq)
	}
	return fmt.Sprintf("Reply{#%d not leader, try n%d}", m.Seq, m.Leader)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// ParseEntry reads an entry as Entry.String writes it (the value of an
// apply observation).
func ParseEntry(s string) (Entry, error) { return parseEntry(s) }
