// Package registry is the table of named things that a package lets
// others register at init and look up by name: the protocols of package
// scenario and the experiments of package experiment. Both kept the same
// lock, map, duplicate check and sorted listing; one copy here keeps
// their rules (a name registered twice panics, listings come sorted by
// name, never in map order) the same.
package registry

import (
	"fmt"
	"sort"
	"sync"
)

// Named is what a registry holds: anything that says its name.
type Named interface{ Name() string }

// Registry holds values of type T by name. It is safe for concurrent use.
type Registry[T Named] struct {
	what   string
	mu     sync.Mutex
	byName map[string]T
}

// New returns an empty registry whose duplicate-name panic begins with
// what ("scenario: protocol" gives `scenario: protocol "x" registered
// twice`).
func New[T Named](what string) *Registry[T] {
	return &Registry[T]{what: what, byName: map[string]T{}}
}

// Register adds v under v.Name(). Registering a name twice is a
// programming error and panics.
func (r *Registry[T]) Register(v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	name := v.Name()
	if _, dup := r.byName[name]; dup {
		panic(fmt.Sprintf("%s %q registered twice", r.what, name))
	}
	r.byName[name] = v
}

// Lookup returns the value registered as name.
func (r *Registry[T]) Lookup(name string) (T, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.byName[name]
	return v, ok
}

// Names lists the registered names, sorted, so that no listing depends on
// map order.
func (r *Registry[T]) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.byName))
	for n := range r.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// All lists the registered values sorted by name.
func (r *Registry[T]) All() []T {
	names := r.Names()
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]T, len(names))
	for i, n := range names {
		out[i] = r.byName[n]
	}
	return out
}
