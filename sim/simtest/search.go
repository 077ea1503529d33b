package simtest

import (
	"flag"
	"fmt"
	"strings"
	"sync"
	"testing"

	"pgregory.net/rapid"
)

// SearchResult is the outcome of Search.
type SearchResult struct {
	// Failed is true when rapid found an input that falsifies the property.
	Failed bool
	// Report is rapid's report and the shrunk run's log, as rapid prints it.
	Report string
}

var searchMu sync.Mutex

// Search runs prop under rapid with an explicit budget: checks random
// cases from seed, and on a failure the shrunk one, whatever flags the test
// binary was given (-short included). Commands use package search instead,
// which needs no flags at all; Search is for rapid properties in tests. The property should remember its own last failing run (rapid
// replays the minimal case last), which is the counterexample to show.
//
// Rapid is configured through the process's flag set, so Search sets
// -rapid.checks and -rapid.seed (a fixed seed: the search is repeatable),
// turns off fail files, and serialises calls. It also lifts rapid's 30 s
// limit on shrinking to an hour: a shrink cut short by the wall clock
// would print a different counterexample on a slower machine, and the same
// seed must give the same output everywhere. Shrinking stops by itself
// once no smaller failing case exists.
func Search(checks int, seed uint64, prop func(*rapid.T)) SearchResult {
	searchMu.Lock()
	defer searchMu.Unlock()
	initRapidFlags()
	must(flag.Set("rapid.checks", fmt.Sprint(checks)))
	must(flag.Set("rapid.seed", fmt.Sprint(seed)))
	must(flag.Set("rapid.nofailfile", "true"))
	must(flag.Set("rapid.shrinktime", "1h"))
	// rapid runs a fifth of the checks when testing.Short(): a search's
	// budget is the caller's, whatever flags the test binary was given.
	if short := flag.Lookup("test.short"); short != nil && short.Value.String() == "true" {
		must(flag.Set("test.short", "false"))
		defer func() { must(flag.Set("test.short", "true")) }()
	}
	tb := &reportTB{}
	rapid.Check(tb, prop)
	return SearchResult{Failed: tb.failed, Report: tb.out.String()}
}

var initOnce sync.Once

func initRapidFlags() {
	initOnce.Do(func() {
		// rapid asks testing.Short(), which panics before testing.Init
		// and before the flags are parsed; outside `go test` nobody else
		// does either.
		if flag.Lookup("test.short") == nil {
			testing.Init()
		}
		if !flag.Parsed() {
			_ = flag.CommandLine.Parse(nil)
		}
	})
}

func must(err error) {
	if err != nil {
		panic("simtest: " + err.Error())
	}
}

// reportTB is a rapid.TB that collects what rapid says instead of failing a
// Go test.
type reportTB struct {
	failed bool
	out    strings.Builder
}

func (t *reportTB) Helper()      {}
func (t *reportTB) Name() string { return "simulate-check" }
func (t *reportTB) Logf(f string, a ...any) {
	fmt.Fprintf(&t.out, f+"\n", a...)
}
func (t *reportTB) Log(a ...any)              { fmt.Fprintln(&t.out, a...) }
func (t *reportTB) Skipf(f string, a ...any)  { t.Logf(f, a...) }
func (t *reportTB) Skip(a ...any)             { t.Log(a...) }
func (t *reportTB) SkipNow()                  {}
func (t *reportTB) Errorf(f string, a ...any) { t.failed = true; t.Logf(f, a...) }
func (t *reportTB) Error(a ...any)            { t.failed = true; t.Log(a...) }
func (t *reportTB) Fatalf(f string, a ...any) { t.failed = true; t.Logf(f, a...) }
func (t *reportTB) Fatal(a ...any)            { t.failed = true; t.Log(a...) }
func (t *reportTB) FailNow()                  { t.failed = true }
func (t *reportTB) Fail()                     { t.failed = true }
func (t *reportTB) Failed() bool              { return t.failed }
