package paxos

import (
	"fmt"
	"sort"
	"strings"

	"simulate/check"
	"simulate/protocols/internal/kvclient"
	"simulate/sim"
)

// Observation kinds of key-value clients: an operation's invocation and its
// response, with the client's sequence number as the slot. Together they are
// the client history a linearizability checker reads.
const (
	ObsInvoke = check.ObsInvoke
	ObsReturn = check.ObsReturn
)

// ClientParams configures a key-value client (kvclient.Params; Retry 0,
// as Multi-Paxos's own runs use it, waits for Timeout).
type ClientParams = kvclient.Params

// Client issues gets and puts to the replicated store one at a time and
// records each invocation and response. It sends to the replica it believes
// leads, follows "not leader" hints, and on a timeout tries the next replica
// with the same sequence number, which the store applies at most once. It is
// the client Raft's store has too (kvclient.Client), speaking Paxos's
// Request and Reply.
type Client = kvclient.Client

// NewClient returns a key-value client.
func NewClient(p ClientParams) *Client { return newClient(p, &clientAlloc{}) }

// clientAlloc is where clients make their requests and command texts. A
// run's clients share one (Instance.clients): a run of many clients of a
// few commands each would otherwise start a slab and a block per client.
// Sharing it shares no state between the clients, only memory: every slab
// entry and every text is one client's, written once, and reached only
// through that client's message or observation.
type clientAlloc struct {
	requests boxer[Request]
	texts    textArena
}

func newClient(p ClientParams, a *clientAlloc) *Client {
	return kvclient.NewTexted(p, func(kc kvclient.Cmd) (sim.Message, string) {
		// The decide text, "c5#3 put x=5.3", rendered once here and
		// carried to the leader, ends in the invoke text, "put x=5.3".
		c := Cmd(kc)
		text := a.texts.text(c)
		return a.requests.box(Request{Cmd: c, text: text}), text[c.originLen():]
	})
}

// Op is one client operation of a history (check.Op).
type Op = check.Op

// history rebuilds the clients' operations from their observations.
func history(obs []sim.Observation, replicas int) []Op { return check.KVHistory(obs, replicas) }

func (in *Instance) newMultiNode(id sim.NodeID) sim.Node {
	s := in.resolved
	t := DefaultMultiTiming(s.MaxDelay())
	if int(id) >= s.Nodes {
		if in.clients == nil {
			in.clients = &clientAlloc{}
		}
		return newClient(ClientParams{Replicas: s.Nodes, Candidates: s.Proposers, Ops: s.Ops, Keys: []string{"x", "y"}, Timeout: t.Client}, in.clients)
	}
	p := MultiParams{N: s.Nodes, Timing: t, Bug: s.Bug, Batch: s.Batch}
	if int(id) < s.Proposers {
		p.Candidate = true
		if int(id) < len(s.Starts) {
			p.StartAt = s.Starts[id]
		}
	}
	return NewReplica(p)
}

// multiStop ends a Multi-Paxos run once every client finished and every
// live replica has applied the same log (leaders heartbeat forever, so the
// world is never quiescent).
func (in *Instance) multiStop() func(w *sim.World) bool {
	s := in.resolved
	want := s.Clients * s.Ops
	returned, seen := 0, 0
	return func(w *sim.World) bool {
		obs := w.Observations()
		for ; seen < len(obs); seen++ {
			if obs[seen].Kind == ObsReturn {
				returned++
			}
		}
		if returned < want {
			return false
		}
		applied := -1
		for i := 0; i < s.Nodes; i++ {
			id := sim.NodeID(i)
			if w.Crashed(id) {
				continue
			}
			r, ok := w.Node(id).(*Replica)
			if !ok {
				return false
			}
			if applied >= 0 && r.Applied() != applied {
				return false
			}
			applied = r.Applied()
		}
		return true
	}
}

// checkMulti checks validity for the replicated store: every committed
// command is a no-op or was invoked by a client. (Linearizability of the
// client history is checked with porcupine in the tests and by check/.)
func checkMulti(o Outcome) []Violation {
	var out []Violation
	invoked := map[string]bool{}
	for _, op := range o.History {
		invoked[Cmd{Client: op.Client, Seq: op.Seq, Kind: op.Kind, Key: op.Key, Value: op.Value}.String()] = true
	}
	var bad []string
	for _, ob := range o.Result.Observations {
		if ob.Kind == ObsDecide && ob.Value != CmdNoop && !invoked[ob.Value] {
			bad = append(bad, fmt.Sprintf("slot %d (%s) at n%d", ob.Slot, ob.Value, ob.Node))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		out = append(out, Violation{"validity", "committed commands no client issued: " + strings.Join(bad, "; ")})
	}
	return out
}

// checkMultiTermination: after GST with a majority up, every client
// operation completed.
func checkMultiTermination(o Outcome) (Violation, bool) {
	pending := 0
	for _, op := range o.History {
		if !op.Done {
			pending++
		}
	}
	total := o.Scenario.Clients * o.Scenario.Ops
	if got := len(o.History) - pending; got < total {
		return Violation{"termination", fmt.Sprintf("%d of %d client operations completed by %s, %s after GST", got, total, o.Result.End, o.Result.End-o.Scenario.GST)}, false
	}
	return Violation{}, true
}
