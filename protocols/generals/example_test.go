package generals_test

import (
	"fmt"

	"simulate/protocols/generals"
)

// Three generals, one traitor: the loyal commander orders attack, the
// traitorous lieutenant n1 relays retreat, and the loyal n2, holding one
// vote each way, falls back to the default retreat. Four generals outvote
// the same lie.
func Example() {
	for _, n := range []int{3, 4} {
		s := generals.Scenario{
			Generals:  n,
			Algorithm: generals.OM,
			Rounds:    1,
			Order:     generals.Attack,
			Traitors:  []generals.Traitor{{ID: 1, Strategy: generals.Lie}},
		}
		o := generals.RunSeed(s, 1, nil)
		fmt.Printf("n=%d: decisions %v, messages %d, IC1 %v, IC2 %v\n", n, o.Decisions, o.Messages(), o.Agreement, o.Validity)
		fmt.Println("  " + o.Verdict())
	}
	// Output:
	// n=3: decisions map[0:attack 2:retreat], messages 4, IC1 true, IC2 false
	//   n = 3 ≤ 3m = 3: below the 3m+1 bound 1 traitor can break oral messages, and here IC2 failed.
	// n=4: decisions map[0:attack 2:attack 3:attack], messages 9, IC1 true, IC2 true
	//   n = 4 ≥ 3m+1 = 4: OM(1) guarantees IC1 and IC2 against 1 traitor; they held.
}
