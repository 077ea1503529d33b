package network

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"simulate/sim"
)

// sized is a message with a wire size, for the bandwidth tests.
type sized int

func (s sized) WireSize() int                { return int(s) }
func (s sized) AppendDigest(b []byte) []byte { return append(b, byte(s)) }

// top returns Choices that answer every draw with its largest value:
// every loss and duplication happens, every delay is the slowest.
type top struct{}

func (top) Intn(_ string, n int) int { return n - 1 }

// TestGST: before GST the worst draws lose and duplicate; from GST on the
// same draws deliver exactly once, and the draws are still made so a
// message's later draws keep their meaning whichever side of GST it is.
func TestGST(t *testing.T) {
	gst := 100 * sim.Millisecond
	net := MustNew(3, Options{Latency: Uniform(sim.Millisecond, 5*sim.Millisecond), Loss: 0.2, Duplicate: 0.2, GST: gst})
	require.False(t, net.Stable(gst-1))
	require.True(t, net.Stable(gst))
	require.False(t, MustNew(2, Options{}).Stable(sim.Hour), "no GST: never stable")
	cases := []struct {
		name string
		now  sim.Time
		drop bool
	}{
		{"before GST the top draw loses", gst - 1, true},
		{"at GST nothing is lost", gst, false},
		{"after GST nothing is lost", gst + sim.Second, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &drawCounter{v: 1 << 30}
			f := net.Route(sim.Link{From: 0, To: 1, Now: tc.now, Choices: top{}})
			assert.Equal(t, tc.drop, f.Drop)
			assert.False(t, !f.Drop && f.Duplicate, "no duplicate after GST: %+v", f)
			if !f.Drop {
				assert.Equal(t, 5*sim.Millisecond, f.Delay, "delays stay within the table")
			}
			net.Route(sim.Link{From: 0, To: 1, Now: tc.now, Choices: c})
			assert.Equal(t, []string{"delay n0->n1", "loss n0->n1", "dup n0->n1", "dup delay n0->n1"}, c.labels)
		})
	}
	// A loss window from a fault plan ends at GST too.
	net.SetLoss(1)
	assert.True(t, net.Route(sim.Link{From: 0, To: 1, Now: gst - 1, Choices: sim.Boring{}}).Drop)
	assert.False(t, net.Route(sim.Link{From: 0, To: 1, Now: gst, Choices: sim.Boring{}}).Drop)
	assert.Error(t, Options{GST: -1}.Validate())
}

// TestBandwidthQueues: a sized message takes size·8/bandwidth on its link
// and waits behind the ones ahead of it; per link by default, per sender
// with Uplink; messages without a size and lost messages' successors are
// handled as the doc says.
func TestBandwidthQueues(t *testing.T) {
	const bw = 8_000_000 // 1 MB/s: 1,000 bytes take 1ms
	ms := sim.Millisecond
	type send struct {
		from, to sim.NodeID
		now      sim.Time
		msg      sim.Message
	}
	cases := []struct {
		name   string
		opts   Options
		sends  []send
		delays []sim.Time
	}{
		{"one message: latency plus transmission",
			Options{Latency: Constant(10 * ms), Bandwidth: bw},
			[]send{{0, 1, 0, sized(1000)}}, []sim.Time{11 * ms}},
		{"second message on the link waits for the first",
			Options{Latency: Constant(10 * ms), Bandwidth: bw},
			[]send{{0, 1, 0, sized(2000)}, {0, 1, 0, sized(1000)}}, []sim.Time{12 * ms, 13 * ms}},
		{"another link does not wait",
			Options{Latency: Constant(10 * ms), Bandwidth: bw},
			[]send{{0, 1, 0, sized(2000)}, {0, 2, 0, sized(1000)}}, []sim.Time{12 * ms, 11 * ms}},
		{"uplink: the sender's other link waits too",
			Options{Latency: Constant(10 * ms), Bandwidth: bw, Uplink: true},
			[]send{{0, 1, 0, sized(2000)}, {0, 2, 0, sized(1000)}, {1, 2, 0, sized(1000)}}, []sim.Time{12 * ms, 13 * ms, 11 * ms}},
		{"a free link does not delay",
			Options{Latency: Constant(10 * ms), Bandwidth: bw},
			[]send{{0, 1, 0, sized(1000)}, {0, 1, 5 * ms, sized(1000)}}, []sim.Time{11 * ms, 11 * ms}},
		{"a message without a size takes no time",
			Options{Latency: Constant(10 * ms), Bandwidth: bw},
			[]send{{0, 1, 0, sized(5000)}, {0, 1, 0, nil}}, []sim.Time{15 * ms, 10 * ms}},
		{"no bandwidth: no transmission time",
			Options{Latency: Constant(10 * ms)},
			[]send{{0, 1, 0, sized(5000)}, {0, 1, 0, sized(5000)}}, []sim.Time{10 * ms, 10 * ms}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			net := MustNew(3, tc.opts)
			var got []sim.Time
			for _, s := range tc.sends {
				got = append(got, net.Route(sim.Link{From: s.from, To: s.to, Now: s.now, Msg: s.msg, Choices: sim.Boring{}}).Delay)
			}
			assert.Equal(t, tc.delays, got)
		})
	}
	assert.Error(t, Options{Bandwidth: -1}.Validate())
}

// TestRegions: latency and bandwidth come from the nodes' regions, as in
// chain's region model; with Pareto steps draw 0 is the fastest quantile.
func TestRegions(t *testing.T) {
	r := SimBlockRegions()
	r.ParetoSteps = 0
	const n = 50
	net := MustNew(n, Options{Regions: &r, RegionSeed: 1})
	require.Equal(t, r.Assign(n, 1), net.RegionOf(), "the same geography as Regions.Assign")
	var eu, na sim.NodeID = -1, -1
	for i, x := range net.RegionOf() {
		if x == 1 && eu < 0 {
			eu = sim.NodeID(i)
		}
		if x == 0 && na < 0 {
			na = sim.NodeID(i)
		}
	}
	require.True(t, eu >= 0 && na >= 0)
	assert.Equal(t, min(r.Upload[1], r.Download[0]), net.LinkBandwidth(eu, na))
	f := net.Route(sim.Link{From: eu, To: na, Msg: sized(1_000_000), Choices: sim.Boring{}})
	want := r.Latency[1][0] + Transmission(1_000_000, net.LinkBandwidth(eu, na))
	assert.Equal(t, want, f.Delay)
	assert.Equal(t, r.Latency[1][0], net.Route(sim.Link{From: eu, To: na, Choices: sim.Boring{}}).Delay, "no size: latency only")

	r.ParetoSteps = 8
	pnet := MustNew(n, Options{Regions: &r, RegionSeed: 1})
	q := ParetoQuantiles(r.Latency[1][0], 8)
	assert.Equal(t, q[0], pnet.Route(sim.Link{From: eu, To: na, Choices: sim.Boring{}}).Delay)
	assert.Equal(t, q[7], pnet.Route(sim.Link{From: eu, To: na, Choices: top{}}).Delay)

	bad := r
	bad.Names = nil
	assert.Error(t, Options{Regions: &bad}.Validate())
}

// TestUnpartitioned: a partition among servers leaves the listed clients
// reaching both sides, while a cut still stops them.
func TestUnpartitioned(t *testing.T) {
	net := MustNew(5, Options{Unpartitioned: []sim.NodeID{4}})
	net.Partition([]sim.NodeID{0, 1})
	route := func(a, b sim.NodeID) bool { return !net.Route(sim.Link{From: a, To: b, Choices: sim.Boring{}}).Drop }
	assert.False(t, route(0, 2), "servers on either side are apart")
	for _, s := range []sim.NodeID{0, 1, 2, 3} {
		assert.True(t, route(4, s), "client to n%d", s)
		assert.True(t, route(s, 4), "n%d to client", s)
		assert.True(t, net.Reachable(4, s))
	}
	net.Cut(4, 0)
	assert.False(t, route(4, 0))
	_, err := New(3, Options{Unpartitioned: []sim.NodeID{3}})
	assert.Error(t, err)
}

// TestUniformSteps: a stepped uniform delay takes exactly its steps, and
// reads and prints back.
func TestUniformSteps(t *testing.T) {
	ms := sim.Millisecond
	assert.Equal(t, []sim.Time{ms, 2 * ms, 3 * ms, 4 * ms, 5 * ms}, UniformSteps(ms, 5*ms, 5).Table())
	assert.Equal(t, []sim.Time{ms}, UniformSteps(ms, 5*ms, 1).Table())
	assert.Len(t, Uniform(ms, 5*ms).Table(), Buckets)
	l, err := ParseLatency("uniform:1ms,5ms/5")
	require.NoError(t, err)
	assert.Equal(t, UniformSteps(ms, 5*ms, 5), l)
	assert.Equal(t, "uniform:1ms,5ms/5", l.String())
	for _, bad := range []string{"uniform:1ms,5ms/0", "uniform:1ms,5ms/x"} {
		_, err := ParseLatency(bad)
		assert.Error(t, err, bad)
	}
	assert.Error(t, Latency{Dist: DistExponential, Mean: ms, Steps: 3}.Validate())
	assert.Error(t, UniformSteps(0, ms, MaxSteps+1).Validate())
}

// TestSetBaseline: rates drawn at set-up become what Heal restores, while
// windows still come and go on top of them.
func TestSetBaseline(t *testing.T) {
	net := MustNew(2, Options{})
	net.SetBaseline(0.25, 0.5)
	assert.Equal(t, 0.25, net.Loss())
	assert.Equal(t, 0.5, net.Duplicate())
	assert.True(t, net.Healed())
	net.SetLoss(1)
	net.SetDuplicate(0)
	assert.False(t, net.Healed())
	net.Heal()
	assert.Equal(t, 0.25, net.Loss())
	assert.Equal(t, 0.5, net.Duplicate())
	assert.Equal(t, 0.5, net.Options().Duplicate)
	assert.Panics(t, func() { net.SetDuplicate(2) })
}

// rangeRecorder records the range of every draw and answers n-1.
type rangeRecorder struct{ ns []int }

func (r *rangeRecorder) Intn(_ string, n int) int { r.ns = append(r.ns, n); return n - 1 }

// TestChanceRange: a probability in whole thousandths is drawn out of a
// thousand (short, readable schedules), a finer one out of a million; the
// top draw triggers it either way.
func TestChanceRange(t *testing.T) {
	for _, tc := range []struct {
		p    float64
		want int
	}{{0.1, 1000}, {0.001, 1000}, {0.0015, 1_000_000}, {0.123456, 1_000_000}} {
		r := &rangeRecorder{}
		f := MustNew(2, Options{Loss: tc.p}).Route(sim.Link{From: 0, To: 1, Choices: r})
		assert.Equal(t, []int{tc.want}, r.ns, "p=%v", tc.p)
		assert.True(t, f.Drop, "p=%v: top draw loses", tc.p)
		assert.False(t, MustNew(2, Options{Loss: tc.p}).Route(sim.Link{From: 0, To: 1, Choices: sim.Boring{}}).Drop)
	}
	// The threshold: with p = 0.25 of 1000, 749 delivers and 750 loses.
	net := MustNew(2, Options{Loss: 0.25})
	assert.False(t, net.Route(sim.Link{From: 0, To: 1, Choices: &sim.ReplayChoices{Values: []int{749}}}).Drop)
	assert.True(t, net.Route(sim.Link{From: 0, To: 1, Choices: &sim.ReplayChoices{Values: []int{750}}}).Drop)
}

// TestDrawDropped: with DrawDropped a partitioned message makes the draws
// a delivered one makes, so removing the partition keeps later draws in
// place; without it, it draws nothing.
func TestDrawDropped(t *testing.T) {
	for _, tc := range []struct {
		draw bool
		want []string
	}{
		{false, nil},
		{true, []string{"delay n0->n1", "loss n0->n1", "dup n0->n1", "dup delay n0->n1"}},
	} {
		net := MustNew(3, Options{Latency: Uniform(0, sim.Millisecond), Loss: 0.1, Duplicate: 0.1, DrawDropped: tc.draw})
		net.Partition([]sim.NodeID{0})
		c := &drawCounter{}
		f := net.Route(sim.Link{From: 0, To: 1, Choices: c})
		assert.Equal(t, sim.Fate{Drop: true, Reason: ReasonPartition}, f)
		assert.Equal(t, tc.want, c.labels, "draw dropped %v", tc.draw)
	}
}

// TestPartitionDuring: a window partitions by each message's send time,
// [from, to), without any world event, on top of Partition and Heal.
func TestPartitionDuring(t *testing.T) {
	ms := sim.Millisecond
	net := MustNew(4, Options{Unpartitioned: []sim.NodeID{3}})
	net.PartitionDuring(10*ms, 20*ms, []sim.NodeID{0})
	drop := func(a, b sim.NodeID, now sim.Time) bool {
		return net.Route(sim.Link{From: a, To: b, Now: now, Choices: sim.Boring{}}).Drop
	}
	for _, tc := range []struct {
		a, b sim.NodeID
		now  sim.Time
		drop bool
	}{
		{0, 1, 9 * ms, false},
		{0, 1, 10 * ms, true},
		{1, 0, 19 * ms, true},
		{0, 1, 20 * ms, false},
		{1, 2, 15 * ms, false},
		{0, 3, 15 * ms, false}, // unpartitioned
	} {
		assert.Equal(t, tc.drop, drop(tc.a, tc.b, tc.now), "n%d->n%d at %s", tc.a, tc.b, tc.now)
	}
	net.Heal()
	assert.True(t, drop(0, 1, 15*ms), "Heal ends plan partitions, not windows")
	net.PartitionDuring(30*ms, 0, []sim.NodeID{2})
	assert.True(t, drop(2, 1, sim.Hour), "to 0: for good")
	assert.Panics(t, func() { net.PartitionDuring(0, 1, []sim.NodeID{7}) })
}
