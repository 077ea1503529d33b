package cap_test

import (
	"fmt"

	"simulate/experiments/cap"
	"simulate/sim"
)

// Two cinemas, 300 tickets, and a one-second partition that begins just
// before the tickets run out: CP refuses the cut-off cinema's customers,
// AP sells to them and oversells.
func ExampleRun() {
	p := cap.DefaultParams()
	p.Tickets, p.Windows, p.Rate = 300, 8, 100
	p.PartitionStart = 1200 * sim.Millisecond
	for _, config := range cap.Configs {
		o := cap.Run(cap.Scenario{Config: config, Length: sim.Second, Params: p}, 1, nil)
		fmt.Printf("%s: refused %d, sold %d of %d, oversold %d, linearizable %v\n",
			o.Config, o.Refused, o.Sold, p.Tickets, o.Oversold, o.Linearizable)
	}
	// Output:
	// CP: refused 96, sold 300 of 300, oversold 0, linearizable true
	// AP: refused 0, sold 380 of 300, oversold 80, linearizable false
}
