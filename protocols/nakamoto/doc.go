// Package nakamoto is proof-of-work consensus as Bitcoin runs it: miners
// with shares of the hash power find blocks as a Poisson process, blocks
// flood over a peer-to-peer graph whose links have latency and bandwidth
// (so block size matters), every node follows the chain with the most
// cumulative work, and forks, reorganisations and stale blocks happen
// exactly when propagation is slow compared with the block interval.
//
// Blocks are shared immutable values in one Store per run and are
// referenced by BlockID: a node holds only its tip, a bitset of the blocks
// it has seen and the orphans it is waiting to connect, so a run scales to
// thousands of miners without copying chains. The store, the peer's view,
// block gossip, the link model, the transaction stream and the
// measurements live in package chain, which proof of stake (pos), DPoS
// (dpos) and proof of elapsed time (poet) share, so all four run on the
// same network and are measured alike; this package keeps their names.
//
// Mining: each miner draws its next block time from its own ctx.Rand()
// exponential with rate share/interval and draws again whenever it switches
// to a new tip. Because the exponential is memoryless, restarting the draw
// changes nothing in distribution, and the miner that finds the next block
// is the one with probability share, as in the real hash race. In real
// proof-of-work mode (Scenario.RealPoW) the winner also searches nonces,
// hashing the block header with double SHA-256 until the hash is below a
// low target, so the leading zero bits can be seen; receivers check it.
//
// Transactions are a deterministic stream (one every 1/TxRate seconds,
// known to every miner when it arrives, as transaction gossip is fast next
// to blocks); a block takes the oldest transactions its chain does not
// hold, up to the block size. Because every chain includes a prefix of the
// stream, a reorganisation returns transactions to the pool by itself.
//
// Attackers are miners too: DoubleSpender races the honest chain from z
// blocks behind (whitepaper section 11; with a majority of the hash power
// it is the 51 % attacker), and Selfish is Eyal and Sirer's selfish miner.
//
// The network can be attacked and broken too. A Split partitions the
// miners for a while: both sides mine on (the AP side of CAP), and at the
// heal each node asks its neighbours across the cut for the blocks it
// missed (a block locator, as Bitcoin's getheaders), so the lighter side
// reorganises; PartitionStats counts what that threw away. An Eclipse
// attacker holds all of one victim's connections and passes everything on
// late, so the victim wastes its hash power on stale tips and trusts
// confirmations the network has overtaken. Regions give the network a
// geography (SimBlockScenario is SimBlock's Bitcoin benchmark).
package nakamoto
