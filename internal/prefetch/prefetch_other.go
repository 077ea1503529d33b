//go:build !amd64

package prefetch

import "unsafe"

// Line is a no-op where there is no prefetch instruction to issue.
func Line(unsafe.Pointer) {}
