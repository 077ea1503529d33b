package sim_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/experiments/sweep"
	"simulate/internal/goldenfile"
	"simulate/sim"
)

func floodConfig(n int, seed uint64, lossy bool) sim.Config {
	return sim.Config{
		Nodes:   n,
		New:     func(sim.NodeID) sim.Node { return &flood{} },
		Network: jitter{lossy: lossy},
		Choices: sim.NewPCGChoices(seed),
		Seed:    seed,
		Limit:   10 * sim.Second,
	}
}

func delivered(res sim.Result) map[sim.NodeID]bool {
	m := map[sim.NodeID]bool{}
	for _, o := range res.Observations {
		if o.Kind == "deliver" {
			m[o.Node] = true
		}
	}
	return m
}

func TestFloodDeliversEverywhereDespiteLoss(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		res := sim.New(floodConfig(5, seed, true)).Run()
		require.Len(t, delivered(res), 5, "seed %d", seed)
		require.Equal(t, sim.StopQuiescent, res.Reason, "retries stop once every echo is heard")
		require.Equal(t, res.Sent, res.Delivered+res.Dropped-res.Duplicated)
	}
}

func TestSameSeedSameHash(t *testing.T) {
	for seed := uint64(0); seed < 100; seed++ {
		a := sim.New(floodConfig(6, seed, true)).Run()
		b := sim.New(floodConfig(6, seed, true)).Run()
		require.Equal(t, a.Hash, b.Hash, "seed %d", seed)
		require.Equal(t, a.Counters, b.Counters)
	}
	a := sim.New(floodConfig(6, 1, true)).Run()
	b := sim.New(floodConfig(6, 2, true)).Run()
	require.NotEqual(t, a.Hash, b.Hash, "different seeds should give different runs")
}

// hashes100 runs 100 seeds, on workers goroutines, and returns their hashes
// in seed order. It spreads them as every sweep of runs does (sweep.Map),
// so the test shows the property sweeps rely on: a world's run is the same
// whatever else runs beside it.
func hashes100(workers int) []uint64 {
	return sweep.Map(100, workers, func(i int) uint64 { return sim.New(floodConfig(6, uint64(i), true)).Run().Hash }, nil)
}

func TestHashIndependentOfGOMAXPROCSAndWorkers(t *testing.T) {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	serial := hashes100(1)
	runtime.GOMAXPROCS(2)
	require.Equal(t, serial, hashes100(1))
	require.Equal(t, serial, hashes100(8))
}

// TestGoldenHash pins one scenario's trace hash: if it changes, the kernel's
// semantics (or the hash) changed, and every recorded trace is invalid.
func TestGoldenHash(t *testing.T) {
	res := sim.New(floodConfig(5, 42, true)).Run()
	got := fmt.Sprintf("%s events=%d sent=%d delivered=%d dropped=%d\n", res.HashString(), res.Events, res.Sent, res.Delivered, res.Dropped)
	goldenfile.Check(t, "flood-seed42.golden", got)
}

func TestCrashLosesMemoryKeepsStorage(t *testing.T) {
	cfg := floodConfig(3, 1, false)
	log := &sim.Log{}
	cfg.Tracer = log
	w := sim.New(cfg)
	// Node 2 crashes before anything reaches it and restarts later: it must
	// receive nothing while down and still deliver (once) after restarting.
	w.CrashAt(0, 2)
	w.RestartAt(500*sim.Millisecond, 2)
	res := w.Run()
	require.Equal(t, 1, res.Crashes)
	require.Equal(t, 1, res.Restarts)
	require.True(t, delivered(res)[2])
	for _, e := range log.Events {
		if e.Kind == sim.TraceDeliver && e.To == 2 {
			require.GreaterOrEqual(t, e.Time, 500*sim.Millisecond, "a crashed node receives nothing")
		}
	}

	// A node that crashes after delivering recovers its value from Storage
	// and does not observe a second delivery.
	cfg = floodConfig(3, 1, false)
	w = sim.New(cfg)
	w.CrashAt(50*sim.Millisecond, 1)
	w.RestartAt(60*sim.Millisecond, 1)
	res = w.Run()
	n := 0
	for _, o := range res.Observations {
		if o.Node == 1 {
			n++
		}
	}
	require.Equal(t, 1, n, "storage survived the crash, so no second delivery")
}

func TestTimersCancelAndDieWithNode(t *testing.T) {
	var fired []string
	mk := func(sim.NodeID) sim.Node {
		return &timerNode{fired: &fired}
	}
	w := sim.New(sim.Config{Nodes: 1, New: mk})
	w.CrashAt(25*sim.Millisecond, 0)
	w.Run()
	// "a" fires at 10ms; "b" is cancelled; "c" at 30ms dies with the crash at 25ms.
	require.Equal(t, []string{"a"}, fired)
}

type timerNode struct{ fired *[]string }

func (n *timerNode) Start(ctx sim.Context) {
	ctx.After(10*sim.Millisecond, "a")
	b := ctx.After(20*sim.Millisecond, "b")
	ctx.Cancel(b)
	ctx.After(30*sim.Millisecond, "c")
}
func (n *timerNode) Deliver(sim.Context, sim.NodeID, sim.Message) {}
func (n *timerNode) Fire(_ sim.Context, _ sim.TimerID, tag any) {
	*n.fired = append(*n.fired, tag.(string))
}

func TestStopPredicateAndLimit(t *testing.T) {
	cfg := floodConfig(4, 3, false)
	cfg.Stop = func(w *sim.World) bool { return len(w.Observations()) >= 2 }
	res := sim.New(cfg).Run()
	require.Equal(t, sim.StopPredicate, res.Reason)
	require.Len(t, res.Observations, 2)

	cfg = floodConfig(4, 3, false)
	cfg.Limit = 2 * sim.Millisecond
	res = sim.New(cfg).Run()
	require.Equal(t, sim.StopLimit, res.Reason)
	require.Equal(t, 2*sim.Millisecond, res.End)
}

func TestSignaturesCannotBeForged(t *testing.T) {
	var got []sim.Signature
	mk := func(id sim.NodeID) sim.Node { return &signer{got: &got} }
	sim.New(sim.Config{Nodes: 2, New: mk}).Run()
	require.Len(t, got, 1)
	sig := got[0]
	require.Equal(t, sim.NodeID(0), sig.Signer())
	require.True(t, sig.Verify([]byte("attack")))
	require.False(t, sig.Verify([]byte("retreat")), "a signature covers its payload")
	var forged sim.Signature // the only signature a node can make up
	require.False(t, forged.Verify([]byte("attack")))
}

type signer struct{ got *[]sim.Signature }

type signed struct{ Sig sim.Signature }

func (m signed) AppendDigest(b []byte) []byte { return m.Sig.AppendDigest(b) }

func (s *signer) Start(ctx sim.Context) {
	if ctx.Self() == 0 {
		ctx.Send(1, signed{Sig: ctx.Sign([]byte("attack"))})
	}
}
func (s *signer) Deliver(_ sim.Context, _ sim.NodeID, m sim.Message) {
	*s.got = append(*s.got, m.(signed).Sig)
}
func (s *signer) Fire(sim.Context, sim.TimerID, any) {}

func TestReplayChoicesReproducesARun(t *testing.T) {
	rec := &sim.Recorder{Inner: sim.NewPCGChoices(9)}
	cfg := floodConfig(5, 9, true)
	cfg.Choices = rec
	a := sim.New(cfg).Run()
	vals := make([]int, len(rec.Log))
	for i, c := range rec.Log {
		vals[i] = c.Value
	}
	cfg = floodConfig(5, 9, true)
	cfg.Choices = &sim.ReplayChoices{Values: vals}
	b := sim.New(cfg).Run()
	require.Equal(t, a.Hash, b.Hash)
}

func TestTraceLinesReadable(t *testing.T) {
	log := &sim.Log{}
	cfg := floodConfig(2, 1, false)
	cfg.Tracer = log
	sim.New(cfg).Run()
	text := log.Text()
	require.Contains(t, text, "send      n0 -> n1  value{7}")
	require.Contains(t, text, "observe   n1  (deliver[0]=7)")
	require.Equal(t, len(log.Events), strings.Count(text, "\n"))
}

// rearm sets a timer and, each time anything fires, cancels it and sets a
// new one: the pattern of a miner re-drawing its next block on every tip.
type rearm struct {
	pending sim.TimerID
	fired   int
}

func (r *rearm) Start(ctx sim.Context) {
	ctx.After(sim.Millisecond, "tick")
	r.pending = ctx.After(sim.Hour, "far")
}
func (r *rearm) Deliver(sim.Context, sim.NodeID, sim.Message) {}
func (r *rearm) Fire(ctx sim.Context, _ sim.TimerID, tag any) {
	r.fired++
	if tag == "far" {
		panic("a cancelled timer fired")
	}
	ctx.Cancel(r.pending)
	r.pending = ctx.After(sim.Hour, "far")
	if r.fired < 100_000 {
		ctx.After(sim.Millisecond, "tick")
	}
}

// TestCancelledTimersDoNotAccumulate: 100k cancel-and-rearm cycles keep the
// queue small (compaction) and no cancelled timer ever fires.
func TestCancelledTimersDoNotAccumulate(t *testing.T) {
	var node *rearm
	w := sim.New(sim.Config{Nodes: 1, New: func(sim.NodeID) sim.Node { node = &rearm{}; return node }, Limit: 1000 * sim.Second})
	res := w.Run()
	require.Equal(t, 100_000, node.fired)
	require.Equal(t, 100_000, res.Timers)
	require.Less(t, w.Pending(), 3000, "compaction keeps the queue near its live size")
}
