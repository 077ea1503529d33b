// Package paxos is Lamport's Paxos on the simulated network: single-decree
// Paxos (proposers, acceptors and learners agreeing on one value) and
// Multi-Paxos (a stable leader replicating a log of client commands) with a
// key-value store on top whose clients record their history.
//
// Every node is a pure state machine (sim.Node). An acceptor writes its
// promise and its accepted proposal to sim.Storage before it answers, so a
// crash and restart cannot make it forget what it promised; that single
// discipline is what the volatile-acceptor teaching bug removes. The other
// teaching bugs (Bug) are the classic mistakes a person makes the first time
// they write Paxos: not adopting the highest accepted value, counting a
// quorum of ⌊n/2⌋, deciding on the first accept seen. Property-based search
// (rapid through sim/simtest, running Scenario.Instance with SwarmScenario's
// drawn fault mix) finds each of them; Shrink reduces the failing schedule
// to a handful of environment decisions; Check states the properties.
//
// Scenario describes a run (nodes, proposers, network, crashes, partitions,
// bug) as a JSON-serialisable value, so a trace header can replay it.
package paxos
