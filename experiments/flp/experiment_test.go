package flp

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/experiments/experiment"
	"simulate/sim"
)

// small is the registered defaults with a short horizon, so Summarize's
// deterministic runs take milliseconds.
func small(t *testing.T) *Params {
	p := registered.New().(*Params)
	p.Duel.MaxEvents = 1000
	require.NoError(t, p.Finish(nil))
	return p
}

// record is one seed's record with the given outcomes, as JSON.
func record(t *testing.T, decided, elected bool, rounds int) json.RawMessage {
	var r Record
	r.Duel = DuelOutcome{Decided: decided, Time: 40 * sim.Millisecond, Ballots: 8}
	r.Raft = RaftOutcome{Elected: elected, Time: 16 * sim.Millisecond, Candidacies: 1}
	r.BenOr.Decided, r.BenOr.Agree, r.BenOr.Rounds = true, true, rounds
	raw, err := json.Marshal(r)
	require.NoError(t, err)
	return raw
}

// --events is the horizon of both deterministic runs: Finish gives the
// Raft election the duel's, which the flag binds.
func TestFinishSharesTheHorizon(t *testing.T) {
	p := registered.New().(*Params)
	p.Duel.MaxEvents = 5000
	require.NoError(t, p.Finish(nil))
	require.Equal(t, 5000, p.Raft.MaxEvents)
	require.NoError(t, p.Validate())
	p.Duel.MaxEvents = 10
	require.NoError(t, p.Finish(nil))
	require.EqualError(t, p.Validate(), "a horizon of 10 events is too short to mean anything (at least 1000)")
}

// Recorded parameters decode into zero Params, as a merge decodes them
// over New's defaults: a sweep file written before the Raft rows (no
// "raft") prints the Paxos and Ben-Or rows only, not a deterministic
// Raft row of the defaults beside no randomized Raft at all.
func TestRecordedParamsDecode(t *testing.T) {
	full, err := json.Marshal(small(t))
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(full, &m))
	delete(m, "raft")
	preRaft, err := json.Marshal(m)
	require.NoError(t, err)

	for _, c := range []struct {
		name     string
		params   []byte
		rows     int
		raftJSON bool
	}{
		{"current", full, 5, true},
		{"before the Raft rows", preRaft, 3, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := registered.New()
			require.NoError(t, json.Unmarshal(c.params, p))
			out, err := p.Summarize([]json.RawMessage{record(t, true, true, 2), record(t, true, true, 3)})
			require.NoError(t, err)
			require.Len(t, out.Tables, 2)
			require.Len(t, out.Tables[0].Rows, c.rows)
			doc, err := json.Marshal(out.JSON)
			require.NoError(t, err)
			if c.raftJSON {
				require.Contains(t, string(doc), `"deterministic_raft"`)
			} else {
				require.NotContains(t, string(doc), `"raft`)
			}
		})
	}
}

// The tables: the deterministic rows run once, the randomized ones count
// the records; Ben-Or's rounds are a histogram, fewest rounds first (not
// in the map's order).
func TestSummarizeTables(t *testing.T) {
	p := small(t)
	out, err := p.Summarize([]json.RawMessage{
		record(t, true, true, 5), record(t, false, true, 2), record(t, true, false, 5), record(t, true, true, 2),
		record(t, true, true, 7), record(t, true, true, 3),
	})
	require.NoError(t, err)
	main, rounds := out.Tables[0], out.Tables[1]
	require.Equal(t, "flp", main.Name)
	require.Equal(t, []string{"Paxos, fixed retries (deterministic)", "Paxos, randomized backoff",
		"Raft, 3 replicas, fixed election timeout 12ms", "Raft, randomized election timeout 12ms–24ms", "Ben-Or, n=5, f=2, one crash"},
		[]string{main.Rows[0][0], main.Rows[1][0], main.Rows[2][0], main.Rows[3][0], main.Rows[4][0]})
	require.Equal(t, "no decision", main.Rows[0][3])
	require.Equal(t, "5 of 6", main.Rows[1][3])
	require.Equal(t, "no leader", main.Rows[2][3])
	require.Equal(t, "5 of 6 elected a leader", main.Rows[3][3])
	require.Equal(t, "6 of 6 (agreement yes)", main.Rows[4][3])
	require.Equal(t, "rounds", rounds.Name)
	require.Equal(t, [][]string{{"2", "2", "33.3%"}, {"3", "1", "16.7%"}, {"5", "2", "33.3%"}, {"7", "1", "16.7%"}}, rounds.Rows)
	s := out.JSON.(Summary)
	require.Equal(t, 6, s.Runs)
	require.False(t, s.Deterministic.Decided)
	require.Equal(t, 5, s.Randomized.Decided)
	require.Equal(t, 0.04, s.Randomized.TimeMax)
	require.Equal(t, 5, s.RandomizedRaft.Elected)
	require.Equal(t, map[int]int{2: 2, 3: 1, 5: 2, 7: 1}, s.BenOr.RoundsHist)
}

// A record that does not decode is named by its position, for the CLI's
// "run N: malformed flp result".
func TestSummarizeBadRecord(t *testing.T) {
	_, err := small(t).Summarize([]json.RawMessage{record(t, true, true, 2), json.RawMessage(`{"duel":{"decided":"x"}}`)})
	var bad *experiment.RecordError
	require.True(t, errors.As(err, &bad), "%v", err)
	require.Equal(t, 1, bad.Index)
}

// --diagram draws the opening of the deterministic duel, whatever the
// sweep's horizon and coin: 120 events of fixed retries, no decision.
func TestDiagram(t *testing.T) {
	p := registered.New().(*Params)
	f := p.Diagram()
	require.Equal(t, "flp-duel", f.Header.Protocol)
	require.Equal(t, 120, f.Footer.Counters.Events)
	require.Equal(t, string(sim.StopMaxEvents), f.Footer.Reason, "no decision in the opening")
	var d DuelParams
	require.NoError(t, json.Unmarshal(f.Header.Scenario, &d))
	require.False(t, d.Randomized)
	require.Equal(t, 120, d.MaxEvents)
	require.Equal(t, 1_000_000, p.Duel.MaxEvents, "drawing does not change the sweep's parameters")
	require.Equal(t, f, p.Diagram(), "the drawing is deterministic")
}
