package raft

import (
	"simulate/protocols/internal/kvclient"
	"simulate/sim"
)

// ClientParams configures a key-value client (kvclient.Params): Retry is
// how soon the client tries another replica when the one it asked knows no
// leader, which in Raft means an election is on; 0 waits for Timeout.
type ClientParams = kvclient.Params

// Client issues gets and puts one at a time, each under a new sequence
// number, and records each invocation and response (check.ObsInvoke and
// check.ObsReturn). It follows "not leader" hints, and on a timeout
// retries the same command (same sequence number) at the next replica, so
// the store must deduplicate it (§8). It is the client Multi-Paxos's store
// has too (kvclient.Client), speaking Raft's Request and Reply.
type Client = kvclient.Client

// NewClient returns a key-value client.
func NewClient(p ClientParams) *Client {
	return kvclient.New(p, func(c kvclient.Cmd) sim.Message { return Request{Cmd: Cmd(c)} })
}
