package benor

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"simulate/check"
	"simulate/faults"
	"simulate/scenario"
	"simulate/sim"
)

// coinStreams is how many coin streams a search draws from: the nodes'
// own streams come from the run's seed plus a drawn offset below it.
const coinStreams = 4

// Build implements scenario.Scenario: the processes, the network (whose
// delays are environment draws), the crashes of s, and which of a few
// coin streams the processes flip (0 = the run's seed), with agreement,
// validity and termination as properties.
func (s *Scenario) Build(seed uint64, c sim.Choices) scenario.World {
	offset := uint64(c.Intn("coin stream (0 = --seed)", coinStreams))
	if s.Swarm {
		r := s.swarm(c)
		s = &r
	}
	cfg, setup := s.config()
	return scenario.World{
		Config:     cfg,
		Setup:      setup,
		SeedOffset: offset,
		Describe:   s.describe,
		Properties: []scenario.Property{
			{Name: "agreement", Check: func(r scenario.Run) error {
				return check.Agreement(r.Result.Observations, check.KindDecide, s.live)
			}},
			{Name: "validity", Check: func(r scenario.Run) error {
				return check.Validity(r.Result.Observations, check.KindDecide, s.live, func(o sim.Observation) bool {
					v, err := strconv.Atoi(o.Value)
					return err == nil && slices.Contains(s.Inputs, v)
				})
			}},
			{Name: "termination", Check: func(r scenario.Run) error {
				var live []sim.NodeID
				for i := range s.N {
					if s.live(sim.NodeID(i)) {
						live = append(live, sim.NodeID(i))
					}
				}
				if err := check.Termination(r.Result.Observations, check.KindDecide, live, 1); err != nil {
					return fmt.Errorf("%w by %s", err, s.Limit)
				}
				return nil
			}},
		},
		Coverage: []scenario.Sometimes{
			{Name: "a decision that needed the coin (round > 1)", Hit: func(r scenario.Run) bool { return s.outcome(r.Result).Rounds > 1 }},
			{Name: "a decision after round 3", Hit: func(r scenario.Run) bool { return s.outcome(r.Result).Rounds > 3 }},
			{Name: "duplicated messages", Hit: func(r scenario.Run) bool { return r.Result.Duplicated > 0 }},
			{Name: "a crash after the start", Hit: func(r scenario.Run) bool {
				return slices.ContainsFunc(s.Faults, func(e faults.Event) bool { return e.Kind == faults.KindCrash && e.At > 0 })
			}},
		},
	}
}

// live says whether process id is one the properties judge: neither
// --crash nor the fault plan (the swarm's crashes included) crashes it.
func (s *Scenario) live(id sim.NodeID) bool { return !s.crashed()[int(id)] }

type protocol struct{ scenario.Named }

func (protocol) New() scenario.Scenario {
	return &Scenario{N: 5, F: 2, Inputs: []int{0, 1, 0, 1, 0}, Delay: 10 * sim.Millisecond, Limit: sim.Minute}
}

// NewSearch implements scenario.Searched: `simulate check benor` draws
// each run's fault mix (Swarm), which a plain run leaves calm.
func (p protocol) NewSearch() scenario.Scenario {
	s := p.New().(*Scenario)
	s.Swarm = true
	return s
}
func (protocol) Bugs() []scenario.Bug {
	return []scenario.Bug{
		{Name: "eager-decide", Description: "decide on f+1 reports instead of waiting for them in phase two: processes disagree", Needs: "--eager-decide; a few late messages"},
		{Name: "count-duplicates", Description: "count every message, not every sender: a duplicated vote counts twice and processes disagree", Needs: "--count-duplicates; a network that duplicates (check benor's swarm)"},
	}
}
func (protocol) Flags(fs *pflag.FlagSet, sc scenario.Scenario) {
	s := sc.(*Scenario)
	fs.IntVar(&s.N, "n", s.N, "number of processes")
	fs.IntVar(&s.F, "f", s.F, "crashes tolerated (f < n/2)")
	fs.Var(&intList{&s.Inputs}, "inputs", "each process's input, 0 or 1, comma-separated")
	fs.Var(&intList{&s.Crash}, "crash", "processes that crash at time 0, comma-separated")
	scenario.TimeVar(fs, &s.Delay, "delay", "mean of the exponential message delays")
	scenario.TimeVar(fs, &s.Limit, "limit", "virtual time at which the run ends")
	fs.BoolVar(&s.Bug, "eager-decide", s.Bug, "teaching bug: decide on f+1 reports")
	fs.BoolVar(&s.CountDuplicates, "count-duplicates", s.CountDuplicates, "teaching bug: count every message, not every sender, so a duplicated vote counts twice")
	fs.BoolVar(&s.Swarm, "swarm", s.Swarm, "draw each run's fault mix from the seed: a duplication rate and crashes for good at drawn times, up to f in all (what check benor searches)")
	scenario.PCTVar(fs, &s.PCT, 0, 30)
	scenario.FaultsVar(fs, &s.Faults, "faults", `fault plan file: a JSON array of timed events, e.g. [{"at":"5ms","kind":"crash","node":2},{"at":"10ms","kind":"duplicate","p":0.5}] (kinds: crash, partition, heal, loss, duplicate, cut; no restart)`)
}

func init() {
	scenario.Register(protocol{scenario.Named{ID: "benor", About: "Ben-Or's randomized binary consensus: f < n/2 crashes, asynchronous network, a coin to break FLP"}})
}

// intList is a comma-separated list of ints as a flag.
type intList struct{ v *[]int }

func (l *intList) String() string {
	if l.v == nil {
		return ""
	}
	parts := make([]string, len(*l.v))
	for i, x := range *l.v {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ",")
}
func (l *intList) Type() string { return "ints" }
func (l *intList) Set(s string) error {
	var out []int
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		x, err := strconv.Atoi(p)
		if err != nil {
			return fmt.Errorf("%q is not an integer", p)
		}
		out = append(out, x)
	}
	*l.v = out
	return nil
}

// Cases implements scenario.Cased.
func (protocol) Cases() []scenario.Case {
	three := func(sc scenario.Scenario) {
		s := sc.(*Scenario)
		s.N, s.F, s.Inputs = 3, 1, []int{0, 1, 0}
	}
	// The eager-decide row shrinks to at most 7 draws (4 before the
	// swarm): a drawn duplication rate makes every message draw its
	// duplication too, so zeroing the rate shifts the delays after it and
	// some seeds keep it.
	return []scenario.Case{
		{Name: "correct, n=5 f=2", Apply: func(scenario.Scenario) {}},
		{Name: "correct, n=5 f=2, one crashed", Apply: func(sc scenario.Scenario) { sc.(*Scenario).Crash = []int{4} }},
		// The count-duplicates row's shape with the senders counted once.
		{Name: "correct, n=5 f=1", Apply: func(sc scenario.Scenario) { sc.(*Scenario).F = 1 }},
		{Name: "bug eager-decide, n=3", Violates: "agreement", Only: true, MaxDraws: 8, Apply: func(sc scenario.Scenario) { three(sc); sc.(*Scenario).Bug = true }},
		// With f = 1 of 5, one duplicated report already makes a false
		// majority (4 of 5 needed to move on, 3 to propose): the swarm
		// finds it from every seed; with f = 2 it needs rarer schedules.
		{Name: "bug count-duplicates, n=5 f=1", Violates: "agreement", Only: true, MaxDraws: 6, Apply: func(sc scenario.Scenario) {
			s := sc.(*Scenario)
			s.F, s.CountDuplicates = 1, true
		}},
	}
}
