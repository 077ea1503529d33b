// Package experiment is the contract between an experiment and the CLI,
// as package scenario is for protocols: an experiment registers itself,
// and the CLI gives it a command with the sweep flags (--runs, --workers,
// --out, --resume, --shard, --force), --plot when it draws a figure,
// --check-determinism, and `simulate merge` of its shards, through one
// code path that knows no experiment.
//
// An experiment is parameters plus a pure function from (parameters,
// seed) to a run's record; the records, in run order, decoded from JSON
// as a merge of shards reads them, aggregate into tables, a JSON
// document and a figure.
package experiment

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/pflag"

	"simulate/internal/registry"
	"simulate/plot"
	"simulate/report"
	"simulate/trace"
)

// Experiment is what an experiment package registers.
type Experiment interface {
	// Name names the sweep in --out files; `simulate merge` finds the
	// experiment by it.
	Name() string
	// Command is the command's path below simulate: "cap", or
	// "experiment byzantine-bound" under an existing parent command.
	Command() string
	// Short is the one-line help; Long the command's whole help.
	Short() string
	Long() string
	// Runs is the default --runs.
	Runs() int
	// Plots says whether Summarize draws a figure, so the command takes
	// --plot.
	Plots() bool
	// New returns the default parameters, a pointer: flags bind to it
	// and --out records it as JSON.
	New() Params
	// Flags binds p's fields to flags.
	Flags(fs *pflag.FlagSet, p Params)
}

// Spec is an Experiment written as data: what every experiment says of
// itself (names, help, default --runs, --plot's help, aliases) as fields,
// and its defaults and flags as two functions typed by its parameters P.
// An experiment package registers one Spec instead of declaring a type
// with a one-line method for each of these, so adding an experiment is
// filling in a literal.
type Spec[P Params] struct {
	// ID is Name, Path is Command; Summary and Help are Short and Long.
	ID, Path      string
	Summary, Help string
	// DefaultRuns is Runs.
	DefaultRuns int
	// Plot is --plot's help (PlotUsage); empty, the experiment draws no
	// figure and its command takes no --plot (Plots).
	Plot string
	// Also are the extra command paths (Aliases); nil for none.
	Also []Alias
	// Defaults is New: fresh default parameters on every call.
	Defaults func() P
	// Bind is Flags, given the parameters as the P that Defaults made.
	Bind func(fs *pflag.FlagSet, p P)
}

// Fresh is a Spec's Defaults for parameters whose defaults defaults
// returns by value: every call a new copy, and a pointer to it.
func Fresh[T any](defaults func() T) func() *T {
	return func() *T {
		v := defaults()
		return &v
	}
}

// Name implements Experiment.
func (s Spec[P]) Name() string { return s.ID }

// Command implements Experiment.
func (s Spec[P]) Command() string { return s.Path }

// Short implements Experiment.
func (s Spec[P]) Short() string { return s.Summary }

// Long implements Experiment.
func (s Spec[P]) Long() string { return s.Help }

// Runs implements Experiment.
func (s Spec[P]) Runs() int { return s.DefaultRuns }

// Plots implements Experiment: the experiment draws a figure when it
// says what --plot draws.
func (s Spec[P]) Plots() bool { return s.Plot != "" }

// PlotUsage implements PlotUsage.
func (s Spec[P]) PlotUsage() string { return s.Plot }

// Aliases implements Aliased.
func (s Spec[P]) Aliases() []Alias { return s.Also }

// New implements Experiment.
func (s Spec[P]) New() Params { return s.Defaults() }

// Flags implements Experiment: p is what New returned, so it is a P.
func (s Spec[P]) Flags(fs *pflag.FlagSet, p Params) { s.Bind(fs, p.(P)) }

// Params is one parameter set of an experiment.
type Params interface {
	// Validate says in one line what is wrong, for exit status 2.
	Validate() error
	// Run runs the experiment once with seed and returns its record,
	// which must marshal to JSON. It is a pure function of the
	// parameters and seed: that is what makes sweeps resumable and
	// shards mergeable.
	Run(seed uint64) any
	// Summarize aggregates the records of a sweep, in run order, as JSON.
	Summarize(records []json.RawMessage) (Output, error)
}

// The CLI checks for these optional interfaces with a type assertion;
// an experiment that needs none of them implements none.

// Finisher is implemented by Params whose flags must be finished after
// parsing: a field that depends on which flags were given (fs.Changed),
// or a list parsed with the experiment's own words for a bad value. The
// CLI calls Finish with the command's flags once they are parsed, before
// Validate; an error is bad input (exit 2), printed as it is.
type Finisher interface {
	Finish(fs *pflag.FlagSet) error
}

// Seeded is implemented by Params whose output names the sweep's --seed
// (a table's title): the CLI calls SetSeed just before Summarize, with
// the sweep's seed both after a run and on a merge of its shards.
type Seeded interface {
	SetSeed(seed uint64)
}

// PlotUsage is implemented by an Experiment that Plots and says in
// --plot's help what its figure draws; without it the help is "also draw
// the results to this .svg or .png file".
type PlotUsage interface {
	PlotUsage() string
}

// Diagrammer is implemented by Params that honour the global --diagram
// (a sweep has no single run to draw, so experiments refuse it unless
// they have one run worth the picture, such as flp's deterministic duel).
// After a complete sweep's tables are printed (not on a merge, which
// runs nothing), the CLI calls Diagram and draws the trace it returns to
// the --diagram file; the CLI fills in the header's Version.
type Diagrammer interface {
	Diagram() trace.File
}

// Aliased is implemented by an Experiment that is also reachable at
// other command paths: old names that docs and scripts cite. Each alias
// is a command of its own with the same flags, running the same sweep
// under the same Name, so its --out files merge with the main path's.
type Aliased interface {
	Aliases() []Alias
}

// Alias is one extra command path of an experiment, with its help.
type Alias struct {
	// Command is the path below simulate, as Experiment.Command; its
	// parent must exist, as for Command.
	Command string
	// Short and Long are the alias's help (an alias says what it is an
	// alias of); empty, the experiment's own.
	Short, Long string
}

// Numbered is implemented by Params whose runs derive their seeds from
// the sweep's seed and the run's number instead of taking the run's
// seed: a grid experiment that seeds each point from the sweep's seed
// and then takes run i of that point's stream, so that adding points or
// runs never shifts another point's runs. The CLI then calls RunNumber
// with the sweep's --seed and the run's number (0 to --runs-1) instead
// of Run, from several goroutines at once, always with the same seed
// within one sweep.
type Numbered interface {
	RunNumber(seed uint64, run int) any
}

// Output is what an experiment prints.
type Output struct {
	// Tables are printed in order (--table picks one).
	Tables []report.Table
	// JSON is the --format json document.
	JSON any
	// Figure is what --plot draws (nil if the experiment has none).
	Figure *plot.Figure
}

// Decode decodes records into R, in order. A record that does not decode
// is a *RecordError naming its position.
func Decode[R any](records []json.RawMessage) ([]R, error) {
	out := make([]R, len(records))
	for i, r := range records {
		if err := json.Unmarshal(r, &out[i]); err != nil {
			return nil, &RecordError{Index: i, Err: err}
		}
	}
	return out, nil
}

// RecordError is a record that does not decode: a results file cut or
// edited by hand.
type RecordError struct {
	Index int // the record's position in the records given to Decode
	Err   error
}

func (e *RecordError) Error() string { return fmt.Sprintf("record %d: %v", e.Index, e.Err) }

// known holds the registered experiments.
var known = registry.New[Experiment]("experiment:")

// Register makes e available. Registering a name twice is a programming
// error and panics.
func Register(e Experiment) { known.Register(e) }

// Lookup returns the experiment registered as name.
func Lookup(name string) (Experiment, bool) { return known.Lookup(name) }

// All lists the registered experiments by name.
func All() []Experiment { return known.All() }

// DecodeFresh decodes recorded parameters b into a zero T and stores it
// in dst: an experiment's UnmarshalJSON, so that parameters read back
// from --out are what was recorded, not the defaults New filled in with
// the record laid over them (json reuses a slice's elements, so a field
// the record omits would keep the default's value).
func DecodeFresh[T any](b []byte, dst *T) error {
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*dst = v
	return nil
}

// RunsWorkers reads the CLI's --runs and --workers back into runs and
// workers, for an experiment whose own options validate them (and record
// them nowhere): its Finish calls it.
func RunsWorkers(fs *pflag.FlagSet, runs, workers *int) error {
	var err error
	if *runs, err = fs.GetInt("runs"); err != nil {
		return err
	}
	*workers, err = fs.GetInt("workers")
	return err
}

// SummarizeSeeds decodes the records of a sweep whose every run is one
// seed's outcomes over all of an experiment's rows ([]O), and hands them
// with the parameters p to summarize, the experiment's aggregation.
func SummarizeSeeds[P, O, R any](p P, records []json.RawMessage, summarize func(P, [][]O) ([]R, error)) ([]R, error) {
	seeds, err := Decode[[]O](records)
	if err != nil {
		return nil, err
	}
	return summarize(p, seeds)
}

// SummarizeRows is SummarizeSeeds for an experiment whose every row
// pools all the runs, and which prints how many: the number of records,
// or 0 when there is no row to pool them.
func SummarizeRows[P, O, R any](p P, records []json.RawMessage, summarize func(P, [][]O) ([]R, error)) (rows []R, runs int, err error) {
	rows, err = SummarizeSeeds(p, records, summarize)
	if err != nil || len(rows) == 0 {
		return rows, 0, err
	}
	return rows, len(records), nil
}

// Distinct checks the values of a list parameter, name (q, gamma): each
// must satisfy in, else "name v: want" says so, and none may be given
// twice, which would only run the same point again.
func Distinct(name string, vs []float64, in func(float64) bool, want string) error {
	for i, v := range vs {
		if !in(v) {
			return fmt.Errorf("%s %v: %s", name, v, want)
		}
		for _, w := range vs[:i] {
			if w == v {
				return fmt.Errorf("%s %v given twice", name, v)
			}
		}
	}
	return nil
}

// Sweep is how to sweep an experiment whose options check --runs and
// --workers themselves: the number of runs, the workers that run them in
// parallel (0: every core; results do not depend on it) and the sweep's
// seed. Options embed it; a results file's parameters leave it out, so
// that sweeps of any size and seed merge.
type Sweep struct {
	Runs    int    `json:"-"`
	Workers int    `json:"-"`
	Seed    uint64 `json:"-"`
}

// Settings is the Sweep itself: how Named reaches the Sweep that its
// options embed, through the pointer to them.
func (s *Sweep) Settings() *Sweep { return s }

// Swept is the pointer to options O that embed a Sweep and validate it.
type Swept[O any] interface {
	*O
	Validate() error
	Settings() *Sweep
}

// Named are the parameters of a command whose options O embed a Sweep:
// the options, recorded as they are (--out files hold exactly O's JSON,
// so results files written before the command moved onto this package
// still merge); the command as the user typed it, which bad input names
// (the main path or an alias, one sweep under two names); and the sweep's
// seed, which the output names. An experiment's parameters embed it and
// add Run (or RunNumber) and Summarize, which takes the options the runs
// ran with from Records.
type Named[O any, P Swept[O]] struct {
	Options O
	name    string
	seed    uint64
}

// NewNamed is o under the command's main name, use: what New returns
// before Finish learns the name the user typed.
func NewNamed[O any, P Swept[O]](use string, o O) Named[O, P] {
	return Named[O, P]{Options: o, name: use}
}

// Finish implements Finisher: the options take --runs and --workers, which
// their Validate checks, and errors name the command typed.
func (n *Named[O, P]) Finish(fs *pflag.FlagSet) error {
	n.name = fs.Name()
	s := P(&n.Options).Settings()
	return RunsWorkers(fs, &s.Runs, &s.Workers)
}

// Validate implements Params, in the command's words: the options' error
// is about a flag, so it gets "--" in front.
func (n *Named[O, P]) Validate() error {
	if err := P(&n.Options).Validate(); err != nil {
		return fmt.Errorf("%s: --%v", n.name, err)
	}
	return nil
}

// MarshalJSON records exactly the options.
func (n Named[O, P]) MarshalJSON() ([]byte, error) { return json.Marshal(n.Options) }

// UnmarshalJSON decodes recorded options into zero options (DecodeFresh),
// as they were decoded before the move, not over the defaults New fills
// in.
func (n *Named[O, P]) UnmarshalJSON(b []byte) error { return DecodeFresh(b, &n.Options) }

// SetSeed implements Seeded: the output names the sweep's seed.
func (n *Named[O, P]) SetSeed(seed uint64) { n.seed = seed }

// Records decodes the records of a sweep of n into R, in order, and
// returns them with the options the sweep ran: n's, with as many runs as
// records and the sweep's seed. Options that do not validate (a results
// file edited by hand) are an error saying so.
func Records[R any, O any, P Swept[O]](n *Named[O, P], records []json.RawMessage) ([]R, O, error) {
	recs, err := Decode[R](records)
	if err != nil {
		return nil, n.Options, err
	}
	o := n.Options
	s := P(&o).Settings()
	s.Runs, s.Seed = len(records), n.seed
	if err := P(&o).Validate(); err != nil {
		return nil, o, fmt.Errorf("parameters: %v", err)
	}
	return recs, o, nil
}
