package chain

import "simulate/sim"

// FormatSchedule writes recorded environment draws in sim's one schedule
// form, "index=value,..." for the non-boring draws.
func FormatSchedule(values []int) string { return sim.FormatSchedule(values) }

// ParseSchedule reads sim's schedule form (unlisted draws are 0).
func ParseSchedule(s string) ([]int, error) { return sim.ParseSchedule(s) }
