package registry_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/internal/registry"
)

type thing string

func (t thing) Name() string { return string(t) }

// Values come back by name and listings sorted whatever the order of
// registration; a second registration of a name panics with the
// registry's own words.
func TestRegistry(t *testing.T) {
	r := registry.New[thing]("test: thing")
	for _, n := range []string{"c", "a", "b"} {
		r.Register(thing(n))
	}
	v, ok := r.Lookup("b")
	require.True(t, ok)
	require.Equal(t, thing("b"), v)
	_, ok = r.Lookup("z")
	require.False(t, ok)
	require.Equal(t, []string{"a", "b", "c"}, r.Names())
	require.Equal(t, []thing{"a", "b", "c"}, r.All())
	require.PanicsWithValue(t, `test: thing "a" registered twice`, func() { r.Register(thing("a")) })
}
