package flp

import (
	"fmt"

	"simulate/protocols/raft"
	"simulate/sim"
)

// RaftParams configure the Raft election runs: Raft's way out of FLP is
// the same coin as Paxos's randomized backoff, its randomized election
// timeout (Ongaro & Ousterhout 2014, §5.2). With every timeout the same
// (Randomized false), a symmetric schedule — all replicas start together,
// every message takes Delay, no crash, no loss — makes every replica stand
// at the same instant in every term, vote for itself and refuse the
// others: the vote splits in every term, and no leader is ever elected.
// Drawing the timeout from [ElectionMin, ElectionMax) breaks the tie.
type RaftParams struct {
	Nodes       int      `json:"nodes"`
	Delay       sim.Time `json:"delay"`        // every message's delay
	ElectionMin sim.Time `json:"election_min"` // the fixed timeout, and the random one's floor
	ElectionMax sim.Time `json:"election_max"` // the random timeout's ceiling (exclusive)
	MaxEvents   int      `json:"max_events"`   // the horizon
	Randomized  bool     `json:"randomized"`
}

// DefaultRaft: 3 replicas on a 1ms network with protocols/raft's default
// timeouts for it (raft.DefaultTiming: 12–24 hops).
func DefaultRaft() RaftParams {
	t := raft.DefaultTiming(sim.Millisecond)
	return RaftParams{Nodes: 3, Delay: sim.Millisecond, ElectionMin: t.ElectionMin, ElectionMax: t.ElectionMax, MaxEvents: 1_000_000}
}

// RaftOutcome is one election run.
type RaftOutcome struct {
	Elected bool     `json:"elected"`
	Time    sim.Time `json:"time"` // when the first leader won (or the run ended)
	Events  int      `json:"events"`
	// Candidacies counts elections started: a replica becoming candidate
	// in a new term.
	Candidacies int    `json:"candidacies"`
	Messages    int    `json:"messages"`
	Hash        string `json:"trace_hash"`
}

// symmetric delivers every message after D and draws nothing.
type symmetric struct{ D sim.Time }

func (s symmetric) Route(l sim.Link) sim.Fate {
	if l.From == l.To {
		return sim.Fate{}
	}
	return sim.Fate{Delay: s.D}
}

// RaftElection runs Nodes Raft replicas, all starting at 0 on the symmetric
// schedule, until one wins an election or the horizon of events passes.
func RaftElection(p RaftParams, seed uint64, tracer sim.Tracer) RaftOutcome {
	t := raft.Timing{Heartbeat: p.Delay, ElectionMin: p.ElectionMin, ElectionMax: p.ElectionMin, Client: p.ElectionMax}
	if p.Randomized {
		t.ElectionMax = p.ElectionMax
	}
	cfg := sim.Config{
		Nodes:     p.Nodes,
		New:       func(sim.NodeID) sim.Node { return raft.NewNode(raft.Params{N: p.Nodes, Timing: t}) },
		Network:   symmetric{D: p.Delay},
		Seed:      seed,
		MaxEvents: p.MaxEvents,
		Tracer:    tracer,
	}
	res, elected, at, candidacies := race(cfg, raft.ObsLeader, raft.ObsCandidate)
	return RaftOutcome{Elected: elected, Time: at, Events: res.Events, Candidacies: candidacies, Messages: res.Sent, Hash: res.HashString()}
}

// Validate checks user-supplied Raft election parameters.
func (p RaftParams) Validate() error {
	var timing error
	switch {
	case p.Delay <= 0 || p.ElectionMin <= 0:
		timing = fmt.Errorf("the Raft delay and election timeout must be positive")
	case p.ElectionMax <= p.ElectionMin:
		timing = fmt.Errorf("the random election timeout needs a range: max %v must exceed min %v", p.ElectionMax, p.ElectionMin)
	}
	return checkUndecided("the Raft election", p.Nodes, timing, p.MaxEvents)
}
