package prefetch

import "unsafe"

// Line starts loading the cache line at p without waiting for it.
//
//go:noescape
func Line(p unsafe.Pointer)

// Lines starts loading the cache line at p and the one after it, for
// state that spans more than one line (the kernel's node state).
//
//go:noescape
func Lines(p unsafe.Pointer)

// Four starts loading the four cache lines at a, b, c and d: one call
// where four would each pay its cost (an assembly function is never
// inlined).
//
//go:noescape
func Four(a, b, c, d unsafe.Pointer)
