package sim

// RunSeed derives the seed of run i of a sweep (or a search) started from
// seed. Runs used to take seed+i (or seed^i), so the sweeps of --seed 1
// and --seed 2 shared all but one of their runs and were not independent
// replications. RunSeed mixes seed first and then steps through a
// SplitMix64 stream from that point: run i of seed s is
// mix(mix(s) + (i+1)·γ) with γ the golden-ratio increment. mix is a
// bijection of 64-bit words, so two runs collide only if mix(s1) and
// mix(s2) happen to lie a multiple of γ apart by less than the number of
// runs, which for sweeps of millions of runs has a probability below
// 2^-40. It is a pure function: the same (seed, i) always gives the same
// run, on any machine.
func RunSeed(seed, i uint64) uint64 {
	return mix64(mix64(seed) + (i+1)*golden64)
}

// golden64 is 2^64/φ, SplitMix64's increment.
const golden64 = 0x9e3779b97f4a7c15

// mix64 is SplitMix64's finaliser (Stafford's Mix13), a bijection.
func mix64(x uint64) uint64 {
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
