package sim

import "unsafe"

// prefetch asks the processor to start loading the cache line at p without
// waiting for it. It changes no value, only how soon a later read is served.
//
//go:noescape
func prefetch(p unsafe.Pointer)

// prefetchLines is prefetch of the line at p and the one after it, for
// a node whose state spans more than one line.
//
//go:noescape
func prefetchLines(p unsafe.Pointer)
