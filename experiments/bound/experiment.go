package bound

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/pflag"

	"simulate/experiments/experiment"
	"simulate/protocols/generals"
	"simulate/report"
	"simulate/sim"
)

// registered is the experiment at `simulate experiment
// byzantine-bound`; its --out files name the sweep "byzantine-bound".
var registered = experiment.Spec[*cliParams]{
	ID:          "byzantine-bound",
	Path:        "experiment byzantine-bound",
	Summary:     "The 3m+1 bound, shown: agreement over n = 3..10 generals and m = 1..3 traitors",
	Help:        help,
	DefaultRuns: 200,
	Defaults:    func() *cliParams { return &cliParams{Params: DefaultParams(), algorithms: []string{"om", "sm"}} },
	Bind:        bindFlags,
}

func init() { experiment.Register(registered) }

// help is the command's help.
const help = `byzantine-bound sweeps n generals and m traitors over --runs seeds per
cell, OM(m) and SM(m), every run exactly what simulate byzantine
--generals n --traitors m --seed S runs (the seed picks the traitors and
their strategies). Per (n, m, algorithm) it prints the fraction of runs
where IC1 and IC2 held, with its standard error, the worst case found
(replayable by its seed), and the messages sent beside the closed form.

Rows of OM with n ≤ 3m show failures; rows with n ≥ 3m+1, and every SM
row, show none — the bound found by simulation, not asserted.`

// bindFlags binds p's fields to the command's flags.
func bindFlags(fs *pflag.FlagSet, p *cliParams) {
	fs.IntVar(&p.MinN, "min-generals", p.MinN, "smallest n")
	fs.IntVar(&p.MaxN, "max-generals", p.MaxN, "largest n")
	fs.IntVar(&p.MinM, "min-traitors", p.MinM, "smallest m")
	fs.IntVar(&p.MaxM, "max-traitors", p.MaxM, "largest m")
	fs.StringSliceVar(&p.algorithms, "algorithms", p.algorithms, "algorithms to sweep: om, sm or both")
}

// cliParams are the Params behind the command's flags. They record (and
// --out files hold) exactly the Params' JSON, so sweep files written
// before the experiment was registered still merge; algorithms is
// --algorithms until Finish parses it, and seed is the sweep's.
type cliParams struct {
	Params
	algorithms []string
	seed       uint64
}

// UnmarshalJSON decodes recorded parameters and refuses ones no sweep
// could have recorded (a file edited by hand): Summarize sizes every
// record by them, and a grid past Validate's limits would make merging
// it run for ever.
func (p *cliParams) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &p.Params); err != nil {
		return err
	}
	return p.Params.Validate()
}

// Finish implements experiment.Finisher: --algorithms is parsed in the
// words of generals.ParseAlgorithm ("om", "SM"); an empty list is left
// for Validate to refuse.
func (p *cliParams) Finish(*pflag.FlagSet) error {
	p.Algorithms = nil
	for _, a := range p.algorithms {
		alg, err := generals.ParseAlgorithm(a)
		if err != nil {
			return fmt.Errorf("--algorithms: %v", err)
		}
		p.Algorithms = append(p.Algorithms, alg)
	}
	return nil
}

// SetSeed implements experiment.Seeded: the title names the sweep's seed,
// and the runs' seeds, which name the worst cases, derive from it.
func (p *cliParams) SetSeed(seed uint64) { p.seed = seed }

// Run implements experiment.Params: every row of the grid with one seed.
func (p *cliParams) Run(seed uint64) any { return RunSeed(p.Params, seed) }

// Summarize implements experiment.Params: the one table of rows. The
// records are a whole sweep in run order, so record i is run i, whose
// seed is sim.RunSeed(seed, i) as the sweep gave it.
func (p *cliParams) Summarize(records []json.RawMessage) (experiment.Output, error) {
	cells, err := experiment.Decode[[]Cell](records)
	if err != nil {
		return experiment.Output{}, err
	}
	seeds := make([]uint64, len(cells))
	for i, c := range cells {
		if len(c) != p.Cells() {
			return experiment.Output{}, &experiment.RecordError{Index: i, Err: fmt.Errorf("%d cells, want %d", len(c), p.Cells())}
		}
		seeds[i] = sim.RunSeed(p.seed, uint64(i))
	}
	res := Aggregate(p.Params, seeds, cells)
	res.Seed = p.seed
	return experiment.Output{Tables: []report.Table{res.Table()}, JSON: res}, nil
}
