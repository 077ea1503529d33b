package network

import "simulate/sim"

// PCT is a message-delay strategy after PCT (Burckhardt et al., "A
// Randomized Scheduler with Probabilistic Guarantees of Finding Bugs",
// ASPLOS 2010), adapted from threads to senders: every sender has a
// priority level, and a message waits Step for each level of its sender,
// so the messages of low-priority senders are overtaken by everyone
// else's. Depth−1 priority-change points each demote the sender of the
// k-th message to the lowest priority from then on. A bug of depth d (d
// orderings that must all go one way) is found with a probability that
// depends on d, not on how many messages the run sends, where independent
// random delays need every one of those orderings to come up at once.
//
// Every decision is a sim.Choices draw with 0 benign: level 0 adds no
// delay and a change point drawn 0 never happens, so an all-zero schedule
// does not reorder anything and the shrinker lowers PCT draws like any
// other.
type PCT struct {
	// Depth is the bug depth d searched for: Depth−1 change points
	// (at least 1).
	Depth int `json:"depth"`
	// Levels is how many priority levels a sender can draw (at least 2).
	Levels int `json:"levels"`
	// Step is the extra delay per level.
	Step sim.Time `json:"step"`
	// Horizon is how many messages a change point can fall among.
	Horizon int `json:"horizon"`
}

// pctState is the strategy's memory within one run.
type pctState struct {
	cfg     PCT
	drawn   bool
	changes []int // message indexes (1-based) of the change points; 0 = none
	level   map[sim.NodeID]int
	sent    int
}

// extra draws (on first use) the change points and the sender's level and
// returns the delay PCT adds to the message from → its receiver.
func (p *pctState) extra(c sim.Choices, from sim.NodeID) sim.Time {
	if !p.drawn {
		p.drawn = true
		p.level = map[sim.NodeID]int{}
		for i := 1; i < max(p.cfg.Depth, 1); i++ {
			p.changes = append(p.changes, c.Intn("pct change", max(p.cfg.Horizon, 1)+1))
		}
	}
	p.sent++
	lv, ok := p.level[from]
	if !ok {
		lv = c.Intn(label(c, "pct level", from, from), max(p.cfg.Levels, 2))
		p.level[from] = lv
	}
	for _, k := range p.changes {
		if k == p.sent {
			lv = max(p.cfg.Levels, 2)
			p.level[from] = lv
		}
	}
	return sim.Time(lv) * p.cfg.Step
}
