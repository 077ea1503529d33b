// Package scenario is the contract between a protocol and the rest of the
// tool. A protocol package registers one Protocol; from then on the CLI's
// `check NAME` and `run NAME`, `replay` of its traces, the search and its
// shrinker reach it through this package alone, and never special-case it.
//
// A Scenario is a plain JSON-serialisable struct: the trace header stores
// it, so a trace names its whole run. Build turns it, a seed and the
// environment's draws into a world; the properties and "sometimes"
// coverage counters read the finished run.
package scenario

import (
	"slices"

	"github.com/spf13/pflag"

	"simulate/internal/registry"
	"simulate/report"
	"simulate/search"
	"simulate/sim"
)

// Scenario is one protocol's run description.
type Scenario interface {
	// Validate reports in one line what is wrong with the scenario, for
	// exit status 2.
	Validate() error
	// Build prepares one run: seed feeds the nodes' own streams, c is the
	// environment's only source of nondeterminism (drawn so that 0 is the
	// benign case, swarm fault rates included).
	Build(seed uint64, c sim.Choices) World
}

// World is one prepared run.
type World struct {
	// Config builds the world; its Choices and Tracer are set by the
	// runner.
	Config sim.Config
	// Setup, if not nil, schedules environment events (a fault plan)
	// before the run.
	Setup func(w *sim.World)
	// Properties are checked after the run, in order; the first that
	// fails is the run's violation.
	Properties []Property
	// Coverage lists what a passing search must show it saw.
	Coverage []Sometimes
	// Describe, if not nil, says in a line what the environment drew
	// (the fault plan, the votes): the counterexample's headline.
	Describe func() string
	// SeedOffset is added to the run's seed for the nodes' own random
	// streams. A protocol whose nodes flip coins draws it from the
	// Choices, so that a search explores coin streams as well as
	// schedules, and shrinks them toward 0: the run's own seed.
	SeedOffset uint64
	// Show, if not nil, presents the finished run as `simulate NAME`
	// prints it: the protocol's own tables (decisions, a chain's blocks)
	// before the verdict and counters every run gets.
	Show func(Run) Shown
}

// Shown is one run's presentation by its protocol.
type Shown struct {
	// Tables are printed in order, before the run's verdict.
	Tables []report.Table
	// JSON, if not nil, is the run's whole --format json document (a
	// protocol whose JSON schema is documented); nil means the generic
	// document with the verdict and counters.
	JSON any
}

// Run is a finished run as properties see it.
type Run struct {
	Result sim.Result
	World  *sim.World
}

// Property is a named check over a finished run.
type Property struct {
	Name  string
	Check func(Run) error
}

// Sometimes is a named condition that a search should see hold in some
// runs (Antithesis's "sometimes" assertions): a passing search that never
// reached it proves nothing about it.
type Sometimes struct {
	Name string
	Hit  func(Run) bool
}

// Bug is a teaching bug a protocol can switch on.
type Bug struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Needs says what the search must draw to expose it ("" = nothing
	// special): a flag to give, a fault that must happen.
	Needs string `json:"needs,omitempty"`
}

// Protocol is what a protocol package registers.
type Protocol interface {
	// Name is the CLI's and the trace header's name for the protocol.
	Name() string
	// Summary is one line for help text.
	Summary() string
	// New returns a scenario with the defaults: flags bind to it and a
	// trace header's JSON decodes into it. It must be a pointer.
	New() Scenario
	// Flags binds s's fields to command-line flags.
	Flags(fs *pflag.FlagSet, s Scenario)
	// Bugs lists the teaching bugs (none is fine).
	Bugs() []Bug
}

// Named is a Protocol's name and one-line summary, for a protocol type to
// embed: Name and Summary then come from the value registered
// (Register(protocol{Named{ID: "raft", About: "..."}})) instead of two
// methods each protocol writes out to return a constant. The chain
// protocols embed it through chain.Protocol.
type Named struct {
	ID, About string
}

// Name implements Protocol.
func (n Named) Name() string { return n.ID }

// Summary implements Protocol.
func (n Named) Summary() string { return n.About }

// Case is a known situation of a protocol — a teaching bug switched on,
// a fault the protocol cannot survive, or the correct protocol under the
// search — with the verdict a search must reach. The cases of every
// registered protocol are the rows of the bug benchmark
// (`simulate check --all`, and BenchmarkCases).
type Case struct {
	Name string `json:"name"`
	// Violates is the property the search must break ("" when it must
	// find nothing).
	Violates string `json:"violates,omitempty"`
	// MaxDraws bounds the shrunk counterexample's non-boring draws.
	MaxDraws int `json:"max_draws,omitempty"`
	// Only, if set, limits the search to the property Violates: for a
	// bug that breaks several properties, the one it is about.
	Only bool `json:"only,omitempty"`
	// Unreachable names the Sometimes conditions a correct case's
	// scenario cannot reach (a crash-restart when it has no crashes). A
	// correct case's search must reach every other one, or its passing
	// verdict proves nothing about them.
	Unreachable []string `json:"unreachable,omitempty"`
	// Apply turns a default scenario into the case's.
	Apply func(Scenario) `json:"-"`
}

// Cased is a Protocol that lists its benchmark cases.
type Cased interface {
	Cases() []Case
}

// Searched is a Protocol whose search starts from other defaults than a
// run: a run plays one environment the flags name, a search draws it
// (PBFT's traitors, loss and jitter). `check NAME` and the bug benchmark
// bind and apply their cases to NewSearch's scenario; a printed replay
// command names every flag whose value differs from New's.
type Searched interface {
	NewSearch() Scenario
}

// NewSearch is p's search scenario: NewSearch's if p is Searched, else
// New's.
func NewSearch(p Protocol) Scenario {
	if s, ok := p.(Searched); ok {
		return s.NewSearch()
	}
	return p.New()
}

// Helped is a Protocol with its own long help for `NAME` (RunHelp) and
// `check NAME` (CheckHelp).
type Helped interface {
	RunHelp() string
	CheckHelp() string
}

// known holds the registered protocols.
var known = registry.New[Protocol]("scenario: protocol")

// Register makes p available by name. Registering a name twice is a
// programming error and panics.
func Register(p Protocol) { known.Register(p) }

// Lookup returns the protocol registered as name.
func Lookup(name string) (Protocol, bool) { return known.Lookup(name) }

// Names lists the registered protocols, sorted.
func Names() []string { return known.Names() }

// Violation is a broken property.
type Violation struct {
	Property string `json:"property"`
	Message  string `json:"message"`
}

func (v Violation) String() string { return v.Property + ": " + v.Message }

// Outcome is one executed run.
type Outcome struct {
	Run
	// Violation is the first broken property, nil if all held.
	Violation *Violation
	// Hits lists the Sometimes conditions the run reached, in the
	// world's order.
	Hits []string
	// Description is World.Describe's line ("" without one).
	Description string
	// Show is World.Show (nil without one).
	Show func(Run) Shown
}

// Execute runs s once with seed, drawing the environment from c (nil means
// a PCG stream from seed) and recording events to tracer (may be nil).
func Execute(s Scenario, seed uint64, c sim.Choices, tracer sim.Tracer) Outcome {
	return execute(s, seed, c, tracer, nil)
}

// execute is Execute checking only the properties named in only (all of
// them when only is empty).
func execute(s Scenario, seed uint64, c sim.Choices, tracer sim.Tracer, only []string) Outcome {
	if c == nil {
		c = sim.NewPCGChoices(seed)
	}
	b := s.Build(seed, c)
	cfg := b.Config
	cfg.Choices = c
	cfg.Seed = seed + b.SeedOffset
	if tracer != nil {
		cfg.Tracer = tracer
	}
	w := sim.New(cfg)
	if b.Setup != nil {
		b.Setup(w)
	}
	o := Outcome{Run: Run{Result: w.Run(), World: w}}
	for _, p := range b.Properties {
		if len(only) > 0 && !slices.Contains(only, p.Name) {
			continue
		}
		if err := p.Check(o.Run); err != nil {
			o.Violation = &Violation{Property: p.Name, Message: err.Error()}
			break
		}
	}
	for _, sm := range b.Coverage {
		if sm.Hit(o.Run) {
			o.Hits = append(o.Hits, sm.Name)
		}
	}
	if b.Describe != nil {
		o.Description = b.Describe()
	}
	o.Show = b.Show
	return o
}

// Report is what Check found.
type Report struct {
	search.Result
	// Coverage counts, per Sometimes condition (in the world's order),
	// the search runs that reached it.
	Coverage []Count `json:"coverage"`
	// Counterexample is the shrunk failing run, replayed with its events
	// recorded; nil when the search found nothing.
	Counterexample *Outcome `json:"-"`
	// Log holds the counterexample's events.
	Log *sim.Log `json:"-"`
}

// Count is one coverage counter.
type Count struct {
	Name string `json:"name"`
	Runs int    `json:"runs"`
}

// Check searches s: cfg.Checks seeded runs, each drawing its own
// environment, the first failure shrunk by package search. Every run is
// built with seed; only the environment varies.
func Check(s Scenario, seed uint64, cfg search.Config) Report {
	return CheckOnly(s, seed, cfg, nil)
}

// CheckOnly is Check searching for violations of the named properties
// only (all when only is empty): a teaching bug that breaks several
// properties is shown breaking the one it is about.
func CheckOnly(s Scenario, seed uint64, cfg search.Config, only []string) Report {
	var rep Report
	index := map[string]int{}
	res := search.Run(cfg, func(t *search.T) {
		log := t.Tracer()
		var tracer sim.Tracer
		if log != nil {
			tracer = log
		}
		o := execute(s, seed, t, tracer, only)
		// Report every Sometimes condition reached to the search: a
		// coverage-guided search (Config.Feedback) builds on runs that
		// reach rare ones. The search only sees names.
		for _, h := range o.Hits {
			t.Cover(h)
		}
		switch t.Phase() {
		case search.Searching:
			if len(rep.Coverage) == 0 {
				for _, sm := range s.Build(seed, sim.Boring{}).Coverage {
					index[sm.Name] = len(rep.Coverage)
					rep.Coverage = append(rep.Coverage, Count{Name: sm.Name})
				}
			}
			for _, h := range o.Hits {
				if i, ok := index[h]; ok {
					rep.Coverage[i].Runs++
				}
			}
		case search.Final:
			rep.Counterexample, rep.Log = &o, log
		}
		if o.Violation != nil {
			t.Fail(o.Violation.Property, "%s", o.Violation.Message)
		}
	})
	rep.Result = res
	return rep
}

// Memo returns f with its result kept for the last finished run: a
// protocol's properties, coverage conditions and Show all read one
// judgement of a run (its outcome, its statistics), computed once.
func Memo[T any](f func(Run) T) func(Run) T {
	var world *sim.World
	var v T
	return func(r Run) T {
		if world == nil || world != r.World {
			v, world = f(r), r.World
		}
		return v
	}
}
