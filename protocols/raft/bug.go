package raft

import "simulate/protocols/internal/flagval"

// Bug is a teaching bug switch: a classic Raft mistake planted so that the
// search can show what it breaks. The zero Bug is correct Raft.
type Bug string

// The teaching bugs.
const (
	// CommitOldTerm: the leader commits any entry a majority stores,
	// including entries of earlier terms — the paper's Figure 8 (§5.4.2).
	CommitOldTerm Bug = "commit-old-term"
	// VolatileVote: votedFor lives in memory only, so a node that restarts
	// can vote twice in one term and two leaders share it (Figure 2 says
	// votedFor is persistent state).
	VolatileVote Bug = "volatile-vote"
	// NoLogCheck: a vote is granted without the election restriction, so
	// a candidate missing committed entries can win (§5.4.1).
	NoLogCheck Bug = "no-log-check"
	// StaleTruncate: a follower truncates its log after the entries of
	// every AppendEntries, even a stale or reordered one, and so drops
	// entries it already acknowledged (§5.3 truncates only on a conflict).
	StaleTruncate Bug = "stale-truncate"
)

// BugInfo describes one teaching bug.
type BugInfo struct {
	Name Bug    `json:"name"`
	What string `json:"what"`
	// Needs names the faults the search must draw to expose the bug.
	Needs string `json:"needs"`
}

// Bugs lists the teaching bugs in a stable order (for --list-bugs).
func Bugs() []BugInfo {
	return []BugInfo{
		{CommitOldTerm, "leader commits an entry of an earlier term by counting replicas (Figure 8)", "three leaders crashed in turn, each right after a log write (rolling leader crashes)"},
		{VolatileVote, "votedFor is not persisted: a restarted node votes twice, two leaders in one term", "a voter's crash-restart during an election"},
		{NoLogCheck, "votes are granted without the log up-to-date check (§5.4.1)", "a leader change while a node lags behind (a partition)"},
		{StaleTruncate, "a follower truncates its log on a stale AppendEntries, dropping acknowledged entries", "reordered AppendEntries: message delays alone"},
	}
}

// ParseBug reads a bug name; "" and "none" are correct Raft.
func ParseBug(s string) (Bug, error) {
	return flagval.ParseBug(s, Bugs(), func(b BugInfo) Bug { return b.Name })
}
