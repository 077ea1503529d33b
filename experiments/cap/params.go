package cap

import (
	"fmt"
	"math"

	"simulate/network"
	"simulate/protocols/paxos"
	"simulate/sim"
)

// The two configurations the experiment compares.
const (
	CP = "CP" // consistent under partition: Multi-Paxos, the minority refuses
	AP = "AP" // available under partition: local sales, reconciled afterwards
)

// Configs lists the configurations in table order.
var Configs = []string{CP, AP}

// Open is when the sale opens: customers arrive from then on. It leaves the
// CP offices time to elect their first leader, so that refusals measure the
// partition and not the start-up.
const Open = 100 * sim.Millisecond

// StockKey names the replicated stock of tickets in the CP store.
const StockKey = "tickets"

// Params configure the experiment. They are JSON-serialisable, so a sweep
// file records them and `simulate merge` rebuilds the table from them.
type Params struct {
	// Offices is the number of ticket offices (cinemas), at least 2.
	Offices int `json:"offices"`
	// Tickets is the stock all offices share.
	Tickets int `json:"tickets"`
	// Windows is the number of ticket windows per office: each serves one
	// customer at a time, so it is also the office's concurrency.
	Windows int `json:"windows"`
	// Rate is how many customers per second arrive at each office (spread
	// over its windows, exponential gaps); a window still busy when its
	// next customer arrives serves them as soon as it is free.
	Rate float64 `json:"rate"`
	// Deadline is a customer's patience: no answer by then and they walk
	// away, refused.
	Deadline sim.Time `json:"deadline"`
	// Gossip is how often an AP office sends its sales counter to the
	// others.
	Gossip sim.Time `json:"gossip"`
	// Latency is the one-way delay of every message.
	Latency network.Latency `json:"latency"`
	// PartitionStart is when the partition begins.
	PartitionStart sim.Time `json:"partition_start"`
	// Lengths are the partition lengths swept, one table row each; 0 is
	// the run without a partition.
	Lengths []sim.Time `json:"partition_lengths"`
	// Bug plants a Multi-Paxos teaching bug in the CP offices (for example
	// small-quorum, which lets both sides of a partition sell).
	Bug paxos.Bug `json:"bug,omitempty"`
}

// DefaultParams: the notes' two cinemas and ten thousand tickets; 500
// customers a second at each, so the tickets run out about ten seconds in,
// just after a partition that starts at 9.5s. 32 windows an office keep
// the queue moving while a window waits out a refused customer's patience,
// so refusals count the customers who came during the partition.
func DefaultParams() Params {
	return Params{
		Offices:        2,
		Tickets:        10000,
		Windows:        32,
		Rate:           500,
		Deadline:       50 * sim.Millisecond,
		Gossip:         10 * sim.Millisecond,
		Latency:        network.Uniform(sim.Millisecond, 3*sim.Millisecond),
		PartitionStart: 9500 * sim.Millisecond,
		Lengths:        []sim.Time{0, sim.Second, 2 * sim.Second, 5 * sim.Second, 20 * sim.Second},
	}
}

// Limits that keep one run's cost bounded.
const (
	MaxOffices = 9
	MaxWindows = 64
	MaxLength  = 10 * sim.Minute
	// MaxHistory bounds the sales a run may ask for (Params.Sales): the
	// linearizability check's memory grows with the square of the
	// history, about 200 MB at this size.
	MaxHistory = 40_000
)

// Sales estimates the largest client history a run can produce: every
// ticket, a sold-out answer per window, and every customer who arrives at
// the minority offices during the longest partition.
func (p Params) Sales() int {
	longest := sim.Time(0)
	for _, l := range p.Lengths {
		longest = max(longest, l)
	}
	minority, _ := p.Sides()
	during := float64(len(minority)) * p.Rate * longest.Seconds()
	return p.Tickets + p.Offices*p.Windows + int(math.Min(during, 1e9))
}

// Validate reports a user-facing error for parameters that make no sense.
func (p Params) Validate() error {
	switch {
	case p.Offices < 2 || p.Offices > MaxOffices:
		return fmt.Errorf("offices %d: want 2 to %d", p.Offices, MaxOffices)
	case p.Tickets < 1 || p.Tickets > MaxHistory:
		return fmt.Errorf("tickets %d: want 1 to %d", p.Tickets, MaxHistory)
	case p.Windows < 1 || p.Windows > MaxWindows:
		return fmt.Errorf("windows %d: want 1 to %d", p.Windows, MaxWindows)
	case math.IsNaN(p.Rate) || p.Rate <= 0 || p.Rate > 100_000:
		return fmt.Errorf("rate %v: want customers per second per office in (0, 100000]", p.Rate)
	case p.Deadline <= 0:
		return fmt.Errorf("deadline %v: must be positive", p.Deadline)
	case p.Gossip <= 0:
		return fmt.Errorf("gossip period %v: must be positive", p.Gossip)
	case p.PartitionStart < Open:
		return fmt.Errorf("partition start %v: must be at least %v, when the sale opens", p.PartitionStart, Open)
	case p.PartitionStart > MaxLength:
		return fmt.Errorf("partition start %v: at most %v", p.PartitionStart, MaxLength)
	case len(p.Lengths) == 0:
		return fmt.Errorf("no partition length to sweep")
	}
	if err := p.Latency.Validate(); err != nil {
		return err
	}
	if maxDelay(p.Latency) <= 0 {
		return fmt.Errorf("latency %s: must not be zero (Multi-Paxos timeouts scale with it)", p.Latency)
	}
	if d := maxDelay(p.Latency); p.Deadline < 4*d {
		return fmt.Errorf("deadline %v is shorter than two round trips (%v): no sale could ever complete", p.Deadline, 4*d)
	}
	seen := map[sim.Time]bool{}
	for _, l := range p.Lengths {
		if l < 0 || l > MaxLength {
			return fmt.Errorf("partition length %v: want 0 to %v", l, MaxLength)
		}
		if seen[l] {
			return fmt.Errorf("partition length %v listed twice", l)
		}
		seen[l] = true
	}
	if p.Bug != "" {
		if _, err := paxos.ParseBug(string(p.Bug)); err != nil {
			return err
		}
	}
	if n := p.Sales(); n > MaxHistory {
		return fmt.Errorf("the tickets, the rate and the longest partition ask for about %d sales in a run; the linearizability check allows at most %d (fewer tickets, a lower rate or a shorter partition)", n, MaxHistory)
	}
	return nil
}

// maxDelay is the slowest delay the latency model produces.
func maxDelay(l network.Latency) sim.Time {
	t := l.Table()
	return t[len(t)-1]
}

// Sides are the two sides of the partition as office numbers: the first
// ⌊offices/2⌋ offices are the minority, the rest the majority (which the
// CP tie-breaker joins).
func (p Params) Sides() (minority, majority []int) {
	for i := 0; i < p.Offices; i++ {
		if i < p.Offices/2 {
			minority = append(minority, i)
		} else {
			majority = append(majority, i)
		}
	}
	return minority, majority
}

// Scenario is one run: a configuration, a partition length and the
// parameters. It is what a trace header records.
type Scenario struct {
	Config string   `json:"config"`
	Length sim.Time `json:"partition_length"`
	Params Params   `json:"params"`
}
