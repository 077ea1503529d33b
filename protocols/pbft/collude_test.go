package pbft_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/protocols/pbft"
	"simulate/scenario"
	"simulate/search"
)

// With f+1 traitors and no strategy named, the search draws first whether
// the traitors collude: one choice, so `simulate check pbft --replicas 4
// --traitors 2` finds the split quorum in a few runs and shrinks it to
// that one draw. (Drawn one by one, both traitors colluding came up once
// in 81 runs, and 200 runs from seed 1 found nothing.) With f traitors
// the same search finds nothing.
func TestSearchDrawsACoalition(t *testing.T) {
	for _, c := range []struct {
		replicas, traitors int
		broken             bool
	}{{4, 2, true}, {7, 3, true}, {4, 1, false}, {7, 2, false}} {
		s := scenario.NewSearch(protocolOf(t)).(*pbft.Registered)
		s.Replicas, s.Traitors = c.replicas, c.traitors
		require.NoError(t, s.Validate())
		rep := scenario.Check(s, 1, search.Config{Checks: 100, Seed: 1})
		require.Equal(t, c.broken, rep.Failed, "n=%d, %d traitors: %s", c.replicas, c.traitors, rep.Message)
		if c.broken {
			require.Equal(t, pbft.PropAgreement, rep.Property)
			require.LessOrEqual(t, rep.FirstAt, 10)
			require.LessOrEqual(t, rep.Draws.NonZero(), 2, "%s", rep.Draws)
		}
	}
}

func protocolOf(t *testing.T) scenario.Protocol {
	t.Helper()
	p, ok := scenario.Lookup("pbft")
	require.True(t, ok)
	return p
}
