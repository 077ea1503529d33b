package check_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"simulate/check"
	"simulate/sim"
)

func dec(node sim.NodeID, slot int, v string) sim.Observation {
	return sim.Observation{Node: node, Kind: check.KindDecide, Slot: slot, Value: v}
}

func TestConsensusProperties(t *testing.T) {
	honest := func(id sim.NodeID) bool { return id != 3 } // n3 is a traitor
	proposed := func(o sim.Observation) bool { return o.Value == "0" || o.Value == "1" }
	all := []sim.NodeID{0, 1, 2}
	for _, tc := range []struct {
		name                              string
		obs                               []sim.Observation
		agreement, integrity, valid, term string // "" = holds
	}{
		{name: "all agree", obs: []sim.Observation{dec(0, 0, "1"), dec(1, 0, "1"), dec(2, 0, "1")}},
		{name: "a traitor's decision is not counted",
			obs: []sim.Observation{dec(0, 0, "1"), dec(3, 0, "0"), dec(1, 0, "1"), dec(2, 0, "1")}},
		{name: "two honest nodes differ",
			obs:       []sim.Observation{dec(0, 0, "1"), dec(1, 0, "1"), dec(2, 0, "0")},
			agreement: "n2 decided 0 but n0 decided 1"},
		{name: "slots are judged apart, lowest first",
			obs:       []sim.Observation{dec(0, 2, "a"), dec(1, 2, "b"), dec(0, 1, "x"), dec(1, 1, "y"), dec(2, 1, "x")},
			agreement: "n1 decided y but n0 decided x (slot 1)", valid: "n0 decided a, which nobody proposed (slot 2)",
			term: "n0, n1, n2 never decided"},
		{name: "a node changes its mind",
			obs:       []sim.Observation{dec(0, 0, "1"), dec(1, 0, "1"), dec(2, 0, "1"), dec(1, 0, "0")},
			integrity: "n1 decided 1 and then 0"},
		{name: "a value nobody proposed", obs: []sim.Observation{dec(0, 0, "7"), dec(1, 0, "7"), dec(2, 0, "7")},
			valid: "n0 decided 7, which nobody proposed"},
		{name: "a node never decides", obs: []sim.Observation{dec(0, 0, "1"), dec(2, 0, "1")},
			term: "n1 never decided"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := func(err error, msg string) {
				t.Helper()
				if msg == "" {
					require.NoError(t, err)
				} else {
					require.EqualError(t, err, msg)
				}
			}
			want(check.Agreement(tc.obs, check.KindDecide, honest), tc.agreement)
			want(check.Integrity(tc.obs, check.KindDecide, honest), tc.integrity)
			want(check.Validity(tc.obs, check.KindDecide, honest, proposed), tc.valid)
			want(check.Termination(tc.obs, check.KindDecide, all, 1), tc.term)
		})
	}
}

func TestCommitMessagesSayCommitted(t *testing.T) {
	obs := []sim.Observation{{Node: 0, Kind: check.KindCommit, Slot: 1, Value: "a"}, {Node: 1, Kind: check.KindCommit, Slot: 1, Value: "b"}}
	require.EqualError(t, check.Agreement(obs, check.KindCommit, nil), "n1 committed b but n0 committed a (slot 1)")
}

// Agreement over the decisions of three processes, one of them a traitor
// whose decision does not count.
func ExampleAgreement() {
	obs := []sim.Observation{
		{Node: 0, Kind: check.KindDecide, Value: "attack"},
		{Node: 1, Kind: check.KindDecide, Value: "retreat"}, // the traitor
		{Node: 2, Kind: check.KindDecide, Value: "retreat"},
	}
	loyal := func(id sim.NodeID) bool { return id != 1 }
	fmt.Println(check.Agreement(obs, check.KindDecide, loyal))
	// Output: n2 decided retreat but n0 decided attack
}
