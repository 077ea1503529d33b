package raft

import (
	"fmt"
	"strconv"
	"strings"

	"simulate/check"
	"simulate/sim"
)

// The properties, as they appear in Violation.Property.
const (
	PropElectionSafety     = "election safety"
	PropLogMatching        = "log matching"
	PropLeaderCompleteness = "leader completeness"
	PropStateMachineSafety = "state machine safety"
	PropCommitQuorum       = "commit quorum"
	PropLinearizability    = "linearizability"
	PropLiveness           = "liveness"
)

// Violation is a broken property.
type Violation struct {
	Property string `json:"property"`
	Detail   string `json:"detail"`
}

func (v Violation) String() string { return v.Property + ": " + v.Detail }

// Coverage counts the interesting things a run did, so that a search that
// finds nothing can show it looked.
type Coverage struct {
	// SplitVotes counts terms in which two or more nodes stood and nobody
	// won (§5.2).
	SplitVotes int `json:"split_votes"`
	// LeaderChanges counts elections won after the first.
	LeaderChanges int `json:"leader_changes"`
	// UncommittedLeaderChanges counts leader changes where the new leader
	// held entries not yet known to be committed: the situation of §5.4.2.
	UncommittedLeaderChanges int `json:"uncommitted_leader_changes"`
	// MidTermRestarts counts restarts into a term that still had its leader.
	MidTermRestarts int `json:"mid_term_restarts"`
}

// Monitor checks election safety, leader completeness and state machine
// safety incrementally over a run's observations, and counts coverage. A
// run's stop predicate feeds it after every event, to end the run at the
// first violation; the checkers feed it a finished run.
type Monitor struct {
	n    int
	seen int
	// leaders[term] is the first node that won term.
	leaders map[int64]sim.NodeID
	// candidates[term] counts the nodes that stood in term.
	candidates map[int64]int
	maxTerm    int64
	// applied[i-1] is the first entry any node applied at index i.
	applied []Entry
	appOK   []bool
	// commits is every (index, term) commit observation, in order.
	commits   []commitObs
	maxCommit int
	returned  int
	anyLeader bool

	violations []Violation
	violated   map[string]bool
	cov        Coverage
}

type commitObs struct {
	index int
	term  int64
}

// NewMonitor returns a Monitor for a run of n replicas.
func NewMonitor(n int) *Monitor {
	return &Monitor{n: n, leaders: map[int64]sim.NodeID{}, candidates: map[int64]int{}, violated: map[string]bool{}}
}

// Feed reads the observations not seen yet (obs is the run's growing
// list) and returns the first violation so far, "" if none.
func (m *Monitor) Feed(obs []sim.Observation) string {
	for ; m.seen < len(obs); m.seen++ {
		m.add(obs[m.seen])
	}
	if len(m.violations) > 0 {
		return m.violations[0].String()
	}
	return ""
}

// Violations returns the violations found so far, the first of each
// property.
func (m *Monitor) Violations() []Violation { return m.violations }

// Coverage returns the coverage counts so far.
func (m *Monitor) Coverage() Coverage {
	c := m.cov
	for term, k := range m.candidates {
		if _, won := m.leaders[term]; k >= 2 && !won {
			c.SplitVotes++
		}
	}
	return c
}

func (m *Monitor) fail(prop, format string, args ...any) {
	if m.violated[prop] {
		return
	}
	m.violated[prop] = true
	m.violations = append(m.violations, Violation{prop, fmt.Sprintf(format, args...)})
}

func (m *Monitor) add(o sim.Observation) {
	switch o.Kind {
	case ObsCandidate:
		m.candidates[int64(o.Slot)]++
		m.maxTerm = max(m.maxTerm, int64(o.Slot))
	case ObsLeader:
		m.onLeader(o)
	case ObsCommit:
		t, _ := strconv.ParseInt(o.Value, 10, 64)
		m.commits = append(m.commits, commitObs{o.Slot, t})
		m.maxCommit = max(m.maxCommit, o.Slot)
	case ObsApply:
		e, err := parseEntry(o.Value)
		if err != nil || o.Slot < 1 {
			return
		}
		for len(m.applied) < o.Slot {
			m.applied = append(m.applied, Entry{})
			m.appOK = append(m.appOK, false)
		}
		i := o.Slot - 1
		if !m.appOK[i] {
			m.applied[i], m.appOK[i] = e, true
		} else if m.applied[i] != e {
			m.fail(PropStateMachineSafety, "n%d applied %q at index %d at %s, but %q was applied there before",
				o.Node, e, o.Slot, o.Time, m.applied[i])
		}
	case ObsRestart:
		if t := int64(o.Slot); t > 0 && t == m.maxTerm {
			if _, ok := m.leaders[t]; ok {
				m.cov.MidTermRestarts++
			}
		}
	case check.ObsReturn:
		if int(o.Node) >= m.n {
			m.returned++
		}
	}
}

// onLeader checks election safety (at most one leader per term, §5.2) and
// leader completeness (§5.4: the new leader's log holds every entry
// committed in an earlier term, as its observed log terms show).
func (m *Monitor) onLeader(o sim.Observation) {
	term := int64(o.Slot)
	m.maxTerm = max(m.maxTerm, term)
	if prev, ok := m.leaders[term]; ok && prev != o.Node {
		m.fail(PropElectionSafety, "n%d and n%d both lead term %d (n%d won at %s)", prev, o.Node, term, o.Node, o.Time)
	} else if !ok {
		m.leaders[term] = o.Node
	}
	var terms []int64
	for _, f := range strings.Fields(o.Value) {
		t, _ := strconv.ParseInt(f, 10, 64)
		terms = append(terms, t)
	}
	if m.anyLeader {
		m.cov.LeaderChanges++
		if len(terms) > m.maxCommit {
			m.cov.UncommittedLeaderChanges++
		}
	}
	m.anyLeader = true
	// Every index up to the highest committed in an earlier term is
	// committed (§5.3: committing an entry commits all before it).
	committed, in := 0, int64(0)
	for _, c := range m.commits {
		if c.term < term && c.index > committed {
			committed, in = c.index, c.term
		}
	}
	for i := 1; i <= committed && i <= len(m.applied); i++ {
		if !m.appOK[i-1] {
			continue
		}
		if i > len(terms) || terms[i-1] != m.applied[i-1].Term {
			m.fail(PropLeaderCompleteness, "n%d leads term %d from %s without entry %d (%s), committed by term %d",
				o.Node, term, o.Time, i, m.applied[i-1], in)
			return
		}
	}
}

// monitor runs a fresh Monitor over a finished run's observations.
func monitor(n int, obs []sim.Observation) *Monitor {
	m := NewMonitor(n)
	m.Feed(obs)
	return m
}

func only(m *Monitor, prop string) string {
	for _, v := range m.violations {
		if v.Property == prop {
			return v.Detail
		}
	}
	return ""
}

// ElectionSafety checks that at most one leader is elected in a term
// (Figure 3) and returns the violation, "" if none. n is the number of
// replicas.
func ElectionSafety(n int, obs []sim.Observation) string {
	return only(monitor(n, obs), PropElectionSafety)
}

// LeaderCompleteness checks that every leader's log, when it won, held
// every entry committed in an earlier term (Figure 3).
func LeaderCompleteness(n int, obs []sim.Observation) string {
	return only(monitor(n, obs), PropLeaderCompleteness)
}

// StateMachineSafety checks that no two nodes apply different entries at
// the same index (Figure 3).
func StateMachineSafety(n int, obs []sim.Observation) string {
	return only(monitor(n, obs), PropStateMachineSafety)
}

// CoverageOf counts a finished run's coverage from its observations.
func CoverageOf(n int, obs []sim.Observation) Coverage { return monitor(n, obs).Coverage() }

// LogMatching checks the Log Matching Property (Figure 3, §5.3) over the
// given logs (nil for a node that is down): if two logs hold an entry with
// the same index and term, they are identical up to that index.
func LogMatching(logs [][]Entry) string {
	for a := range logs {
		for b := a + 1; b < len(logs); b++ {
			la, lb := logs[a], logs[b]
			// The last index where both hold the same term; every entry
			// up to it must be identical.
			last := 0
			for i := min(len(la), len(lb)); i >= 1; i-- {
				if la[i-1].Term == lb[i-1].Term {
					last = i
					break
				}
			}
			for i := 1; i <= last; i++ {
				if la[i-1] != lb[i-1] {
					return fmt.Sprintf("n%d and n%d both hold a term-%d entry at index %d, but differ at index %d: %s vs %s",
						a, b, la[last-1].Term, last, i, la[i-1], lb[i-1])
				}
			}
		}
	}
	return ""
}

// Op is one client operation of a history (check.Op).
type Op = check.Op

// History rebuilds the clients' operations from the observations of a run
// with the given number of replicas (clients are the nodes after them).
func History(obs []sim.Observation, replicas int) []Op { return check.KVHistory(obs, replicas) }

// Linearizability checks the clients' history with porcupine
// (check.KVLinearizability).
func Linearizability(h []Op) string { return check.KVLinearizability(h) }

// LivenessApplies reports whether o's scenario promises progress by the
// end of the run: every fault ended by GST, the run may go on past GST,
// and a majority of replicas is up at the end.
func (o Outcome) LivenessApplies() bool {
	s := o.Scenario
	if !s.calmByGST() || o.RollingEnd > s.GST || s.Limit <= s.GST {
		return false
	}
	up := 0
	for _, u := range o.Up {
		if u {
			up++
		}
	}
	return up >= s.Nodes/2+1
}

// Liveness checks that, when it applies, every client operation completed
// by the end of the run.
func Liveness(o Outcome) string {
	if !o.LivenessApplies() {
		return ""
	}
	done := 0
	for _, op := range o.History {
		if op.Done {
			done++
		}
	}
	if total := o.Scenario.Clients * o.Scenario.Ops; done < total {
		return fmt.Sprintf("%d of %d client operations completed by %s, %s after GST", done, total, o.Result.End, o.Result.End-o.Scenario.GST)
	}
	return ""
}

// Check returns every property o violates: election safety, leader
// completeness and state machine safety over the observations, the commit
// quorum the run's instance checked at every commit, log
// matching over the final logs, linearizability of the clients' history,
// and — when safety held — liveness after GST.
func Check(o Outcome) []Violation {
	m := monitor(o.Scenario.Nodes, o.Result.Observations)
	out := append([]Violation(nil), m.Violations()...)
	if o.CommitQuorum != "" {
		out = append(out, Violation{PropCommitQuorum, o.CommitQuorum})
	}
	if v := LogMatching(o.Logs); v != "" {
		out = append(out, Violation{PropLogMatching, v})
	}
	if v := Linearizability(o.History); v != "" {
		out = append(out, Violation{PropLinearizability, v})
	}
	if len(out) == 0 {
		if v := Liveness(o); v != "" {
			out = append(out, Violation{PropLiveness, v})
		}
	}
	return out
}

// Coverage counts o's coverage.
func (o Outcome) Coverage() Coverage { return CoverageOf(o.Scenario.Nodes, o.Result.Observations) }
