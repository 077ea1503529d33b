package simtest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"simulate/sim"
	"simulate/sim/simtest"
)

// write is "set the register to V".
type write struct{ V int }

func (m write) AppendDigest(b []byte) []byte { return append(b, byte(m.V)) }
func (m write) String() string               { return fmt.Sprintf("write{%d}", m.V) }

// register is the planted bug: node 0 writes 1 then 2 to node 1, which
// keeps whatever arrived last, trusting the network to keep order.
type register struct{ last int }

func (r *register) Start(ctx sim.Context) {
	if ctx.Self() == 0 {
		ctx.Send(1, write{V: 1})
		ctx.Send(1, write{V: 2})
	}
}
func (r *register) Deliver(ctx sim.Context, _ sim.NodeID, m sim.Message) {
	r.last = m.(write).V
	ctx.Observe("value", 0, fmt.Sprint(r.last))
}
func (r *register) Fire(sim.Context, sim.TimerID, any) {}

// jitter delays each message by 1ms plus a drawn 0..99ms (0 = in order).
type jitter struct{}

func (jitter) Route(l sim.Link) sim.Fate {
	d := l.Choices.Intn(fmt.Sprintf("delay n%d->n%d", l.From, l.To), 100)
	return sim.Fate{Delay: sim.Millisecond + sim.Time(d)*sim.Millisecond}
}

// registerProperty: the register ends at the last value written.
func registerProperty(last *simtest.Run) func(t *rapid.T) {
	return func(t *rapid.T) {
		run := simtest.RunWorld(t, sim.Config{
			Nodes:   2,
			New:     func(sim.NodeID) sim.Node { return &register{} },
			Network: jitter{},
		}, nil)
		obs := run.Result.Observations
		if got := obs[len(obs)-1].Value; got != "2" {
			*last = run
			simtest.Fail(t, run, "register ends at %s, want 2 (the last write)", got)
		}
	}
}

// TestSearchFindsAndShrinksReordering shows the search at work on a planted
// bug: rapid must find a reordering that breaks the register and shrink it
// to one non-boring draw and a handful of events.
func TestSearchFindsAndShrinksReordering(t *testing.T) {
	var last simtest.Run
	start := time.Now()
	res := simtest.Search(200, 1, registerProperty(&last))
	took := time.Since(start)
	require.True(t, res.Failed, "the search must find the reordering")
	require.Equal(t, 1, last.NonZero(), "shrunk to the one delay that matters:\n%s", last.Schedule())
	require.LessOrEqual(t, len(last.Log.Events), 8, "shrunk trace:\n%s", last.Log.Text())
	require.Contains(t, res.Report, "register ends at 1")
	// The smallest reordering: write{1} one millisecond late, so write{2}
	// overtakes it.
	require.True(t, strings.Contains(last.Schedule(), "delay n0->n1 = 1 (of 100)"), last.Schedule())
	t.Logf("found and shrank in %v; counterexample:\n%s%s", took, last.Schedule(), last.Log.Text())
}

func TestSearchPassesCorrectProtocol(t *testing.T) {
	res := simtest.Search(50, 1, func(t *rapid.T) {
		run := simtest.RunWorld(t, sim.Config{Nodes: 2, New: func(sim.NodeID) sim.Node { return &register{} }, Network: sim.FixedDelay{D: sim.Millisecond}}, nil)
		if v := run.Result.Observations[1].Value; v != "2" {
			simtest.Fail(t, run, "got %s", v)
		}
	})
	require.False(t, res.Failed, res.Report)
}

// TestPropertyUnderRapidCheck is the form a user's test takes: rapid.Check
// directly, with the shrunk trace in the failure message.
func TestPropertyUnderRapidCheck(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		run := simtest.RunWorld(t, sim.Config{Nodes: 2, New: func(sim.NodeID) sim.Node { return &register{} }}, nil)
		require.Len(t, run.Result.Observations, 2)
		require.Equal(t, 0, run.NonZero(), "FixedDelay draws nothing")
	})
}
