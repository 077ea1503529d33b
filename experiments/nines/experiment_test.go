package nines

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/experiments/experiment"
	"simulate/sim"
)

func records(t *testing.T, p *Params, seeds ...uint64) []json.RawMessage {
	var out []json.RawMessage
	for _, s := range seeds {
		b, err := json.Marshal(p.Run(s))
		require.NoError(t, err)
		out = append(out, b)
	}
	return out
}

// TestSummarizeTablesAndJSON: the three tables in order, one row per
// system in each measured table, the JSON document with its four keys,
// and a figure with the measured and analytic curves.
func TestSummarizeTablesAndJSON(t *testing.T) {
	p := mild()
	p.Horizon = 5 * 24 * sim.Hour
	p.FairDeadline = DefaultFairDeadline
	out, err := p.Summarize(records(t, &p, 1, 2))
	require.NoError(t, err)
	require.Len(t, out.Tables, 3)
	require.Equal(t, []string{"nines", "measured", "failover"}, []string{out.Tables[0].Name, out.Tables[1].Name, out.Tables[2].Name})
	require.Len(t, out.Tables[1].Rows, len(Systems))
	require.Len(t, out.Tables[2].Rows, len(Systems))
	require.Contains(t, out.Tables[1].Title, "2 runs of 5d each")
	doc := out.JSON.(map[string]any)
	require.Equal(t, 2, doc["runs"])
	require.Len(t, doc["systems"], len(Systems))
	require.NotNil(t, out.Figure)
	require.Len(t, out.Figure.Series, 5)

	// Without the fair deadline, its columns go.
	p.FairDeadline = 0
	out, err = p.Summarize(records(t, &p, 1))
	require.NoError(t, err)
	require.Len(t, out.Tables[2].Header, 8)
}

// TestSummarizeRejectsMalformedRecords: a record that is not one outcome
// per system names its position.
func TestSummarizeRejectsMalformedRecords(t *testing.T) {
	p := mild()
	for _, rec := range []string{`[{"requests":1}]`, `{"x":1}`, `[`} {
		_, err := p.Summarize([]json.RawMessage{json.RawMessage(rec)})
		var bad *experiment.RecordError
		require.True(t, errors.As(err, &bad), "%s: %v", rec, err)
		require.Equal(t, 0, bad.Index)
	}
}

func TestFormatters(t *testing.T) {
	require.Equal(t, "365d", realTime(365*24*sim.Hour))
	require.Equal(t, "1h0m0s", realTime(sim.Hour))
	require.Equal(t, "525.6", trimFloat(525.6))
	require.Equal(t, "5", trimFloat(5))
	require.Nil(t, finite(math.Inf(1)))
	require.Equal(t, 2.5, *finite(2.5))
}
