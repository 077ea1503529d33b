package cap

import (
	"fmt"
	"strconv"

	"simulate/network"
	"simulate/protocols/paxos"
	"simulate/sim"
)

// Outcome is what one run measured.
type Outcome struct {
	Config string   `json:"config"`
	Length sim.Time `json:"partition_length"`
	// Requests is how many customers asked for a ticket.
	Requests int `json:"requests"`
	// Refused is how many gave up at the deadline without an answer: lost
	// availability. Without a partition the CP offices refuse nobody.
	Refused int `json:"refused"`
	// Sold is how many customers hold a ticket.
	Sold int `json:"sold"`
	// SoldOut is how many heard "sold out".
	SoldOut int `json:"sold_out"`
	// Oversold is how many more tickets customers hold than the stock:
	// lost consistency.
	Oversold int `json:"oversold"`
	// Duplicates is how many ticket numbers were handed to two customers
	// or more (counted once per extra holder).
	Duplicates int `json:"duplicates"`
	// LeftAtSplit is how many tickets were not yet in customers' hands
	// when the partition began: with two sides, the most an AP system can
	// sell twice (plus what a gossip period's lag lets slip through).
	LeftAtSplit int `json:"left_at_split"`
	// Linearizable is porcupine's verdict on the client history.
	Linearizable bool `json:"linearizable"`
	// End is when the run ended: every window closed and, for AP, the
	// offices' counters agree after the partition healed.
	End    sim.Time `json:"end"`
	Events int      `json:"events"`
	Hash   string   `json:"trace_hash"`
	// Complete is false if the run hit its time limit before every
	// window closed.
	Complete bool `json:"complete"`
}

// Layout is where everyone sits: servers (CP replicas, the tie-breaker
// included, or AP offices) are nodes 0 .. Servers-1, office i is node i,
// and office i's windows follow the servers, Windows to an office.
type Layout struct {
	Servers    int
	TieBreaker sim.NodeID // -1 when there is none
	Nodes      int
}

// LayoutOf places the nodes of config: CP with an even number of offices
// adds a tie-breaking replica (node Offices) so that one side of any
// partition into halves has a majority.
func LayoutOf(config string, p Params) Layout {
	l := Layout{Servers: p.Offices, TieBreaker: -1}
	if config == CP && p.Offices%2 == 0 {
		l.TieBreaker = sim.NodeID(p.Offices)
		l.Servers++
	}
	l.Nodes = l.Servers + p.Offices*p.Windows
	return l
}

// Window returns the node of office's window j.
func (l Layout) Window(p Params, office, j int) sim.NodeID {
	return sim.NodeID(l.Servers + office*p.Windows + j)
}

// OfficeOf returns the office a window node belongs to.
func (l Layout) OfficeOf(p Params, id sim.NodeID) int { return (int(id) - l.Servers) / p.Windows }

// MinorityGroup lists the nodes cut off by the partition: the minority
// offices and their windows.
func (l Layout) MinorityGroup(p Params) []sim.NodeID {
	minority, _ := p.Sides()
	var g []sim.NodeID
	for _, o := range minority {
		g = append(g, sim.NodeID(o))
		for j := 0; j < p.Windows; j++ {
			g = append(g, l.Window(p, o, j))
		}
	}
	return g
}

// Limit is a run's safety horizon: far beyond the expected sell-out time
// and the partition's end. A run that reaches it is reported incomplete.
func (s Scenario) Limit() sim.Time {
	p := s.Params
	sellout := Open + sim.Time(float64(p.Tickets)/(p.Rate*float64(p.Offices))*float64(sim.Second))
	return max(sellout, p.PartitionStart+s.Length) + sellout + 10*sim.Second
}

// Validate checks a scenario read from a trace header.
func (s Scenario) Validate() error {
	if s.Config != CP && s.Config != AP {
		return fmt.Errorf("config %q: want %s or %s", s.Config, CP, AP)
	}
	p := s.Params
	p.Lengths = []sim.Time{s.Length}
	return p.Validate()
}

// Run runs one scenario with the environment drawn from seed.
func Run(s Scenario, seed uint64, tracer sim.Tracer) Outcome {
	return RunWith(s, seed, sim.NewPCGChoices(seed), tracer)
}

// RunWith runs one scenario with the given environment (a rapid-backed
// Choices in property tests). The scenario must be valid.
func RunWith(s Scenario, seed uint64, choices sim.Choices, tracer sim.Tracer) Outcome {
	p := s.Params
	l := LayoutOf(s.Config, p)
	net := network.MustNew(l.Nodes, network.Options{Latency: p.Latency})
	timing := paxos.DefaultMultiTiming(maxDelay(p.Latency))
	stock := strconv.Itoa(p.Tickets)
	gap := float64(p.Windows) / p.Rate * float64(sim.Second)
	newNode := func(id sim.NodeID) sim.Node {
		switch {
		case int(id) >= l.Servers:
			return &Window{office: sim.NodeID(l.OfficeOf(p, id)), servers: l.Servers, gap: gap, deadline: p.Deadline, stock: stock}
		case s.Config == AP:
			return &Office{index: int(id), offices: p.Offices, stock: p.Tickets, gossip: p.Gossip}
		}
		// The last replica — the tie-breaker, or a majority-side office —
		// leads first, so the partition cuts followers off, not the leader.
		return paxos.NewReplica(paxos.MultiParams{N: l.Servers, Candidate: int(id) == l.Servers-1, Timing: timing, Bug: p.Bug})
	}
	windows := p.Offices * p.Windows
	healed := p.PartitionStart + s.Length
	closed, seen := 0, 0
	stop := func(w *sim.World) bool {
		obs := w.Observations()
		for ; seen < len(obs); seen++ {
			if o := obs[seen]; o.Kind == paxos.ObsReturn && o.Value == paxos.SoldOut {
				closed++
			}
		}
		if closed < windows || w.Now() < healed {
			return false
		}
		if s.Config == CP {
			return true
		}
		first := w.Node(0).(*Office).Counts()
		for i := 1; i < p.Offices; i++ {
			for j, c := range w.Node(sim.NodeID(i)).(*Office).Counts() {
				if c != first[j] {
					return false
				}
			}
		}
		return true
	}
	w := sim.New(sim.Config{Nodes: l.Nodes, New: newNode, Network: net, Choices: choices, Seed: seed,
		Limit: s.Limit(), Stop: stop, Tracer: tracer})
	if s.Length > 0 {
		group := l.MinorityGroup(p)
		w.At(p.PartitionStart, "partition", network.GroupsString(l.Nodes, [][]sim.NodeID{group}), func() { net.Partition(group) })
		w.At(healed, "heal", "", net.Heal)
	}
	res := w.Run()
	o := Outcome{Config: s.Config, Length: s.Length, End: res.End, Events: res.Events, Hash: res.HashString(),
		Complete: res.Reason == sim.StopPredicate}
	h := History(res.Observations, l.Servers)
	for _, ob := range res.Observations {
		if ob.Kind == ObsGaveUp {
			o.Requests++
			o.Refused++
		}
	}
	held := map[int]int{}
	for _, sale := range h {
		o.Requests++
		switch {
		case sale.Ticket == Unknown:
			o.Refused++
		case sale.Ticket == Out:
			o.SoldOut++
		case sale.Ticket > 0:
			o.Sold++
			held[sale.Ticket]++
			if held[sale.Ticket] > 1 {
				o.Duplicates++
			}
			if sale.Return <= p.PartitionStart {
				o.LeftAtSplit++
			}
		}
	}
	o.LeftAtSplit = max(p.Tickets-o.LeftAtSplit, 0)
	o.Oversold = max(o.Sold-p.Tickets, 0)
	o.Linearizable = Linearizable(h, p.Tickets)
	return o
}
