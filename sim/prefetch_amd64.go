package sim

import "unsafe"

// prefetch asks the processor to start loading the cache line at p without
// waiting for it. It changes no value, only how soon a later read is served.
//
//go:noescape
func prefetch(p unsafe.Pointer)
