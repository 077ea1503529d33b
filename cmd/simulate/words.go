package main

import (
	"fmt"
	"time"

	"simulate/sim"
)

// Words for people shared by the chain commands' tables.

// shortTime rounds a virtual duration for people.
func shortTime(t sim.Time) string {
	d := time.Duration(t)
	switch {
	case d >= time.Minute:
		d = d.Round(time.Second)
	case d >= time.Second:
		d = d.Round(10 * time.Millisecond)
	default:
		d = d.Round(time.Microsecond)
	}
	return d.String()
}

func sizeWords(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%d MB", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%d kB", n/1000)
	}
	return fmt.Sprintf("%d B", n)
}
