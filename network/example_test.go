package network_test

import (
	"fmt"

	"simulate/network"
	"simulate/sim"
)

type ping struct{}

func (ping) AppendDigest(b []byte) []byte { return append(b, 'p') }

// pinger sends one ping to every other node; nobody answers.
type pinger struct{}

func (pinger) Start(ctx sim.Context) {
	for _, to := range ctx.Nodes() {
		if to != ctx.Self() {
			ctx.Send(to, ping{})
		}
	}
}
func (pinger) Deliver(sim.Context, sim.NodeID, sim.Message) {}
func (pinger) Fire(sim.Context, sim.TimerID, any)           {}

// A lossy log-normal network with node 3 partitioned away from the start.
func ExampleNet() {
	lat, err := network.ParseLatency("lognormal:30ms,0.5")
	if err != nil {
		fmt.Println(err)
		return
	}
	net, err := network.New(4, network.Options{Latency: lat, Loss: 0.2, FIFO: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	w := sim.New(sim.Config{
		Nodes:   4,
		New:     func(sim.NodeID) sim.Node { return pinger{} },
		Network: net,
		Choices: sim.NewPCGChoices(1),
	})
	net.Partition([]sim.NodeID{3})
	res := w.Run()
	fmt.Printf("sent %d, delivered %d, dropped %d\n", res.Sent, res.Delivered, res.Dropped)
	// The calm network (every draw 0) gives every delivered message the
	// fastest delay of the table.
	fmt.Println("fastest delay:", lat.Table()[0])
	// Output:
	// sent 12, delivered 4, dropped 8
	// fastest delay: 8.956843ms
}
