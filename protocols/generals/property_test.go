package generals_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"simulate/protocols/generals"
	"simulate/sim"
	"simulate/sim/simtest"
)

// runDrawn draws a scenario of sp and its network schedule from rapid and
// runs it, recording every draw and every event.
func runDrawn(t *rapid.T, sp generals.Space) (generals.Outcome, simtest.Run) {
	rec := &sim.Recorder{Inner: simtest.Choices(t)}
	s := sp.Draw(rec)
	log := &sim.Log{}
	o := generals.Run(s, 1, rec, log)
	return o, simtest.Run{Result: o.Result, Choices: rec.Log, Log: log}
}

// icProperty fails t when a drawn run of sp breaks IC1 or IC2, and keeps
// the last failing run (rapid replays the shrunk one last).
func icProperty(sp func(t *rapid.T) generals.Space, last *simtest.Run, lastOut *generals.Outcome) func(*rapid.T) {
	return func(t *rapid.T) {
		o, run := runDrawn(t, sp(t))
		if !o.Held() {
			if last != nil {
				*last, *lastOut = run, o
			}
			simtest.Fail(t, run, "%s (traitors %v)", o.Failure(), o.Scenario.Traitors)
		}
	}
}

// omAboveBound draws m ≤ 2, n ≥ 3m+1 and up to m traitors: the theorem's
// premise.
func omAboveBound(bug generals.Bug) func(t *rapid.T) generals.Space {
	return func(t *rapid.T) generals.Space {
		m := rapid.IntRange(0, 2).Draw(t, "m")
		n := rapid.IntRange(max(3*m+1, 2), 3*m+3).Draw(t, "n")
		k := rapid.IntRange(0, m).Draw(t, "traitors")
		return generals.Space{Cast: generals.Cast{Generals: n, Traitors: k}, Algorithm: generals.OM, Rounds: m, Bug: bug}
	}
}

// smAnyTraitors draws m ≤ 3, any n ≥ m+2 and up to m traitors: SM needs
// no bound on n.
func smAnyTraitors(bug generals.Bug) func(t *rapid.T) generals.Space {
	return func(t *rapid.T) generals.Space {
		m := rapid.IntRange(0, 3).Draw(t, "m")
		n := rapid.IntRange(m+2, m+4).Draw(t, "n")
		k := rapid.IntRange(0, m).Draw(t, "traitors")
		return generals.Space{Cast: generals.Cast{Generals: n, Traitors: k}, Algorithm: generals.SM, Rounds: m, Bug: bug}
	}
}

// TestOMHoldsAtOrAboveBound: IC1 and IC2 hold for OM(m) whenever n ≥ 3m+1
// and at most m generals are traitors, over drawn traitor sets (commander
// included), strategies, orders and network schedules.
func TestOMHoldsAtOrAboveBound(t *testing.T) {
	rapid.Check(t, icProperty(omAboveBound(generals.NoBug), nil, nil))
}

// TestSMHoldsForAnyTraitors: IC1 and IC2 hold for SM(m) with up to m
// traitors whatever n, including the colluding chain that delivers a
// second value as late as the rounds allow.
func TestSMHoldsForAnyTraitors(t *testing.T) {
	rapid.Check(t, icProperty(smAnyTraitors(generals.NoBug), nil, nil))
}

// TestTeachingBugsBreakTheProperties shows the properties above are not
// vacuous: with each teaching bug on, the same search fails and shrinks
// to a counterexample a person can read.
func TestTeachingBugsBreakTheProperties(t *testing.T) {
	cases := []struct {
		name    string
		space   func(t *rapid.T) generals.Space
		nonZero int // the shrunk schedule's non-boring draws, at most
		events  int // the shrunk trace's length, at most
		broken  string
	}{
		// A traitor commander that splits its orders is believed.
		{"om trust-commander", omAboveBound(generals.BugTrustCommander), 2, 21, "IC1"},
		// A lieutenant's forged retreat counts beside the genuine attack.
		{"sm skip-verify", smAnyTraitors(generals.BugSkipVerify), 1, 20, "IC2"},
		{"sm trust-commander", smAnyTraitors(generals.BugTrustCommander), 2, 20, "IC1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var last simtest.Run
			var out generals.Outcome
			res := simtest.Search(200, 1, icProperty(c.space, &last, &out))
			require.True(t, res.Failed, "the bug must be found")
			require.LessOrEqual(t, last.NonZero(), c.nonZero, "shrunk schedule:\n%s", last.Schedule())
			require.LessOrEqual(t, len(last.Log.Events), c.events, "shrunk trace:\n%s", last.Log.Text())
			require.Contains(t, out.Failure(), c.broken)
			t.Logf("%s\n%s%s", out.Failure(), last.Schedule(), last.Log.Text())
		})
	}
}

// TestOMBelowBoundIsBroken: with n = 3 and m = 1 the search finds the
// classic failure and shrinks it to one lie: a loyal commander orders
// attack, the traitor lieutenant relays retreat, and the loyal lieutenant's
// tie falls to the default retreat (IC2).
func TestOMBelowBoundIsBroken(t *testing.T) {
	var last simtest.Run
	var out generals.Outcome
	start := time.Now()
	space := func(*rapid.T) generals.Space {
		return generals.Space{Cast: generals.Cast{Generals: 3, Traitors: 1}, Algorithm: generals.OM, Rounds: 1}
	}
	res := simtest.Search(200, 1, icProperty(space, &last, &out))
	require.True(t, res.Failed, "OM(1) with 3 generals must be broken")
	require.Equal(t, 1, last.NonZero(), "one draw matters, the traitor's strategy:\n%s", last.Schedule())
	require.LessOrEqual(t, len(last.Log.Events), 18, "shrunk trace:\n%s", last.Log.Text())
	require.True(t, out.Scenario.CommanderLoyal())
	require.Equal(t, generals.Attack, out.Scenario.Order)
	require.Equal(t, []generals.Traitor{{ID: 1, Strategy: generals.Lie}}, out.Scenario.Traitors)
	require.Equal(t, generals.Retreat, out.Decisions[2])
	require.False(t, out.Validity)
	require.Equal(t, 1, out.Ties, "the loyal lieutenant's vote tied")
	require.Equal(t, []string{"n1 told n2 that n0 said retreat (it heard attack)"}, generals.Explain(out.Scenario, last.Log.Events))
	t.Logf("found and shrank in %v:\n%s%s", time.Since(start), last.Schedule(), last.Log.Text())
}

// coverage counts what a passing search saw, so it can be shown to have
// looked where failures would be.
type coverage struct {
	runs, traitorCommander, loyalCommander, equivocated, ties, forged, rejected, retreatOrders int
	strategies                                                                                 map[generals.Strategy]int
}

func (c *coverage) add(o generals.Outcome) {
	c.runs++
	if o.Scenario.CommanderLoyal() {
		c.loyalCommander++
	} else {
		c.traitorCommander++
	}
	if o.Equivocated {
		c.equivocated++
	}
	if o.Ties > 0 {
		c.ties++
	}
	if o.Forged > 0 {
		c.forged++
	}
	if o.Rejected > 0 {
		c.rejected++
	}
	if o.Scenario.Order == generals.Retreat {
		c.retreatOrders++
	}
	for _, tr := range o.Scenario.Traitors {
		c.strategies[tr.Strategy]++
	}
}

// TestSearchCoverage: a passing search of OM(1) with 5 generals (an even
// number of votes, so ties happen) and of
// SM(2) with 5 looked at the interesting cases — traitor commanders,
// equivocation, ties, every strategy, forgeries refused — not only calm
// runs.
func TestSearchCoverage(t *testing.T) {
	for _, sp := range []generals.Space{
		{Cast: generals.Cast{Generals: 5, Traitors: 1}, Algorithm: generals.OM, Rounds: 1},
		{Cast: generals.Cast{Generals: 5, Traitors: 2}, Algorithm: generals.SM, Rounds: 2},
	} {
		t.Run(fmt.Sprint(sp.Algorithm), func(t *testing.T) {
			c := coverage{strategies: map[generals.Strategy]int{}}
			res := simtest.Search(300, 7, func(t *rapid.T) {
				o, run := runDrawn(t, sp)
				c.add(o)
				if !o.Held() {
					simtest.Fail(t, run, "%s", o.Failure())
				}
			})
			require.False(t, res.Failed, res.Report)
			// rapid runs a fifth of the checks under -short; the bounds are
			// shares of what ran.
			require.GreaterOrEqual(t, c.runs, 60)
			atLeast := func(got int, share float64, what string) {
				require.GreaterOrEqual(t, float64(got), share*float64(c.runs), "%s: %d of %d runs", what, got, c.runs)
			}
			atLeast(c.traitorCommander, 0.2, "traitor commander")
			atLeast(c.loyalCommander, 0.2, "loyal commander")
			atLeast(c.equivocated, 0.07, "equivocation")
			atLeast(c.retreatOrders, 0.2, "retreat ordered")
			for _, s := range generals.Strategies {
				atLeast(c.strategies[s], 0.07, "strategy "+string(s))
			}
			if sp.Algorithm == generals.OM {
				atLeast(c.ties, 0.07, "ties falling to the default")
			} else {
				atLeast(c.forged, 0.07, "forgeries attempted")
				atLeast(c.rejected, 0.07, "forgeries refused")
			}
			t.Logf("%+v", c)
		})
	}
}
