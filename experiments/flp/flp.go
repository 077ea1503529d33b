// Package flp is the FLP experiment: Fischer, Lynch and Paterson proved
// that no deterministic protocol can guarantee consensus in every
// asynchronous schedule if even one process may crash. The experiment
// shows the theorem at work and the way out of it:
//
//   - Duel: single-decree Paxos with two proposers and deterministic
//     (fixed) retries, under an adversarial but crash-free schedule that
//     delays Accept messages just long enough for the other proposer's
//     Prepare to overtake them. The proposers preempt each other forever:
//     no decision within a million events.
//   - The same adversary against the same Paxos with randomized backoff:
//     the coin breaks the symmetry and every seed decides.
//   - Ben-Or's randomized binary consensus, fully asynchronous with a
//     crash: every seed decides, after a random number of rounds.
//
// None of this contradicts FLP: the randomized protocols terminate with
// probability 1, not in every schedule — an adversary that could see the
// coins in advance could still stall them, with probability 0.
package flp

import (
	"fmt"

	"simulate/protocols/benor"
	"simulate/protocols/paxos"
	"simulate/sim"
)

// Adversary is the constructed schedule: a network that delivers every
// message after Base, except Accept messages, which it holds for Hold.
// It draws nothing: the schedule is fixed, crash-free and loses nothing,
// so every message is eventually delivered, as asynchrony requires.
type Adversary struct {
	Base, Hold sim.Time
}

// Route implements sim.Model.
func (a Adversary) Route(l sim.Link) sim.Fate {
	if l.From == l.To {
		return sim.Fate{}
	}
	if _, ok := l.Msg.(paxos.Accept); ok {
		return sim.Fate{Delay: a.Hold}
	}
	return sim.Fate{Delay: a.Base}
}

// DuelParams configure the duelling-proposers runs.
type DuelParams struct {
	Nodes     int      `json:"nodes"`
	Base      sim.Time `json:"base"`       // delay of every message but Accept
	Hold      sim.Time `json:"hold"`       // delay of Accept messages
	MaxEvents int      `json:"max_events"` // the horizon
	// Randomized switches the proposers' backoff from fixed to random.
	Randomized bool `json:"randomized"`
}

// DefaultDuel is the schedule that stalls fixed retries. A proposer's
// cycle is: Accept sent at A, Nack back at A+Hold+Base, a new Prepare
// (after the fixed backoff of Base) out at A+Hold+2·Base, promises in and
// the next Accept out at A+Hold+4·Base. With the two proposers half a cycle
// apart, the rival's Prepare reaches the acceptors 3·Base after its Nack
// left, so it overtakes every Accept as long as Hold > 2·Base. Accepts
// here take 6 times the ordinary delay.
func DefaultDuel() DuelParams {
	return DuelParams{Nodes: 3, Base: sim.Millisecond, Hold: 6 * sim.Millisecond, MaxEvents: 1_000_000}
}

// DuelOutcome is one duel.
type DuelOutcome struct {
	Decided  bool     `json:"decided"`
	Time     sim.Time `json:"time"` // when the first node decided (or the run ended)
	Events   int      `json:"events"`
	Ballots  int      `json:"ballots"`
	Messages int      `json:"messages"`
	Hash     string   `json:"trace_hash"`
}

// Duel runs two proposers (n0 proposes "a", n1 proposes "b") under the
// adversary until a node decides or the horizon of events passes.
func Duel(p DuelParams, seed uint64, tracer sim.Tracer) DuelOutcome {
	out, _ := duel(p, seed, tracer)
	return out
}

// DuelResult runs a duel like Duel and returns the kernel's result, for
// drawing its trace.
func DuelResult(p DuelParams, seed uint64, tracer sim.Tracer) sim.Result {
	_, res := duel(p, seed, tracer)
	return res
}

func duel(p DuelParams, seed uint64, tracer sim.Tracer) (DuelOutcome, sim.Result) {
	timing := paxos.Timing{
		RoundTimeout: 100 * p.Hold, // never the reason a ballot ends: Nacks are
		BackoffBase:  p.Base,
		BackoffMax:   16 * p.Hold,
		QueryEvery:   1000 * p.Hold,
		FixedBackoff: !p.Randomized,
	}
	cfg := sim.Config{
		Nodes: p.Nodes,
		New: func(id sim.NodeID) sim.Node {
			pp := paxos.Params{N: p.Nodes, Timing: timing}
			if id < 2 {
				pp.Proposer = true
				pp.Value = string(rune('a' + id))
				// The second proposer starts half a cycle after the first
				// (see DefaultDuel): the opening move of the duel.
				pp.StartAt = sim.Time(id) * (p.Hold + 4*p.Base) / 2
			}
			return paxos.NewNode(pp)
		},
		Network:   Adversary{Base: p.Base, Hold: p.Hold},
		Seed:      seed,
		MaxEvents: p.MaxEvents,
		Tracer:    tracer,
	}
	res, decided, at, ballots := race(cfg, paxos.ObsDecide, paxos.ObsBallot)
	return DuelOutcome{Decided: decided, Time: at, Events: res.Events, Ballots: ballots, Messages: res.Sent, Hash: res.HashString()}, res
}

// race runs cfg until its first observation of kind done (a decision,
// a leader: what ends a duel) or its horizon, and reads how it went:
// whether done came and when it first did (else when the run ended), and
// how many attempts of kind tried (ballots, candidacies) it saw.
func race(cfg sim.Config, done, tried string) (res sim.Result, ok bool, at sim.Time, attempts int) {
	cfg.Stop = func(w *sim.World) bool {
		obs := w.Observations()
		return len(obs) > 0 && obs[len(obs)-1].Kind == done
	}
	res = sim.New(cfg).Run()
	at = res.End
	for _, o := range res.Observations {
		switch o.Kind {
		case done:
			if !ok {
				ok, at = true, o.Time
			}
		case tried:
			attempts++
		}
	}
	return res, ok, at, attempts
}

// BenOrParams configure the Ben-Or runs.
type BenOrParams struct {
	N     int      `json:"n"`
	F     int      `json:"f"`
	Delay sim.Time `json:"delay"` // mean of the exponential message delays
	Limit sim.Time `json:"limit"`
}

// DefaultBenOr: 5 processes tolerating 2 crashes, one of which crashes,
// inputs split 0/1, exponential delays with a 10ms mean.
func DefaultBenOr() BenOrParams {
	return BenOrParams{N: 5, F: 2, Delay: 10 * sim.Millisecond, Limit: 10 * sim.Minute}
}

// BenOr runs one Ben-Or instance: inputs alternate 0,1,0,...; the last
// process crashes right after it starts.
func BenOr(p BenOrParams, seed uint64) benor.Outcome {
	in := make([]int, p.N)
	for i := range in {
		in[i] = i % 2
	}
	s := benor.Scenario{N: p.N, F: p.F, Inputs: in, Crash: []int{p.N - 1}, Delay: p.Delay, Limit: p.Limit}
	return benor.Run(s, seed, sim.NewPCGChoices(seed), nil)
}

// checkUndecided checks what the runs that may never decide (the duel
// and the Raft election) share, in this order: at least 3 nodes for what
// ("the duel"), then the run's own timing (timing: its first error, or
// nil), then a horizon of events long enough to mean anything.
func checkUndecided(what string, nodes int, timing error, events int) error {
	switch {
	case nodes < 3:
		return fmt.Errorf("%s needs at least 3 nodes, got %d", what, nodes)
	case timing != nil:
		return timing
	case events < 1000:
		return fmt.Errorf("a horizon of %d events is too short to mean anything (at least 1000)", events)
	}
	return nil
}

// Validate checks user-supplied duel parameters.
func (p DuelParams) Validate() error {
	var timing error
	if p.Base <= 0 || p.Hold <= 0 {
		timing = fmt.Errorf("delays must be positive")
	}
	return checkUndecided("the duel", p.Nodes, timing, p.MaxEvents)
}
