package chain

import (
	"fmt"

	"github.com/spf13/pflag"

	"simulate/report"
	"simulate/scenario"
)

// Coverage ("sometimes") conditions of the longest-chain protocols'
// checks: the search is worth little if its delays never fork the chain
// or make a node switch branches.
const (
	CoverFork  = "a fork"
	CoverReorg = "a reorganisation"
)

// Forked is the coverage a longest-chain protocol's check lists: the
// swarm duplicated a message (Duplicated), a run forked the chain
// (CoverFork) and a node switched branches (CoverReorg). counts reads a
// run's forks and reorganisations from its statistics.
func Forked(counts func(scenario.Run) (forks, reorgs int)) []scenario.Sometimes {
	return []scenario.Sometimes{
		Duplicated,
		{Name: CoverFork, Hit: func(x scenario.Run) bool { forks, _ := counts(x); return forks > 0 }},
		{Name: CoverReorg, Hit: func(x scenario.Run) bool { _, reorgs := counts(x); return reorgs > 0 }},
	}
}

// Protocol is the part of scenario.Protocol (and scenario.Searched) that
// every chain protocol fills in alike: its name and one-line summary
// (Named, as every registered protocol's), and the scenarios `simulate
// NAME` (Run) and `simulate check NAME` (Search, with the swarm on: every
// chain protocol's check searches the swarm's network conditions) start
// from. A protocol's own type embeds it and adds its flags, bugs, cases
// and help.
type Protocol struct {
	scenario.Named
	Run, Search func() scenario.Scenario
}

// New implements scenario.Protocol.
func (p Protocol) New() scenario.Scenario { return p.Run() }

// NewSearch implements scenario.Searched: Search's scenario, which embeds
// Links, with the swarm on.
func (p Protocol) NewSearch() scenario.Scenario {
	s := p.Search()
	s.(interface{ SwarmOn() }).SwarmOn()
	return s
}

// Show is a registered chain protocol's presentation of a run: its Output
// (the scenario s that ran, the seed, the trace hash and the statistics
// judge measured) as the JSON document, and the tables that tables makes
// of it.
func Show[S, T any](s S, seed uint64, judge func(scenario.Run) T, tables func(Output[S, T]) []report.Table) func(scenario.Run) scenario.Shown {
	return func(x scenario.Run) scenario.Shown {
		o := Output[S, T]{Scenario: s, Seed: seed, Hash: x.Result.HashString(), Stats: judge(x)}
		return scenario.Shown{Tables: tables(o), JSON: o}
	}
}

// FitDefault lowers *v to most when the user did not type --name: the
// default --degree 4 must not fail --validators 3. A value the user typed
// is kept, and validation reports it.
func FitDefault(fs *pflag.FlagSet, name string, v *int, most int) {
	if !fs.Changed(name) && *v > most && most >= 1 {
		*v = most
	}
}

// RunFor makes --duration without --blocks run for a time: the default
// height (*blocks) gives way, since a scenario takes exactly one of them.
func RunFor(fs *pflag.FlagSet, blocks *int) {
	if fs.Changed("duration") && !fs.Changed("blocks") {
		*blocks = 0
	}
}

// Measures starts a chain protocol's table of measures (named "chain",
// one "measure, value" row each) under title; add appends a row.
func Measures(title string) (t *report.Table, add func(measure, value string)) {
	t = &report.Table{Name: "chain", Title: title, Header: []string{"measure", "value"}}
	return t, func(k, v string) { t.Rows = append(t.Rows, []string{k, v}) }
}

// AddConfirmations adds the table's confirmation-latency rows, one per
// depth ("-" where no transaction was confirmed that deep).
func AddConfirmations(add func(measure, value string), cs []Confirmation) {
	for _, c := range cs {
		v := "-"
		if c.Samples > 0 {
			v = fmt.Sprintf("%s (%d txs)", ShortTime(c.Mean), c.Samples)
		}
		add(fmt.Sprintf("confirmation latency k=%d", c.K), v)
	}
}

// AddVerdicts adds the rows of a longest-chain run's verdicts: the common
// prefix cp (how often and first where it broke) and whether who (the
// nodes, the honest validators) ended on one tip.
func AddVerdicts(add func(measure, value string), cp CommonPrefix, who string, agree bool) {
	v := "holds"
	if !cp.Holds {
		v = fmt.Sprintf("VIOLATED %d times, first at %s", cp.Violations, cp.First)
	}
	add(fmt.Sprintf("common prefix (k=%d)", cp.K), v)
	add(who+" on one tip", YesNo(agree))
}

// YesNo is a table's word for b.
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
