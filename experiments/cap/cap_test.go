package cap

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"simulate/internal/goldenfile"
	"simulate/network"
	"simulate/protocols/paxos"
	"simulate/sim"
	"simulate/sim/simtest"
)

// small is a workload that runs in milliseconds: 400 tickets, 100
// customers a second at each office, so they run out about two seconds in,
// with the partition starting a little before.
func small() Params {
	p := DefaultParams()
	p.Tickets = 400
	p.Windows = 8
	p.Rate = 100
	p.PartitionStart = 1500 * sim.Millisecond
	p.Lengths = []sim.Time{0, sim.Second}
	return p
}

// Customers arrive as a Poisson process whatever the window is doing, so
// CP refuses every customer of the cut-off office for the whole partition:
// rate × length of them. Issue 18: when each window drew its next arrival
// from the moment it started serving, refusals came to about 0.81 of that.
func TestCPRefusesEveryCustomerOfTheMinority(t *testing.T) {
	p := small()
	// Busy windows (a customer every 20 ms at each, patience 50 ms) and
	// enough tickets to last past the partition.
	p.Rate, p.Tickets = 400, 2000
	p.Lengths = []sim.Time{sim.Second}
	seeds := 8
	refused := 0
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		for _, o := range RunSeed(p, seed) {
			if o.Config == CP {
				refused += o.Refused
			}
		}
	}
	want := p.Rate * p.Lengths[0].Seconds() * float64(seeds)
	// On top come the customers who arrived less than a deadline before
	// the cut and those arriving while the healed minority catches up
	// (about a tenth of a second): at most rate × (deadline + 0.15 s).
	tail := p.Rate * (p.Deadline.Seconds() + 0.15) * float64(seeds)
	// Poisson: the count's standard deviation is sqrt(want) ≈ 57.
	sd := math.Sqrt(want)
	t.Logf("refused %d over %d runs; rate × length × runs = %.0f", refused, seeds, want)
	require.GreaterOrEqual(t, float64(refused), want-4*sd, "every customer of the cut-off office is refused")
	require.LessOrEqual(t, float64(refused), want+tail+4*sd, "and few more")
}

// TestCAPTradeOff is the experiment's claim over many seeds: CP never
// oversells and its history is always linearizable, but refuses customers
// while partitioned (and nobody without a partition); AP never refuses,
// and oversells whenever the partition spans the sell-out.
func TestCAPTradeOff(t *testing.T) {
	seeds := 30
	if testing.Short() {
		seeds = 8
	}
	for _, offices := range []int{2, 3} {
		p := small()
		p.Offices = offices
		p.Rate = 200 / float64(offices) // the same total demand, so the partition still spans the sell-out
		require.NoError(t, p.Validate())
		for seed := uint64(1); seed <= uint64(seeds); seed++ {
			for _, o := range RunSeed(p, seed) {
				where := fmt.Sprintf("%d offices, seed %d, %s, partition %v", offices, seed, o.Config, o.Length)
				require.True(t, o.Complete, "%s: hit the time limit", where)
				require.GreaterOrEqual(t, o.Sold, p.Tickets*9/10, "%s: most tickets sell", where)
				switch o.Config {
				case CP:
					require.Zero(t, o.Oversold, where)
					require.Zero(t, o.Duplicates, where)
					require.True(t, o.Linearizable, "%s: CP history not linearizable", where)
					if o.Length == 0 {
						require.Zero(t, o.Refused, "%s: no partition, no refusal", where)
						require.Equal(t, p.Tickets, o.Sold, where)
					} else {
						require.Positive(t, o.Refused, "%s: the minority must refuse", where)
					}
				case AP:
					require.Zero(t, o.Refused, where)
					require.False(t, o.Linearizable, "%s: AP repeats ticket numbers", where)
					if o.Length > 0 {
						require.Greater(t, o.Oversold, 10, "%s: the partition spans the sell-out", where)
						// Both sides sell what they think is left: never more
						// than that ceiling plus a little gossip lag.
						require.LessOrEqual(t, o.Oversold, o.LeftAtSplit+p.Tickets/20, where)
					}
				}
			}
		}
	}
}

// TestSmallQuorumBreaksCP: the teaching bug turns the property above
// false — with quorums of ⌊n/2⌋ the minority office elects itself and
// sells on its own, so CP oversells like AP and is not linearizable.
func TestSmallQuorumBreaksCP(t *testing.T) {
	p := small()
	p.Bug = paxos.SmallQuorum
	broken := 0
	for seed := uint64(1); seed <= 5; seed++ {
		o := Run(Scenario{Config: CP, Length: sim.Second, Params: p}, seed, nil)
		require.False(t, o.Linearizable, "seed %d", seed)
		if o.Oversold > 0 {
			broken++
		}
	}
	require.Equal(t, 5, broken, "every seed oversells")
	o := Run(Scenario{Config: CP, Length: 0, Params: p}, 1, nil)
	require.Zero(t, o.Oversold, "without a partition one leader serialises the sales even with the bug")
	require.True(t, o.Linearizable)
}

// cpProperty runs a tiny CP sale (8 tickets, one window an office) under rapid's draws: the partition's
// start and length, then every message's delay. It fails if a ticket is
// oversold or the history is not linearizable.
func cpProperty(bug paxos.Bug, last *simtest.Run, lastScenario *Scenario) func(*rapid.T) {
	return func(t *rapid.T) {
		p := DefaultParams()
		p.Tickets, p.Windows, p.Rate = 8, 1, 40
		p.Latency = network.Uniform(sim.Millisecond, 4*sim.Millisecond)
		p.Bug = bug
		p.PartitionStart = Open + sim.Time(rapid.IntRange(0, 8).Draw(t, "partition start (×50ms after opening)"))*50*sim.Millisecond
		length := sim.Time(rapid.IntRange(0, 8).Draw(t, "partition length (×100ms)")) * 100 * sim.Millisecond
		p.Lengths = []sim.Time{length}
		s := Scenario{Config: CP, Length: length, Params: p}
		rec := &sim.Recorder{Inner: simtest.Choices(t)}
		log := &sim.Log{}
		o := RunWith(s, 1, rec, log)
		run := simtest.Run{Choices: rec.Log, Log: log}
		if o.Oversold > 0 || !o.Linearizable {
			*last, *lastScenario = run, s
			simtest.Fail(t, run, "partition %v from %v: oversold %d, linearizable %v", length, p.PartitionStart, o.Oversold, o.Linearizable)
		}
	}
}

// TestCPUnderSearch: rapid finds no partition and delay schedule under
// which CP oversells or answers non-linearizably; with the small-quorum
// bug it finds one and shrinks it to a calm network (at most a couple of
// delays beyond the fastest): a partition alone splits the brain.
func TestCPUnderSearch(t *testing.T) {
	checks := 40
	if testing.Short() {
		checks = 10
	}
	var last simtest.Run
	var s Scenario
	res := simtest.Search(checks, 1, cpProperty("", &last, &s))
	require.False(t, res.Failed, res.Report)

	res = simtest.Search(checks, 1, cpProperty(paxos.SmallQuorum, &last, &s))
	require.True(t, res.Failed, "the small-quorum bug must be found")
	require.LessOrEqual(t, last.NonZero(), 2, "shrunk schedule:\n%s", last.Schedule())
	require.LessOrEqual(t, len(last.Log.Events), 1000, "shrunk to a short trace")
	require.Positive(t, s.Length, "no partition, no split brain")
	t.Logf("small-quorum counterexample: partition %v from %v, %d non-boring draws, %d trace events",
		s.Length, s.Params.PartitionStart, last.NonZero(), len(last.Log.Events))
}

// TestTicketModel pins the model on hand-made histories.
func TestTicketModel(t *testing.T) {
	ms := sim.Millisecond
	sale := func(w int, call, ret sim.Time, ticket int) Sale {
		return Sale{Window: sim.NodeID(w), Call: call * ms, Return: ret * ms, Ticket: ticket}
	}
	for _, c := range []struct {
		name  string
		stock int
		h     []Sale
		want  bool
	}{
		{"in order", 2, []Sale{sale(0, 0, 1, 1), sale(1, 2, 3, 2), sale(0, 4, 5, Out)}, true},
		{"concurrent, numbers reversed", 2, []Sale{sale(0, 0, 5, 2), sale(1, 1, 4, 1)}, true},
		{"sequential, numbers reversed", 2, []Sale{sale(0, 0, 1, 2), sale(1, 2, 3, 1)}, false},
		{"same number twice", 5, []Sale{sale(0, 0, 5, 1), sale(1, 0, 5, 1)}, false},
		{"oversold", 1, []Sale{sale(0, 0, 1, 1), sale(1, 2, 3, 2)}, false},
		{"sold out too early", 2, []Sale{sale(0, 0, 1, 1), sale(1, 2, 3, Out)}, false},
		{"a gap", 3, []Sale{sale(0, 0, 1, 1), sale(1, 2, 3, 3)}, false},
		{"a refused sale fills the gap", 3, []Sale{sale(2, 0, 0, Unknown), sale(0, 1, 2, 1), sale(1, 3, 4, 3)}, true},
		{"a refused sale cannot act before its call", 3, []Sale{sale(0, 0, 1, 1), sale(1, 2, 3, 3), sale(2, 5, 0, Unknown)}, false},
		{"a refused sale takes one ticket only", 4, []Sale{sale(2, 0, 0, Unknown), sale(0, 1, 2, 1), sale(1, 3, 4, 4)}, false},
		{"refused sales take the last tickets", 3, []Sale{sale(2, 0, 0, Unknown), sale(3, 0, 0, Unknown), sale(0, 1, 2, 1), sale(1, 3, 4, Out)}, true},
		{"refused sales may take nothing", 2, []Sale{sale(2, 0, 0, Unknown), sale(0, 1, 2, 1), sale(1, 3, 4, 2)}, true},
		{"a refused sale cannot take a number someone holds", 2, []Sale{sale(2, 0, 0, Unknown), sale(0, 1, 2, 2), sale(1, 1, 9, 1)}, true},
	} {
		require.Equal(t, c.want, Linearizable(c.h, c.stock), c.name)
		require.Equal(t, c.want, bruteLinearizable(c.h, c.stock), "brute force disagrees: %s", c.name)
	}
}

// TestTicketModelAgreesWithBruteForce cross-checks porcupine with the
// model against a brute-force search of every order and every outcome of
// the unknown sales, on thousands of random small histories — half of
// them built from a real sequential run, so that many are linearizable.
func TestTicketModelAgreesWithBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	yes, no := 0, 0
	for i := 0; i < 4000; i++ {
		stock := 1 + r.IntN(4)
		h := make([]Sale, 1+r.IntN(6))
		sold := 0
		for j := range h {
			call := sim.Time(r.IntN(12))
			h[j] = Sale{Window: sim.NodeID(j), Call: call, Return: call + sim.Time(r.IntN(6)), Ticket: Unknown - 1 + r.IntN(stock+3)}
			if i%2 == 0 { // a real run: sales one after another, some answers lost
				h[j].Call, h[j].Return = sim.Time(2*j), sim.Time(2*j+1+r.IntN(4))
				h[j].Ticket = Out
				if sold < stock {
					sold++
					h[j].Ticket = sold
				}
				if r.IntN(4) == 0 {
					h[j].Ticket = Unknown
				}
			}
			if h[j].Ticket < Unknown {
				h[j].Ticket = stock + 1 // an answer no counter gives
			}
			if h[j].Ticket == Unknown {
				h[j].Return = 0
			}
		}
		want := bruteLinearizable(h, stock)
		require.Equal(t, want, Linearizable(h, stock), "stock %d, history %+v", stock, h)
		if want {
			yes++
		} else {
			no++
		}
	}
	require.Greater(t, yes, 1000, "enough linearizable histories for the check to mean something")
	require.Greater(t, no, 1000)
}

// bruteLinearizable tries every order of the sales that respects real
// time and, for each unknown sale, both outcomes (took the next ticket,
// or nothing).
func bruteLinearizable(h []Sale, stock int) bool {
	done := make([]bool, len(h))
	var try func(sold, left int) bool
	try = func(sold, left int) bool {
		if left == 0 {
			return true
		}
		for i, s := range h {
			if done[i] {
				continue
			}
			// s can go next only if no pending sale returned before s was called.
			ok := true
			for j, o := range h {
				if !done[j] && j != i && o.Ticket != Unknown && o.Return < s.Call {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			var next []int
			switch {
			case s.Ticket == Unknown:
				next = append(next, sold)
				if sold < stock {
					next = append(next, sold+1)
				}
			case s.Ticket == Out && sold == stock:
				next = append(next, sold)
			case s.Ticket == sold+1 && sold < stock:
				next = append(next, sold+1)
			}
			for _, n := range next {
				done[i] = true
				if try(n, left-1) {
					done[i] = false
					return true
				}
				done[i] = false
			}
		}
		return false
	}
	return try(0, len(h))
}

// TestGoldenHash pins the trace hash of one small scenario per
// configuration: if it changes, the experiment's runs changed.
func TestGoldenHash(t *testing.T) {
	p := small()
	var b strings.Builder
	for _, c := range Configs {
		o := Run(Scenario{Config: c, Length: sim.Second, Params: p}, 42, nil)
		again := Run(Scenario{Config: c, Length: sim.Second, Params: p}, 42, nil)
		require.Equal(t, o, again, "a run must be a function of its scenario and seed")
		fmt.Fprintf(&b, "%s seed=42 %s events=%d end=%s requests=%d refused=%d sold=%d oversold=%d linearizable=%v\n",
			c, o.Hash, o.Events, o.End, o.Requests, o.Refused, o.Sold, o.Oversold, o.Linearizable)
	}
	goldenfile.Check(t, "hashes.golden", b.String())
}

func TestTieBreakerOnlyForEvenOffices(t *testing.T) {
	p := DefaultParams()
	l := LayoutOf(CP, p)
	require.Equal(t, sim.NodeID(2), l.TieBreaker)
	require.Equal(t, 3, l.Servers)
	require.Equal(t, []sim.NodeID{0}, l.MinorityGroup(p)[:1])
	require.Len(t, l.MinorityGroup(p), 1+p.Windows)
	require.Equal(t, sim.NodeID(-1), LayoutOf(AP, p).TieBreaker)
	p.Offices = 3
	require.Equal(t, sim.NodeID(-1), LayoutOf(CP, p).TieBreaker)
	minority, majority := p.Sides()
	require.Equal(t, []int{0}, minority)
	require.Equal(t, []int{1, 2}, majority)
}

func TestValidate(t *testing.T) {
	require.NoError(t, DefaultParams().Validate())
	for name, mut := range map[string]func(*Params){
		"one office":        func(p *Params) { p.Offices = 1 },
		"no tickets":        func(p *Params) { p.Tickets = 0 },
		"no windows":        func(p *Params) { p.Windows = 0 },
		"no rate":           func(p *Params) { p.Rate = 0 },
		"no deadline":       func(p *Params) { p.Deadline = 0 },
		"deadline too tiny": func(p *Params) { p.Deadline = sim.Millisecond },
		"no gossip":         func(p *Params) { p.Gossip = 0 },
		"start before open": func(p *Params) { p.PartitionStart = 0 },
		"no lengths":        func(p *Params) { p.Lengths = nil },
		"negative length":   func(p *Params) { p.Lengths = []sim.Time{-1} },
		"length twice":      func(p *Params) { p.Lengths = []sim.Time{sim.Second, sim.Second} },
		"zero latency":      func(p *Params) { p.Latency = network.Constant(0) },
		"unknown bug":       func(p *Params) { p.Bug = "typo" },
		"history too long":  func(p *Params) { p.Lengths = []sim.Time{MaxLength} },
	} {
		p := DefaultParams()
		mut(&p)
		require.Error(t, p.Validate(), name)
	}
}

// TestDuplicateTicketsAreNotLinearizable: two answered sales of one ticket
// number are refused at once, even among thousands of sales in flight
// whose order porcupine would otherwise have to exhaust.
func TestDuplicateTicketsAreNotLinearizable(t *testing.T) {
	var h []Sale
	for i := 0; i < 2000; i++ {
		h = append(h, Sale{Window: sim.NodeID(3 + i%2), Seq: i, Call: sim.Time(i), Ticket: Unknown})
	}
	h = append(h, Sale{Window: 3, Seq: 5000, Call: 1, Return: 2, Ticket: 7}, Sale{Window: 4, Seq: 5001, Call: 1, Return: 2, Ticket: 7})
	require.False(t, Linearizable(h, 10000))
}
