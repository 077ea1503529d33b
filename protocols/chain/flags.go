package chain

import (
	"strings"

	"github.com/spf13/pflag"

	"simulate/scenario"
	"simulate/sim"
)

// BindFlags defines the workload and network flags every chain protocol
// shares (--block-size, --tx-size, --tx-rate, --degree, --delay,
// --bandwidth, --jitter, --jitter-steps, --swarm, --faults) on fs, filling w and l.
func BindFlags(fs *pflag.FlagSet, w *Workload, l *Links) {
	fs.IntVar(&w.BlockSize, "block-size", w.BlockSize, "largest block in bytes")
	fs.IntVar(&w.TxSize, "tx-size", w.TxSize, "transaction size in bytes")
	fs.Float64Var(&w.TxRate, "tx-rate", w.TxRate, "transactions arriving per second")
	LinkFlags(fs, &l.Degree, &l.Delay, &l.Bandwidth)
	scenario.TimeVar(fs, &l.Jitter, "jitter", "step of extra per-message delay drawn from the seed (needs --jitter-steps 2 or more)")
	fs.IntVar(&l.JitterSteps, "jitter-steps", l.JitterSteps, "extra delay is a drawn 0..steps-1 times --jitter")
	fs.BoolVar(&l.Swarm, "swarm", l.Swarm, "draw each run's network from the seed: a share of --jitter (none, a quarter, half or all of it; with --jitter-steps) and a duplication rate (what the chain protocols' checks search)")
	scenario.FaultsVar(fs, &l.Faults, "faults", `fault plan file on the nodes and their links: a JSON array of timed events, e.g. [{"at":"10m","kind":"crash","node":2},{"at":"30m","kind":"restart","node":2}] (kinds: crash, restart, partition, heal, loss, duplicate, cut); a restarted node keeps its blocks and catches up, and at a heal every node asks its neighbours for what it missed`)
}

// LinkFlags defines --degree, --delay and --bandwidth, the random
// peer-to-peer graph's links, on fs, filling degree, delay and bandwidth
// (whose values are the defaults). The chain protocols (BindFlags) and the
// experiments that run them over such a graph (consensus compare, nakamoto
// partition) all take these three, and one definition keeps their names
// and help the same everywhere.
func LinkFlags(fs *pflag.FlagSet, degree *int, delay *sim.Time, bandwidth *int64) {
	fs.IntVar(degree, "degree", *degree, "neighbours per node in the random peer-to-peer graph")
	scenario.TimeVar(fs, delay, "delay", "latency of every link")
	fs.Int64Var(bandwidth, "bandwidth", *bandwidth, "link bandwidth in bits per second (0: unlimited)")
}

// BindStopFlags defines the flags of when a longest-chain protocol's run
// stops and how deep it judges, which nakamoto, pos and poet share: --blocks
// (stop making blocks, or what making says: "mining", at a height),
// --duration (stop at a time instead; see RunFor) and --k (the
// common-prefix and confirmation depth).
func BindStopFlags(fs *pflag.FlagSet, blocks *int, duration *sim.Time, k *int, making string) {
	fs.IntVar(blocks, "blocks", *blocks, "stop "+making+" when the chain reaches this height")
	scenario.TimeVar(fs, duration, "duration", "stop the run at this virtual time instead of after --blocks")
	fs.IntVar(k, "k", *k, "confirmation depth for the common-prefix check and the latency table")
}

// FlagWords turns the field words of a chain protocol's validation error
// into its flags' names: Workload's and Links' words, then replace (old,
// new pairs) anywhere; and a message that begins with one of Links' words
// or one of prefixes gets "--" in front ("degree must be ..." becomes
// "--degree must be ...").
func FlagWords(s string, replace, prefixes []string) string {
	pairs := append([]string{"block size", "--block-size", "transaction rate", "--tx-rate", "transaction size", "--tx-size", "jitter steps", "--jitter-steps"}, replace...)
	s = strings.NewReplacer(pairs...).Replace(s)
	for _, w := range append([]string{"degree", "delay", "bandwidth", "jitter"}, prefixes...) {
		if strings.HasPrefix(s, w) {
			return "--" + s
		}
	}
	return s
}

// Duplicated is the coverage condition of the swarm's duplication window,
// which every chain protocol's check lists: a search that never
// duplicated a block message proves nothing about duplicates.
var Duplicated = scenario.Sometimes{Name: "duplicated messages", Hit: func(r scenario.Run) bool { return r.Result.Duplicated > 0 }}
