// Package check holds what judges runs and summarises many of them: the
// statistics every experiment reports (mean and standard error,
// percentiles, the Gini coefficient), in one place so that every table
// computes "± s.e." the same way; and the one history builder and
// porcupine linearizability check of the replicated key-value stores
// (Multi-Paxos, Raft).
package check

import (
	"math"
	"sort"
)

// MeanSE returns the mean of xs and its standard error: the sample
// standard deviation (n−1 denominator) over √n. With fewer than two values
// the error is 0; with none, both are.
func MeanSE(xs []float64) (mean, se float64) {
	n := float64(len(xs))
	if n == 0 {
		return 0, 0
	}
	for _, x := range xs {
		mean += x
	}
	mean /= n
	if n < 2 {
		return mean, 0
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}

// Percentiles returns the p-th percentiles (0..100) of xs by the
// nearest-rank method: always a value that occurred. xs is not modified.
func Percentiles(xs []float64, ps ...float64) []float64 {
	out := make([]float64, len(ps))
	if len(xs) == 0 {
		return out
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	for i, p := range ps {
		k := int(p/100*float64(len(s))+0.999999) - 1
		out[i] = s[min(max(k, 0), len(s)-1)]
	}
	return out
}

// Gini is the Gini coefficient of x (0: everyone equal; near 1: one holds
// everything), the mean absolute difference over all pairs divided by
// twice the mean. It is 0 for an empty or all-zero x.
func Gini(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return 0
	}
	v := append([]float64(nil), x...)
	sort.Float64s(v)
	var sum, weighted float64
	for i, xi := range v {
		sum += xi
		weighted += float64(2*(i+1)-n-1) * xi
	}
	if sum == 0 {
		return 0
	}
	return weighted / (float64(n) * sum)
}
