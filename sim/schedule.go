package sim

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxScheduleIndex bounds the index of a draw in a written schedule, so a
// typed or corrupted schedule cannot make a reader allocate gigabytes.
const MaxScheduleIndex = 10_000_000

// FormatSchedule writes recorded environment draws as "index=value,...",
// listing only the non-boring ones: the one schedule form that `check`
// prints, `--schedule` flags read and trace headers may carry.
func FormatSchedule(values []int) string {
	var b []byte
	for i, v := range values {
		if v == 0 {
			continue
		}
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, '=')
		b = strconv.AppendInt(b, int64(v), 10)
	}
	return string(b)
}

// ParseSchedule reads FormatSchedule's form back into a list of draw
// values (unlisted draws are 0). Each index may appear once.
func ParseSchedule(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []int
	seen := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		i, err1 := strconv.Atoi(k)
		val, err2 := strconv.Atoi(v)
		if !ok || err1 != nil || err2 != nil || i < 0 || val < 0 {
			return nil, fmt.Errorf("schedule entry %q: want index=value with non-negative integers", part)
		}
		if i > MaxScheduleIndex {
			return nil, fmt.Errorf("schedule entry %q: index above the limit of %d", part, MaxScheduleIndex)
		}
		if seen[i] {
			return nil, fmt.Errorf("schedule entry %q: draw %d is given twice", part, i)
		}
		seen[i] = true
		for len(out) <= i {
			out = append(out, 0)
		}
		out[i] = val
	}
	return out, nil
}
