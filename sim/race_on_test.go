//go:build race

package sim

// raceEnabled: the race detector slows the queue's long randomized
// check some fifteenfold, and the kernel has no goroutines for it to
// watch there, so that check runs fewer seeds under it.
const raceEnabled = true
