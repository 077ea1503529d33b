package raft_test

import (
	"fmt"

	"simulate/network"
	"simulate/protocols/raft"
	"simulate/sim"
)

// story prints the events of a run that tell Figure 8: leader crashes and
// restarts, elections won, and commits.
type story struct{}

func (story) Record(e sim.TraceEvent) {
	switch {
	case e.Kind == "crash-leader":
		fmt.Printf("%-11s %s\n", e.Time, e.Detail)
	case e.Kind == sim.TraceRestart:
		fmt.Printf("%-11s n%d restarts\n", e.Time, e.To)
	case e.Kind == sim.TraceObserve && (hasPrefix(e.Detail, raft.ObsLeader) || hasPrefix(e.Detail, raft.ObsCommit)):
		fmt.Printf("%-11s n%d %s\n", e.Time, e.From, e.Detail)
	}
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

// The paper's Figure 8 on three replicas: three leaders crash in turn,
// each right after writing a client's command to its log and before
// sending it. The third leader finds its term-1 entry on a majority and,
// with the CommitOldTerm bug, commits it by counting — then the replica
// holding the term-2 entry at that index wins the next election, and the
// committed entry is gone. The correct commit rule waits for an entry of
// the leader's own term, and the same schedule is safe.
func Example_figure8() {
	s := raft.Scenario{
		Nodes: 3, Clients: 3, Ops: 10, Latency: network.Uniform(sim.Millisecond, 5*sim.Millisecond),
		Rolling: &raft.Rolling{Arm: []sim.Time{0, 10 * sim.Millisecond, 20 * sim.Millisecond}, LastDown: 30 * sim.Millisecond},
		Limit:   2 * sim.Second, Bug: raft.CommitOldTerm,
	}
	// Every environment draw is the calm one: each message takes 1ms.
	for _, v := range raft.Check(s.Instance(1, sim.Boring{}, story{}).Run()) {
		fmt.Println(v)
	}
	s.Bug = ""
	fmt.Println("correct commit rule:", raft.Check(s.Instance(1, sim.Boring{}, nil).Run()))
	// Output:
	// 71.869901ms n1 leader[1]=
	// 89ms        rolling crash 0: n1 just appended an entry
	// 207.876005ms n2 leader[2]=
	// 209ms       rolling crash 1: n2 just appended an entry
	// 209ms       n1 restarts
	// 284.647284ms n1 leader[4]=1
	// 288.647284ms n1 commit[1]=4
	// 290.647284ms rolling crash 2: n1 just appended an entry
	// 290.647284ms n2 restarts
	// 320.647284ms n1 restarts
	// 418.831902ms n2 leader[6]=2
	// leader completeness: n2 leads term 6 from 418.831902ms without entry 1 (t1 c3#1 get x), committed by term 4
	// correct commit rule: []
}
