package faults

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"simulate/internal/rally"
	"simulate/network"
	"simulate/sim"
)

// TestWindowFlags: the one --crash and --partition syntax reads, prints
// back, and becomes the plan events it says.
func TestWindowFlags(t *testing.T) {
	ms := sim.Millisecond
	c, err := ParseCrashWindow("2@5ms..40ms")
	require.NoError(t, err)
	assert.Equal(t, CrashWindow{Node: 2, At: 5 * ms, Restart: 40 * ms}, c)
	assert.Equal(t, "2@5ms..40ms", c.String())
	assert.Equal(t, Plan{Crash(5*ms, 2), Restart(40*ms, 2)}, c.Plan())
	c, err = ParseCrashWindow("0@1s")
	require.NoError(t, err)
	assert.Equal(t, Plan{Crash(sim.Second, 0)}, c.Plan(), "no restart: down for good")

	p, err := ParsePartitionWindow("0,1|2,3,4@10ms..200ms")
	require.NoError(t, err)
	assert.Equal(t, "0,1|2,3,4@10ms..200ms", p.String())
	assert.Equal(t, Plan{Partition(10*ms, []sim.NodeID{0, 1}, []sim.NodeID{2, 3, 4}), Heal(200 * ms)}, p.Plan())
	p, err = ParsePartitionWindow("1,2@100ms..300ms")
	require.NoError(t, err, "one group cuts it off from the rest")
	assert.Equal(t, [][]sim.NodeID{{1, 2}}, p.Groups)
	p, err = ParsePartitionWindow("3@1s")
	require.NoError(t, err)
	assert.Equal(t, Plan{Partition(sim.Second, []sim.NodeID{3})}, p.Plan(), "no end: for good")

	for _, bad := range []string{"x", "2", "2@", "2@5ms..1ms", "-1@5ms", "a@1ms", "1@-1ms"} {
		_, err := ParseCrashWindow(bad)
		assert.Error(t, err, bad)
	}
	for _, bad := range []string{"0,1", "0,x|1@1ms", "0@", "|@1ms", "0@2ms..1ms"} {
		_, err := ParsePartitionWindow(bad)
		assert.Error(t, err, bad)
	}
}

func TestReadPlan(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "plan.json")
	require.NoError(t, os.WriteFile(good, []byte(samplePlan), 0o644))
	p, err := ReadPlan(good)
	require.NoError(t, err)
	assert.Len(t, p, 6)
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`[{"at":"1s","kind":"boom"}]`), 0o644))
	_, err = ReadPlan(bad)
	assert.ErrorContains(t, err, "bad.json")
	_, err = ReadPlan(filepath.Join(dir, "missing.json"))
	assert.Error(t, err)
}

// FuzzWindowFlags: the parsers never panic, and what they accept prints
// back to the same value.
func FuzzWindowFlags(f *testing.F) {
	for _, s := range []string{"2@5ms..40ms", "0@1s", "0,1|2,3,4@10ms..200ms", "1@", "|@", "1,2@0..1ns"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if c, err := ParseCrashWindow(s); err == nil {
			again, err := ParseCrashWindow(c.String())
			require.NoError(t, err)
			require.Equal(t, c, again)
		}
		if p, err := ParsePartitionWindow(s); err == nil {
			again, err := ParsePartitionWindow(p.String())
			require.NoError(t, err)
			require.Equal(t, p, again)
		}
	})
}

// TestDuplicateWindow: a duplicate event reads and prints like loss, sets
// the Net's duplication probability, and heal restores the baseline.
func TestDuplicateWindow(t *testing.T) {
	p, err := ParsePlan([]byte(`[{"at":"1s","kind":"duplicate","p":1},{"at":"2s","kind":"heal"}]`))
	require.NoError(t, err)
	assert.Equal(t, Plan{Duplicate(sim.Second, 1), Heal(2 * sim.Second)}, p)
	assert.Equal(t, "1s duplicate p=1\n2s heal\n", p.String())
	assert.ErrorContains(t, Plan{Duplicate(0, 2)}.Validate(2), "between 0 and 1")
	_, err = ParsePlan([]byte(`[{"at":"1s","kind":"duplicate"}]`))
	assert.ErrorContains(t, err, `needs "p"`)
	assert.ErrorContains(t, Plan{Duplicate(0, 0.5)}.CheckBudget(2, Budget{MaxFaulty: 1, GST: sim.Second, Horizon: sim.Minute}), "duplication window")

	net := network.MustNew(2, network.Options{})
	w := sim.New(sim.Config{Nodes: 2, New: func(sim.NodeID) sim.Node { return idle{} }, Network: net})
	require.NoError(t, p.Apply(w, net))
	w.At(1500*sim.Millisecond, "probe", "", func() {
		assert.Equal(t, 1.0, net.Duplicate())
		assert.True(t, net.Route(sim.Link{From: 0, To: 1, Choices: sim.Boring{}}).Duplicate)
	})
	w.At(2500*sim.Millisecond, "probe", "", func() {
		assert.Equal(t, 0.0, net.Duplicate())
		assert.True(t, net.Healed())
	})
	w.Run()
}

// serve is one message from node 0 to node 1 when they start, which
// nobody answers.
var serve = rally.Player{Name: "ping", Last: 1}

// TestNetworkEventsAtZeroPrecedeStart: a plan that partitions the network
// at time 0 catches the messages nodes send from Start, as a network that
// starts split should; the trace still shows the partition at 0.
func TestNetworkEventsAtZeroPrecedeStart(t *testing.T) {
	net := network.MustNew(2, network.Options{})
	fx := &Effects{Next: &sim.Log{}}
	w := sim.New(sim.Config{Nodes: 2, New: serve.New, Network: net, Tracer: fx})
	require.NoError(t, Plan{Partition(0, []sim.NodeID{0})}.Apply(w, net))
	res := w.Run()
	assert.Equal(t, 1, fx.Drops[network.ReasonPartition], "Start's message meets the partition")
	assert.Zero(t, res.Delivered)
	assert.Contains(t, fx.Next.(*sim.Log).Text(), "partition")
}
