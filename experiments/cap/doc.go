// Package cap is the CAP experiment: two (or more) cinemas sell one stock
// of tickets, a network partition separates them for a while, and we count
// what each design gives up.
//
// The story is the course notes' (course-notes.md, 一致性问题): "某影视公司
// 旗下有西单和中关村的两个电影院，都出售某电影票，票一共就一万张" — two
// cinemas, Xidan and Zhongguancun, sell the same film, ten thousand tickets
// in all; how does a clerk decide whether to sell the next one without
// overselling? The notes' answers ("call the other cinema before every
// sale", "a third party holds the tickets") serialise the sales; CAP says
// that while the cinemas cannot call each other, serialising means refusing.
//
// Two configurations run on the same seeds:
//
//   - CP: the offices are replicas of a Multi-Paxos log (protocols/paxos)
//     whose state machine is the ticket counter (paxos.CmdSell). A sale is
//     a committed log entry, so the side of the partition without a
//     majority cannot sell: its customers wait until their patience runs
//     out (the deadline) and are refused. With an even number of offices a
//     tie-breaking replica that sells nothing itself joins the larger side,
//     so that some side always has a majority (with two offices: office 0
//     alone on one side, office 1 and the tie-breaker on the other).
//   - AP: each office sells from its own view of the sales, a G-counter
//     (one count per office, merged by element-wise maximum) that the
//     offices exchange every gossip period. It never refuses; during a
//     partition each side sells the tickets it believes are left, and once
//     the partition heals the merged counter shows how many were oversold.
//
// Customers arrive at ticket windows as a Poisson process, independent of
// service, and queue (a window serves one customer at a time). A customer
// either gets a ticket number, hears "sold out" (and the window closes),
// or gives up a deadline after arriving — refused, whether in service or
// still queuing.
// The client history is checked for linearizability with porcupine against
// a ticket counter whose sale returns the next ticket number or sold-out; a
// refused customer's sale has an unknown outcome (it may yet commit), so it
// is an operation that may take effect at any time after its call, or never.
package cap
