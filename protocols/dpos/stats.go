package dpos

import (
	"fmt"

	"simulate/protocols/chain"
	"simulate/sim"
)

// Stats is what a run of the scenario measured.
type Stats struct {
	chain.Summary
	// Quorum is how many distinct delegates finalise a block.
	Quorum int `json:"quorum"`
	// Slots is how many slots passed; Missed how many of them have no
	// block on the main chain.
	Slots  int64 `json:"slots"`
	Missed int64 `json:"missed_slots"`
	// FinalHeight is the observer's last irreversible block; Finality the
	// mean time from a transaction's arrival until the observer held its
	// block as final.
	FinalHeight     int      `json:"final_height"`
	Finality        sim.Time `json:"finality_ns"`
	FinalitySamples int64    `json:"finality_txs"`
	// Safety: conflicting final blocks taken by honest nodes.
	SafetyHolds bool   `json:"safety_holds"`
	Violations  int    `json:"safety_violations"`
	First       string `json:"first_violation,omitempty"`
	// Equivocations seen by honest nodes; VotedOut delegates replaced
	// along the main chain; Delegates in force at its tip.
	Equivocations int          `json:"equivocations_seen"`
	VotedOut      int          `json:"voted_out"`
	Delegates     []sim.NodeID `json:"delegates"`
	// Votes are the election's stake-weighted tallies.
	Votes []float64 `json:"votes"`
	// Victim transactions (Strategy censor): how many arrived, how many
	// the main chain holds, and their mean wait for inclusion.
	VictimTxs      int64    `json:"victim_txs,omitempty"`
	VictimIncluded int64    `json:"victim_included,omitempty"`
	VictimWait     sim.Time `json:"victim_wait_ns,omitempty"`
	Agree          bool     `json:"agree"`
	TipHash        string   `json:"tip_hash"`
}

// MainTip is the longest of the honest nodes' final tips (lowest id on a
// tie).
func (r *Run) MainTip() chain.BlockID {
	var tips []chain.BlockID
	for i, nd := range r.Nodes {
		if nd != nil && !r.Net.traitor[i] {
			tips = append(tips, nd.tip)
		}
	}
	if len(tips) == 0 {
		return chain.Genesis
	}
	return chain.MainTip(r.Net.Store, tips)
}

// Stats measures the run after the world ran and returned res.
func (r *Run) Stats(res sim.Result) Stats {
	net := r.Net
	s := net.Store
	tip := r.MainTip()
	elapsed := net.Elapsed(res)
	st := Stats{Summary: net.Summarize(tip, elapsed, len(r.Nodes)), Quorum: net.Quorum, SafetyHolds: r.meter.violations == 0,
		Violations: r.meter.violations, First: r.meter.first, Equivocations: r.meter.equivocations, Votes: net.votes}
	st.Slots = int64(elapsed / net.Slot)
	main := s.Chain(tip)
	st.Missed = max(0, s.Get(tip).Slot-int64(st.Height))
	if obs := r.Nodes[net.Observer]; obs != nil {
		st.FinalHeight = s.Get(obs.lib).Height
	}
	st.Finality, st.FinalitySamples = net.TxLatency(main, net.Txs.Period, func(h int) sim.Time { return r.meter.finalAt(main[h]) })
	for h := 1; h < len(main); h++ {
		a, b := net.sched[main[h-1]], net.sched[main[h]]
		if a != b {
			for p := range b.order {
				if a.order[p] != b.order[p] {
					st.VotedOut++
				}
			}
		}
	}
	st.Delegates = net.sched[tip].order
	if net.victimPeriod > 0 {
		st.VictimTxs = int64(elapsed / net.victimPeriod)
		st.VictimIncluded = net.victimEnd[tip]
		P := float64(net.victimPeriod)
		sum := 0.0
		for h := 1; h < len(main); h++ {
			lo, hi := net.victimEnd[main[h-1]], net.victimEnd[main[h]]
			if hi > lo {
				e, f := float64(hi), float64(lo)
				sum += float64(float64(hi-lo)*float64(s.Get(main[h]).Time)) - P*(e*(e+1)/2-f*(f+1)/2)
			}
		}
		if st.VictimIncluded > 0 {
			st.VictimWait = sim.Time(sum / float64(st.VictimIncluded))
		}
	}
	st.Agree = true
	for i, nd := range r.Nodes {
		if nd != nil && !net.traitor[i] && nd.tip != tip {
			st.Agree = false
		}
	}
	st.TipHash = s.Get(tip).HashHex()
	return st
}

// CheckSafety returns the first time honest nodes took conflicting blocks
// as final, in words, or nil: the property that finality is never
// reverted.
func (r *Run) CheckSafety() error {
	if r.meter.violations > 0 {
		return fmt.Errorf("a final block was reverted: %s", r.meter.first)
	}
	return nil
}

// CheckLive returns an error if finality stalled: if the observer's last
// irreversible block ended more than two rounds (2N blocks) below the
// main chain's tip.
func (r *Run) CheckLive(res sim.Result) error {
	st := r.Stats(res)
	if lag := st.Height - st.FinalHeight; lag > 2*r.Scenario.Delegates {
		return fmt.Errorf("finality stalled: the chain is %d blocks high but only %d are final (lag %d > 2N = %d)", st.Height, st.FinalHeight, lag, 2*r.Scenario.Delegates)
	}
	return nil
}

// PropertyScenario is the scenario `simulate check dpos` and the property
// tests search for a reverted final block: n delegates (every node a
// delegate, so nobody can be voted in), traitors of them colluding to
// equivocate, 1-second slots on a complete graph whose every message takes
// 100 ms plus a drawn 0, 0.5, 1 or 1.5 s, 2 rounds of blocks, and the
// given teaching bug.
func PropertyScenario(delegates, traitors int, bug string) Scenario {
	s := DefaultScenario()
	s.Nodes = delegates
	s.Delegates = delegates
	s.Slot = sim.Second
	s.Links = chain.PropertyLinks(delegates, s.Delay, 500*sim.Millisecond)
	s.Blocks = 2 * delegates
	return s.checked(traitors, Equivocate, bug)
}

// checked is s as a property check runs it: no transaction stream and no
// per-block observations, traitors of the given strategy (none: no
// strategy), and the teaching bug.
func (s Scenario) checked(traitors int, strategy, bug string) Scenario {
	s.TxRate = 0
	s.Traitors = traitors
	if traitors > 0 {
		s.Strategy = strategy
	}
	s.Quiet = true
	s.Bug = bug
	return s
}

// LivenessScenario is the scenario of the liveness property: N = 21
// delegates among 32 stakeholders on the default network, offline of them
// crashed at offlineAt, 4 rounds of slots.
func LivenessScenario(offline int, offlineAt sim.Time, bug string) Scenario {
	s := DefaultScenario()
	s.OfflineAt = offlineAt
	s.Blocks = 4 * 21
	s.Slots = 4 * 21
	return s.checked(offline, Offline, bug)
}
