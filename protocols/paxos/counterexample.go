package paxos

import (
	"simulate/search"
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
	// its Schedule.
	Replay Scenario
}

// Replay reruns scenario s with seed on the recorded environment values
// (draws past the end are 0) and returns the run as a Counterexample.
func Replay(s Scenario, seed uint64, values []int) Counterexample {
	rec := &sim.Recorder{Inner: &sim.ReplayChoices{Values: values}}
	log := &sim.Log{}
	in := s.Instance(seed, rec, log)
	o := in.Run()
	ce := Counterexample{Scenario: s, Seed: seed, Choices: rec.Log, Outcome: o, Violations: Check(o), Log: log}
	ce.Replay = in.Resolved()
	vals := search.Schedule(rec.Log).Values()
	ce.Replay.Scripted = true
	ce.Replay.Schedule = vals[min(in.SetupDraws(), len(vals)):]
	return ce
}

// NonZero counts the draws that were not the boring 0: how many
// environment decisions the failure needs.
func (c Counterexample) NonZero() int { return search.Schedule(c.Choices).NonZero() }

// Schedule lists the non-boring draws in words.
func (c Counterexample) Schedule() string { return search.Schedule(c.Choices).String() }

// Violates reports whether c breaks property (any property if "").
func (c Counterexample) Violates(property string) bool {
	for _, v := range c.Violations {
		if property == "" || v.Property == property {
			return true
		}
	}
	return false
}

// Property is s checked under a search: each run builds an instance of s
// from the search's draws (the swarm's fault mix first, then every
// message's fate) and fails on the first broken property — agreement,
// validity, or termination after GST. observe, if not nil, sees every
// fresh run of the search (not the shrinker's replays): coverage.
func (s Scenario) Property(seed uint64, observe func(in *Instance, o Outcome)) search.Property {
	return func(t *search.T) {
		in := s.Instance(seed, t, nil)
		o := in.Run()
		if observe != nil && t.Phase() == search.Searching {
			observe(in, o)
		}
		if v := Check(o); len(v) > 0 {
			t.Fail(v[0].Property, "%s", v[0])
		}
	}
}

// Search checks s under cfg and returns the search's result and, when it
// failed, the shrunk run as a Counterexample (with its trace and the
// scenario that replays it).
func Search(s Scenario, seed uint64, cfg search.Config, observe func(in *Instance, o Outcome)) (search.Result, *Counterexample) {
	res := search.Run(cfg, s.Property(seed, observe))
	if !res.Failed {
		return res, nil
	}
	ce := Replay(s, seed, res.Draws.Values())
	return res, &ce
}
