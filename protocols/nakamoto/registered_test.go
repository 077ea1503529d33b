package nakamoto_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/protocols/chain/chaintest"
	"simulate/protocols/nakamoto"
	"simulate/scenario"
	"simulate/sim"
)

// parsed is the registered scenario `simulate nakamoto ARGS` (or, with
// search, `simulate check nakamoto ARGS`) runs: the protocol's flags
// parsed and folded in by Validate.
func parsed(t *testing.T, search bool, args ...string) (*nakamoto.Registered, error) {
	t.Helper()
	r := chaintest.Parsed[*nakamoto.Registered](t, "nakamoto", search, args...)
	return r, r.Validate()
}

// The flags that are not one field each (the preset, regions, eclipse,
// --duration without --blocks, defaults fitted to --miners) reach the
// scenario the trace header stores, with explicit flags on top of a
// preset.
func TestRegisteredFlagsFoldIntoTheScenario(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want func(t *testing.T, s nakamoto.Scenario)
	}{
		{"preset with explicit flags on top", []string{"--preset", "simblock", "--miners", "100", "--blocks", "5"}, func(t *testing.T, s nakamoto.Scenario) {
			require.Equal(t, 100, s.Miners)
			require.Equal(t, 5, s.Blocks)
			require.Equal(t, 535_000, s.BlockSize)
			require.Equal(t, 8, s.Outbound)
			require.NotNil(t, s.Regions, "the preset's regions")
		}},
		{"--delay replaces the preset's regions", []string{"--preset", "simblock", "--miners", "50", "--delay", "1s", "--degree", "6"}, func(t *testing.T, s nakamoto.Scenario) {
			require.Nil(t, s.Regions)
			require.Equal(t, 6, s.Degree)
			require.Equal(t, 0, s.Outbound, "--degree without --outbound uses the random graph")
		}},
		{"--regions simblock", []string{"--regions", "simblock", "--blocks", "3"}, func(t *testing.T, s nakamoto.Scenario) {
			require.NotNil(t, s.Regions)
		}},
		{"--duration instead of --blocks", []string{"--duration", "3h"}, func(t *testing.T, s nakamoto.Scenario) {
			require.Equal(t, 0, s.Blocks)
			require.Equal(t, 3*sim.Hour, s.Duration)
		}},
		{"the default degree fits fewer miners", []string{"--miners", "3"}, func(t *testing.T, s nakamoto.Scenario) {
			require.Equal(t, 2, s.Degree)
		}},
		{"eclipse", []string{"--eclipse", "2"}, func(t *testing.T, s nakamoto.Scenario) {
			require.Equal(t, &nakamoto.Eclipse{Victim: 2, Delay: 2 * sim.Minute}, s.Eclipse)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := parsed(t, false, c.args...)
			require.NoError(t, err)
			c.want(t, r.Scenario)
		})
	}
}

// Bad extra flags and bad fields are refused in the flags' words.
func TestRegisteredValidateNamesFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--preset", "bitcoin"}, `--preset "bitcoin": want simblock or simblock-push`},
		{[]string{"--regions", "mars"}, `--regions "mars": want simblock or none`},
		{[]string{"--eclipse-delay", "1m"}, "--eclipse-delay needs --eclipse VICTIM"},
		{[]string{"--real-pow", "--pow-bits", "60"}, "--pow-bits must be between 1 and 28, got 60"},
		{[]string{"--miners", "3", "--degree", "4"}, "--degree must be between 1 and miners-1 (2), got 4"},
	} {
		_, err := parsed(t, false, c.args...)
		require.EqualError(t, err, c.want, "%v", c.args)
	}
}

// The registered scenario is what a trace header stores: marshalled after
// Validate and read back, it plays the same run.
func TestRegisteredScenarioReplaysFromJSON(t *testing.T) {
	r, err := parsed(t, false, "--blocks", "8", "--miners", "6", "--degree", "2", "--eclipse", "1", "--partition", "0,1@10m..40m")
	require.NoError(t, err)
	raw, err := json.Marshal(r)
	require.NoError(t, err)
	p, _ := scenario.Lookup("nakamoto")
	back := p.New()
	require.NoError(t, json.Unmarshal(raw, back))
	require.NoError(t, back.Validate())
	require.Equal(t, r.Scenario, back.(*nakamoto.Registered).Scenario)
	a := scenario.Execute(r, 3, nil, nil)
	b := scenario.Execute(back, 3, nil, nil)
	require.Equal(t, a.Result.Hash, b.Result.Hash)
}

// The properties judge a run as check nakamoto searches it: the honest
// search scenario keeps them on a delay that forks the chain; a teaching
// bug breaks agreement (ignore-forks, one late block) or convergence
// after a partition (no-reannounce-on-heal, no drawn delay at all).
func TestRegisteredProperties(t *testing.T) {
	forking := []int{0: 3, 25: 2} // the swarm's jitter level at all of --jitter, then one block to n4 40s late
	for _, c := range []struct {
		name     string
		args     []string
		schedule []int
		want     string // the property broken, "" none
	}{
		{"honest, a late block", nil, forking, ""},
		{"ignore-forks, a late block", []string{"--bug", "ignore-forks"}, forking, nakamoto.PropAgreement},
		{"honest, partition", []string{"--partition", "0.4@20m..2h"}, nil, ""},
		{"no-reannounce-on-heal, partition", []string{"--partition", "0.4@20m..2h", "--bug", "no-reannounce-on-heal"}, nil, nakamoto.PropConvergence},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := parsed(t, true, c.args...)
			require.NoError(t, err)
			o := scenario.Execute(r, 1, &sim.ReplayChoices{Values: c.schedule}, nil)
			if c.want == "" {
				require.Nil(t, o.Violation)
				return
			}
			require.NotNil(t, o.Violation)
			require.Equal(t, c.want, o.Violation.Property, o.Violation.Message)
		})
	}
}
