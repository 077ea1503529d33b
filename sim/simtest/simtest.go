// Package simtest connects the sim kernel to pgregory.net/rapid, the way
// net/http/httptest connects net/http to tests: a sim.Choices backed by a
// *rapid.T so that every environment draw is a labelled rapid draw that
// shrinks toward 0 (the boring case), and helpers to run a world under a
// property and report the shrunk schedule in words.
package simtest

import (
	"fmt"
	"strings"

	"pgregory.net/rapid"

	"simulate/sim"
)

// Choices returns sim.Choices that draw from t. Each draw is
// rapid.IntRange(0, n-1).Draw(t, label); rapid shrinks it toward 0, which
// removes delays, drops and faults that the failure does not need.
func Choices(t *rapid.T) sim.Choices { return &rapidChoices{t: t} }

type rapidChoices struct{ t *rapid.T }

func (c *rapidChoices) Intn(label string, n int) int {
	if n <= 1 {
		return 0
	}
	return rapid.IntRange(0, n-1).Draw(c.t, label)
}

// Run is the outcome of RunWorld: the result, the recorded environment
// draws (enough to replay the run) and the full event log.
type Run struct {
	Result  sim.Result
	Choices []sim.Choice
	Log     *sim.Log
}

// NonZero counts the draws that were not the boring 0: after shrinking it
// is the number of environment decisions the failure needs.
func (r Run) NonZero() int {
	n := 0
	for _, c := range r.Choices {
		if c.Value != 0 {
			n++
		}
	}
	return n
}

// Schedule lists the non-boring draws in words, e.g. "delay n0->n2 = 3".
func (r Run) Schedule() string {
	var b strings.Builder
	for i, c := range r.Choices {
		if c.Value != 0 {
			fmt.Fprintf(&b, "  draw %d: %s = %d (of %d)\n", i, c.Label, c.Value, c.N)
		}
	}
	if b.Len() == 0 {
		return "  (every draw boring: the calm network)\n"
	}
	return b.String()
}

// Values returns the recorded draw values, for sim.ReplayChoices.
func (r Run) Values() []int {
	v := make([]int, len(r.Choices))
	for i, c := range r.Choices {
		v[i] = c.Value
	}
	return v
}

// RunWorld runs cfg with its Choices drawn from t, recording every draw and
// every event. setup, if not nil, schedules environment events on the world
// (faults) before it runs.
func RunWorld(t *rapid.T, cfg sim.Config, setup func(w *sim.World)) Run {
	rec := &sim.Recorder{Inner: Choices(t)}
	log := &sim.Log{}
	cfg.Choices = rec
	cfg.Tracer = log
	w := sim.New(cfg)
	if setup != nil {
		setup(w)
	}
	res := w.Run()
	return Run{Result: res, Choices: rec.Log, Log: log}
}

// Fail reports a property violation with the schedule and the trace in
// words, then fails t. Rapid prints the report of the smallest failing run
// it found, so the text a person reads is the shrunk counterexample.
func Fail(t *rapid.T, run Run, format string, args ...any) {
	t.Fatalf("%s\nschedule (non-boring draws):\n%s\ntrace:\n%s", fmt.Sprintf(format, args...), run.Schedule(), run.Log.Text())
}
