package check

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/anishathalye/porcupine"

	"simulate/sim"
)

// The observation kinds and commands of a key-value store's clients.
const (
	ObsInvoke = "invoke"
	ObsReturn = "return"
	CmdGet    = "get"
	CmdPut    = "put"
)

// Op is one client operation of a history. Pending operations (no
// response by the end) have Done false.
type Op struct {
	Client sim.NodeID `json:"client"`
	Seq    int        `json:"seq"`
	Kind   string     `json:"kind"`
	Key    string     `json:"key"`
	Value  string     `json:"value,omitempty"`
	Output string     `json:"output,omitempty"`
	Call   sim.Time   `json:"call"`
	Return sim.Time   `json:"return,omitempty"`
	Done   bool       `json:"done"`
}

// DrawKVOp draws a key-value client's next operation from r: a key from
// keys, then a get or a put of a value ("client.seq") unique to this
// operation, so a history tells every write apart. Paxos's and Raft's
// clients draw the same way, which keeps their workloads comparable.
func DrawKVOp(r *rand.Rand, keys []string, client sim.NodeID, seq int) (kind, key, value string) {
	key = keys[r.IntN(len(keys))]
	if r.IntN(2) == 0 {
		return CmdPut, key, strconv.Itoa(int(client)) + "." + strconv.Itoa(seq)
	}
	return CmdGet, key, ""
}

// KVHistory rebuilds the client operations of a key-value store from a
// run's observations: each client (a node numbered from clientsFrom on)
// observes ObsInvoke with "get KEY" or "put KEY=VALUE" and ObsReturn with
// the answer, both in the operation's sequence-number slot. Paxos's and
// Raft's stores record exactly this.
func KVHistory(obs []sim.Observation, clientsFrom int) []Op {
	calls := Calls(obs, clientsFrom)
	ops := make([]Op, len(calls))
	for i, c := range calls {
		op := Op{Client: c.Client, Seq: c.Seq, Call: c.Call, Output: c.Output, Return: c.Return, Done: c.Done}
		kind, rest, _ := strings.Cut(c.Input, " ")
		op.Kind = kind
		if kind == CmdPut {
			op.Key, op.Value, _ = strings.Cut(rest, "=")
		} else {
			op.Key = rest
		}
		ops[i] = op
	}
	return ops
}

// Call is one client call rebuilt from a run's observations: the client
// observes ObsInvoke with the call's input, then ObsReturn with its
// answer, both in the call's sequence-number slot. Done is false for a
// call no answer reached by the end of the run.
type Call struct {
	Client        sim.NodeID
	Seq           int
	Input, Output string
	Call, Return  sim.Time
	Done          bool
}

// Calls rebuilds the calls of the clients (the nodes numbered from
// clientsFrom on), in invocation order, pairing each answer with its
// invocation; a second answer to one call is ignored. Every client
// history checked for linearizability (KVHistory, the CAP experiment's
// ticket sales) starts here.
func Calls(obs []sim.Observation, clientsFrom int) []Call {
	type key struct {
		c   sim.NodeID
		seq int
	}
	idx := map[key]int{}
	var calls []Call
	for _, o := range obs {
		if int(o.Node) < clientsFrom {
			continue
		}
		switch o.Kind {
		case ObsInvoke:
			idx[key{o.Node, o.Slot}] = len(calls)
			calls = append(calls, Call{Client: o.Node, Seq: o.Slot, Input: o.Value, Call: o.Time})
		case ObsReturn:
			if i, ok := idx[key{o.Node, o.Slot}]; ok && !calls[i].Done {
				calls[i].Output, calls[i].Return, calls[i].Done = o.Value, o.Time, true
			}
		}
	}
	return calls
}

type kvInput struct{ kind, key, value string }

// kvModel is one register per key: a put overwrites, a get returns the
// latest value ("" before any put).
var kvModel = porcupine.Model{
	Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var keys []string
		for _, op := range h {
			k := op.Input.(kvInput).key
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		sort.Strings(keys)
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		in := input.(kvInput)
		if in.kind == CmdPut {
			return true, in.value
		}
		return output.(string) == state.(string), state
	},
}

// KVLinearizability checks a key-value history with porcupine (one
// register per key). A put with
// no response may or may not have taken effect, so it stays open until
// forever; a get with no response says nothing and is left out.
func KVLinearizability(h []Op) string {
	var ops []porcupine.Operation
	for _, op := range h {
		ret := int64(op.Return)
		if !op.Done {
			if op.Kind == CmdGet {
				continue
			}
			ret = 1 << 62
		}
		ops = append(ops, porcupine.Operation{ClientId: int(op.Client), Input: kvInput{op.Kind, op.Key, op.Value},
			Call: int64(op.Call), Output: op.Output, Return: ret})
	}
	if porcupine.CheckOperations(kvModel, ops) {
		return ""
	}
	return fmt.Sprintf("the %d client operations have no linearization", len(ops))
}
