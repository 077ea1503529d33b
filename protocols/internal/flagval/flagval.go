// Package flagval holds the pflag values that several protocols' command
// lines share, so that a repeatable flag parses and prints the same way in
// each of them.
package flagval

import (
	"fmt"
	"strings"
)

// List is a repeatable flag whose values are also comma-separated: each
// part is parsed with Parse and appended to Items. Its value prints as the
// comma-separated list that Set reads back, so a printed replay command
// recreates the same list. The zero List prints as "", which pflag takes
// for "no default".
type List[T fmt.Stringer] struct {
	Items *[]T
	Parse func(string) (T, error)
	// Kind names the value in usage text ("crash").
	Kind string
}

func (f List[T]) String() string {
	if f.Items == nil {
		return ""
	}
	parts := make([]string, len(*f.Items))
	for i, c := range *f.Items {
		parts[i] = c.String()
	}
	return strings.Join(parts, ",")
}

// Type implements pflag.Value.
func (f List[T]) Type() string { return f.Kind }

// Set implements pflag.Value: it parses every comma-separated part, and
// stops at the first that does not parse.
func (f List[T]) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		c, err := f.Parse(part)
		if err != nil {
			return err
		}
		*f.Items = append(*f.Items, c)
	}
	return nil
}

// Choice is a flag holding one name of a closed set (an algorithm, a mode,
// a strategy, a teaching bug), read by Parse when the flag is parsed, so
// a misspelt name is refused there, with the flag's name, rather than when
// the scenario is validated. It prints as the name it holds. Kind names
// the value in usage text ("mode"); "" is "name".
type Choice[T ~string] struct {
	Value *T
	Parse func(string) (T, error)
	Kind  string
}

func (f Choice[T]) String() string {
	if f.Value == nil {
		return ""
	}
	return string(*f.Value)
}

// Type implements pflag.Value.
func (f Choice[T]) Type() string {
	if f.Kind == "" {
		return "name"
	}
	return f.Kind
}

// Set implements pflag.Value.
func (f Choice[T]) Set(v string) error {
	c, err := f.Parse(v)
	if err != nil {
		return err
	}
	*f.Value = c
	return nil
}

// Optional is a flag whose unset value is nil rather than a zero that
// means something (round 0, a default order): Set parses the value with
// Parse and points Value at it; it prints with Format, and as "" while
// unset, which pflag takes for "no default". Kind names the value in usage
// text ("int").
type Optional[T any] struct {
	Value  **T
	Parse  func(string) (T, error)
	Format func(T) string
	Kind   string
}

func (f Optional[T]) String() string {
	if f.Value == nil || *f.Value == nil {
		return ""
	}
	return f.Format(**f.Value)
}

// Type implements pflag.Value.
func (f Optional[T]) Type() string { return f.Kind }

// Set implements pflag.Value.
func (f Optional[T]) Set(v string) error {
	x, err := f.Parse(v)
	if err != nil {
		return err
	}
	*f.Value = &x
	return nil
}
