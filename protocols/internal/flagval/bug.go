package flagval

import (
	"fmt"
	"strings"
)

// Bug is a --bug flag: a Choice among a protocol's teaching bugs. It
// prints as the bug it holds ("" for the correct protocol, which pflag
// takes for "no default").
type Bug[T ~string] = Choice[T]

// ParseBug reads a teaching bug's name among those of known (name gives
// each one's): "" and "none" are the correct protocol, and an unknown name
// is refused with the list of known ones.
func ParseBug[T ~string, I any](s string, known []I, name func(I) T) (T, error) {
	if s == "" || s == "none" {
		return "", nil
	}
	var names []string
	for _, b := range known {
		if string(name(b)) == s {
			return name(b), nil
		}
		names = append(names, string(name(b)))
	}
	return "", fmt.Errorf("unknown bug %q (known: %s)", s, strings.Join(names, ", "))
}
