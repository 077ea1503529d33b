package network

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"simulate/sim"
	"simulate/sim/simtest"
)

var models = []struct {
	name string
	lat  Latency
	lo   sim.Time // every delay is at least lo
	hi   sim.Time // and at most hi
}{
	{"constant", Constant(5 * sim.Millisecond), 5 * sim.Millisecond, 5 * sim.Millisecond},
	{"uniform", Uniform(2*sim.Millisecond, 40*sim.Millisecond), 2 * sim.Millisecond, 40 * sim.Millisecond},
	{"exponential", Exponential(10 * sim.Millisecond), 0, 10 * 10 * sim.Millisecond},
	{"exponential+floor", Latency{Dist: DistExponential, Mean: 10 * sim.Millisecond, Min: 3 * sim.Millisecond}, 3 * sim.Millisecond, 103 * sim.Millisecond},
	{"lognormal", LogNormal(30*sim.Millisecond, 0.5), 0, 30 * sim.Millisecond * 5},
}

func TestLatencyTables(t *testing.T) {
	for _, m := range models {
		t.Run(m.name, func(t *testing.T) {
			require.NoError(t, m.lat.Validate())
			tab := m.lat.Table()
			require.NotEmpty(t, tab)
			assert.True(t, slices.IsSorted(tab), "table sorted fastest first: %v", tab)
			for _, d := range tab {
				assert.GreaterOrEqual(t, d, m.lo)
				assert.LessOrEqual(t, d, m.hi)
			}
			net := MustNew(2, Options{Latency: m.lat})
			// Draw 0 is the base delay: the fastest in the table.
			f := net.Route(sim.Link{From: 0, To: 1, Choices: sim.Boring{}})
			assert.Equal(t, tab[0], f.Delay)
			assert.False(t, f.Drop || f.Duplicate)
			// Draw k is bucket k.
			for k := range tab {
				f := net.Route(sim.Link{From: 0, To: 1, Choices: &sim.ReplayChoices{Values: []int{k}}})
				assert.Equal(t, tab[k], f.Delay, "bucket %d", k)
			}
		})
	}
}

func TestLatencyShape(t *testing.T) {
	// Uniform reaches both ends exactly.
	u := Uniform(2*sim.Millisecond, 40*sim.Millisecond).Table()
	assert.Len(t, u, Buckets)
	assert.Equal(t, 2*sim.Millisecond, u[0])
	assert.Equal(t, 40*sim.Millisecond, u[Buckets-1])

	// The midpoint quantiles keep the exponential's mean within a few
	// percent (only the far tail is cut off).
	mean := func(tab []sim.Time) float64 {
		s := 0.0
		for _, d := range tab {
			s += float64(d)
		}
		return s / float64(len(tab))
	}
	e := Exponential(10 * sim.Millisecond).Table()
	assert.InEpsilon(t, float64(10*sim.Millisecond), mean(e), 0.05)

	// The log-normal's median sits between the two middle buckets.
	ln := LogNormal(30*sim.Millisecond, 0.5).Table()
	assert.Less(t, ln[Buckets/2-1], 30*sim.Millisecond)
	assert.Greater(t, ln[Buckets/2], 30*sim.Millisecond)

	// Degenerate distributions need no draw.
	for _, l := range []Latency{{}, Uniform(sim.Second, sim.Second), Exponential(0), LogNormal(sim.Millisecond, 0)} {
		assert.Len(t, l.Table(), 1, "%v", l)
	}
	// A heavy tail is clamped rather than overflowing.
	heavy := Latency{Dist: DistLogNormal, Median: MaxDelay, Sigma: MaxSigma, Min: MaxDelay}
	require.NoError(t, heavy.Validate())
	assert.Equal(t, MaxDelay, heavy.Table()[Buckets-1])
}

func TestParseLatency(t *testing.T) {
	good := map[string]Latency{
		"10ms":                 Constant(10 * sim.Millisecond),
		"constant:1s":          Constant(sim.Second),
		"uniform:5ms,50ms":     Uniform(5*sim.Millisecond, 50*sim.Millisecond),
		"exp:20ms":             Exponential(20 * sim.Millisecond),
		"exponential:20ms+5ms": {Dist: DistExponential, Mean: 20 * sim.Millisecond, Min: 5 * sim.Millisecond},
		"lognormal:30ms,0.5":   LogNormal(30*sim.Millisecond, 0.5),
		"lognormal:1000,1+2us": {Dist: DistLogNormal, Median: 1000, Sigma: 1, Min: 2 * sim.Microsecond},
	}
	for in, want := range good {
		got, err := ParseLatency(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
		// String writes what ParseLatency reads back.
		again, err := ParseLatency(got.String())
		require.NoError(t, err, got.String())
		assert.Equal(t, got, again)
	}
	bad := []string{"", "fast", "-1ms", "uniform:5ms", "uniform:50ms,5ms", "uniform:a,b",
		"exp:-3ms", "lognormal:30ms", "lognormal:30ms,-1", "lognormal:30ms,NaN", "lognormal:30ms,99",
		"gamma:1s", "1000h", "exp:1s+x"}
	for _, in := range bad {
		_, err := ParseLatency(in)
		assert.Error(t, err, in)
		if err != nil {
			assert.NotContains(t, err.Error(), "\n", "one-line error")
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	assert.NoError(t, Options{}.Validate())
	assert.NoError(t, Options{Loss: 1, Duplicate: 0.5, FIFO: true, Latency: Uniform(0, sim.Second)}.Validate())
	for _, o := range []Options{
		{Loss: -0.1}, {Loss: 1.5}, {Loss: math.NaN()}, {Duplicate: 2},
		{Latency: Constant(-sim.Millisecond)}, {Latency: Latency{Dist: "zipf"}},
	} {
		assert.Error(t, o.Validate(), "%+v", o)
		_, err := New(3, o)
		assert.Error(t, err)
	}
	_, err := New(0, Options{})
	assert.Error(t, err)
	topo, err := RandomRegular(10, 3+1, 1)
	require.NoError(t, err)
	_, err = New(11, Options{Topology: topo})
	assert.Error(t, err, "topology size must match")
}

// drawCounter counts draws and answers a fixed value.
type drawCounter struct {
	v      int
	labels []string
}

func (d *drawCounter) Intn(label string, n int) int {
	d.labels = append(d.labels, label)
	return min(d.v, n-1)
}

func TestSelfSendDrawsNothing(t *testing.T) {
	net := MustNew(3, Options{Latency: Exponential(sim.Second), Loss: 0.5, Duplicate: 0.5})
	c := &drawCounter{v: 1 << 30}
	f := net.Route(sim.Link{From: 1, To: 1, Choices: c})
	assert.Equal(t, sim.Fate{}, f)
	assert.Empty(t, c.labels)
	// A message to someone else draws delay, loss, dup and the copy's
	// delay — always all of them, so shrinking keeps their meaning — with
	// labels that name the link.
	c = &drawCounter{}
	net.Route(sim.Link{From: 0, To: 2, Choices: c})
	assert.Equal(t, []string{"delay n0->n2", "loss n0->n2", "dup n0->n2", "dup delay n0->n2"}, c.labels)
}

func TestLossAndDuplication(t *testing.T) {
	t.Run("loss 0 never drops, dup 0 never duplicates", rapid.MakeCheck(func(t *rapid.T) {
		net := MustNew(4, Options{Latency: Uniform(0, sim.Second)})
		c := simtest.Choices(t)
		for i := 0; i < 20; i++ {
			f := net.Route(sim.Link{From: 0, To: 3, Choices: c})
			if f.Drop || f.Duplicate {
				t.Fatalf("fate %+v with loss 0", f)
			}
		}
	}))
	t.Run("loss 1 always drops", rapid.MakeCheck(func(t *rapid.T) {
		net := MustNew(4, Options{Latency: Uniform(0, sim.Second), Loss: 1})
		c := simtest.Choices(t)
		for i := 0; i < 20; i++ {
			if f := net.Route(sim.Link{From: 1, To: 2, Choices: c}); !f.Drop || f.Reason != ReasonLoss {
				t.Fatalf("fate %+v with loss 1", f)
			}
		}
	}))
	t.Run("draw 0 delivers once, top draw drops or duplicates", func(t *testing.T) {
		net := MustNew(2, Options{Loss: 0.01, Duplicate: 0.01})
		assert.Equal(t, sim.Fate{}, net.Route(sim.Link{From: 0, To: 1, Choices: sim.Boring{}}))
		f := net.Route(sim.Link{From: 0, To: 1, Choices: &sim.ReplayChoices{Values: []int{ppm - 1}}})
		assert.Equal(t, sim.Fate{Drop: true, Reason: ReasonLoss}, f)
		f = net.Route(sim.Link{From: 0, To: 1, Choices: &sim.ReplayChoices{Values: []int{0, ppm - 1}}})
		assert.True(t, f.Duplicate)
	})
	t.Run("rates match probabilities", func(t *testing.T) {
		net := MustNew(2, Options{Loss: 0.3, Duplicate: 0.2})
		c := sim.NewPCGChoices(7)
		var lost, dup int
		const N = 20000
		for i := 0; i < N; i++ {
			f := net.Route(sim.Link{From: 0, To: 1, Choices: c})
			if f.Drop {
				lost++
			} else if f.Duplicate {
				dup++
			}
		}
		assert.InDelta(t, 0.3, float64(lost)/N, 0.02)
		assert.InDelta(t, 0.2, float64(dup)/float64(N-lost), 0.02)
	})
	t.Run("loss windows", func(t *testing.T) {
		net := MustNew(2, Options{Loss: 0.1})
		net.SetLoss(1)
		assert.Equal(t, 1.0, net.Loss())
		assert.False(t, net.Healed())
		assert.True(t, net.Route(sim.Link{From: 0, To: 1, Choices: sim.Boring{}}).Drop)
		net.Heal()
		assert.Equal(t, 0.1, net.Loss())
		assert.True(t, net.Healed())
		assert.Panics(t, func() { net.SetLoss(-1) })
	})
}

// TestFIFO checks, under arbitrary draws and send times, that a FIFO net
// never lets a message arrive before one sent earlier on the same link,
// duplicates included.
func TestFIFO(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lat := rapid.SampledFrom(models).Draw(t, "model").lat
		net := MustNew(3, Options{Latency: lat, FIFO: true, Duplicate: 0.3})
		c := simtest.Choices(t)
		last := map[[2]sim.NodeID]sim.Time{}
		now := sim.Time(0)
		for i := rapid.IntRange(1, 40).Draw(t, "sends"); i > 0; i-- {
			now += sim.Time(rapid.IntRange(0, 20).Draw(t, "gap")) * sim.Millisecond
			from := sim.NodeID(rapid.IntRange(0, 2).Draw(t, "from"))
			to := sim.NodeID(rapid.IntRange(0, 2).Draw(t, "to"))
			f := net.Route(sim.Link{From: from, To: to, Now: now, Choices: c})
			if from == to {
				continue
			}
			k := [2]sim.NodeID{from, to}
			arrive := now + f.Delay
			if arrive < last[k] {
				t.Fatalf("n%d->n%d: arrives at %s before an earlier message at %s", from, to, arrive, last[k])
			}
			last[k] = arrive
			if f.Duplicate {
				if now+f.DupDelay < last[k] {
					t.Fatalf("duplicate overtakes")
				}
				last[k] = now + f.DupDelay
			}
		}
	})
}

// TestReorderByDefault shows the default is not FIFO: a later message with
// a faster draw overtakes, which is what the FIFO option exists to stop.
func TestReorderByDefault(t *testing.T) {
	net := MustNew(2, Options{Latency: Uniform(0, 63*sim.Millisecond)})
	first := net.Route(sim.Link{From: 0, To: 1, Now: 0, Choices: &sim.ReplayChoices{Values: []int{63}}})
	second := net.Route(sim.Link{From: 0, To: 1, Now: sim.Millisecond, Choices: sim.Boring{}})
	assert.Less(t, sim.Millisecond+second.Delay, first.Delay)
}

func TestPartitionCutHeal(t *testing.T) {
	net := MustNew(5, Options{})
	route := func(from, to sim.NodeID) sim.Fate {
		return net.Route(sim.Link{From: from, To: to, Choices: sim.Boring{}})
	}
	net.Partition([]sim.NodeID{0, 1}, []sim.NodeID{2})
	// {0,1} | {2} | rest {3,4}
	assert.False(t, route(0, 1).Drop)
	assert.False(t, route(3, 4).Drop)
	for _, p := range [][2]sim.NodeID{{0, 2}, {2, 0}, {1, 3}, {4, 2}} {
		assert.Equal(t, sim.Fate{Drop: true, Reason: ReasonPartition}, route(p[0], p[1]), "%v", p)
		assert.False(t, net.Reachable(p[0], p[1]))
	}
	assert.False(t, route(2, 2).Drop, "self-sends cross no link")
	assert.Equal(t, "{n0 n1} | {n2} | rest {n3 n4}", GroupsString(5, [][]sim.NodeID{{1, 0}, {2}}))

	// A new partition replaces the old one.
	net.Partition([]sim.NodeID{4})
	assert.False(t, route(0, 2).Drop)
	assert.True(t, route(4, 0).Drop)

	// Cuts are one-way and survive a new partition.
	net.Cut(0, 1)
	assert.Equal(t, sim.Fate{Drop: true, Reason: ReasonCut}, route(0, 1))
	assert.False(t, route(1, 0).Drop)
	net.Partition()
	assert.True(t, route(0, 1).Drop)

	net.Heal()
	assert.True(t, net.Healed())
	for a := sim.NodeID(0); a < 5; a++ {
		for b := sim.NodeID(0); b < 5; b++ {
			assert.False(t, route(a, b).Drop)
			assert.True(t, net.Reachable(a, b))
		}
	}
	assert.Panics(t, func() { net.Partition([]sim.NodeID{0}, []sim.NodeID{0}) })
	assert.Panics(t, func() { net.Partition([]sim.NodeID{9}) })
	assert.Panics(t, func() { net.Cut(0, 5) })
	assert.Error(t, ValidateGroups(3, [][]sim.NodeID{{0, 1}, {1}}))
	assert.Error(t, ValidateGroups(3, [][]sim.NodeID{{2, 2}}))
	assert.Error(t, ValidateGroups(3, [][]sim.NodeID{{-1}}))
	assert.NoError(t, ValidateGroups(3, [][]sim.NodeID{{0}, {}, {2}}))
}

func TestRandomRegular(t *testing.T) {
	for _, tc := range []struct{ n, d int }{{2, 1}, {3, 2}, {10, 2}, {10, 3}, {11, 4}, {50, 5}, {8, 7}, {100, 8}} {
		topo, err := RandomRegular(tc.n, tc.d, 42)
		require.NoError(t, err, "%+v", tc)
		assert.True(t, topo.Connected(), "%+v", tc)
		for i := 0; i < tc.n; i++ {
			id := sim.NodeID(i)
			nb := topo.Neighbors(id)
			assert.Len(t, nb, tc.d)
			assert.Equal(t, tc.d, topo.Degree(id))
			assert.True(t, slices.IsSorted(nb))
			assert.NotContains(t, nb, id)
			assert.Len(t, slices.Compact(slices.Clone(nb)), tc.d, "no multi-edges")
			for _, o := range nb {
				assert.True(t, topo.Linked(o, id), "links are symmetric")
			}
		}
		again, _ := RandomRegular(tc.n, tc.d, 42)
		assert.Equal(t, topo, again, "same seed, same graph")
	}
	a, _ := RandomRegular(100, 4, 1)
	b, _ := RandomRegular(100, 4, 2)
	assert.NotEqual(t, a, b, "the seed matters")

	for _, bad := range []struct{ n, d int }{{1, 1}, {5, 0}, {5, 5}, {5, 3}, {4, 1}} {
		_, err := RandomRegular(bad.n, bad.d, 1)
		assert.Error(t, err, "%+v", bad)
	}

	// Sending over a non-edge is dropped.
	topo, _ := RandomRegular(20, 3, 9)
	net := MustNew(20, Options{Topology: topo})
	var non sim.NodeID
	for slices.Contains(topo.Neighbors(0), non) || non == 0 {
		non++
	}
	assert.Equal(t, sim.Fate{Drop: true, Reason: ReasonNoLink}, net.Route(sim.Link{From: 0, To: non, Choices: sim.Boring{}}))
	assert.False(t, net.Route(sim.Link{From: 0, To: topo.Neighbors(0)[0], Choices: sim.Boring{}}).Drop)
	assert.Equal(t, topo.Neighbors(5), net.Neighbors(5))

	c := Complete(4)
	assert.Equal(t, []sim.NodeID{0, 1, 3}, c.Neighbors(2))
	assert.True(t, c.IsComplete() && c.Connected() && c.Linked(0, 3))
}

func TestRandomRegularScales(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10,000-node graph")
	}
	topo, err := RandomRegular(10000, 8, 1)
	require.NoError(t, err)
	assert.True(t, topo.Connected())
	for i := 0; i < 10000; i++ {
		require.Equal(t, 8, topo.Degree(sim.NodeID(i)))
	}
	// A 10,000-node complete network routes without n² state.
	net := MustNew(10000, Options{Latency: LogNormal(50*sim.Millisecond, 0.5), FIFO: true})
	c := sim.NewPCGChoices(1)
	for i := 0; i < 100000; i++ {
		net.Route(sim.Link{From: sim.NodeID(i % 10000), To: sim.NodeID((i * 7919) % 10000), Choices: c})
	}
}

func BenchmarkRandomRegular10k(b *testing.B) {
	for b.Loop() {
		if _, err := RandomRegular(10000, 8, 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRoute(b *testing.B) {
	net := MustNew(100, Options{Latency: LogNormal(50*sim.Millisecond, 0.5), Loss: 0.01, Duplicate: 0.01})
	c := sim.NewPCGChoices(1)
	i := 0
	for b.Loop() {
		i++
		net.Route(sim.Link{From: sim.NodeID(i % 100), To: sim.NodeID((i * 31) % 100), Choices: c})
	}
}

// flood is a tiny protocol: node 0 floods a rumour, every node relays it to
// its neighbours once and observes when it heard it.
type rumour struct{ Hops int }

func (r rumour) AppendDigest(b []byte) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(r.Hops))
}

type flood struct {
	net   *Net
	heard bool
}

func (f *flood) Start(ctx sim.Context) {
	if ctx.Self() == 0 {
		f.relay(ctx, rumour{})
	}
}

func (f *flood) relay(ctx sim.Context, r rumour) {
	f.heard = true
	ctx.Observe("heard", 0, "")
	for _, to := range f.net.Neighbors(ctx.Self()) {
		ctx.Send(to, rumour{Hops: r.Hops + 1})
	}
}

func (f *flood) Deliver(ctx sim.Context, _ sim.NodeID, msg sim.Message) {
	if !f.heard {
		f.relay(ctx, msg.(rumour))
	}
}

func (f *flood) Fire(sim.Context, sim.TimerID, any) {}

func runFlood(t *testing.T, seed uint64, partition bool) sim.Result {
	topo, err := RandomRegular(30, 4, 5)
	require.NoError(t, err)
	net := MustNew(30, Options{Latency: LogNormal(20*sim.Millisecond, 0.8), Loss: 0.1, Duplicate: 0.1, Topology: topo})
	w := sim.New(sim.Config{
		Nodes:   30,
		New:     func(sim.NodeID) sim.Node { return &flood{net: net} },
		Network: net,
		Choices: sim.NewPCGChoices(seed),
		Seed:    seed,
	})
	if partition {
		// Before Run, not through w.At(0, ...): Start's sends are routed
		// before any scheduled event fires.
		net.Partition([]sim.NodeID{0, 1, 2})
	}
	return w.Run()
}

func TestFloodDeterministic(t *testing.T) {
	a, b := runFlood(t, 1, false), runFlood(t, 1, false)
	assert.Equal(t, a.Hash, b.Hash)
	assert.Equal(t, a, b)
	assert.Greater(t, a.Delivered, 30)
	assert.Greater(t, a.Dropped, 0)
	assert.Greater(t, a.Duplicated, 0)
	c := runFlood(t, 2, false)
	assert.NotEqual(t, a.Hash, c.Hash, "another seed, another run")

	// Behind a partition the rumour stays with {0,1,2}.
	p := runFlood(t, 1, true)
	for _, o := range p.Observations {
		assert.Less(t, int(o.Node), 3, "n%d heard across the partition", o.Node)
	}
}

func TestOptionsJSON(t *testing.T) {
	o := Options{Latency: LogNormal(30*sim.Millisecond, 0.5), Loss: 0.1, FIFO: true}
	b, err := json.Marshal(o)
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(b), `"dist":"lognormal"`), string(b))
	var back Options
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, o, back)
}

// TestWarmChangesNothing: Warm may be called for any node, with links or
// without, reserved or added later, or out of range, and a run's fates
// are the same with or without it.
func TestWarmChangesNothing(t *testing.T) {
	fates := func(warm bool) []sim.Fate {
		net := MustNew(4, Options{Latency: Constant(sim.Millisecond), Bandwidth: 1_000_000})
		net.Reserve([][]sim.NodeID{{1, 2}, {0}, nil, {2, 0}}) // node 3's row is unsorted: kept apart
		var out []sim.Fate
		c := sim.NewPCGChoices(1)
		for i := 0; i < 40; i++ {
			from, to := sim.NodeID(i%4), sim.NodeID((i/4)%4)
			if warm {
				for _, n := range []sim.NodeID{-1, from, to, 4, 99} {
					net.Warm(n)
				}
			}
			out = append(out, net.Route(sim.Link{From: from, To: to, Now: sim.Time(i) * sim.Millisecond, Msg: sized(1000), Choices: c}))
		}
		return out
	}
	require.Equal(t, fates(false), fates(true))
}
