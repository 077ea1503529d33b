// Package search is the one property search every protocol's check goes
// through: it runs a property on many seeded environments, keeps the
// failing runs' recorded draws, shrinks them with a generic shrinker, and
// replays the simplest one last, so the property's own bookkeeping ends on
// the counterexample a person should read.
//
// Why not rapid's Check: rapid is configured through process-wide flags
// (and under `go test -short` silently runs a fifth of the cases), its
// shrinker stops at a wall-clock deadline (a slower machine prints a
// bigger counterexample), and it replays a byte stream, so any candidate
// that wants one draw more than the stream holds is discarded. Here the
// search is a value (Config), every budget counts runs, never seconds,
// and a run replays recorded values with every later draw 0 — the boring
// case — so any draw can be zeroed, lowered or removed. sim/simtest keeps
// the rapid adapter for users who write rapid properties in their tests.
package search

import (
	"fmt"
	"strings"

	"simulate/sim"
)

// Config is a search's whole configuration. Nothing else (no flags, no
// environment, no clock) changes what a search does.
type Config struct {
	// Checks is how many seeded runs to try (at least 1).
	Checks int
	// Seed picks the runs: run i draws its environment from a PCG stream
	// seeded with sim.RunSeed(Seed, i), so searches from nearby seeds
	// share no runs.
	Seed uint64
	// Keep is how many failing runs to collect before the search stops
	// (default 1). Each is shrunk and the simplest is reported: greedy
	// shrinking stops in local minima, so several starts find smaller
	// counterexamples for the price of a few more replays.
	Keep int
	// MaxShrinkRuns bounds the replays spent shrinking each failure
	// (default 20,000). It is a count, so the result is the same on any
	// machine.
	MaxShrinkRuns int
	// Feedback, when positive, turns the search coverage-guided: a run
	// that reaches a Sometimes condition (T.Cover) that at most Rare runs
	// reached before it is kept as a seed, and Feedback of every 4 runs
	// (1..4) replay a kept seed's draws up to a cut point and then draw
	// fresh. 0 keeps the plain search: every run fresh and random.
	// Bugs that need a rare state first and a fault after it are found by
	// building on the runs that reached that state.
	Feedback int
	// Rare is how many runs may have reached a condition for a new run
	// reaching it to be kept (default 2).
	Rare int
}

// DefaultMaxShrinkRuns is Config.MaxShrinkRuns when it is 0.
const DefaultMaxShrinkRuns = 20000

// Phase tells a property which part of the search is calling it, so it
// can count coverage only over the search's own runs and keep details
// (an event log) only for the final replay.
type Phase int

const (
	// Searching: a fresh seeded run.
	Searching Phase = iota
	// Shrinking: a replay of a candidate schedule.
	Shrinking
	// Final: the last call, the replay of the reported counterexample.
	Final
)

// T is one run of a property: its source of environment draws and its
// verdict. It implements sim.Choices, recording every draw.
type T struct {
	rec      sim.Recorder
	phase    Phase
	failed   bool
	property string
	message  string
	covered  []string
}

// Cover tells the search that this run reached the named Sometimes
// condition. A coverage-guided search (Config.Feedback) keeps runs that
// reach rare conditions and mutates them; otherwise Cover does nothing.
// The search knows nothing of what the names mean.
func (t *T) Cover(name string) { t.covered = append(t.covered, name) }

// Intn implements sim.Choices: every environment draw of the run.
func (t *T) Intn(label string, n int) int { return t.rec.Intn(label, n) }

// Phase reports which part of the search this run belongs to.
func (t *T) Phase() Phase { return t.phase }

// Draws returns the draws recorded so far.
func (t *T) Draws() Schedule { return t.rec.Log }

// Tracer returns a fresh event log for the final replay and nil otherwise:
// shrinking replays a run hundreds of times and only the last one is shown.
func (t *T) Tracer() *sim.Log {
	if t.phase != Final {
		return nil
	}
	return &sim.Log{}
}

// Fail marks the run as breaking property, with a message in words. The
// shrinker keeps only candidates that break the same property, so a
// counterexample does not slide from one bug to another while it shrinks.
// The first call wins.
func (t *T) Fail(property, format string, args ...any) {
	if t.failed {
		return
	}
	t.failed, t.property, t.message = true, property, fmt.Sprintf(format, args...)
}

// Failed reports whether Fail was called.
func (t *T) Failed() bool { return t.failed }

// Property is checked on one run: it builds the world from t (a
// sim.Choices), runs it and calls t.Fail when a property breaks. It must
// be a pure function of the draws it makes.
type Property func(t *T)

// Result is what a search found.
type Result struct {
	// Runs is how many seeded runs the search made (shrinking not counted).
	Runs int
	// Failures is how many of them failed (at most Config.Keep).
	Failures int
	// FirstAt is the 1-based index of the first failing run, 0 if none.
	FirstAt int
	// Failed is true when some run broke a property.
	Failed bool
	// Property and Message describe the reported (shrunk) violation.
	Property, Message string
	// Draws is the reported run's environment, draw by draw.
	Draws Schedule
	// ShrinkRuns counts the replays spent shrinking.
	ShrinkRuns int
}

// Run searches cfg.Checks seeded runs of prop. After a failure it shrinks
// and then calls prop once more, in the Final phase, on the reported
// schedule: a property that remembers its last failing run ends holding
// the counterexample.
func Run(cfg Config, prop Property) Result {
	if cfg.Checks < 1 {
		cfg.Checks = 1
	}
	if cfg.Keep < 1 {
		cfg.Keep = 1
	}
	if cfg.MaxShrinkRuns <= 0 {
		cfg.MaxShrinkRuns = DefaultMaxShrinkRuns
	}
	var res Result
	var fails []failure
	if cfg.Rare <= 0 {
		cfg.Rare = 2
	}
	fb := feedback{seen: map[string]int{}}
	for i := 0; i < cfg.Checks && len(fails) < cfg.Keep; i++ {
		fresh := sim.NewPCGChoices(sim.RunSeed(cfg.Seed, uint64(i)))
		var src sim.Choices = fresh
		if cfg.Feedback > 0 && len(fb.seeds) > 0 && fresh.Intn("feedback", 4) < cfg.Feedback {
			seed := fb.seeds[fresh.Intn("feedback seed", len(fb.seeds))]
			cut := fresh.Intn("feedback cut", len(seed)+1)
			src = &prefixChoices{prefix: seed[:cut], rest: fresh}
		}
		t := &T{rec: sim.Recorder{Inner: src}}
		prop(t)
		res.Runs++
		if cfg.Feedback > 0 {
			fb.observe(t, cfg.Rare)
		}
		if t.failed {
			if res.FirstAt == 0 {
				res.FirstAt = res.Runs
			}
			fails = append(fails, failure{values: t.Draws().Values(), property: t.property})
		}
	}
	res.Failures = len(fails)
	if len(fails) == 0 {
		return res
	}
	var best []int
	for i, f := range fails {
		s := shrinker{prop: prop, property: f.property, budget: cfg.MaxShrinkRuns}
		v := s.shrink(f.values)
		res.ShrinkRuns += s.runs
		if i == 0 || simpler(v, best) {
			best = v
		}
	}
	t := replay(prop, best, Final)
	res.Failed = true
	res.Property, res.Message, res.Draws = t.property, t.message, t.Draws()
	return res
}

// feedback is the coverage-guided search's memory: how many runs reached
// each condition, and the draws of the runs kept as seeds.
type feedback struct {
	seen  map[string]int
	seeds [][]int
}

// observe counts t's conditions and keeps t's draws when one of them had
// been reached by at most rare runs before.
func (f *feedback) observe(t *T, rare int) {
	keep := false
	done := map[string]bool{}
	for _, c := range t.covered {
		if done[c] {
			continue
		}
		done[c] = true
		if f.seen[c] < rare {
			keep = true
		}
		f.seen[c]++
	}
	if keep {
		f.seeds = append(f.seeds, t.Draws().Values())
	}
}

// prefixChoices replays a kept run's first draws (clamped to range) and
// then draws fresh: a mutation that keeps how a run reached its rare
// state and varies what happens after.
type prefixChoices struct {
	prefix []int
	next   int
	rest   sim.Choices
}

// Intn implements sim.Choices.
func (p *prefixChoices) Intn(label string, n int) int {
	if p.next < len(p.prefix) {
		v := p.prefix[p.next]
		p.next++
		if n <= 1 || v < 0 {
			return 0
		}
		if v >= n {
			return n - 1
		}
		return v
	}
	return p.rest.Intn(label, n)
}

type failure struct {
	values   []int
	property string
}

// replay runs prop on recorded values (later draws 0) in phase.
func replay(prop Property, values []int, phase Phase) *T {
	t := &T{rec: sim.Recorder{Inner: &sim.ReplayChoices{Values: values}}, phase: phase}
	prop(t)
	return t
}

// Replay runs prop once on recorded values, every later draw 0, in the
// Final phase: how a reported schedule is rerun.
func Replay(prop Property, values []int) *T { return replay(prop, values, Final) }

// Schedule is a run's environment: every draw in order.
type Schedule []sim.Choice

// Values returns the drawn values, for sim.ReplayChoices.
func (s Schedule) Values() []int {
	v := make([]int, len(s))
	for i, c := range s {
		v[i] = c.Value
	}
	return v
}

// NonZero counts the draws that were not the boring 0: after shrinking,
// the number of environment decisions the failure needs.
func (s Schedule) NonZero() int {
	n := 0
	for _, c := range s {
		if c.Value != 0 {
			n++
		}
	}
	return n
}

// Interesting returns the non-boring draws.
func (s Schedule) Interesting() Schedule {
	var out Schedule
	for _, c := range s {
		if c.Value != 0 {
			out = append(out, c)
		}
	}
	return out
}

// String lists the non-boring draws in words, one a line, e.g.
// "  draw 3: delay n0->n2 = 3 (of 5)".
func (s Schedule) String() string {
	var b strings.Builder
	for i, c := range s {
		if c.Value != 0 {
			fmt.Fprintf(&b, "  draw %d: %s = %d (of %d)\n", i, c.Label, c.Value, c.N)
		}
	}
	if b.Len() == 0 {
		return "  (every draw boring: the calm network)\n"
	}
	return b.String()
}
