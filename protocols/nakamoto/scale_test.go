package nakamoto_test

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"

	"simulate/protocols/nakamoto"
	"simulate/sim"
)

// Scale: how fast and how big a run of thousands of miners is. The
// workload is DefaultScenario (10-minute blocks of up to 1 MB, 100 ms links
// of 10 Mbit/s, 4 transactions a second) on a random graph of degree 8,
// Bitcoin Core's outbound connections; a block floods the graph, so a
// block costs about n·8 deliveries plus a redraw of every miner's timer.

// heapSampler tracks the peak of the heap while a world runs, from the
// kernel's own loop (the Stop predicate runs after every event), so no
// goroutine runs beside the world: every 1<<14 events it reads
// runtime/metrics, which does not stop the world.
type heapSampler struct {
	samples []metrics.Sample
	events  int
	// peakHeap is the most heap memory held by objects, live or awaiting
	// collection (what the process's resident size follows); peakLive the
	// most live heap a garbage collection found.
	peakHeap, peakLive uint64
}

func newHeapSampler() *heapSampler {
	h := &heapSampler{samples: []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}}
	h.sample()
	return h
}

func (h *heapSampler) sample() {
	metrics.Read(h.samples)
	if h.samples[0].Value.Kind() == metrics.KindUint64 {
		h.peakHeap = max(h.peakHeap, h.samples[0].Value.Uint64())
	}
	if h.samples[1].Value.Kind() == metrics.KindUint64 {
		h.peakLive = max(h.peakLive, h.samples[1].Value.Uint64())
	}
}

// wrap returns stop with a heap sample every 1<<14 events.
func (h *heapSampler) wrap(stop func(*sim.World) bool) func(*sim.World) bool {
	return func(w *sim.World) bool {
		h.events++
		if h.events&(1<<14-1) == 0 {
			h.sample()
		}
		return stop(w)
	}
}

// scaleScenario is the benchmark's workload: n miners, degree 8, mining
// until the chain is blocks high (or for duration, if blocks is 0).
func scaleScenario(n, blocks int, duration sim.Time) nakamoto.Scenario {
	s := nakamoto.DefaultScenario()
	s.Miners = n
	s.Degree = 8
	s.Blocks = blocks
	s.Duration = duration
	s.Quiet = true
	return s
}

// BenchmarkNodes runs 20 blocks on 100, 1,000 and 10,000 miners and
// reports kernel events (a delivery or a timer at one node) per second of
// wall time, the same per node (how often each node gets to act per
// second), and the peak heap ("peak-MB": live plus uncollected; "live-MB":
// live at a collection). Building the world (the random graph) is not
// timed but is in the heap.
//
// The baseline is the 100-node run: every op of the larger sizes also runs
// it, untimed, right before, and "x-baseline" is the ratio of the two
// event rates, so a machine shared with other work slows both alike. Run
// it with
//
//	go test -run '^$' -bench Nodes -benchtime 3x ./protocols/nakamoto/
func BenchmarkNodes(b *testing.B) {
	base := scaleScenario(100, 20, 0)
	for _, n := range []int{100, 1_000, 10_000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			s := scaleScenario(n, 20, 0)
			var events, baseEvents int
			var baseWall time.Duration
			runtime.GC()
			h := newHeapSampler()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				if n != 100 {
					r := base.Build(uint64(i + 1))
					start := time.Now()
					res := sim.New(r.Config).Run()
					baseWall += time.Since(start)
					baseEvents += res.Events
					runtime.GC() // keep its garbage out of the peak below
				}
				r := s.Build(uint64(i + 1))
				r.Config.Stop = h.wrap(r.Config.Stop)
				h.sample()
				b.StartTimer()
				res := sim.New(r.Config).Run()
				b.StopTimer()
				h.sample()
				events += res.Events
				if st := r.Stats(res); st.Height < 20 {
					b.Fatalf("chain height %d, want 20", st.Height)
				}
				b.StartTimer()
			}
			perSec := float64(events) / b.Elapsed().Seconds()
			b.ReportMetric(perSec, "events/s")
			b.ReportMetric(perSec/float64(n), "events/s/node")
			b.ReportMetric(float64(events)/float64(b.N), "events/op")
			b.ReportMetric(float64(h.peakHeap)/1e6, "peak-MB")
			b.ReportMetric(float64(h.peakLive)/1e6, "live-MB")
			if baseEvents > 0 {
				b.ReportMetric(perSec/(float64(baseEvents)/baseWall.Seconds()), "x-baseline")
			}
		})
	}
}

// TestTenThousandNodesOneDay is the scale target: 10,000 miners on a
// random graph of degree 8 simulate one day of Bitcoin (24 h of virtual
// time, about 144 blocks) on one core. It takes several seconds and tens
// of megabytes, so it runs only when SIMULATE_SCALE=1 is set (and never
// under -short):
//
//	SIMULATE_SCALE=1 go test -run TenThousand -v ./protocols/nakamoto/
func TestTenThousandNodesOneDay(t *testing.T) {
	if testing.Short() || os.Getenv("SIMULATE_SCALE") == "" {
		t.Skip("set SIMULATE_SCALE=1 to run the 10,000-node day")
	}
	s := scaleScenario(10_000, 0, 24*sim.Hour)
	require.NoError(t, s.Validate())
	runtime.GC()
	h := newHeapSampler()
	start := time.Now()
	r := s.Build(1)
	r.Config.Stop = h.wrap(r.Config.Stop)
	built := time.Since(start)
	res := sim.New(r.Config).Run()
	wall := time.Since(start)
	h.sample()
	st := r.Stats(res)
	t.Logf("10,000 miners, 24h virtual: %d blocks mined, height %d, %d stale, propagation mean %v max %v",
		st.Mined, st.Height, st.Stale, st.Propagation, st.MaxPropagation)
	t.Logf("%d events (%d deliveries, %d timers) in %v wall (graph built in %v): %.2f M events/s, %.0f events/s/node; peak heap %.1f MB, peak live %.1f MB",
		res.Events, res.Delivered, res.Timers, wall.Round(time.Millisecond), built.Round(time.Millisecond),
		float64(res.Events)/wall.Seconds()/1e6, float64(res.Events)/wall.Seconds()/1e4, float64(h.peakHeap)/1e6, float64(h.peakLive)/1e6)
	require.Equal(t, sim.StopLimit, res.Reason)
	// 144 blocks expected; 84..204 is five standard deviations of a Poisson count.
	require.GreaterOrEqual(t, st.Mined, 84)
	require.LessOrEqual(t, st.Mined, 204)
	require.True(t, st.CommonPrefix.Holds, "common prefix: %+v", st.CommonPrefix)
	require.Less(t, h.peakHeap, uint64(1<<30), "a day of 10,000 miners fits in well under a gigabyte")
}

// TestNodeFillsCacheLines keeps a Node a whole number of cache lines, of
// a size the allocator keeps aligned to them (its size classes up to 768
// bytes that are multiples of 64), so that a delivery of a block the node
// already holds reads one line (see the padding in Node).
func TestNodeFillsCacheLines(t *testing.T) {
	size := unsafe.Sizeof(nakamoto.Node{})
	require.Zero(t, size%64, "Node is %d bytes", size)
	require.LessOrEqual(t, size, uintptr(768), "Node is %d bytes", size)
}
