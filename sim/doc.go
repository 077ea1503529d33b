// Package sim is the deterministic discrete-event kernel of simulate.
//
// A World holds nodes (pure state machines implementing Node), a queue of
// events ordered by (time, insertion sequence), a network Model that decides
// each message's fate, and a single source of environmental nondeterminism,
// Choices. Nodes act only through their Context: they send, set and cancel
// timers, read their own seeded random stream, write durable Storage and
// record Observations for checkers. Nothing in a run reads the wall clock, the
// global random source or map iteration order, so the same configuration and
// seed always produce the same run, and the same trace hash, byte for byte.
//
// Zero is boring: every draw from Choices is made so that 0 is the benign
// outcome (base delay, no drop, no duplicate, no fault). Property-based search
// (package sim/simtest) shrinks draws toward 0, which removes faults that do
// not matter and leaves a short schedule a person can read.
package sim
