package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// golden is one command whose whole output is pinned under testdata/,
// with the lines a reader looks for in it (so that a rewritten golden
// that lost them fails), run twice when it must show that the same seed
// gives the same output.
type golden struct {
	file     string
	args     []string
	contains []string
	twice    bool
}

// goldens are the pinned outputs of every command, one row each.
var goldens = []golden{
	{"byzantine-traitors1-seed42.golden", []string{"byzantine", "--traitors", "1", "--seed", "42"},
		[]string{"IC1 agreement: held", "IC2 validity: held", "messages: 9 sent", "n = 4 ≥ 3m+1 = 4", "TRAITOR"}, false},
	{"cap-small.golden", capSmall, []string{"一万张"}, false},
	{"dpos-seed1-offline5.golden", []string{"dpos", "--seed", "1", "--blocks", "42", "--traitors", "5", "--strategy", "offline"}, nil, false},
	{"flp-runs40.golden", []string{"flp", "--runs", "40", "--events", "20000"}, []string{"no decision", "40 of 40"}, false},
	{"nines-60d-runs3.golden", []string{"nines", "--runs", "3", "--horizon", "60d", "--seed", "5"}, nil, false},
	{"nakamoto_doublespend_runs30.golden", doubleSpendSmall,
		[]string{"30 races per point (importance-sampled), seed 1", "Poisson with mean z·q/p", "negative binomial"}, false},
	{"nakamoto_selfish_runs4.golden", selfishSmall, []string{"(1-γ)/(3-2γ)", "Blocks propagate instantly"}, false},
	{"nakamoto_selfish_runs4_delay2m.golden", append(append([]string(nil), selfishSmall...), "--delay", "2m"),
		[]string{"propagation delay 2m0s", "honest miners fork each other"}, false},
	{"nakamoto-partition-runs30.golden", partitionSmall, []string{"model E[min(X,Y)]"}, false},
	{"nakamoto_stale_runs3.golden", staleSmall, []string{"1.69% Decker & Wattenhofer 2013", "6.80% Gervais et al. 2016 (Ethereum)"}, false},
	{"nakamoto_throughput_runs3.golden", throughputSmall, []string{"7 tx/s Croman et al. 2016"}, false},
	{"nakamoto-seed1-blocks20.golden", []string{"nakamoto", "--seed", "1", "--blocks", "20"}, nil, true},
	{"nakamoto-partition-seed1.golden", []string{"nakamoto", "--seed", "1", "--blocks", "24", "--partition", "0.3@1h..2h"},
		[]string{"blocks orphaned at the heal"}, false},
	{"paxos-seed1.golden", []string{"paxos", "--seed", "1"}, nil, false},
	{"paxos-list-bugs.golden", []string{"paxos", "--list-bugs"}, nil, false},
	{"paxos-crash-seed1.golden", []string{"paxos", "--seed", "1", "--nodes", "3", "--crash", "2@2ms..50ms", "--dup", "0.2", "--format", "markdown"}, nil, false},
	{"paxos-multi-seed1.golden", []string{"paxos", "--mode", "multi", "--seed", "1", "--crash", "0@30ms..200ms", "--gst", "300ms"}, nil, false},
	{"pbft-seed1.golden", []string{"pbft", "--seed", "1"}, nil, false},
	{"poet-seed1-blocks20.golden", []string{"poet", "--seed", "1", "--blocks", "20", "--validators", "6", "--degree", "3", "--cheaters", "1", "--z-test"}, nil, false},
	{"pos-seed1-blocks20.golden", []string{"pos", "--seed", "1", "--blocks", "20", "--validators", "6", "--degree", "3", "--stakes", "zipf"}, nil, true},
}

// TestGoldens runs every pinned command: exit 0, nothing on stderr, the
// output byte for byte as pinned (UPDATE_GOLDEN=1 rewrites it).
func TestGoldens(t *testing.T) {
	t.Parallel()
	for _, g := range goldens {
		t.Run(g.file, func(t *testing.T) {
			t.Parallel()
			out, errOut, code := cli(g.args...)
			require.Equal(t, 0, code, "%v: %s", g.args, errOut)
			require.Empty(t, errOut, fmt.Sprint(g.args))
			for _, want := range g.contains {
				require.Contains(t, out, want)
			}
			matchGolden(t, g.file, out)
			if g.twice {
				again, _, _ := cli(g.args...)
				require.Equal(t, out, again, "same seed, same output")
			}
		})
	}
}
