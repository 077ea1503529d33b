// Package sweep runs many independent simulation runs on every core. Each
// run is one goroutine's business (the kernel is single-threaded); only
// whole runs are spread across workers, and results are returned in run
// order, so the aggregate is identical for any worker count and any order
// of completion.
package sweep

import (
	"runtime"
	"sync"
)

// Workers returns n if positive, otherwise the number of usable cores.
func Workers(n int) int {
	if n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// Map runs fn(i) for every i in [0, n) on workers goroutines (all cores if
// workers <= 0) and returns the results indexed by i. done, if not nil, is
// called after each run finishes, from the finishing goroutine, under a
// lock: use it for progress bars and streaming output, never for results.
func Map[R any](n, workers int, fn func(i int) R, done func(i int, r R)) []R {
	out := make([]R, n)
	workers = Workers(workers)
	if workers > n {
		workers = n
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r := fn(i)
				out[i] = r
				if done != nil {
					mu.Lock()
					done(i, r)
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}
