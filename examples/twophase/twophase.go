// Package twophase is two-phase commit written the way a user of simulate
// plugs in a protocol of their own: plain message structs, one sim.Node per
// role, and tests that drive it through sim/simtest and rapid. Nothing here
// is built into the simulator.
//
// Node 0 is the coordinator; nodes 1..n are participants. The coordinator
// asks everyone to prepare; each participant votes; the coordinator commits
// if every vote is yes and aborts otherwise (or if a vote does not arrive in
// time), writes the decision to its durable log, and tells everyone. A
// participant that voted yes may no longer decide alone: it is uncertain
// until it hears the decision, and asks the coordinator again and again.
//
// The tests show the two faces of that rule. Atomicity (nobody commits
// while someone aborts) holds under any delays, losses and votes. But if
// the coordinator crashes after the participants voted yes and before they
// hear the decision, they stay uncertain for ever: 2PC blocks. The teaching
// bug Impatient is the tempting fix — give up and abort after a while — and
// the search shows it breaks atomicity.
package twophase

import (
	"fmt"

	"simulate/sim"
)

// Coordinator is the coordinator's node id.
const Coordinator sim.NodeID = 0

// Prepare is the coordinator's question: can you commit?
type Prepare struct{}

// Vote is a participant's answer.
type Vote struct{ Yes bool }

// Decision is the outcome, sent by the coordinator to every participant
// and again to any that asks.
type Decision struct{ Commit bool }

// Query is an uncertain participant asking the coordinator for the outcome.
type Query struct{}

// AppendDigest feeds the message to the trace hash.
func (Prepare) AppendDigest(b []byte) []byte { return append(b, 'P') }

// AppendDigest feeds the message to the trace hash.
func (v Vote) AppendDigest(b []byte) []byte { return append(b, 'V', flag(v.Yes)) }

// AppendDigest feeds the message to the trace hash.
func (d Decision) AppendDigest(b []byte) []byte { return append(b, 'D', flag(d.Commit)) }

// AppendDigest feeds the message to the trace hash.
func (Query) AppendDigest(b []byte) []byte { return append(b, 'Q') }

func (Prepare) String() string    { return "Prepare" }
func (v Vote) String() string     { return "Vote{" + yesNo(v.Yes) + "}" }
func (d Decision) String() string { return "Decision{" + outcome(d.Commit) + "}" }
func (Query) String() string      { return "Query" }

func flag(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func outcome(commit bool) string {
	if commit {
		return "commit"
	}
	return "abort"
}

// The observations the nodes record, for checkers and traces.
const (
	ObsDecide = "decide" // value "commit" or "abort"
	ObsVote   = "vote"   // value "yes" or "no"
)

// Config describes one instance of the protocol.
type Config struct {
	// Participants is the number of participants, nodes 1..Participants.
	Participants int
	// VoteNo[i] makes participant i vote no (index 0, the coordinator, is
	// unused). The zero value — everybody votes yes — is the boring case.
	VoteNo []bool
	// VoteTimeout is how long the coordinator waits for all votes before
	// it aborts; 0 means 50ms.
	VoteTimeout sim.Time
	// QueryAfter is how long an uncertain participant waits before it asks
	// for the decision; it doubles after each unanswered query, up to 16×.
	// 0 means 10ms.
	QueryAfter sim.Time
	// Impatient is the teaching bug: a participant that voted yes and has
	// heard nothing for GiveUpAfter aborts on its own. It unblocks 2PC and
	// breaks atomicity.
	Impatient bool
	// GiveUpAfter is the impatient participant's patience; 0 means 10ms.
	GiveUpAfter sim.Time
	// PrepareTimeout is how long a participant waits to be asked before it
	// aborts on its own — safe, since it has not voted yes and will vote no
	// if asked later; 0 means 100ms.
	PrepareTimeout sim.Time
}

// Nodes is the number of nodes of a run: the coordinator and the
// participants.
func (c Config) Nodes() int { return c.Participants + 1 }

// New builds node id; it is sim.Config.New. A restarted node is rebuilt
// here and finds its log in ctx.Storage().
func (c Config) New(id sim.NodeID) sim.Node {
	if c.VoteTimeout == 0 {
		c.VoteTimeout = 50 * sim.Millisecond
	}
	if c.QueryAfter == 0 {
		c.QueryAfter = 10 * sim.Millisecond
	}
	if c.GiveUpAfter == 0 {
		c.GiveUpAfter = 10 * sim.Millisecond
	}
	if c.PrepareTimeout == 0 {
		c.PrepareTimeout = 100 * sim.Millisecond
	}
	if id == Coordinator {
		return &coordinator{cfg: c}
	}
	no := int(id) < len(c.VoteNo) && c.VoteNo[id]
	return &participant{cfg: c, voteNo: no}
}

// The durable log's keys.
const (
	keyBegan    = "began"
	keyDecision = "decision"
	keyVoted    = "voted-yes"
)

type coordinator struct {
	cfg     Config
	yes     map[sim.NodeID]bool
	decided bool
	commit  bool
}

func (c *coordinator) Start(ctx sim.Context) {
	c.yes = map[sim.NodeID]bool{}
	if d, ok := ctx.Storage().Get(keyDecision); ok { // restarted after deciding
		c.decided, c.commit = true, d[0] == 1
		c.broadcast(ctx)
		return
	}
	if _, ok := ctx.Storage().Get(keyBegan); ok {
		// Restarted before deciding: nobody can have committed, so
		// aborting is safe (presumed abort).
		c.decide(ctx, false)
		return
	}
	ctx.Storage().Put(keyBegan, []byte{1})
	for _, id := range ctx.Nodes() {
		if id != Coordinator {
			ctx.Send(id, Prepare{})
		}
	}
	ctx.After(c.cfg.VoteTimeout, "vote timeout")
}

func (c *coordinator) Deliver(ctx sim.Context, from sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case Vote:
		if c.decided {
			ctx.Send(from, Decision{Commit: c.commit})
			return
		}
		if !m.Yes {
			c.decide(ctx, false)
			return
		}
		c.yes[from] = true
		if len(c.yes) == c.cfg.Participants {
			c.decide(ctx, true)
		}
	case Query:
		if c.decided {
			ctx.Send(from, Decision{Commit: c.commit})
		}
	}
}

func (c *coordinator) Fire(ctx sim.Context, _ sim.TimerID, _ any) {
	if !c.decided {
		c.decide(ctx, false)
	}
}

// decide logs the outcome durably before telling anyone: a coordinator
// that restarts must give the same answer.
func (c *coordinator) decide(ctx sim.Context, commit bool) {
	c.decided, c.commit = true, commit
	ctx.Storage().Put(keyDecision, []byte{flag(commit)})
	ctx.Observe(ObsDecide, 0, outcome(commit))
	c.broadcast(ctx)
}

func (c *coordinator) broadcast(ctx sim.Context) {
	for _, id := range ctx.Nodes() {
		if id != Coordinator {
			ctx.Send(id, Decision{Commit: c.commit})
		}
	}
}

type participant struct {
	cfg     Config
	voteNo  bool // how this participant will vote
	voted   bool // it voted, or aborted before being asked
	yes     bool // it voted yes
	decided bool
	wait    sim.Time // the current query interval
}

func (p *participant) Start(ctx sim.Context) {
	if _, ok := ctx.Storage().Get(keyDecision); ok { // restarted after deciding
		p.voted, p.decided = true, true
		return
	}
	if _, ok := ctx.Storage().Get(keyVoted); ok { // restarted uncertain
		p.voted, p.yes = true, true
		p.ask(ctx)
		return
	}
	ctx.After(p.cfg.PrepareTimeout, "no prepare")
}

func (p *participant) Deliver(ctx sim.Context, _ sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case Prepare:
		if p.voted {
			ctx.Send(Coordinator, Vote{Yes: p.yes}) // the vote was lost, or never cast: answer
			return
		}
		p.voted, p.yes = true, !p.voteNo
		ctx.Observe(ObsVote, 0, yesNo(p.yes))
		if !p.yes {
			p.decide(ctx, false) // a no voter may abort at once
			ctx.Send(Coordinator, Vote{Yes: false})
			return
		}
		// From here on this participant may not decide alone: it logs its
		// vote before sending it, so even a restart leaves it uncertain.
		ctx.Storage().Put(keyVoted, []byte{1})
		ctx.Send(Coordinator, Vote{Yes: true})
		p.wait = p.cfg.QueryAfter
		ctx.After(p.wait, "query")
		if p.cfg.Impatient {
			ctx.After(p.cfg.GiveUpAfter, "give up")
		}
	case Decision:
		p.decide(ctx, m.Commit)
	}
}

func (p *participant) Fire(ctx sim.Context, _ sim.TimerID, tag any) {
	if p.decided {
		return
	}
	switch tag {
	case "no prepare":
		if !p.voted { // never asked: abort, and vote no if asked later
			p.voted = true
			p.decide(ctx, false)
		}
	case "query":
		p.ask(ctx)
	case "give up":
		p.decide(ctx, false) // the bug: the coordinator may have committed
	}
}

// ask queries the coordinator and backs off: an uncertain participant can
// only wait, and a crashed coordinator should not be flooded.
func (p *participant) ask(ctx sim.Context) {
	ctx.Send(Coordinator, Query{})
	if p.wait == 0 {
		p.wait = p.cfg.QueryAfter
	} else if p.wait < 16*p.cfg.QueryAfter {
		p.wait *= 2
	}
	ctx.After(p.wait, "query")
}

func (p *participant) decide(ctx sim.Context, commit bool) {
	if p.decided {
		return
	}
	p.decided = true
	ctx.Storage().Put(keyDecision, []byte{flag(commit)})
	ctx.Observe(ObsDecide, 0, outcome(commit))
}

// Outcomes returns each node's decision from a run's observations.
func Outcomes(obs []sim.Observation) map[sim.NodeID]string {
	out := map[sim.NodeID]string{}
	for _, o := range obs {
		if o.Kind == ObsDecide {
			out[o.Node] = o.Value
		}
	}
	return out
}

// CheckAtomicity returns an error if one node committed while another
// aborted, or if anyone committed although a participant voted no.
func CheckAtomicity(cfg Config, obs []sim.Observation) error {
	var commit, abort []sim.NodeID
	for _, o := range obs {
		if o.Kind != ObsDecide {
			continue
		}
		if o.Value == "commit" {
			commit = append(commit, o.Node)
		} else {
			abort = append(abort, o.Node)
		}
	}
	if len(commit) > 0 && len(abort) > 0 {
		return fmt.Errorf("atomicity: n%d committed but n%d aborted", commit[0], abort[0])
	}
	if len(commit) > 0 {
		for id, no := range cfg.VoteNo {
			if no && id != int(Coordinator) {
				return fmt.Errorf("atomicity: n%d committed although n%d voted no", commit[0], id)
			}
		}
	}
	return nil
}
