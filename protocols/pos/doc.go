// Package pos is proof of stake on a longest-chain rule, as Ouroboros
// Praos runs it: time is divided into slots, and in each slot every
// validator wins the right to make a block independently with probability
//
//	φ(s) = 1 − (1 − f)^s
//
// for its stake share s and the active-slot coefficient f. The draw comes
// from the validator's own seeded stream (standing in for Praos's
// verifiable random function, whose proofs a shared oracle checks), so a
// run replays. Most slots are empty; a slot with several winners makes a
// fork, resolved like proof of work's by the longest chain. φ is concave
// and φ(s₁+s₂) = 1 − (1−φ(s₁))(1−φ(s₂)): splitting stake over many
// validators does not raise the chance of winning a slot.
//
// Blocks, gossip, the transaction stream and the measurements are package
// chain's, shared with proof of work (package nakamoto), so the two run on
// the same network and are measured the same way.
//
// Three variants make the course notes' points:
//
//   - Nothing at stake: a validator that wins a slot may sign a block on
//     every fork tip, because signing costs nothing; with Lottery "work"
//     the same validator must split its chance across the tips, as a
//     proof-of-work miner splits its hash power. Forks then persist far
//     longer under stake than under work.
//   - Coin age (Peercoin, the notes' 币龄): a validator's weight is coins ×
//     days held since its last block; minting consumes it and pays yearly
//     interest on it (3,000 coin-days at 5 % give 0.41 coins).
//   - Race: a stake-majority attacker (the 51 % attack of proof of stake)
//     reverses a merchant's confirmed payment with a private chain.
package pos
