package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"

	"simulate/report"
	"simulate/scenario"
	"simulate/search"
	"simulate/trace"
)

// caseRow is one row of the bug benchmark: a registered protocol's case
// searched from several seeds.
type caseRow struct {
	Protocol string `json:"protocol"`
	Case     string `json:"case"`
	// Expect is the property the case must break ("" = none).
	Expect string `json:"expect,omitempty"`
	// Found counts the search seeds that found a violation; Property is
	// what the first of them broke.
	Found    int    `json:"found"`
	Seeds    int    `json:"seeds"`
	Property string `json:"property,omitempty"`
	// Runs to the first failure, median and max over the seeds that found
	// one (0 when none did).
	RunsMedian int `json:"runs_to_failure_median"`
	RunsMax    int `json:"runs_to_failure_max"`
	// The shrunk counterexamples: the most non-boring draws and the most
	// events in the printed causal slice, over the seeds.
	Draws       int `json:"shrunk_draws_max"`
	ShrinkRuns  int `json:"shrink_replays_max"`
	SliceEvents int `json:"slice_events_max"`
	// Coverage sums, over the seeds, the runs that reached each of the
	// protocol's Sometimes conditions, for a case that must find nothing;
	// Unreached lists those no run reached that the case does not declare
	// unreachable.
	Coverage  []scenario.Count `json:"coverage,omitempty"`
	Unreached []string         `json:"unreached,omitempty"`
	// Unreachable counts the conditions the case declares it cannot reach.
	Unreachable int `json:"declared_unreachable,omitempty"`
	// Ok is whether the verdict is the expected one on every seed, within
	// the case's bound on draws, and, for a case that must find nothing,
	// with every reachable condition reached.
	Ok bool `json:"ok"`
}

// runCase searches one case from seeds 1..seeds with checks runs each.
func runCase(p scenario.Protocol, c scenario.Case, seeds, checks int) caseRow {
	row := caseRow{Protocol: p.Name(), Case: c.Name, Expect: c.Violates, Seeds: seeds, Ok: true}
	var firsts []int
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		rep := searchCase(p, c, seed, checks)
		if !rep.Failed {
			row.Ok = row.Ok && c.Violates == ""
			if c.Violates == "" {
				row.addCoverage(rep.Coverage)
			}
			continue
		}
		row.Found++
		if row.Property == "" {
			row.Property = rep.Property
		}
		firsts = append(firsts, rep.FirstAt)
		row.Draws = max(row.Draws, rep.Draws.NonZero())
		row.ShrinkRuns = max(row.ShrinkRuns, rep.ShrinkRuns)
		evs := trace.Events(rep.Log.Events)
		row.SliceEvents = max(row.SliceEvents, min(len(trace.CausalSlice(evs, trace.Suspects(evs, rep.Counterexample.Violation.String()))), maxShownEvents))
		row.Ok = row.Ok && c.Violates != "" && (c.MaxDraws == 0 || rep.Draws.NonZero() <= c.MaxDraws)
	}
	if len(row.Coverage) > 0 {
		row.Unreachable = len(c.Unreachable)
	}
	for _, cov := range row.Coverage {
		if cov.Runs == 0 && !slices.Contains(c.Unreachable, cov.Name) {
			row.Unreached = append(row.Unreached, cov.Name)
			row.Ok = false
		}
	}
	if len(firsts) > 0 {
		sort.Ints(firsts)
		row.RunsMedian, row.RunsMax = firsts[len(firsts)/2], firsts[len(firsts)-1]
	}
	return row
}

// onlyChecked is the properties a case's search checks: only the one it
// must break when the case says so (nil: all of them).
// searchCase runs one search of case c of p from seed: the case applied
// to p's search scenario (scenario.NewSearch), checking what the case
// checks (onlyChecked). The bug benchmark's table and its clock
// (BenchmarkCases) both search through it, so they search the same.
func searchCase(p scenario.Protocol, c scenario.Case, seed uint64, checks int) scenario.Report {
	s := scenario.NewSearch(p)
	c.Apply(s)
	return scenario.CheckOnly(s, seed, search.Config{Checks: checks, Seed: seed, Keep: keepFailures}, onlyChecked(c))
}

func onlyChecked(c scenario.Case) []string {
	if c.Only {
		return []string{c.Violates}
	}
	return nil
}

// registeredCase is one case of a registered protocol.
type registeredCase struct {
	p scenario.Protocol
	c scenario.Case
}

// registeredCases lists every case of every registered protocol, by
// protocol name: the rows of the bug benchmark, and what its clock
// (BenchmarkCases) times.
func registeredCases() []registeredCase {
	var cases []registeredCase
	for _, name := range scenario.Names() {
		p, _ := scenario.Lookup(name)
		cased, ok := p.(scenario.Cased)
		if !ok {
			continue
		}
		for _, c := range cased.Cases() {
			cases = append(cases, registeredCase{p, c})
		}
	}
	return cases
}

// addCoverage adds one search's coverage counts to the row's.
func (row *caseRow) addCoverage(counts []scenario.Count) {
	if row.Coverage == nil {
		row.Coverage = slices.Clone(counts)
		return
	}
	for i := range counts {
		row.Coverage[i].Runs += counts[i].Runs
	}
}

// coverageText says how many of a correct case's conditions its search
// reached, naming the ones it missed.
func coverageText(r caseRow) string {
	if len(r.Coverage) == 0 {
		return "-"
	}
	reached := 0
	for _, c := range r.Coverage {
		if c.Runs > 0 {
			reached++
		}
	}
	s := fmt.Sprintf("%d of %d", reached, len(r.Coverage)-r.Unreachable)
	if r.Unreachable > 0 {
		s += fmt.Sprintf(" (+%d unreachable)", r.Unreachable)
	}
	if len(r.Unreached) > 0 {
		s += " (missed: " + strings.Join(r.Unreached, "; ") + ")"
	}
	return s
}

// checkAll runs every case of every registered protocol and prints the
// bug benchmark; it fails (exit 1) when a case's verdict is not the
// expected one.
//
// Cases are independent searches, so workers run them side by side; each
// row lands in its case's place, so the table is the same for any number
// of workers.
func checkAll(w io.Writer, g *globals, seeds, checks, workers int) error {
	jobs := registeredCases()
	rows := make([]caseRow, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(jobs)) {
		wg.Go(func() {
			for i := range next {
				rows[i] = runCase(jobs[i].p, jobs[i].c, seeds, checks)
			}
		})
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	if g.format == "json" {
		if err := report.WriteJSON(w, rows); err != nil {
			return err
		}
	} else {
		t := report.Table{
			Title: fmt.Sprintf("the bug benchmark: every case of every registered protocol, searched from %d seeds with %d runs each", seeds, checks),
			Header: []string{"protocol", "case", "must break", "found", "property", "runs to failure (median/max)",
				"shrunk draws (max)", "shrink replays (max)", "printed events (max)", "conditions reached", "ok"},
		}
		for _, r := range rows {
			expect, runs := "nothing", "-"
			if r.Expect != "" {
				expect = r.Expect
			}
			if r.Found > 0 {
				runs = fmt.Sprintf("%d/%d", r.RunsMedian, r.RunsMax)
			}
			t.Rows = append(t.Rows, []string{r.Protocol, r.Case, expect, fmt.Sprintf("%d of %d", r.Found, r.Seeds), r.Property, runs,
				fmt.Sprint(r.Draws), fmt.Sprint(r.ShrinkRuns), fmt.Sprint(r.SliceEvents), coverageText(r), okText(r.Ok)})
		}
		if err := report.Write(w, g.format, t); err != nil {
			return err
		}
	}
	for _, r := range rows {
		if len(r.Unreached) > 0 {
			return findingError{msg: fmt.Sprintf("check --all: %s %q: no run reached %s, so its passing verdict proves nothing about them (declare them Unreachable if the case cannot reach them)", r.Protocol, r.Case, strings.Join(r.Unreached, "; "))}
		}
		if !r.Ok {
			return findingError{msg: fmt.Sprintf("check --all: %s %q: found %d of %d, shrunk to at most %d draws (expected to break %q)", r.Protocol, r.Case, r.Found, r.Seeds, r.Draws, r.Expect)}
		}
	}
	return nil
}

func okText(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}
