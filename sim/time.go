package sim

import (
	"fmt"
	"strconv"
	"strings"
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

// ParseTime reads a duration such as "250ms", "10s" or "1h30m"
// (time.ParseDuration's syntax), a whole number of days such as "30d", or a
// bare integer number of nanoseconds.
func ParseTime(s string) (Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Time(n), nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 64)
		if err != nil || n < 0 || n > int64(Never/(24*Hour)) {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return Time(n) * 24 * Hour, nil
	}
	d, err := time.ParseDuration(s)
	return Time(d), err
}
