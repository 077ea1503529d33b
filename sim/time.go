package sim

import (
	"strconv"
	"time"
)

// Time is virtual time in nanoseconds since the run started. It never comes
// from the wall clock.
type Time int64

// Units of virtual time.
const (
	Nanosecond  Time = 1
	Microsecond      = 1000 * Nanosecond
	Millisecond      = 1000 * Microsecond
	Second           = 1000 * Millisecond
	Minute           = 60 * Second
	Hour             = 60 * Minute
)

// Never is a time after every event of any run.
const Never Time = 1<<63 - 1

// String renders the time the way time.Duration does ("1.5ms", "2m0s").
func (t Time) String() string {
	if t == Never {
		return "never"
	}
	return time.Duration(t).String()
}

// Seconds returns the time as a floating-point number of seconds.
func (t Time) Seconds() float64 { return float64(t) / float64(Second) }

// ParseTime reads a duration such as "250ms" or "10s" (time.ParseDuration's
// syntax) or a bare integer number of nanoseconds.
func ParseTime(s string) (Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Time(n), nil
	}
	d, err := time.ParseDuration(s)
	return Time(d), err
}
