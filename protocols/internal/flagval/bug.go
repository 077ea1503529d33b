package flagval

import (
	"fmt"
	"strings"
)

// Bug is a --bug flag: the name of a teaching bug, read by Parse when the
// flag is parsed, so a misspelt bug is refused there, with the flag's
// name, rather than when the scenario is validated. It prints as the bug
// it holds ("" for the correct protocol, which pflag takes for "no
// default").
type Bug[T ~string] struct {
	Value *T
	Parse func(string) (T, error)
}

func (f Bug[T]) String() string {
	if f.Value == nil {
		return ""
	}
	return string(*f.Value)
}

// Type implements pflag.Value.
func (f Bug[T]) Type() string { return "name" }

// Set implements pflag.Value.
func (f Bug[T]) Set(v string) error {
	b, err := f.Parse(v)
	if err != nil {
		return err
	}
	*f.Value = b
	return nil
}

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
