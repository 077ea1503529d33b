//go:build !amd64

package sim

import "unsafe"

// prefetch is a no-op where the kernel has no prefetch instruction to issue:
// it only ever changes speed, never a value.
func prefetch(unsafe.Pointer) {}

func prefetchLines(unsafe.Pointer) {}
