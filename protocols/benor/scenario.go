package benor

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"simulate/check"
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
	cfg, setup := s.config()
	return scenario.World{
		Config:     cfg,
		Setup:      setup,
		SeedOffset: uint64(c.Intn("coin stream (0 = --seed)", coinStreams)),
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
		},
	}
}

// live says whether process id is one the properties judge: it did not
// crash.
func (s *Scenario) live(id sim.NodeID) bool { return !slices.Contains(s.Crash, int(id)) }

type protocol struct{}

func (protocol) Name() string { return "benor" }
func (protocol) Summary() string {
	return "Ben-Or's randomized binary consensus: f < n/2 crashes, asynchronous network, a coin to break FLP"
}
func (protocol) New() scenario.Scenario {
	return &Scenario{N: 5, F: 2, Inputs: []int{0, 1, 0, 1, 0}, Delay: 10 * sim.Millisecond, Limit: sim.Minute}
}
func (protocol) Bugs() []scenario.Bug {
	return []scenario.Bug{{Name: "eager-decide", Description: "decide on f+1 reports instead of waiting for them in phase two: processes disagree", Needs: "--eager-decide; a few late messages"}}
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
	scenario.PCTVar(fs, &s.PCT, 0, 30)
	scenario.FaultsVar(fs, &s.Faults, "faults", `fault plan file: a JSON array of timed events, e.g. [{"at":"5ms","kind":"crash","node":2},{"at":"10ms","kind":"duplicate","p":0.5}] (kinds: crash, partition, heal, loss, duplicate, cut; no restart)`)
}

func init() { scenario.Register(protocol{}) }

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
	return []scenario.Case{
		{Name: "correct, n=5 f=2", Apply: func(scenario.Scenario) {}},
		{Name: "correct, n=5 f=2, one crashed", Apply: func(sc scenario.Scenario) { sc.(*Scenario).Crash = []int{4} }},
		{Name: "bug eager-decide, n=3", Violates: "agreement", Only: true, MaxDraws: 4, Apply: func(sc scenario.Scenario) { three(sc); sc.(*Scenario).Bug = true }},
	}
}
