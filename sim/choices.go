package sim

import "math/rand/v2"

// Choices is the environment's only source of nondeterminism: network
// delays, drops, duplicates, fault timing and traitor choices all come from
// here. Intn returns a value in [0, n); 0 must always be the boring outcome,
// so that shrinking toward 0 removes faults. The label names the decision for
// recording and for rapid's shrink output; it must not influence the value.
type Choices interface {
	Intn(label string, n int) int
}

// PCGChoices draws from a seeded PCG stream: the driver of ordinary runs and
// sweeps.
type PCGChoices struct{ r *rand.Rand }

// NewPCGChoices returns Choices seeded with seed. The stream is independent of
// the nodes' own streams derived from the same seed.
func NewPCGChoices(seed uint64) *PCGChoices {
	return &PCGChoices{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
}

// Intn implements Choices.
func (c *PCGChoices) Intn(_ string, n int) int {
	if n <= 1 {
		return 0
	}
	return c.r.IntN(n)
}

// Choice is one recorded draw.
type Choice struct {
	Label string `json:"label"`
	N     int    `json:"n"`
	Value int    `json:"value"`
}

// Recorder wraps Choices and remembers every draw, so a run driven by any
// source (PCG, rapid) can be replayed from the list alone.
type Recorder struct {
	Inner Choices
	Log   []Choice
}

// Intn implements Choices.
func (r *Recorder) Intn(label string, n int) int {
	v := r.Inner.Intn(label, n)
	r.Log = append(r.Log, Choice{Label: label, N: n, Value: v})
	return v
}

// ReplayChoices replays a recorded list of values in order. Once the list is
// exhausted every draw is 0, the boring outcome, so a shortened list still
// describes a valid (calmer) run. Values out of range for a draw are clamped.
type ReplayChoices struct {
	Values []int
	next   int
}

// Intn implements Choices.
func (r *ReplayChoices) Intn(_ string, n int) int {
	if r.next >= len(r.Values) || n <= 1 {
		r.next++
		return 0
	}
	v := r.Values[r.next]
	r.next++
	if v < 0 {
		return 0
	}
	if v >= n {
		return n - 1
	}
	return v
}

// Boring is Choices that always draws 0: the calm network of the textbook.
type Boring struct{}

// Intn implements Choices.
func (Boring) Intn(string, int) int { return 0 }

// nodeStream derives node id's private random stream from the seed. It is a
// different stream from the environment's, so a protocol's coin flips do not
// shift when the network draws more or fewer choices.
func nodeStream(seed uint64, id NodeID) *rand.PCG {
	return rand.NewPCG(seed^0x5851f42d4c957f2d, uint64(id)*0x14057b7ef767814f+1)
}

// Labelled reports whether c reads the labels of its draws. The seeded PCG
// and Boring ignore them, so a model on the hot path may pass "" instead of
// building a label string per draw; a recorder or rapid needs them.
func Labelled(c Choices) bool {
	switch c.(type) {
	case *PCGChoices, Boring:
		return false
	}
	return true
}
