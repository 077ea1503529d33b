package twophase

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"simulate/faults"
	"simulate/network"
	"simulate/scenario"
	"simulate/sim"
)

// Scenario is a 2PC run as the rest of the tool sees it: registered with
// package scenario, it gets `simulate check twophase`, `simulate run
// twophase` and `simulate replay` of its traces without a line of CLI code.
// This file is all a user writes to plug a protocol in.
type Scenario struct {
	Participants int `json:"participants"`
	// MaxDelay bounds each message's delay, drawn uniformly from 1ms up
	// to it (the draw 0 is 1ms: in order).
	MaxDelay sim.Time `json:"max_delay"`
	// Loss is the probability that a message is lost.
	Loss float64 `json:"loss"`
	// Faults is a fixed fault plan (crashes, restarts, partitions).
	Faults faults.Plan `json:"faults,omitempty"`
	// Crashes draws, per run, crash-restarts of at most one node at a
	// time from the fault budget (swarm rates: some runs have none, some
	// many), and whether and when (in ms, 0 = never) the coordinator
	// crashes for good — the fault 2PC cannot survive without blocking.
	Crashes bool `json:"crashes,omitempty"`
	// Impatient is the teaching bug: a participant that voted yes gives up
	// and aborts on its own.
	Impatient bool `json:"impatient,omitempty"`
	// Limit is when the run ends.
	Limit sim.Time `json:"limit"`
}

// DefaultScenario is three participants on a 1–30ms network that loses
// nothing, for 2 s.
func DefaultScenario() Scenario {
	return Scenario{Participants: 3, MaxDelay: 30 * sim.Millisecond, Limit: 2 * sim.Second}
}

// Validate implements scenario.Scenario.
func (s *Scenario) Validate() error {
	switch {
	case s.Participants < 1 || s.Participants > 64:
		return fmt.Errorf("--participants %d: want 1 to 64", s.Participants)
	case s.MaxDelay < sim.Millisecond:
		return fmt.Errorf("--max-delay %s: want at least 1ms", s.MaxDelay)
	case s.Limit <= 0:
		return fmt.Errorf("--limit %s: want a positive duration", s.Limit)
	}
	if err := network.ValidateProbability("--loss", s.Loss); err != nil {
		return err
	}
	if err := s.Faults.Validate(s.Participants + 1); err != nil {
		return err
	}
	return nil
}

// budget is the crash budget of a run with Crashes.
func (s *Scenario) budget() faults.Budget {
	return faults.Budget{MaxFaulty: 1, Horizon: s.Limit, Kinds: []faults.Kind{faults.KindCrash}}
}

// Build implements scenario.Scenario: the votes (0 = yes), then the crash
// plan, are drawn from c; the network draws the rest.
func (s *Scenario) Build(seed uint64, c sim.Choices) scenario.World {
	cfg := Config{Participants: s.Participants, VoteNo: make([]bool, s.Participants+1), Impatient: s.Impatient}
	for i := 1; i <= s.Participants; i++ {
		// One in four votes no; every value but 3 is yes, 0 the boring one.
		cfg.VoteNo[i] = c.Intn(fmt.Sprintf("n%d votes no (3 = no)", i), 4) == 3
	}
	plan := append(faults.Plan(nil), s.Faults...)
	if s.Crashes {
		if at := c.Intn("coordinator crashes for good at ms (0 = never)", 64); at > 0 {
			plan = append(plan, faults.Crash(sim.Time(at)*sim.Millisecond, Coordinator))
		} else {
			plan = append(plan, faults.Generate(c, cfg.Nodes(), s.budget())...)
		}
	}
	net := network.MustNew(cfg.Nodes(), network.Options{
		Latency: network.Uniform(sim.Millisecond, s.MaxDelay),
		Loss:    s.Loss,
	})
	up := func(r scenario.Run, id sim.NodeID) bool { return !r.World.Crashed(id) }
	return scenario.World{
		Config: sim.Config{Nodes: cfg.Nodes(), New: cfg.New, Network: net, Limit: s.Limit},
		Setup: func(w *sim.World) {
			// Validate checked the fixed plan; a generated one is valid
			// by construction.
			if err := plan.Apply(w, net); err != nil {
				panic(err)
			}
		},
		Properties: []scenario.Property{
			{Name: "atomicity", Check: func(r scenario.Run) error {
				if err := CheckAtomicity(cfg, r.Result.Observations); err != nil {
					return errors.New(strings.TrimPrefix(err.Error(), "atomicity: "))
				}
				return nil
			}},
			{Name: "termination", Check: func(r scenario.Run) error {
				out := Outcomes(r.Result.Observations)
				for i := 1; i <= cfg.Participants; i++ {
					id := sim.NodeID(i)
					if _, ok := out[id]; !ok && up(r, id) {
						return fmt.Errorf("n%d is up and never decided by %s", i, s.Limit)
					}
				}
				return nil
			}},
		},
		Coverage: []scenario.Sometimes{
			{Name: "a commit", Hit: func(r scenario.Run) bool { return hasDecision(r, "commit") }},
			{Name: "an abort", Hit: func(r scenario.Run) bool { return hasDecision(r, "abort") }},
			{Name: "a lost message", Hit: func(r scenario.Run) bool { return r.Result.Dropped > 0 }},
			{Name: "a crash-restart", Hit: func(r scenario.Run) bool { return r.Result.Restarts > 0 }},
			{Name: "the coordinator down at the end", Hit: func(r scenario.Run) bool { return !up(r, Coordinator) }},
		},
		Describe: func() string {
			var no []string
			for i, v := range cfg.VoteNo {
				if v {
					no = append(no, fmt.Sprintf("n%d", i))
				}
			}
			votes := "every participant votes yes"
			if len(no) > 0 {
				votes = strings.Join(no, ", ") + " vote(s) no"
			}
			if len(plan) == 0 {
				return votes + "; no faults"
			}
			return votes + "; faults: " + strings.ReplaceAll(strings.TrimSpace(plan.String()), "\n", "; ")
		},
	}
}

func hasDecision(r scenario.Run, v string) bool {
	for _, o := range r.Result.Observations {
		if o.Kind == ObsDecide && o.Value == v {
			return true
		}
	}
	return false
}

// protocol registers 2PC with package scenario.
type protocol struct{ scenario.Named }

func (protocol) New() scenario.Scenario { s := DefaultScenario(); return &s }

// NewSearch implements scenario.Searched: `check twophase` draws crashes
// (each run its own fault mix), so the plain command finds the blocking
// that a coordinator's crash causes; `--crashes=false` searches delays
// alone.
func (protocol) NewSearch() scenario.Scenario {
	s := DefaultScenario()
	s.Crashes = true
	return &s
}
func (protocol) Bugs() []scenario.Bug {
	return []scenario.Bug{{Name: "impatient", Description: "a participant that voted yes aborts on its own after 10ms without news: unblocks 2PC, breaks atomicity", Needs: "--impatient; a late decision (message delays alone)"}}
}

func (protocol) Flags(fs *pflag.FlagSet, sc scenario.Scenario) {
	s := sc.(*Scenario)
	fs.IntVar(&s.Participants, "participants", s.Participants, "number of participants (the coordinator is n0)")
	scenario.TimeVar(fs, &s.MaxDelay, "max-delay", "each message takes 1ms up to this")
	fs.Float64Var(&s.Loss, "loss", s.Loss, "probability that a message is lost")
	fs.BoolVar(&s.Crashes, "crashes", s.Crashes, "draw crash-restarts of one node at a time per run (swarm rates)")
	scenario.FaultsVar(fs, &s.Faults, "faults", "a fault plan file: a JSON list of events (crash, restart, partition, heal, loss, cut)")
	fs.BoolVar(&s.Impatient, "impatient", s.Impatient, "teaching bug: participants give up and abort on their own")
	scenario.TimeVar(fs, &s.Limit, "limit", "virtual time at which the run ends")
}

func init() {
	scenario.Register(protocol{scenario.Named{ID: "twophase", About: "two-phase commit, the bring-your-own-protocol example: atomicity holds, a coordinator crash blocks"}})
}

// Cases implements scenario.Cased: 2PC is atomic and blocks when its
// coordinator crashes; the impatient participant breaks atomicity.
func (protocol) Cases() []scenario.Case {
	return []scenario.Case{
		{Name: "correct, lossy", Apply: func(sc scenario.Scenario) { sc.(*Scenario).Loss, sc.(*Scenario).Crashes = 0.1, false },
			// Without --crashes nothing crashes.
			Unreachable: []string{"a crash-restart", "the coordinator down at the end"}},
		{Name: "coordinator crash blocks", Violates: "termination", MaxDraws: 1, Apply: func(sc scenario.Scenario) { sc.(*Scenario).Crashes = true }},
		{Name: "bug impatient", Violates: "atomicity", MaxDraws: 2, Apply: func(sc scenario.Scenario) { sc.(*Scenario).Impatient = true }},
	}
}
