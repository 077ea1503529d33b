package benor

import (
	"fmt"
	"strconv"
	"strings"

	"simulate/check"
	"simulate/faults"
	"simulate/network"
	"simulate/scenario"
	"simulate/sim"
)

// Scenario is one Ben-Or run: n processes, f of which may crash, inputs,
// and an asynchronous network with random delays.
type Scenario struct {
	N      int      `json:"n"`
	F      int      `json:"f"`
	Inputs []int    `json:"inputs"`          // one 0/1 per process
	Crash  []int    `json:"crash,omitempty"` // processes that crash at time 0
	Delay  sim.Time `json:"delay"`           // mean of the exponential delays
	Limit  sim.Time `json:"limit"`
	// Bug switches on the EagerDecide teaching bug.
	Bug bool `json:"bug,omitempty"`
	// CountDuplicates switches on the teaching bug of that name (see
	// Node.CountDuplicates).
	CountDuplicates bool `json:"count_duplicates,omitempty"`
	// PCT, when set, delays messages with the PCT strategy on top of the
	// exponential delays (see network.PCT); nil is the plain network.
	PCT *network.PCT `json:"pct,omitempty"`
	// Faults is a fault plan (--faults): partitions, cuts, loss and
	// duplication windows, and crashes, at fixed times. Ben-Or's processes
	// crash for good (no restarts), and with Crash at most F of them.
	Faults faults.Plan `json:"faults,omitempty"`
	// Swarm draws each run's fault mix from the environment's choices, as
	// TigerBeetle's VOPR does: a duplication rate, and a crash for good at
	// a drawn time for each of the f crashes Crash and Faults leave unused
	// (draw 0: none). What `check benor` searches.
	Swarm bool `json:"swarm,omitempty"`
}

// Validate checks the scenario.
func (s Scenario) Validate() error {
	switch {
	case s.N < 2:
		return fmt.Errorf("need at least 2 processes, got %d", s.N)
	case s.F < 0 || 2*s.F >= s.N:
		return fmt.Errorf("Ben-Or tolerates f < n/2 crashes: f=%d, n=%d", s.F, s.N)
	case len(s.Inputs) != s.N:
		return fmt.Errorf("want %d inputs, got %d", s.N, len(s.Inputs))
	case len(s.Crash) > s.F:
		return fmt.Errorf("%d crashes exceed f=%d", len(s.Crash), s.F)
	}
	for _, v := range s.Inputs {
		if v != 0 && v != 1 {
			return fmt.Errorf("inputs are binary, got %d", v)
		}
	}
	for _, c := range s.Crash {
		if c < 0 || c >= s.N {
			return fmt.Errorf("crash of unknown process %d", c)
		}
	}
	if err := s.Faults.Validate(s.N); err != nil {
		return err
	}
	for _, e := range s.Faults {
		if e.Kind == faults.KindRestart {
			return fmt.Errorf("fault plan: Ben-Or's processes crash for good; a restart (of n%d at %v) is not modelled", e.Node, e.At)
		}
	}
	if c := len(s.crashed()); c > s.F {
		return fmt.Errorf("%d processes crash (--crash and the fault plan), more than f=%d", c, s.F)
	}
	return nil
}

// swarmCrashWithin bounds the drawn crash times, in milliseconds: Ben-Or's
// rounds take a few mean delays (10ms by default), so a crash in the first
// 64ms can land in any of its first rounds.
const swarmCrashWithin = 64

// swarm returns s with the swarm's draws written out as plain fault-plan
// events (and Swarm off): a duplication window from time 0, then one crash
// for good per free crash slot.
func (s *Scenario) swarm(c sim.Choices) Scenario {
	r := *s
	r.Swarm = false
	r.Faults = append(faults.Plan(nil), s.Faults...)
	// Ben-Or assumes reliable channels, so the swarm never loses a
	// message: it duplicates them, and crashes processes for good.
	if p := faults.SwarmDuplication(c); p > 0 {
		r.Faults = append(r.Faults, faults.Duplicate(0, p))
	}
	crashed := s.crashed()
	for k := range s.F - len(crashed) {
		node := c.Intn(fmt.Sprintf("swarm crash %d process+1 (0 = none)", k), s.N+1)
		at := sim.Time(c.Intn(fmt.Sprintf("swarm crash %d at (ms)", k), swarmCrashWithin)) * sim.Millisecond
		if node == 0 || crashed[node-1] {
			continue // its draws are still made, so later ones do not shift
		}
		crashed[node-1] = true
		r.Faults = append(r.Faults, faults.Crash(at, sim.NodeID(node-1)))
	}
	r.Faults.SortByTime()
	return r
}

// describe says in a line what a run's swarm drew.
func (s *Scenario) describe() string {
	var parts []string
	for _, e := range s.Faults {
		parts = append(parts, e.String())
	}
	if len(parts) == 0 {
		return "no faults"
	}
	return strings.Join(parts, ", ")
}

// Outcome summarises a run.
type Outcome struct {
	Decided   int    `json:"decided"`   // live processes that decided
	Live      int    `json:"live"`      // processes that did not crash
	Agreement bool   `json:"agreement"` // no two decided differently
	Validity  bool   `json:"validity"`  // the decision was someone's input
	Rounds    int    `json:"rounds"`    // the largest round at which a live process decided
	Time      int64  `json:"time"`      // virtual time when the last live process decided
	Messages  int    `json:"messages"`
	Hash      string `json:"hash"`
}

// Run executes s with the environment drawn from choices.
func Run(s Scenario, seed uint64, choices sim.Choices, tracer sim.Tracer) Outcome {
	res := scenario.Execute(&s, seed, choices, tracer).Result
	return s.outcome(res)
}

// config is the world of one run: the processes, the network, and a stop
// predicate for when every live process has decided.
func (s *Scenario) config() (sim.Config, func(w *sim.World)) {
	crashed := s.crashed()
	net := network.MustNew(s.N, network.Options{Latency: network.Exponential(s.Delay), PCT: s.PCT})
	live := s.N - len(crashed)
	seen, decided := 0, 0
	cfg := sim.Config{
		Nodes: s.N,
		New: func(id sim.NodeID) sim.Node {
			p := New(s.N, s.F, s.Inputs[id])
			p.EagerDecide = s.Bug
			p.CountDuplicates = s.CountDuplicates
			return p
		},
		Network: net,
		Limit:   s.Limit,
		// The predicate runs after every event, so it reads only the
		// observations that are new since its last call.
		Stop: func(w *sim.World) bool {
			obs := w.Observations()
			for ; seen < len(obs); seen++ {
				if o := obs[seen]; o.Kind == check.KindDecide && !crashed[int(o.Node)] {
					decided++
				}
			}
			return decided == live
		},
	}
	setup := func(w *sim.World) {
		for _, c := range s.Crash { // in the scenario's order: map order would reorder the trace
			w.CrashAt(0, sim.NodeID(c))
		}
		if err := s.Faults.Apply(w, net); err != nil {
			panic("benor: " + err.Error()) // Validate checked the plan
		}
	}
	return cfg, setup
}

func (s *Scenario) crashed() map[int]bool {
	crashed := map[int]bool{}
	for _, c := range s.Crash {
		crashed[c] = true
	}
	for _, e := range s.Faults {
		if e.Kind == faults.KindCrash {
			crashed[int(e.Node)] = true
		}
	}
	return crashed
}

// outcome summarises a finished run.
func (s *Scenario) outcome(res sim.Result) Outcome {
	crashed := s.crashed()
	live := s.N - len(crashed)
	out := Outcome{Live: live, Agreement: true, Validity: true, Messages: res.Sent, Hash: res.HashString()}
	first := ""
	for _, o := range res.Observations {
		if crashed[int(o.Node)] {
			continue
		}
		switch o.Kind {
		case check.KindDecide:
			out.Decided++
			out.Time = int64(o.Time)
			if first == "" {
				first = o.Value
			} else if o.Value != first {
				out.Agreement = false
			}
			v, _ := strconv.Atoi(o.Value)
			found := false
			for _, in := range s.Inputs {
				found = found || in == v
			}
			out.Validity = out.Validity && found
		case "rounds":
			if r, _ := strconv.Atoi(o.Value); r > out.Rounds {
				out.Rounds = r
			}
		}
	}
	return out
}
