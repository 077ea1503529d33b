//go:build !amd64

package prefetch

import "unsafe"

// Line is a no-op where there is no prefetch instruction to issue: it only
// ever changes speed, never a value.
func Line(unsafe.Pointer) {}

// Lines is Line for two lines.
func Lines(unsafe.Pointer) {}

// Four is Line for four lines.
func Four(a, b, c, d unsafe.Pointer) {}
