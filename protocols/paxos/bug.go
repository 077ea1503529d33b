package paxos

import "simulate/protocols/internal/flagval"

// Bug is a teaching bug switch: a realistic mistake planted in the protocol
// so that property-based search can show what it breaks. The zero Bug is
// the correct protocol.
type Bug string

// The teaching bugs.
const (
	// NoAdopt: the proposer proposes its own value even when a promise
	// reports a previously accepted one, which can overwrite a value that
	// was already chosen.
	NoAdopt Bug = "no-adopt"
	// VolatileAcceptor: the acceptor keeps its promise and accepted value
	// only in memory, so a crash and restart makes it forget them.
	VolatileAcceptor Bug = "volatile-acceptor"
	// SmallQuorum: quorums of ⌊n/2⌋ instead of ⌊n/2⌋+1, so two quorums need
	// not intersect.
	SmallQuorum Bug = "small-quorum"
	// EagerLearner: a learner decides on the first Accepted it sees, before a
	// quorum has accepted the value.
	EagerLearner Bug = "eager-learner"
)

// BugInfo names and explains one teaching bug.
type BugInfo struct {
	Name Bug
	What string
	// Needs names, with the flags that give it, what a run must have for
	// the bug to show; "" when the switch alone is enough.
	Needs string
}

// Bugs lists the teaching bugs in a stable order (for --list-bugs).
var Bugs = []BugInfo{
	{NoAdopt, "proposer ignores the highest accepted value reported in its promises", ""},
	{VolatileAcceptor, "acceptor keeps its promise in memory only, lost on restart",
		"crash-restarts: --crash NODE@AT..RESTART for a run; check paxos draws them (--crashes 6 draws more)"},
	{SmallQuorum, "quorum of ⌊n/2⌋ instead of ⌊n/2⌋+1", ""},
	{EagerLearner, "learner decides on the first Accepted it sees", ""},
}

// ParseBug reads a bug name; "" and "none" are the correct protocol.
func ParseBug(s string) (Bug, error) {
	return flagval.ParseBug(s, Bugs, func(b BugInfo) Bug { return b.Name })
}

// Quorum is the quorum size the protocol uses for n acceptors: ⌊n/2⌋+1, or
// ⌊n/2⌋ (at least 1) with the SmallQuorum bug.
func Quorum(n int, bug Bug) int {
	if bug == SmallQuorum {
		return max(n/2, 1)
	}
	return n/2 + 1
}
