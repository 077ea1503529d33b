package generals_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"simulate/faults"
	"simulate/network"
	"simulate/protocols/generals"
	"simulate/scenario"
	"simulate/sim"
)

// bind parses args into the registered byzantine scenario, as
// `simulate byzantine ARGS` does.
func bind(t *testing.T, args ...string) *generals.Search {
	t.Helper()
	p, ok := scenario.Lookup("byzantine")
	require.True(t, ok, "generals registers byzantine")
	s := p.New()
	fs := pflag.NewFlagSet("byzantine", pflag.ContinueOnError)
	p.Flags(fs, s)
	require.NoError(t, fs.Parse(args))
	return s.(*generals.Search)
}

// TestRegisteredFaultsFlag: a plan given with --faults reaches the
// registered scenario's run: the crash, the partition and the duplication
// window all act on the generals' network.Net, and the run that holds
// without them breaks with them.
func TestRegisteredFaultsFlag(t *testing.T) {
	plan := faults.Plan{faults.Duplicate(0, 1), faults.Partition(0, []sim.NodeID{3}), faults.Crash(0, 2)}
	data, err := json.Marshal(plan)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "plan.json")
	require.NoError(t, os.WriteFile(path, data, 0o644))

	calm := bind(t, "--generals", "4", "--traitors", "0", "--order", "attack")
	require.NoError(t, calm.Validate())
	require.Nil(t, scenario.Execute(calm, 1, nil, nil).Violation, "no faults: OM at n = 4 holds")

	s := bind(t, "--generals", "4", "--traitors", "0", "--order", "attack", "--faults", path)
	require.NoError(t, s.Validate())
	fx := &faults.Effects{}
	o := scenario.Execute(s, 1, nil, fx)
	require.Equal(t, 1, fx.Crashes)
	require.Positive(t, fx.Drops[network.ReasonPartition])
	require.Positive(t, fx.Duplicates)
	require.NotNil(t, o.Violation, "a crashed and a cut-off lieutenant break the round")

	// The plan survives the trace header's JSON, so replay reruns it.
	raw, err := json.Marshal(s)
	require.NoError(t, err)
	var back generals.Search
	require.NoError(t, json.Unmarshal(raw, &back))
	require.Equal(t, o.Result.Hash, scenario.Execute(&back, 1, nil, nil).Result.Hash)
}

// TestPlainMatchesRunSeed: `simulate byzantine --seed S` runs the
// registered scenario pinned by Plain; it must be the very run the
// package's RunSeed makes of the same traitors, event for event.
func TestPlainMatchesRunSeed(t *testing.T) {
	for _, args := range [][]string{
		{"--traitors", "1"},
		{"--generals", "7", "--traitors", "2", "--strategy", "random"},
		{"--generals", "5", "--traitors", "3", "--algorithm", "sm", "--commander", "traitor", "--strategy", "collude"},
		{"--traitors", "0"},
	} {
		s := bind(t, args...)
		require.NoError(t, s.Validate(), "%v", args)
		for _, seed := range []uint64{1, 42} {
			plain := s.Plain(seed)
			require.NoError(t, plain.Validate())
			resolved := plain.Resolve(&sim.ReplayChoices{})
			want := generals.RunSeed(resolved, seed, nil)
			got := scenario.Execute(plain, seed, nil, nil)
			require.Equal(t, want.Result.Hash, got.Result.Hash, "%v seed %d", args, seed)
		}
	}
}

// TestRegisteredBadFlags: the registered flags refuse what the command
// line must refuse, in one line each.
func TestRegisteredBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--traitor", "n1", "--traitors", "2"},
		{"--rounds", "-1"},
		{"--traitor", "n0", "--commander", "loyal"},
		{"--generals", "3", "--traitors", "3"},
	} {
		require.Error(t, bind(t, args...).Validate(), "%v", args)
	}
	require.NoError(t, bind(t, "--traitor", "n1,n2", "--generals", "7").Validate())
}
