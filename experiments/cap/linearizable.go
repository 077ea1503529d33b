package cap

import (
	"strconv"

	"github.com/anishathalye/porcupine"

	"simulate/check"
	"simulate/protocols/paxos"
	"simulate/sim"
)

// Outcomes of a sale other than a ticket number (which is 1 .. stock).
const (
	Unknown = -1 // refused at the deadline, or unanswered when the run ended
	Out     = 0  // sold out
	invalid = -2 // an answer no ticket counter could give
)

// never is the return time of a sale with an unknown outcome: it may take
// effect at any time after its call, so its interval never closes.
const never = int64(1) << 62

// Sale is one customer's sale in a client history.
type Sale struct {
	Window sim.NodeID `json:"window"`
	Seq    int        `json:"seq"`
	Call   sim.Time   `json:"call"`
	Return sim.Time   `json:"return,omitempty"`
	// Ticket is the ticket number (1 .. stock), Out for sold out, or
	// Unknown when the customer was refused or still waiting at the end.
	Ticket int `json:"ticket"`
}

// History rebuilds the customers' sales from the windows' observations
// (nodes servers and above), in invocation order.
func History(obs []sim.Observation, servers int) []Sale {
	calls := check.Calls(obs, servers)
	h := make([]Sale, len(calls))
	for i, c := range calls {
		h[i] = Sale{Window: c.Client, Seq: c.Seq, Call: c.Call, Ticket: Unknown}
		if c.Done {
			h[i].Return, h[i].Ticket = c.Return, parseTicket(c.Output)
		}
	}
	return h
}

func parseTicket(s string) int {
	if s == paxos.SoldOut {
		return Out
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return invalid
	}
	return n
}

// counter is the state of the ticket-counter model: sold tickets are sold
// so far, and open sales with an unknown outcome are still free to take a
// ticket, each at most once, at any later moment (or never).
type counter struct{ sold, open int }

// TicketModel is the sequential specification a history h must match: a
// counter of stock tickets where a sale returns the next ticket number, or
// sold out once all stock are gone. A sale with an unknown outcome may take
// the next ticket, at any time after its call, or nothing.
//
// Such a sale's interval never closes. Linearizing it at one point and
// guessing there whether it took a ticket makes porcupine backtrack over
// the guesses of every refused sale in flight whenever one of them in fact
// committed later (its customer gave up just before the leader answered)
// — and a long partition leaves thousands in flight. So the model
// linearizes an unknown sale as "opened" and lets a later sale consume it:
// a sale that returns ticket t when sold is s needs the t-1-s tickets in
// between to have gone to open sales. Opening early is never worse than
// opening late, and keeping more open sales is never worse than fewer, so
// one state per point suffices. Finally, an open sale may only take a
// ticket number that no answered sale in h holds: in a sequential counter
// every number is handed out once, so a number some customer holds was
// theirs. The check stays exact, and the order of answered sales is forced
// by their numbers, which keeps porcupine's search close to linear.
func TicketModel(stock int, h []Sale) porcupine.Model {
	// held[j] is how many of tickets 1 .. j answered sales hold.
	held := make([]int, stock+1)
	for _, s := range h {
		if s.Ticket >= 1 && s.Ticket <= stock {
			held[s.Ticket] = 1
		}
	}
	for j := 1; j <= stock; j++ {
		held[j] += held[j-1]
	}
	// fill reports whether tickets from+1 .. to can all have gone to open
	// sales, and how many that takes.
	fill := func(s counter, to int) (int, bool) {
		need := to - s.sold
		return need, need >= 0 && need <= s.open && held[to] == held[s.sold]
	}
	return porcupine.Model{
		Init: func() any { return counter{} },
		Step: func(state, _, output any) (bool, any) {
			s := state.(counter)
			switch t := output.(int); {
			case t == Unknown:
				return true, counter{s.sold, s.open + 1}
			case t == Out:
				need, ok := fill(s, stock)
				return ok, counter{stock, s.open - need}
			case t >= 1 && t <= stock:
				need, ok := fill(s, t-1)
				return ok, counter{t, s.open - need}
			}
			return false, s
		},
		Hash: func(state any) uint64 {
			s := state.(counter)
			return uint64(s.sold)<<32 ^ uint64(s.open)
		},
	}
}

// Linearizable reports whether the history is linearizable with respect
// to TicketModel(stock, h), checked by porcupine.
//
// Two answered sales holding the same ticket number settle it at once:
// a sequential counter hands each number out once, so no order of the
// history can explain both. porcupine would reach the same verdict only
// after trying every order, which for a history of thousands of sales
// (a split-brain store selling on both sides) does not finish.
func Linearizable(h []Sale, stock int) bool {
	seen := make(map[int]bool, len(h))
	for _, s := range h {
		if s.Ticket >= 1 {
			if seen[s.Ticket] {
				return false
			}
			seen[s.Ticket] = true
		}
	}
	ops := make([]porcupine.Operation, len(h))
	for i, s := range h {
		ret := int64(s.Return)
		if s.Ticket == Unknown {
			ret = never
		}
		ops[i] = porcupine.Operation{ClientId: int(s.Window), Call: int64(s.Call), Output: s.Ticket, Return: ret}
	}
	return porcupine.CheckOperations(TicketModel(stock, h), ops)
}
