package sweep

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"simulate/experiments/nines"
	"simulate/sim"
)

// oneRun is the unit of work both benchmarks spread over cores: a simulated
// month of the nines experiment's Multi-Paxos with 3 replicas failing and
// recovering (a fraction of a second of CPU).
func oneRun(seed uint64) nines.Outcome {
	p := nines.DefaultParams()
	p.Horizon = 30 * 24 * sim.Hour
	return nines.Run(nines.Systems[1], p, seed, nil)
}

// BenchmarkSweep is Stream with its JSON encoding and ordering, on 1 and 2
// workers; runs/s on 2 over runs/s on 1 is the scaling efficiency.
func BenchmarkSweep(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			spec := Spec{Experiment: "bench", Runs: b.N, Seed: 1}
			_, err := Stream(context.Background(), spec, w, nil, nil, func(_ int, seed uint64) any { return oneRun(seed) }, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
		})
	}
}

// BenchmarkBareParallel is the baseline: the same runs on w goroutines with
// nothing around them.
func BenchmarkBareParallel(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			var wg sync.WaitGroup
			for g := 0; g < w; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					for i := g; i < b.N; i += w {
						oneRun(uint64(i + 1))
					}
				}(g)
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
		})
	}
}
