package generals_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/internal/goldenfile"
	"simulate/protocols/generals"
	"simulate/sim"
)

// TestOMMessageCountsMatchClosedForm counts every message of every round
// of an all-loyal OM(m) run and compares it with the recursion
// M(n,0) = n-1, M(n,m) = (n-1) + (n-1)·M(n-1,m-1).
func TestOMMessageCountsMatchClosedForm(t *testing.T) {
	cases := []struct{ n, m, want int }{
		{2, 0, 1}, {3, 0, 2}, {3, 1, 4}, {4, 1, 9}, {5, 1, 16}, {5, 2, 40},
		{6, 2, 85}, {7, 2, 156}, {7, 3, 516}, {10, 3, 3609},
	}
	for _, c := range cases {
		require.Equal(t, c.want, generals.OMMessages(c.n, c.m), "closed form M(%d,%d)", c.n, c.m)
		for _, calm := range []bool{true, false} {
			s := generals.Scenario{Generals: c.n, Algorithm: generals.OM, Rounds: c.m, Order: generals.Attack, Calm: calm}
			o := generals.RunSeed(s, 3, nil)
			require.Equal(t, c.want, o.Messages(), "OM(%d) with n=%d", c.m, c.n)
			require.Equal(t, c.want, o.Result.Delivered, "every message arrives in its round")
			require.True(t, o.Held())
			require.Len(t, o.Decisions, c.n)
		}
	}
	// Traitors that lie or equivocate send exactly as much; silent ones less.
	s := generals.Scenario{Generals: 7, Algorithm: generals.OM, Rounds: 2, Order: generals.Attack,
		Traitors: []generals.Traitor{{ID: 0, Strategy: generals.Split}, {ID: 3, Strategy: generals.Random}}}
	require.Equal(t, 156, generals.RunSeed(s, 1, nil).Messages())
	s.Traitors[1].Strategy = generals.Silent
	o := generals.RunSeed(s, 1, nil)
	// n3 is silent in rounds 1 and 2: it would have sent 5 + 5·4 = 25.
	require.Equal(t, 156-25, o.Messages())
	require.Equal(t, 25, o.Withheld)
	require.Equal(t, 9, generals.OMMessages(4, 1))
	require.Equal(t, 156, generals.OMMessages(7, 2))
}

// OMMessagesExact agrees with OMMessages where that does not saturate,
// and gives the true count where it does (an error message used to print
// math.MaxInt as "the" count).
func TestOMMessagesExact(t *testing.T) {
	for n := 0; n <= 12; n++ {
		for m := 0; m < max(n, 1); m++ {
			require.Equal(t, int64(generals.OMMessages(n, m)), generals.OMMessagesExact(n, m).Int64(), "M(%d,%d)", n, m)
		}
	}
	require.Equal(t, "1367562396504656143779", generals.OMMessagesExact(40, 13).String())
	s := generals.Scenario{Generals: 40, Traitors: make([]generals.Traitor, 13), Algorithm: generals.OM, Rounds: 13, Order: generals.Attack}
	require.ErrorContains(t, s.Validate(), "sends 1367562396504656143779 messages")
}

func TestSMMessageCounts(t *testing.T) {
	for _, c := range []struct{ n, m int }{{3, 1}, {4, 1}, {5, 3}, {10, 2}, {6, 0}} {
		s := generals.Scenario{Generals: c.n, Algorithm: generals.SM, Rounds: c.m, Order: generals.Retreat}
		o := generals.RunSeed(s, 1, nil)
		require.Equal(t, generals.SMMessages(c.n, c.m), o.Messages(), "SM(%d) n=%d", c.m, c.n)
		require.True(t, o.Held())
		for _, v := range o.Decisions {
			require.Equal(t, generals.Retreat, v)
		}
	}
}

func TestSameSeedSameRun(t *testing.T) {
	cast := generals.Cast{Generals: 7, Traitors: 2, Commander: generals.CommanderRandom}
	for seed := uint64(0); seed < 30; seed++ {
		for _, alg := range []generals.Algorithm{generals.OM, generals.SM} {
			s := generals.Scenario{Generals: 7, Algorithm: alg, Rounds: 2, Order: generals.Attack, Traitors: generals.DrawFromSeed(seed, cast)}
			a := generals.RunSeed(s, seed, nil)
			b := generals.RunSeed(s, seed, nil)
			require.Equal(t, a.Result.Hash, b.Result.Hash)
			require.Equal(t, a.Decisions, b.Decisions)
		}
	}
	s := generals.Scenario{Generals: 4, Algorithm: generals.OM, Rounds: 1, Order: generals.Attack}
	require.NotEqual(t, generals.RunSeed(s, 1, nil).Result.Hash, generals.RunSeed(s, 2, nil).Result.Hash,
		"the seed drives the network's delays")
}

// TestGoldenHash pins two runs' trace hashes: if they change, the
// protocol's behaviour or its messages' encoding changed, and recorded
// traces no longer replay.
func TestGoldenHash(t *testing.T) {
	var b strings.Builder
	for _, alg := range []generals.Algorithm{generals.OM, generals.SM} {
		s := generals.Scenario{Generals: 7, Algorithm: alg, Rounds: 2, Order: generals.Attack,
			Traitors: []generals.Traitor{{ID: 0, Strategy: generals.Collude}, {ID: 4, Strategy: generals.Collude}}}
		o := generals.RunSeed(s, 42, nil)
		fmt.Fprintf(&b, "%s n=7 m=2 traitors n0,n4 collude seed 42: hash %s events=%d sent=%d agreement=%v validity=%v decisions=%v\n",
			alg, o.Result.HashString(), o.Result.Events, o.Result.Sent, o.Agreement, o.Validity, o.Decisions)
	}
	got := b.String()
	goldenfile.Check(t, "collude-n7-seed42.golden", got)
}

func TestDraw(t *testing.T) {
	for seed := uint64(0); seed < 200; seed++ {
		tr := generals.DrawFromSeed(seed, generals.Cast{Generals: 7, Traitors: 3, Commander: generals.CommanderRandom})
		require.Len(t, tr, 3)
		for i, x := range tr {
			require.True(t, x.ID >= 0 && x.ID < 7)
			require.NotEqual(t, generals.Honest, x.Strategy, "plain runs draw only misbehaving traitors")
			if i > 0 {
				require.Less(t, tr[i-1].ID, x.ID, "sorted, distinct")
			}
		}
		require.Equal(t, tr, generals.DrawFromSeed(seed, generals.Cast{Generals: 7, Traitors: 3, Commander: generals.CommanderRandom}))
		tr = generals.DrawFromSeed(seed, generals.Cast{Generals: 4, Traitors: 1, Commander: generals.CommanderTraitor, Strategy: generals.Lie})
		require.Equal(t, []generals.Traitor{{ID: 0, Strategy: generals.Lie}}, tr)
		tr = generals.DrawFromSeed(seed, generals.Cast{Generals: 4, Traitors: 3, Commander: generals.CommanderLoyal})
		require.Equal(t, []sim.NodeID{1, 2, 3}, []sim.NodeID{tr[0].ID, tr[1].ID, tr[2].ID})
	}
	// Pinned traitors keep their ids; missing strategies are filled in.
	pinned := generals.Cast{Generals: 5, Traitors: 2, Strategy: generals.Silent,
		Pinned: []generals.Traitor{{ID: 3}, {ID: 0, Strategy: generals.Split}}}
	require.NoError(t, pinned.Check())
	require.Equal(t, []generals.Traitor{{ID: 0, Strategy: generals.Split}, {ID: 3, Strategy: generals.Silent}}, generals.DrawFromSeed(1, pinned))
	pinned.Commander = generals.CommanderLoyal
	require.ErrorContains(t, pinned.Check(), "commander loyal")
	pinned.Commander, pinned.Traitors = "", 3
	require.ErrorContains(t, pinned.Check(), "2 traitors named but traitors = 3")

	// Draw 0 everywhere is the boring cast: loyal commander, lowest ids, honest.
	tr := generals.Draw(sim.Boring{}, generals.Cast{Generals: 5, Traitors: 2, AllowHonest: true})
	require.Equal(t, []generals.Traitor{{ID: 1, Strategy: generals.Honest}, {ID: 2, Strategy: generals.Honest}}, tr)
}

func TestValidate(t *testing.T) {
	ok := generals.Scenario{Generals: 4, Algorithm: generals.OM, Rounds: 1, Traitors: []generals.Traitor{{ID: 2, Strategy: generals.Lie}}}
	require.NoError(t, ok.Validate())
	bad := map[string]func(s *generals.Scenario){
		"need a commander":   func(s *generals.Scenario) { s.Generals = 1 },
		"at most 64":         func(s *generals.Scenario) { s.Generals = 65 },
		"want om or sm":      func(s *generals.Scenario) { s.Algorithm = "pbft" },
		"must be ≥ 0":        func(s *generals.Scenario) { s.Rounds = -1 },
		"at most generals-1": func(s *generals.Scenario) { s.Rounds = 4 },
		"fewer than": func(s *generals.Scenario) {
			s.Generals = 2
			s.Rounds = 1
			s.Traitors = []generals.Traitor{{0, generals.Lie}, {1, generals.Lie}}
		},
		"no such general":     func(s *generals.Scenario) { s.Traitors[0].ID = 9 },
		"listed twice":        func(s *generals.Scenario) { s.Traitors = append(s.Traitors, s.Traitors[0]) },
		"want one of honest":  func(s *generals.Scenario) { s.Traitors[0].Strategy = "sulk" },
		"messages; keep it":   func(s *generals.Scenario) { s.Generals = 30; s.Rounds = 6 },
		"bug \"typo\"":        func(s *generals.Scenario) { s.Bug = "typo" },
		"want attack or retr": func(s *generals.Scenario) { s.Order = 7 },
	}
	for want, mut := range bad {
		s := ok
		s.Traitors = append([]generals.Traitor(nil), ok.Traitors...)
		mut(&s)
		err := s.Validate()
		require.Error(t, err, want)
		require.Contains(t, err.Error(), want)
	}
	require.Error(t, generals.Cast{Generals: 3, Traitors: 3}.Check())
	require.Error(t, generals.Cast{Generals: 3, Traitors: 0, Commander: generals.CommanderTraitor}.Check())
	require.Error(t, generals.Cast{Generals: 3, Traitors: 1, Strategy: "sulk"}.Check())
	require.NoError(t, generals.Cast{Generals: 3, Traitors: 2, Commander: generals.CommanderLoyal}.Check())
}

func TestScenarioJSONRoundTrip(t *testing.T) {
	s := generals.Scenario{Generals: 5, Algorithm: generals.SM, Rounds: 2, Order: generals.Retreat,
		Traitors: []generals.Traitor{{ID: 0, Strategy: generals.Split}, {ID: 3, Strategy: generals.Silent}}, Calm: true}
	b, err := json.Marshal(s)
	require.NoError(t, err)
	require.Contains(t, string(b), `"order":"retreat"`)
	var back generals.Scenario
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, s, back)
	require.Error(t, json.Unmarshal([]byte(`{"order":"charge"}`), &back))
}

// TestSignaturesStopForgery: under SM a lying lieutenant's forged order is
// refused, while under OM the same lie wins the tie (n = 3, m = 1).
func TestSignaturesStopForgery(t *testing.T) {
	s := generals.Scenario{Generals: 3, Algorithm: generals.SM, Rounds: 1, Order: generals.Attack,
		Traitors: []generals.Traitor{{ID: 1, Strategy: generals.Lie}}}
	log := &sim.Log{}
	o := generals.RunSeed(s, 1, log)
	require.True(t, o.Held())
	require.Equal(t, generals.Attack, o.Decisions[2])
	require.Equal(t, 1, o.Forged)
	require.Equal(t, 1, o.Rejected)
	require.Contains(t, log.Text(), "Signed{retreat: 0:1 FORGED}")
	require.Equal(t, []string{"n1 tried to forge: told n2 retreat under n0's signature (refused: the signature does not match)"},
		generals.Explain(s, log.Events))

	s.Algorithm = generals.OM
	o = generals.RunSeed(s, 1, nil)
	require.False(t, o.Validity)
	require.Equal(t, generals.Retreat, o.Decisions[2])
}

// TestSMColludersDeliverLate: the colluding commander signs attack for
// camp A and passes retreat down the colluders, who deliver it to camp B
// in the last round the chain's length allows; camp B relays it in time,
// so everyone holds both values and retreats together.
func TestSMColludersDeliverLate(t *testing.T) {
	s := generals.Scenario{Generals: 7, Algorithm: generals.SM, Rounds: 3, Order: generals.Attack,
		Traitors: []generals.Traitor{{ID: 0, Strategy: generals.Collude}, {ID: 2, Strategy: generals.Collude}, {ID: 5, Strategy: generals.Collude}}}
	log := &sim.Log{}
	o := generals.RunSeed(s, 1, log)
	require.True(t, o.Held(), o.Failure())
	require.True(t, o.Equivocated)
	for _, id := range o.LoyalLieutenants() {
		require.Equal(t, generals.Retreat, o.Decisions[id])
	}
	// The retreat chain reaches camp B (n4, n6) signed 0:2:5 in round 2.
	require.Contains(t, log.Text(), "n5 -> n4  Signed{retreat: 0:2:5}")
	// Without relays camp B alone would retreat.
	s.Bug = generals.BugTrustCommander
	require.False(t, generals.RunSeed(s, 1, nil).Agreement)
}

func TestVerdicts(t *testing.T) {
	cases := []struct {
		s    generals.Scenario
		want string
	}{
		{generals.Scenario{Generals: 4, Algorithm: generals.OM, Rounds: 1, Traitors: []generals.Traitor{{ID: 2, Strategy: generals.Lie}}}, "n = 4 ≥ 3m+1 = 4: OM(1) guarantees IC1 and IC2 against 1 traitor; they held."},
		{generals.Scenario{Generals: 3, Algorithm: generals.OM, Rounds: 1, Order: generals.Attack, Traitors: []generals.Traitor{{ID: 1, Strategy: generals.Lie}}}, "n = 3 ≤ 3m = 3: below the 3m+1 bound 1 traitor can break oral messages, and here IC2 failed."},
		{generals.Scenario{Generals: 3, Algorithm: generals.OM, Rounds: 1, Traitors: []generals.Traitor{{ID: 1, Strategy: generals.Honest}}}, "this run happened to satisfy both"},
		{generals.Scenario{Generals: 3, Algorithm: generals.SM, Rounds: 1, Traitors: []generals.Traitor{{ID: 1, Strategy: generals.Lie}}}, "SM(1) with signed messages guarantees IC1 and IC2 against up to 1 traitors"},
		{generals.Scenario{Generals: 7, Algorithm: generals.OM, Rounds: 1, Order: generals.Attack, Traitors: []generals.Traitor{{ID: 1, Strategy: generals.Lie}, {ID: 2, Strategy: generals.Lie}}}, "OM(1) tolerates at most m = 1 traitors and there are 2"},
	}
	for _, c := range cases {
		require.Contains(t, generals.RunSeed(c.s, 1, nil).Verdict(), c.want)
	}
}
