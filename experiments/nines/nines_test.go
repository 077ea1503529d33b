package nines

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/sim"
)

func TestTableExactRows(t *testing.T) {
	rows := Table()
	require.Len(t, rows, 4)
	want := []struct {
		a       float64
		nines   int
		minutes float64
	}{{0.999, 3, 525.6}, {0.9999, 4, 52.56}, {0.99999, 5, 5.256}, {0.999999, 6, 0.5256}}
	for i, w := range want {
		require.Equal(t, w.a, rows[i].Availability)
		require.Equal(t, w.nines, rows[i].Nines)
		require.Equal(t, w.minutes, rows[i].DowntimeMinutes, "row %d", i)
	}
	require.Equal(t, 500.0, rows[0].NotesMinutes, "the notes' rounded figure is kept beside the exact one")
}

func TestQuorumAvailability(t *testing.T) {
	require.InDelta(t, 0.9, QuorumAvailability(1, 1, 0.9), 1e-12)
	// 2 of 3: p^3 + 3p^2(1-p)
	require.InDelta(t, 0.729+3*0.81*0.1, QuorumAvailability(3, 2, 0.9), 1e-12)
	require.InDelta(t, 1.0, QuorumAvailability(5, 0, 0.3), 1e-12)
}

// TestSimulatedMatchesAnalytic runs each system with frequent failures (so a
// short horizon sees many) and checks the measured availability is within
// 4 standard errors of the analytic quorum model.
func TestSimulatedMatchesAnalytic(t *testing.T) {
	p := Params{MTBF: 10 * sim.Hour, MTTR: 2 * sim.Hour, Interval: 5 * sim.Minute, Deadline: sim.Second, Horizon: 60 * 24 * sim.Hour}
	require.NoError(t, p.Validate())
	runs := 12
	if testing.Short() {
		runs = 4
	}
	for _, s := range Systems {
		var fr []float64
		for seed := uint64(1); seed <= uint64(runs); seed++ {
			o := Run(s, p, seed, nil)
			require.Positive(t, o.Failures, "failures must happen for the test to mean anything")
			fr = append(fr, float64(o.Answered)/float64(o.Requests))
		}
		mean, se := MeanSE(fr)
		want := QuorumAvailability(s.Nodes, s.Quorum, p.NodeUp())
		require.InDelta(t, want, mean, 4*se+0.003, "%s: measured %.4f ± %.4f, analytic %.4f", s.Name, mean, se, want)
	}
}

func TestRunDeterministic(t *testing.T) {
	p := DefaultParams()
	p.Horizon = 30 * 24 * sim.Hour
	a := &sim.Log{}
	b := &sim.Log{}
	Run(Systems[1], p, 7, a)
	Run(Systems[1], p, 7, b)
	require.Equal(t, a.Text(), b.Text())
}

func TestValidate(t *testing.T) {
	p := DefaultParams()
	require.NoError(t, p.Validate())
	bad := p
	bad.MTTR = 0
	require.Error(t, bad.Validate())
	bad = p
	bad.Deadline = p.Interval
	require.Error(t, bad.Validate())
	require.True(t, math.IsInf(Nines(1), 1))
}
