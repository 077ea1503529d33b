package sim_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"simulate/sim"
)

// churn is the benchmark node: it keeps `pending` timers in flight and,
// each time one fires, sets a new one with a random delay — the kernel's
// hot path (pop, dispatch, hash, push) with no protocol work around it.
type churn struct {
	b       *testing.B
	pending int
	fired   int
	tag     any // the tag every timer carries (nil: a plain timer)
}

func (c *churn) Start(ctx sim.Context) {
	for i := 0; i < c.pending; i++ {
		ctx.After(sim.Time(ctx.Rand().IntN(1_000_000)), c.tag)
	}
}
func (c *churn) Deliver(sim.Context, sim.NodeID, sim.Message) {}
func (c *churn) Fire(ctx sim.Context, _ sim.TimerID, _ any) {
	if c.fired == 0 {
		c.b.ResetTimer() // exclude filling the queue
	}
	c.fired++
	ctx.After(sim.Time(ctx.Rand().IntN(1_000_000)), c.tag)
}

var pendings = []int{1_000, 100_000, 1_000_000}

func benchKernel(b *testing.B, noHash bool, tag any) {
	for _, p := range pendings {
		b.Run(fmt.Sprintf("pending=%d", p), func(b *testing.B) {
			b.ReportAllocs()
			node := &churn{b: b, pending: p, tag: tag}
			w := sim.New(sim.Config{Nodes: 1, New: func(sim.NodeID) sim.Node { return node }, MaxEvents: b.N, NoHash: noHash})
			w.Run()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
		})
	}
}

// BenchmarkKernel is the kernel with its running trace hash, as every run uses it.
func BenchmarkKernel(b *testing.B) { benchKernel(b, false, nil) }

// BenchmarkKernelNoHash is the kernel without the trace hash: the hash's cost
// is the difference.
func BenchmarkKernelNoHash(b *testing.B) { benchKernel(b, true, nil) }

// benchTag is a timer tag as protocols use them: a small struct that says
// which timer fired.
type benchTag struct{ round int }

// BenchmarkKernelTagged is BenchmarkKernel with a tag on every timer, as
// most protocols set them: the slab entry then holds an interface value,
// as a message delivery's does.
func BenchmarkKernelTagged(b *testing.B) { benchKernel(b, false, benchTag{round: 1}) }

// bareEvent and bareHeap are the baseline: the same (time, seq) binary heap
// loop with nothing of a simulator around it.
type bareEvent struct {
	at  int64
	seq uint64
}

type bareHeap []bareEvent

func (h bareHeap) less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}

func (h *bareHeap) push(e bareEvent) {
	*h = append(*h, e)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !s.less(i, p) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *bareHeap) pop() bareEvent {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && s.less(r, l) {
			m = r
		}
		if !s.less(m, i) {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// BenchmarkBareHeap is the baseline for BenchmarkKernel.
func BenchmarkBareHeap(b *testing.B) {
	for _, p := range pendings {
		b.Run(fmt.Sprintf("pending=%d", p), func(b *testing.B) {
			b.ReportAllocs()
			r := rand.New(rand.NewPCG(1, 2))
			h := bareHeap{}
			var seq uint64
			for i := 0; i < p; i++ {
				seq++
				h.push(bareEvent{at: int64(r.IntN(1_000_000)), seq: seq})
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e := h.pop()
				seq++
				h.push(bareEvent{at: e.at + int64(r.IntN(1_000_000)), seq: seq})
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
		})
	}
}
