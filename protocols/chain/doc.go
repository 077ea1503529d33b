// Package chain is what every blockchain protocol of the simulator shares:
// immutable blocks in one Store per run, referenced by BlockID; a peer's
// partial view of the block tree (the blocks it has seen and the orphans
// waiting for their parent); block gossip over a peer-to-peer graph whose
// links have latency and bandwidth; the transaction stream blocks take
// their contents from; and the measurements a run is judged by
// (reorganisations, propagation, the common-prefix property, confirmation
// latency, who produced the main chain and how fairly).
//
// Proof of work (package nakamoto), proof of stake (pos), delegated proof
// of stake (dpos) and proof of elapsed time (poet) differ only in who may
// make the next block and when; everything else is this package, so the
// four run on the same network and are measured the same way.
package chain
