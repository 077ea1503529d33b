// Package pbft is Castro and Liskov's Practical Byzantine Fault Tolerance
// (OSDI 1999) as pure state machines on the sim kernel, with the Byzantine
// replicas that attack it.
//
// n = 3f+1 replicas order client requests. A client signs a request and
// sends it to the primary of the current view (replica view mod n). The
// primary assigns a sequence number and broadcasts a signed pre-prepare;
// each backup that accepts it broadcasts a signed prepare. A replica with
// the pre-prepare and 2f matching prepares is prepared — no honest replica
// can be prepared for another request at that number in that view — and
// broadcasts a commit; with 2f+1 matching commits it has committed, and it
// executes committed requests strictly in sequence order and replies. The
// client accepts a result that f+1 replicas sent: one of them is honest.
//
// Every k sequence numbers a replica signs a checkpoint of its state; 2f+1
// matching ones make it stable, and everything at or below it is thrown
// away, so the log holds at most the 2k numbers of the window above the
// stable checkpoint. A replica that fell behind adopts the state of a
// stable checkpoint it is shown (state transfer).
//
// When requests wait too long, backups ask for a view change: a signed
// message carrying their stable checkpoint and their prepared certificates
// (a pre-prepare with 2f prepares, all signed, so they cannot be made up).
// The next primary collects 2f+1 of them and broadcasts a new-view with
// them and the pre-prepares they imply: every sequence number that
// prepared anywhere keeps the request of its highest-view certificate,
// every hole gets the null request. Backups check the new-view against the
// certificates before they install it. A replica that sees f+1 view
// changes for later views joins them; the timer doubles with every view
// change that brings no progress, so after GST the views meet a correct
// primary.
//
// Why 3f+1: quorums of 2f+1 among 3f+1 share f+1 replicas, at least one of
// them honest, and an honest replica does not vote for two requests at one
// number. With n = 3f the quorums that keep the system live share only f —
// possibly all traitors — and an equivocating primary splits the honest
// replicas: Quorum explains the choice, and the tests and `simulate check
// pbft --replicas 3 --traitors 1` find the split.
//
// Durable state: a replica writes to its sim.Storage what it has promised
// — its view (and whether it is still changing views), the last sequence
// number it assigned as primary, for each sequence number in the window
// the view and request it pre-prepared and the one it prepared and
// committed, and its executed state with its last stable checkpoint — so
// that after a crash and restart (Scenario.Crashes, `simulate pbft
// --crash`) it resumes where it was and never sends a message that
// contradicts one it sent before. Signatures cannot be stored, so a
// restarted replica cannot show the certificates behind its promises: it
// sends no view change until it has won them back from its peers
// (Recover), or a stable checkpoint above them makes them moot; see
// durable.go. The amnesia bug ignores Storage on restart: a primary that
// forgot it assigned #1 assigns it again, backups that forgot they
// prepared #1 prepare the new request, and with more than f such restarts
// (never more than f down at once) a quorum commits a second request at a
// number that already committed — a fork, which the tests find by search.
//
// The traitors (see Strategies) are sim.Nodes too; the teaching bugs
// (see Bugs) switch off the check that makes an attack fail. Run runs a
// Scenario and reports agreement, validity, completed requests, view
// changes, messages and latency; Byzantine is the short form for "f
// traitors among 3f+1". Message loss is repaired by a status exchange: a
// replica that is behind asks, and its peers resend what it misses.
package pbft
