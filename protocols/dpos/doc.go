// Package dpos is delegated proof of stake as BitShares introduced it and
// the course notes describe it: stakeholders vote with their stake, the N
// candidates with the most votes become delegates (21 by default; 101 in
// the notes' BitShares example), and the delegates take turns making
// blocks, one fixed slot each per round, round after round. A delegate
// that misses its slot is voted out at the end of the round and the best
// standby candidate takes its place. A block is final once 2/3+1 of the
// delegates have built on it (it or a block above it is theirs).
//
// Honest nodes follow the longest chain that keeps their last final block
// and forward every block they accept to all their neighbours. An honest
// delegate never builds on a chain that drops a block it made itself (the
// rule of BFT-DPoS): so two conflicting blocks can be final only if more
// than 2q−N of the delegates, for a quorum q, built on both, which only
// traitors do. With q = ⌊2N/3⌋+1 that takes more than a third of them.
//
// Traitor delegates (Scenario.Strategy):
//
//   - offline: the faults.Silent wrapper around an honest node; it misses
//     every slot and is voted out.
//   - equivocate: the traitors collude, signing two blocks for one slot
//     and showing one branch to some honest nodes and the other to the
//     rest; whether a traitor equivocates in a slot (or every traitor in
//     every later slot), which side each honest node sees, how late the
//     traitors send their own blocks, and how long the honest nodes'
//     messages across the split are held back (the
//     adversary of partial synchrony schedules the network; every message
//     still arrives) are environment draws, so a search shrinks them to
//     the few choices a split of both quorums takes.
//   - censor: the traitors leave out the transactions of one account (the
//     victim) and build only on chains that hold none of them.
//
// Blocks, gossip, the transaction stream and the measurements are package
// chain's, shared with proof of work, proof of stake and proof of elapsed
// time.
package dpos
