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
