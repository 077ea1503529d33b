package dpos_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/protocols/chain/chaintest"
	"simulate/protocols/dpos"
)

func parsedSearch(t *testing.T, args ...string) *dpos.Registered {
	t.Helper()
	return chaintest.Parsed[*dpos.Registered](t, "dpos", true, args...)
}

// In the search's scenario --delegates alone sizes the network, as check
// dpos always read it: every node a delegate, a complete graph, two
// rounds.
func TestSearchDelegatesSizeTheNetwork(t *testing.T) {
	r := parsedSearch(t, "--delegates", "7", "--traitors", "2")
	require.NoError(t, r.Validate())
	require.Equal(t, 7, r.Nodes)
	require.Equal(t, 6, r.Degree)
	require.Equal(t, 14, r.Blocks)
	require.Equal(t, dpos.Equivocate, r.Strategy)

	require.ErrorContains(t, parsedSearch(t, "--delegates", "1").Validate(), "2 to 31")
}

// More than a third of the delegates colluding revert finality; the
// search finds it and shrinks it; a third cannot.
func TestSafetyNeedsTwoThirdsHonest(t *testing.T) {
	chaintest.Finds(t, &dpos.Registered{Scenario: dpos.PropertyScenario(4, 2, "")}, 200, dpos.PropSafety, 10)
	chaintest.Holds(t, &dpos.Registered{Scenario: dpos.PropertyScenario(4, 1, "")}, 100)
}
