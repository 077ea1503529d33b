package twophase_test

import (
	"fmt"

	"simulate/examples/twophase"
	"simulate/sim"
)

// Run two-phase commit with three participants on the calm network: all
// vote yes, so everyone commits.
func Example() {
	cfg := twophase.Config{Participants: 3}
	res := sim.New(sim.Config{Nodes: cfg.Nodes(), New: cfg.New}).Run()
	out := twophase.Outcomes(res.Observations)
	for id := range sim.NodeID(cfg.Nodes()) {
		fmt.Printf("n%d %s\n", id, out[id])
	}
	fmt.Printf("sent %d, delivered %d, ended at %v (%s), hash %s\n", res.Sent, res.Delivered, res.End, res.Reason, res.HashString())
	// Output:
	// n0 commit
	// n1 commit
	// n2 commit
	// n3 commit
	// sent 9, delivered 9, ended at 100ms (quiescent), hash c3aeb17e4f850d53
}

// A coordinator that crashes after sending Prepare leaves the participants,
// who voted yes, uncertain until the time limit: 2PC blocks.
func Example_blocking() {
	cfg := twophase.Config{Participants: 2}
	w := sim.New(sim.Config{Nodes: cfg.Nodes(), New: cfg.New, Limit: sim.Second})
	w.CrashAt(sim.Millisecond, twophase.Coordinator)
	res := w.Run()
	fmt.Println("decisions:", len(twophase.Outcomes(res.Observations)))
	fmt.Println("stopped by:", res.Reason)
	// Output:
	// decisions: 0
	// stopped by: limit
}
