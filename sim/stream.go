package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// SetupStream returns the random stream named name of a run with seed:
// what a scenario draws before the run starts (a random graph, the
// regions of its nodes, an election's order), apart from the
// environment's Choices and from every node's own stream.
//
// Set-up draws used to come from rand.NewPCG(seed, salt) with a private
// constant per package; a name says what the stream is for in the code
// that uses it, two names can only collide as 64-bit FNV hashes do, and
// the stream of one name never shifts when another part draws more.
func SetupStream(seed uint64, name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(mix64(seed), h.Sum64()))
}

// SetupChoices is SetupStream as Choices, for set-up code written against
// the Choices interface (the same drawing code then serves a search, whose
// Choices shrink, and a plain run, whose draws come from the named stream).
func SetupChoices(seed uint64, name string) *PCGChoices {
	return &PCGChoices{r: SetupStream(seed, name)}
}
