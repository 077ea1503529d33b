package paxos

import (
	"fmt"
	"strings"

	"simulate/sim"
)

// Counterexample is a failing run written out in full: the scenario it ran
// (with its swarm draws), the environment's draws, what happened, and the
// same run as a plain scenario that `simulate paxos --schedule` replays.
type Counterexample struct {
	Scenario   Scenario
	Seed       uint64
	Choices    []sim.Choice
	Outcome    Outcome
	Violations []Violation
	Log        *sim.Log
	// Replay is the run as a plain scenario: swarm draws resolved into
	// loss, duplication, start times and crashes, and the network's draws as
	// a sparse Schedule.
	Replay Scenario
}

// Replay reruns scenario s with seed on the recorded environment values
// (draws past the end are 0) and returns the run as a Counterexample.
func Replay(s Scenario, seed uint64, values []int) Counterexample {
	return replay(s, seed, values, true)
}

// replay is Replay, with the event log only when traced (shrinking tries
// hundreds of candidate runs and keeps the log of the last one only).
func replay(s Scenario, seed uint64, values []int, traced bool) Counterexample {
	rec := &sim.Recorder{Inner: &sim.ReplayChoices{Values: values}}
	var log *sim.Log
	var tracer sim.Tracer
	if traced {
		log = &sim.Log{}
		tracer = log
	}
	in := s.Instance(seed, rec, tracer)
	o := in.Run()
	ce := Counterexample{Scenario: s, Seed: seed, Choices: rec.Log, Outcome: o, Violations: Check(o), Log: log}
	ce.Replay = in.Resolved()
	vals := make([]int, len(rec.Log))
	for i, c := range rec.Log {
		vals[i] = c.Value
	}
	ce.Replay.Scripted = true
	ce.Replay.Schedule = Sparse(vals[min(in.SetupDraws(), len(vals)):])
	return ce
}

// NonZero counts the draws that were not the boring 0: how many
// environment decisions the failure needs.
func (c Counterexample) NonZero() int {
	n := 0
	for _, ch := range c.Choices {
		if ch.Value != 0 {
			n++
		}
	}
	return n
}

// Schedule lists the non-boring draws in words.
func (c Counterexample) Schedule() string {
	var b strings.Builder
	for i, ch := range c.Choices {
		if ch.Value != 0 {
			fmt.Fprintf(&b, "  draw %d: %s = %d (of %d)\n", i, ch.Label, ch.Value, ch.N)
		}
	}
	if b.Len() == 0 {
		return "  (every draw boring: the calm network)\n"
	}
	return b.String()
}

// Violates reports whether c breaks property (any property if "").
func (c Counterexample) Violates(property string) bool {
	for _, v := range c.Violations {
		if property == "" || v.Property == property {
			return true
		}
	}
	return false
}

// Shrink simplifies a failing schedule further than rapid can. Rapid
// replays a shrunk byte stream and gives up on any candidate run that wants
// more draws than the stream holds; here a run replays recorded values
// with every later draw 0, so any draw can be zeroed, lowered or removed.
// Shrink repeats, until nothing improves, three kinds of move: set a draw to
// 0 (or to the smallest value that still fails), delete a draw (shifting
// the later ones one message earlier), and zero two draws at once. A move is
// kept when the run still breaks the same property and the schedule got
// simpler: fewer non-zero draws, then smaller values, then shorter.
func Shrink(s Scenario, seed uint64, values []int, property string) Counterexample {
	best := replay(s, seed, values, false)
	if !best.Violates(property) {
		return Replay(s, seed, values)
	}
	cur := trimZeros(best.values())
	try := func(v []int) bool {
		ce := replay(s, seed, v, false)
		if !ce.Violates(property) {
			return false
		}
		nv := trimZeros(ce.values())
		if !simpler(nv, cur) {
			return false
		}
		best, cur = ce, nv
		return true
	}
	for improved := true; improved; {
		improved = false
		for i := 0; i < len(cur); i++ {
			if cur[i] == 0 {
				continue
			}
			trial := append([]int(nil), cur...)
			trial[i] = 0
			if try(trial) {
				improved = true
				continue
			}
			// Binary search for the smallest value that still fails,
			// assuming (as is usual) that larger values are wilder.
			lo, hi := 1, cur[i]-1
			for lo <= hi {
				mid := (lo + hi) / 2
				trial := append([]int(nil), cur...)
				trial[i] = mid
				if try(trial) {
					improved = true
					hi = mid - 1
				} else {
					lo = mid + 1
				}
			}
		}
		for i := 0; i < len(cur); i++ {
			trial := append(append([]int(nil), cur[:i]...), cur[i+1:]...)
			if try(trial) {
				improved = true
				i--
			}
		}
		for i := 0; i < len(cur); i++ {
			for j := i + 1; j < len(cur) && cur[i] != 0; j++ {
				if cur[j] == 0 {
					continue
				}
				trial := append([]int(nil), cur...)
				trial[i], trial[j] = 0, 0
				if try(trial) {
					improved = true
				}
			}
		}
	}
	return Replay(s, seed, cur)
}

// simpler orders schedules: fewer non-zero draws, then a smaller sum of
// values, then fewer draws.
func simpler(a, b []int) bool {
	na, nb, sa, sb := 0, 0, 0, 0
	for _, v := range a {
		if v != 0 {
			na++
		}
		sa += v
	}
	for _, v := range b {
		if v != 0 {
			nb++
		}
		sb += v
	}
	if na != nb {
		return na < nb
	}
	if sa != sb {
		return sa < sb
	}
	return len(a) < len(b)
}

func (c Counterexample) values() []int {
	v := make([]int, len(c.Choices))
	for i, ch := range c.Choices {
		v[i] = ch.Value
	}
	return v
}

func trimZeros(v []int) []int {
	for len(v) > 0 && v[len(v)-1] == 0 {
		v = v[:len(v)-1]
	}
	return v
}

// Failure is a failing run as a search found it: its environment draws and
// the first property it broke.
type Failure struct {
	Values   []int
	Property string
}

// ShrinkAll shrinks every failure and returns the simplest counterexample
// (fewest non-boring draws, then fewest events). Shrinking is greedy and can
// stop in a local minimum; starting from several failures finds a smaller
// one for the price of a few milliseconds each.
func ShrinkAll(s Scenario, seed uint64, fs []Failure) Counterexample {
	var best Counterexample
	for i, f := range fs {
		ce := Shrink(s, seed, f.Values, f.Property)
		if i == 0 || ce.NonZero() < best.NonZero() || (ce.NonZero() == best.NonZero() && len(ce.Log.Events) < len(best.Log.Events)) {
			best = ce
		}
	}
	return best
}
