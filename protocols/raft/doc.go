// Package raft is a teaching implementation of Raft (Diego Ongaro and John
// Ousterhout, "In Search of an Understandable Consensus Algorithm", USENIX
// ATC 2014) as pure sim.Node state machines: leader election with
// randomized timeouts (§5.2), log replication with the consistency check
// and conflict truncation (§5.3), the election restriction (§5.4.1), the
// commit rule that counts replicas only for entries of the leader's own
// term (§5.4.2, Figure 8), durable currentTerm, votedFor and log across
// crash-restart (Figure 2), and a key-value state machine whose clients
// retry and are deduplicated by client id and sequence number (§8).
//
// Teaching bugs (Bugs) plant the classic mistakes; the properties (Check
// and the exported checkers) are the paper's Figure 3 guarantees plus
// linearizability of the clients' history and liveness after GST.
//
// Unlike the paper's §8, a new leader does not append a no-op: reads go
// through the log here, so the no-op is not needed for linearizability,
// and leaving it out is what lets the Figure 8 bug (CommitOldTerm) bite.
package raft
