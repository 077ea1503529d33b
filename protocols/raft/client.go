package raft

import (
	"simulate/check"
	"simulate/protocols/internal/kvclient"
	"simulate/sim"
)

// Observation kinds of clients: an operation's invocation and its
// response, with the client's sequence number as the slot. They make the
// history the linearizability checker reads.
const (
	ObsInvoke = check.ObsInvoke
	ObsReturn = check.ObsReturn
)

// ClientParams configures a key-value client (kvclient.Params): Retry is
// how soon the client tries another replica when the one it asked knows no
// leader, which in Raft means an election is on; 0 waits for Timeout.
type ClientParams = kvclient.Params

// Client issues gets and puts one at a time, each under a new sequence
// number. It follows "not leader" hints, and on a timeout retries the same
// command (same sequence number) at the next replica, so the store must
// deduplicate it (§8). It is the client Multi-Paxos's store has too
// (kvclient.Client), speaking Raft's Request and Reply.
type Client = kvclient.Client

// NewClient returns a key-value client.
func NewClient(p ClientParams) *Client {
	return kvclient.New(p, func(op kvclient.Op) sim.Message { return Request{Cmd: Cmd(op)} })
}

// ClientReply implements kvclient.Answer.
func (m Reply) ClientReply() kvclient.Reply {
	return kvclient.Reply{Seq: m.Seq, OK: m.OK, Leader: m.Leader, Output: m.Output}
}
