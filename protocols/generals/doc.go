// Package generals is Lamport, Shostak and Pease's Byzantine generals
// problem ("The Byzantine Generals Problem", 1982) as real protocol code on
// the sim kernel: the oral-messages algorithm OM(m) and the
// signed-messages algorithm SM(m), with traitor strategies that are just
// other sim.Node implementations.
//
// General 0 is the commander; generals 1 .. n-1 are its lieutenants. The
// algorithms assume a synchronous network, so rounds are driven by timers:
// round r's messages are sent at time r·RoundLength and arrive before the
// next boundary (the network here never delays a message by a whole
// round). A message that has not arrived by its round's end is missing, and
// a missing order counts as the default, Retreat — which is how a silent
// traitor is handled. Majorities with ties also fall to Retreat.
//
// The two interactive-consistency conditions every run is judged on:
//
//	IC1 (agreement): all loyal lieutenants decide the same order.
//	IC2 (validity):  if the commander is loyal, every loyal lieutenant
//	                 decides the order it sent.
//
// OM(m) meets both whenever n ≥ 3m+1 and at most m generals are traitors;
// with n ≤ 3m no oral-messages algorithm can, and the simulator finds the
// runs that show it. SM(m) meets both for any number of traitors up to m,
// because a traitor cannot forge the commander's signature (the kernel
// enforces it) and can only withhold or, as commander, equivocate.
//
// A note for readers of the course notes this tool accompanies: they
// describe, under the name "Byzantine generals", the impossibility of
// agreeing over a channel that loses messages. That is the two generals'
// problem. Lamport's Byzantine generals assume every message arrives (in
// time; a missing one is a traitor's silence) and ask what lying
// participants can do — the problem simulated here.
package generals
