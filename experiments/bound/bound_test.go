package bound_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/experiments/bound"
	"simulate/protocols/generals"
	"simulate/report"
)

// TestSweepShowsTheBound: over the default grid every OM row with n ≤ 3m
// finds a failure, no other row does, and simulated message counts of
// loyal runs equal the closed forms.
func TestSweepShowsTheBound(t *testing.T) {
	runs := 200
	if testing.Short() {
		runs = 60
	}
	res := bound.Run(bound.DefaultParams(), runs, 1, 0, nil)
	require.True(t, res.BoundShown)
	require.Len(t, res.Rows, 2*21)
	require.Equal(t, []string{"n=3 m=2", "n=3 m=3", "n=4 m=3"}, res.Skipped)
	for _, row := range res.Rows {
		require.Equal(t, row.ClosedForm, row.LoyalMessages, "%+v", row)
		below := row.Algorithm == generals.OM && row.Generals <= 3*row.Traitors
		if below {
			require.Less(t, row.Held, row.Runs, "n=%d m=%d must fail", row.Generals, row.Traitors)
			require.NotNil(t, row.Worst)
			// The worst case replays from its seed, as the table says.
			s := bound.Scenario(row.Generals, row.Traitors, row.Algorithm, row.Worst.Seed)
			o := generals.RunSeed(s, row.Worst.Seed, nil)
			require.False(t, o.Held())
			require.Equal(t, row.Worst.Wrong, o.Wrong())
		} else {
			require.Equal(t, row.Runs, row.Held, "n=%d m=%d %s must hold", row.Generals, row.Traitors, row.Algorithm)
			require.Nil(t, row.Worst)
		}
		if row.Algorithm == generals.OM {
			require.LessOrEqual(t, row.MessagesMean, float64(row.ClosedForm)+1e-9, "OM traitors never add messages")
		}
	}
	// n=3, m=1 is the classic: a loyal commander is outvoted by a tie.
	require.Equal(t, "IC2", res.Rows[0].Worst.Broken)
}

func TestSameOutputForAnyWorkers(t *testing.T) {
	p := bound.DefaultParams()
	p.MaxN = 7
	render := func(workers int) string {
		var b bytes.Buffer
		require.NoError(t, report.Write(&b, "table", bound.Run(p, 20, 3, workers, nil).Table()))
		return b.String()
	}
	one := render(1)
	require.Equal(t, one, render(2))
	require.Equal(t, one, render(5))
	calls := 0
	bound.Run(p, 20, 3, 2, func(done, total int) { calls++; require.LessOrEqual(t, done, total) })
	require.Equal(t, 20, calls)
}

func TestValidate(t *testing.T) {
	require.NoError(t, bound.DefaultParams().Validate())
	p := bound.DefaultParams()
	p.MaxN, p.MaxM = 20, 6
	require.ErrorContains(t, p.Validate(), "too many")
	p = bound.DefaultParams()
	p.Algorithms = []generals.Algorithm{"pbft"}
	require.Error(t, p.Validate())
	p = bound.DefaultParams()
	p.MinN, p.MaxN = 3, 3
	p.MinM = 2
	require.ErrorContains(t, p.Validate(), "no (generals, traitors) pair")
}
