package faults

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"simulate/sim"
)

// val is the beacon protocol's only message: round Round of node From's
// value Value.
type val struct {
	From  sim.NodeID
	Round int
	Value string
}

func (v val) AppendDigest(b []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(v.From))
	b = binary.BigEndian.AppendUint64(b, uint64(v.Round))
	return append(b, v.Value...)
}

// tick is the beacon's own timer tag: a plain string, so a wrapper timer
// leaking into the inner node would show up as a wrong tag type.
type tick string

// beacon broadcasts its value to every peer every 10ms for a number of
// rounds, and observes every message it receives as "got"[from] =
// "round:value@time". It counts its timer firings and any tag that is not
// its own.
type beacon struct {
	rounds  int
	round   int
	ticks   int
	badTags []any
}

const period = 10 * sim.Millisecond

func (b *beacon) Start(ctx sim.Context) { b.broadcast(ctx) }

func (b *beacon) broadcast(ctx sim.Context) {
	for _, to := range ctx.Nodes() {
		if to != ctx.Self() {
			ctx.Send(to, val{From: ctx.Self(), Round: b.round, Value: "v"})
		}
	}
	b.round++
	if b.round < b.rounds {
		ctx.After(period, tick("next"))
	}
}

func (b *beacon) Deliver(ctx sim.Context, from sim.NodeID, msg sim.Message) {
	v := msg.(val)
	ctx.Observe("got", int(from), fmt.Sprintf("%d:%s@%s", v.Round, v.Value, ctx.Now()))
}

func (b *beacon) Fire(ctx sim.Context, _ sim.TimerID, tag any) {
	if tag != tick("next") {
		b.badTags = append(b.badTags, tag)
		return
	}
	b.ticks++
	b.broadcast(ctx)
}

const traitor = sim.NodeID(1)

// runBeacons runs 4 beacons over a 1ms network with node 1 wrapped by wrap
// (nil: honest) and returns the result and the traitor's inner beacon.
func runBeacons(t *testing.T, rounds int, wrap func(sim.Node) sim.Node) (sim.Result, *beacon) {
	t.Helper()
	var inner *beacon
	w := sim.New(sim.Config{
		Nodes: 4,
		New: func(id sim.NodeID) sim.Node {
			b := &beacon{rounds: rounds}
			if id != traitor || wrap == nil {
				return b
			}
			inner = b
			return wrap(b)
		},
		Network: sim.FixedDelay{D: sim.Millisecond},
		Seed:    3,
	})
	res := w.Run()
	if wrap != nil {
		require.Same(t, inner, Unwrap(w.Node(traitor)), "Unwrap finds the honest node inside")
	}
	if inner == nil {
		inner = w.Node(traitor).(*beacon)
	}
	assert.Equal(t, rounds-1, inner.ticks, "the inner node's own timers all fire")
	assert.Empty(t, inner.badTags, "no wrapper timer reaches the inner node")
	return res, inner
}

// from returns what receivers observed from node id, by receiver.
func from(res sim.Result, id sim.NodeID) map[sim.NodeID][]string {
	got := map[sim.NodeID][]string{}
	for _, o := range res.Observations {
		if o.Kind == "got" && sim.NodeID(o.Slot) == id {
			got[o.Node] = append(got[o.Node], o.Value)
		}
	}
	return got
}

func count(m map[sim.NodeID][]string) int {
	n := 0
	for _, v := range m {
		n += len(v)
	}
	return n
}

func TestHonestBaseline(t *testing.T) {
	res, _ := runBeacons(t, 3, nil)
	got := from(res, traitor)
	assert.Equal(t, []string{"0:v@1ms", "1:v@11ms", "2:v@21ms"}, got[0])
	assert.Equal(t, 9, count(got))
}

func TestIdentityWrappersChangeNothing(t *testing.T) {
	honest, _ := runBeacons(t, 5, nil)
	for name, wrap := range map[string]func(sim.Node) sim.Node{
		"drop 0":        func(n sim.Node) sim.Node { return Drop(n, 0) },
		"delay 0":       func(n sim.Node) sim.Node { return Delay(n, 0) },
		"equivocate id": func(n sim.Node) sim.Node { return Equivocate(n, nil) },
	} {
		res, _ := runBeacons(t, 5, wrap)
		assert.Equal(t, honest.Hash, res.Hash, name)
	}
}

func TestSilent(t *testing.T) {
	res, _ := runBeacons(t, 4, Silent)
	assert.Empty(t, from(res, traitor))
	// The traitor still hears everyone and observes it.
	assert.Len(t, from(res, 0)[traitor], 4)
	assert.Equal(t, 3*4*3, res.Sent)
}

func TestDrop(t *testing.T) {
	res, _ := runBeacons(t, 4, func(n sim.Node) sim.Node { return Drop(n, 1) })
	assert.Empty(t, from(res, traitor))

	res, _ = runBeacons(t, 100, func(n sim.Node) sim.Node { return Drop(n, 0.5) })
	got := count(from(res, traitor))
	assert.Greater(t, got, 100, "about half of 300 get through")
	assert.Less(t, got, 200)
	again, _ := runBeacons(t, 100, func(n sim.Node) sim.Node { return Drop(n, 0.5) })
	assert.Equal(t, res.Hash, again.Hash, "the drops come from the seeded node stream")
}

func TestDelay(t *testing.T) {
	const d = 4 * sim.Millisecond
	res, _ := runBeacons(t, 3, func(n sim.Node) sim.Node { return Delay(n, d) })
	assert.Equal(t, []string{"0:v@5ms", "1:v@15ms", "2:v@25ms"}, from(res, traitor)[2])
	// Honest nodes are not delayed.
	assert.Equal(t, []string{"0:v@1ms", "1:v@11ms", "2:v@21ms"}, from(res, 0)[2])

	// Stacked wrappers each keep their own timers: two delays add up, and
	// a drop on top of a delay sees the delayed sends.
	res, _ = runBeacons(t, 3, func(n sim.Node) sim.Node { return Delay(Delay(n, d), d) })
	assert.Equal(t, []string{"0:v@9ms", "1:v@19ms", "2:v@29ms"}, from(res, traitor)[3])
	res, _ = runBeacons(t, 3, func(n sim.Node) sim.Node { return Drop(Delay(n, d), 1) })
	assert.Empty(t, from(res, traitor))
}

func TestReplay(t *testing.T) {
	res, _ := runBeacons(t, 5, Replay)
	got := from(res, traitor)
	// 15 honest sends, each but the first followed by one replay.
	assert.Equal(t, 15+14, count(got))
	round := func(v string) int {
		var r int
		_, err := fmt.Sscanf(v, "%d:", &r)
		require.NoError(t, err)
		return r
	}
	arrival := func(v string) sim.Time {
		at, err := sim.ParseTime(v[strings.IndexByte(v, '@')+1:])
		require.NoError(t, err)
		return at
	}
	stale := 0
	for to, vals := range got {
		assert.NotEqual(t, traitor, to, "never replays to itself")
		for i, v := range vals {
			// Only messages already sent: round r left at r*period.
			assert.GreaterOrEqual(t, arrival(v), sim.Time(round(v))*period+sim.Millisecond, v)
			if i > 0 && round(v) < round(vals[i-1]) {
				stale++ // an old round after a newer one: the point of replay
			}
		}
	}
	assert.Greater(t, stale, 0)
}

func TestEquivocate(t *testing.T) {
	mutate := func(to sim.NodeID, msg sim.Message) sim.Message {
		v := msg.(val)
		switch to {
		case 0:
			v.Value = "attack"
		case 2:
			v.Value = "retreat"
		default:
			return nil // withhold from node 3
		}
		return v
	}
	res, _ := runBeacons(t, 2, func(n sim.Node) sim.Node { return Equivocate(n, mutate) })
	got := from(res, traitor)
	assert.Equal(t, []string{"0:attack@1ms", "1:attack@11ms"}, got[0])
	assert.Equal(t, []string{"0:retreat@1ms", "1:retreat@11ms"}, got[2])
	assert.Empty(t, got[3])
}

func TestWrappedRestart(t *testing.T) {
	// A wrapped node that crashes loses the messages its Delay held, and is
	// rebuilt wrapped on restart.
	w := sim.New(sim.Config{
		Nodes: 3,
		New: func(id sim.NodeID) sim.Node {
			if id == traitor {
				return Delay(&beacon{rounds: 1}, 5*sim.Millisecond)
			}
			return &beacon{rounds: 1}
		},
		Network: sim.FixedDelay{D: sim.Millisecond},
	})
	w.CrashAt(2*sim.Millisecond, traitor)
	w.RestartAt(3*sim.Millisecond, traitor)
	res := w.Run()
	got := from(res, traitor)
	assert.Equal(t, []string{"0:v@9ms"}, got[0], "only the restarted incarnation's send arrives")
	assert.IsType(t, &wrapper{}, w.Node(traitor))
}
