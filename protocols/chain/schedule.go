package chain

import (
	"fmt"
	"strings"
)

// FormatSchedule writes recorded environment draws as "index=value,..."
// listing only the non-boring ones: the form the `simulate check` commands
// print and the protocols' --schedule flags read.
func FormatSchedule(values []int) string {
	var b []byte
	for i, v := range values {
		if v == 0 {
			continue
		}
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, "%d=%d", i, v)
	}
	return string(b)
}

// ParseSchedule reads FormatSchedule's form back into a list of draws
// (unlisted draws are 0).
func ParseSchedule(s string) ([]int, error) {
	var out []int
	if s == "" {
		return nil, nil
	}
	seen := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		var i, v int
		if _, err := fmt.Sscanf(part, "%d=%d", &i, &v); err != nil || i < 0 || v < 0 || i > 10_000_000 {
			return nil, fmt.Errorf("schedule entry %q: want index=value with non-negative integers", part)
		}
		if seen[i] {
			return nil, fmt.Errorf("schedule entry %q: index %d is given twice", part, i)
		}
		seen[i] = true
		for len(out) <= i {
			out = append(out, 0)
		}
		out[i] = v
	}
	return out, nil
}
