package poet_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/protocols/chain/chaintest"
	"simulate/protocols/poet"
	"simulate/sim"
)

func parsed(t *testing.T, args ...string) *poet.Registered {
	t.Helper()
	return chaintest.Parsed[*poet.Registered](t, "poet", false, args...)
}

// Flags whose defaults follow others are folded in once, by Validate:
// --degree fits a smaller --validators, --duration alone runs for a time,
// and errors name flags.
func TestRegisteredFlags(t *testing.T) {
	r := parsed(t, "--validators", "3")
	require.NoError(t, r.Validate())
	require.Equal(t, 2, r.Degree)

	r = parsed(t, "--validators", "3", "--degree", "4")
	require.ErrorContains(t, r.Validate(), "--degree")

	r = parsed(t, "--duration", "10m")
	require.NoError(t, r.Validate())
	require.Zero(t, r.Blocks)
	require.Equal(t, 10*sim.Minute, r.Duration)
}

// The common-prefix property can fail: with messages up to a minute late
// against a 20 s interval, the search finds an honest validator losing a
// 3-deep block, and shrinks it to one late message.
func TestCommonPrefixCanFail(t *testing.T) {
	s := &poet.Registered{Scenario: poet.SearchScenario()}
	s.Jitter = 20 * sim.Second
	chaintest.Finds(t, s, 200, poet.PropCommonPrefix, 2)
	chaintest.Holds(t, &poet.Registered{Scenario: poet.SearchScenario()}, 100)
}
