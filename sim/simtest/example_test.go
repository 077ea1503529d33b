package simtest_test

import (
	"fmt"

	"pgregory.net/rapid"

	"simulate/internal/rally"
	"simulate/sim"
	"simulate/sim/simtest"
)

// player returns each ball raised by one until 4, then records the rally.
// It never resends, so one lost ball ends the game early.
var player = rally.Player{Name: "ball", Last: 4, Kind: "rally"}

// flaky loses a message when its draw is 9 of 10; draw 0, the boring
// case rapid shrinks toward, delivers it after 1ms.
type flaky struct{}

func (flaky) Route(l sim.Link) sim.Fate {
	if l.Choices.Intn(fmt.Sprintf("loss n%d->n%d", l.From, l.To), 10) == 9 {
		return sim.Fate{Drop: true, Reason: "loss"}
	}
	return sim.Fate{Delay: sim.Millisecond}
}

// Search for a run where the rally never finishes. Every network draw
// comes from rapid through simtest.RunWorld, so the failure rapid reports
// is shrunk to the one loss that matters, and the recorded draws replay it.
// In a test, call rapid.Check(t, prop) instead of Search.
func ExampleSearch() {
	var last simtest.Run
	prop := func(t *rapid.T) {
		run := simtest.RunWorld(t, sim.Config{
			Nodes:   2,
			New:     player.New,
			Network: flaky{},
		}, nil)
		if len(run.Result.Observations) == 0 {
			last = run
			simtest.Fail(t, run, "the rally never finished")
		}
	}
	res := simtest.Search(100, 1, prop)
	fmt.Println("failed:", res.Failed)
	fmt.Print("schedule:\n", last.Schedule())
	fmt.Print("trace:\n", last.Log.Text())

	// The recorded draws replay the counterexample exactly.
	again := sim.New(sim.Config{
		Nodes:   2,
		New:     player.New,
		Network: flaky{},
		Choices: &sim.ReplayChoices{Values: last.Values()},
	}).Run()
	fmt.Println("replayed:", again.Hash == last.Result.Hash)
	// Output:
	// failed: true
	// schedule:
	//   draw 0: loss n0->n1 = 9 (of 10)
	// trace:
	// #1            0s  start     n0
	// #2            0s  send      n0 -> n1  ball{1}
	// #3            0s  drop      n0 -> n1  ball{1}  (loss)
	// #4            0s  start     n1
	// replayed: true
}
