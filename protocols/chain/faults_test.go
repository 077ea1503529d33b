package chain_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"simulate/faults"
	"simulate/network"
	"simulate/scenario"
	"simulate/sim"

	// The chain protocols register themselves with package scenario.
	_ "simulate/protocols/dpos"
	_ "simulate/protocols/nakamoto"
	_ "simulate/protocols/poet"
	_ "simulate/protocols/pos"
)

// TestFaultPlanReachesEveryChainProtocol: a --faults plan, given as the
// CLI gives it (a file, through the protocol's own flags), reaches each
// chain protocol's world through its network.Net — a duplication window,
// a partition and its heal, a crash and a restart — and the protocol
// still holds its properties: the restarted node resumes from the blocks
// it kept and catches up from its neighbours, and at the heal every node
// fetches the blocks the cut kept from it, so the chains agree again.
func TestFaultPlanReachesEveryChainProtocol(t *testing.T) {
	for _, name := range []string{"nakamoto", "pos", "dpos", "poet"} {
		t.Run(name, func(t *testing.T) {
			p, ok := scenario.Lookup(name)
			require.True(t, ok)
			// A calm run first, to place the faults in its lifetime.
			calm := scenario.Execute(bind(t, p, "--blocks", "30"), 1, nil, nil)
			require.Nil(t, calm.Violation)
			end := calm.Result.End
			at := func(percent int64) sim.Time { return end * sim.Time(percent) / 100 }
			plan := faults.Plan{
				faults.Duplicate(at(5), 0.5),
				faults.Partition(at(20), []sim.NodeID{0, 1}),
				faults.Heal(at(35)),
				faults.Crash(at(40), 2),
				faults.Restart(at(60), 2),
			}
			data, err := json.Marshal(plan)
			require.NoError(t, err)
			path := filepath.Join(t.TempDir(), "plan.json")
			require.NoError(t, os.WriteFile(path, data, 0o644))

			s := bind(t, p, "--blocks", "30", "--faults", path)
			require.NoError(t, s.Validate())
			fx := &faults.Effects{}
			o := scenario.Execute(s, 1, nil, fx)
			require.Equal(t, 1, fx.Crashes)
			require.Equal(t, 1, fx.Restarts)
			require.Positive(t, fx.Drops[network.ReasonPartition], "the partition dropped messages")
			require.Positive(t, fx.Duplicates, "the duplication window duplicated messages")
			require.Nil(t, o.Violation, "%v", o.Violation)
			require.NotEqual(t, calm.Result.Hash, o.Result.Hash)

			// A plan naming a node the network lacks is refused by Validate.
			require.NoError(t, os.WriteFile(path, []byte(`[{"at":"1s","kind":"crash","node":99}]`), 0o644))
			require.ErrorContains(t, bind(t, p, "--faults", path).Validate(), "--faults")
		})
	}
}

// bind returns p's default scenario with the command-line args applied
// through p's own flags.
func bind(t *testing.T, p scenario.Protocol, args ...string) scenario.Scenario {
	t.Helper()
	s := p.New()
	fs := pflag.NewFlagSet(p.Name(), pflag.ContinueOnError)
	p.Flags(fs, s)
	require.NoError(t, fs.Parse(args))
	return s
}
