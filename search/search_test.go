package search_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/internal/rally"
	"simulate/search"
	"simulate/sim"
)

// noisy is a property with a planted two-fault bug: it draws many
// irrelevant values, and fails only when draw "a" is at least 5 and draw
// "b" is odd. Everything else is noise the shrinker must remove.
func noisy(calls map[search.Phase]int) search.Property {
	return func(t *search.T) {
		calls[t.Phase()]++
		for i := 0; i < 20; i++ {
			t.Intn(fmt.Sprintf("noise %d", i), 10)
		}
		a := t.Intn("a", 100)
		for i := 0; i < 20; i++ {
			t.Intn(fmt.Sprintf("more noise %d", i), 10)
		}
		b := t.Intn("b", 100)
		if a >= 5 && b%2 == 1 {
			t.Fail("planted", "a=%d b=%d", a, b)
		}
	}
}

func TestShrinksToTheTwoDrawsThatMatter(t *testing.T) {
	calls := map[search.Phase]int{}
	res := search.Run(search.Config{Checks: 100, Seed: 1}, noisy(calls))
	require.True(t, res.Failed)
	require.Equal(t, "planted", res.Property)
	require.Equal(t, 2, res.Draws.NonZero(), res.Draws.String())
	// Lowered as far as the bug allows: a=5, b=1.
	require.Equal(t, "a=5 b=1", res.Message)
	require.Equal(t, 1, calls[search.Final], "one final replay")
	require.Equal(t, res.Runs, calls[search.Searching])
	require.Equal(t, res.ShrinkRuns, calls[search.Shrinking])
	require.Equal(t, 1, res.Failures)
	require.Equal(t, res.FirstAt, res.Runs)
}

func TestSameConfigSameResult(t *testing.T) {
	a := search.Run(search.Config{Checks: 100, Seed: 7, Keep: 3}, noisy(map[search.Phase]int{}))
	b := search.Run(search.Config{Checks: 100, Seed: 7, Keep: 3}, noisy(map[search.Phase]int{}))
	require.Equal(t, a, b)
	require.Equal(t, 3, a.Failures)
}

func TestPassingSearchRunsEveryCheck(t *testing.T) {
	res := search.Run(search.Config{Checks: 50, Seed: 1}, func(t *search.T) { t.Intn("x", 3) })
	require.False(t, res.Failed)
	require.Equal(t, 50, res.Runs)
	require.Zero(t, res.FirstAt)
}

func TestShrinkBudgetIsACount(t *testing.T) {
	res := search.Run(search.Config{Checks: 100, Seed: 1, MaxShrinkRuns: 3}, noisy(map[search.Phase]int{}))
	require.True(t, res.Failed)
	require.LessOrEqual(t, res.ShrinkRuns, 3)
}

// The shrinker keeps the property that failed first: a candidate that
// fails some other way is not adopted.
func TestShrinkKeepsTheProperty(t *testing.T) {
	res := search.Run(search.Config{Checks: 200, Seed: 3}, func(t *search.T) {
		a, b := t.Intn("a", 50), t.Intn("b", 50)
		switch {
		case a > 40 && b > 40:
			t.Fail("both", "a=%d b=%d", a, b)
		case a > 0:
			t.Fail("any", "a=%d", a)
		}
	})
	require.True(t, res.Failed)
	if res.Property == "both" {
		require.Equal(t, "a=41 b=41", res.Message)
	} else {
		require.Equal(t, "a=1", res.Message)
	}
}

// RunWorld returns the world's own draws and, only in the final replay,
// its event log.
func TestRunWorldDrawsAndLog(t *testing.T) {
	var logs []bool
	res := search.Run(search.Config{Checks: 20, Seed: 1}, func(st *search.T) {
		t := st
		before := t.Intn("scenario", 4)
		run := search.RunWorld(t, sim.Config{Nodes: 2, New: serve.New, Network: delays{}}, nil)
		logs = append(logs, run.Log != nil)
		if len(t.Draws()) != 1+len(run.Draws) {
			t.Fail("draws", "the world's draws are not the run's after the scenario")
		}
		if before > 0 && run.Draws.NonZero() > 0 {
			t.Fail("late", "scenario %d and a delay", before)
		}
	})
	require.True(t, res.Failed)
	require.Equal(t, 2, res.Draws.NonZero())
	require.True(t, logs[len(logs)-1])
	for _, l := range logs[:len(logs)-1] {
		require.False(t, l)
	}
}

// serve is one message from node 0 to node 1 when they start, which
// nobody answers.
var serve = rally.Player{Name: "ping", Last: 1}

type delays struct{}

func (delays) Route(l sim.Link) sim.Fate {
	return sim.Fate{Delay: sim.Millisecond * sim.Time(1+l.Choices.Intn("delay", 5))}
}
