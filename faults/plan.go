// Package faults describes what goes wrong in a run: fault plans (timed
// crashes, restarts, partitions, one-way cuts, loss and duplication
// windows, and heals) as JSON-serialisable values, the --crash and
// --partition flag syntax every protocol shares (CrashWindow,
// PartitionWindow), a generator that draws plans under a budget of
// at most f faulty nodes with everything healed by GST, and
// protocol-agnostic Byzantine wrappers that make any sim.Node misbehave.
//
// A plan is data, not code, so that it can sit in a scenario file, be
// printed in a counterexample and be replayed. A generated plan takes every
// decision from sim.Choices with 0 as the calm outcome: all zeros is the
// empty plan, and rapid shrinks a failing plan toward the few faults the
// failure needs.
package faults

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"simulate/network"
	"simulate/sim"
)

// Kind names what a fault event does.
type Kind string

// The kinds of plan event.
const (
	// KindCrash crashes Node: it loses all but its durable storage.
	KindCrash Kind = "crash"
	// KindRestart restarts Node around its surviving storage.
	KindRestart Kind = "restart"
	// KindPartition splits the network into Groups (see network.Net.Partition:
	// unlisted nodes form one more group).
	KindPartition Kind = "partition"
	// KindHeal ends every partition, cut, loss and duplication window.
	KindHeal Kind = "heal"
	// KindLoss sets the loss probability to P until the next loss or heal.
	KindLoss Kind = "loss"
	// KindCut breaks the one-way link From → To until the next heal.
	KindCut Kind = "cut"
	// KindDuplicate sets the duplication probability to P until the next
	// duplicate or heal.
	KindDuplicate Kind = "duplicate"
)

var kinds = []Kind{KindCrash, KindRestart, KindPartition, KindHeal, KindLoss, KindCut, KindDuplicate}

// network reports whether the event acts on the network rather than a node.
func (k Kind) network() bool {
	return k == KindPartition || k == KindHeal || k == KindLoss || k == KindCut || k == KindDuplicate
}

// Event is one timed fault. Which fields matter depends on Kind: Node for
// crash and restart, Groups for partition, From and To for cut, P for loss.
//
// In JSON, "at" is a duration string ("1.5s", "250ms") or an integer
// number of nanoseconds, and only the fields of the event's kind appear:
//
//	{"at":"1.5s","kind":"crash","node":2}
//	{"at":"2s","kind":"partition","groups":[[0,1],[2,3]]}
//	{"at":"3s","kind":"cut","from":0,"to":2}
//	{"at":"3s","kind":"loss","p":0.3}
//	{"at":"5s","kind":"heal"}
type Event struct {
	At     sim.Time
	Kind   Kind
	Node   sim.NodeID
	Groups [][]sim.NodeID
	From   sim.NodeID
	To     sim.NodeID
	P      float64
}

// Plan is a list of timed fault events. Events at the same time take
// effect in list order.
type Plan []Event

// Crash is the event "node crashes at at".
func Crash(at sim.Time, node sim.NodeID) Event { return Event{At: at, Kind: KindCrash, Node: node} }

// Restart is the event "node restarts at at".
func Restart(at sim.Time, node sim.NodeID) Event {
	return Event{At: at, Kind: KindRestart, Node: node}
}

// Partition is the event "the network splits into groups at at".
func Partition(at sim.Time, groups ...[]sim.NodeID) Event {
	return Event{At: at, Kind: KindPartition, Groups: groups}
}

// Heal is the event "every partition, cut and loss window ends at at".
func Heal(at sim.Time) Event { return Event{At: at, Kind: KindHeal} }

// Loss is the event "the loss probability becomes p at at".
func Loss(at sim.Time, p float64) Event { return Event{At: at, Kind: KindLoss, P: p} }

// Duplicate is the event "the duplication probability becomes p at at".
func Duplicate(at sim.Time, p float64) Event { return Event{At: at, Kind: KindDuplicate, P: p} }

// Cut is the event "the link from → to breaks at at".
func Cut(at sim.Time, from, to sim.NodeID) Event {
	return Event{At: at, Kind: KindCut, From: from, To: to}
}

// String renders e for people, e.g. "1.5s crash n2".
func (e Event) String() string {
	return e.At.String() + " " + string(e.Kind) + e.detail(0)
}

// detail is the readable part after the kind; n, when known, lets a
// partition name its implicit rest group.
func (e Event) detail(n int) string {
	switch e.Kind {
	case KindCrash, KindRestart:
		return " n" + strconv.Itoa(int(e.Node))
	case KindPartition:
		return " " + network.GroupsString(n, e.Groups)
	case KindLoss, KindDuplicate:
		return " p=" + strconv.FormatFloat(e.P, 'g', -1, 64)
	case KindCut:
		return fmt.Sprintf(" n%d->n%d", e.From, e.To)
	}
	return ""
}

// String renders the plan one event per line.
func (p Plan) String() string {
	var b strings.Builder
	for _, e := range p {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// eventJSON is Event's wire form: pointers tell a missing field from a zero
// one (node 0 is a real node), so a crash without "node" is an error rather
// than a crash of node 0.
type eventJSON struct {
	At     json.RawMessage `json:"at"`
	Kind   Kind            `json:"kind"`
	Node   *sim.NodeID     `json:"node,omitempty"`
	Groups *[][]sim.NodeID `json:"groups,omitempty"`
	From   *sim.NodeID     `json:"from,omitempty"`
	To     *sim.NodeID     `json:"to,omitempty"`
	P      *float64        `json:"p,omitempty"`
}

// MarshalJSON writes only the fields of e's kind, with "at" as a duration
// string (or integer nanoseconds for a time whose string does not read back,
// such as sim.Never's "never").
func (e Event) MarshalJSON() ([]byte, error) {
	at, _ := json.Marshal(e.At.String())
	if t, err := parseAt(at); err != nil || t != e.At {
		at = strconv.AppendInt(nil, int64(e.At), 10)
	}
	j := eventJSON{At: at, Kind: e.Kind}
	switch e.Kind {
	case KindCrash, KindRestart:
		j.Node = &e.Node
	case KindPartition:
		groups := e.Groups
		if groups == nil {
			groups = [][]sim.NodeID{}
		}
		j.Groups = &groups
	case KindCut:
		j.From, j.To = &e.From, &e.To
	case KindLoss, KindDuplicate:
		j.P = &e.P
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads one event, rejecting unknown kinds, unknown fields,
// missing fields and fields that do not belong to the kind (a likely typo).
func (e *Event) UnmarshalJSON(b []byte) error {
	var j eventJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return cleanJSONError(err)
	}
	if j.At == nil {
		return errors.New(`missing "at"`)
	}
	at, err := parseAt(j.At)
	if err != nil {
		return err
	}
	if j.Kind == "" {
		return errors.New(`missing "kind"`)
	}
	known := false
	for _, k := range kinds {
		known = known || k == j.Kind
	}
	if !known {
		return fmt.Errorf("unknown kind %q (want crash, restart, partition, heal, loss, duplicate or cut)", j.Kind)
	}
	// need lists the fields the kind requires; every other field must be absent.
	present := map[string]bool{"node": j.Node != nil, "groups": j.Groups != nil, "from": j.From != nil, "to": j.To != nil, "p": j.P != nil}
	var need []string
	switch j.Kind {
	case KindCrash, KindRestart:
		need = []string{"node"}
	case KindPartition:
		need = []string{"groups"}
	case KindCut:
		need = []string{"from", "to"}
	case KindLoss, KindDuplicate:
		need = []string{"p"}
	}
	for _, f := range need {
		if !present[f] {
			return fmt.Errorf("%s needs %q", j.Kind, f)
		}
		present[f] = false
	}
	for _, f := range []string{"node", "groups", "from", "to", "p"} {
		if present[f] {
			return fmt.Errorf("%s does not take %q", j.Kind, f)
		}
	}
	*e = Event{At: at, Kind: j.Kind}
	if j.Groups != nil {
		e.Groups = *j.Groups
	}
	if j.Node != nil {
		e.Node = *j.Node
	}
	if j.From != nil {
		e.From, e.To = *j.From, *j.To
	}
	if j.P != nil {
		e.P = *j.P
	}
	return nil
}

// parseAt reads "at": a duration string or an integer of nanoseconds.
func parseAt(raw json.RawMessage) (sim.Time, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		t, err := sim.ParseTime(s)
		if err != nil {
			return 0, fmt.Errorf(`bad "at" %q: want a duration such as "1.5s" or integer nanoseconds`, s)
		}
		return t, nil
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, fmt.Errorf(`bad "at" %s: want a duration such as "1.5s" or integer nanoseconds`, raw)
	}
	return sim.Time(n), nil
}

// cleanJSONError makes encoding/json's errors read well in one line.
func cleanJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("field %q: got JSON %s, want %s", te.Field, te.Value, te.Type)
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

// ParsePlan reads a plan: a JSON array of events. Malformed input, unknown
// kinds or fields, missing fields and trailing data are errors (one line,
// naming the event); it never panics. It checks structure only: call
// Validate with the number of nodes for ranges.
func ParsePlan(data []byte) (Plan, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw []json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("fault plan: empty input, want a JSON array of events")
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("fault plan: got JSON %s, want an array of events", te.Value)
		}
		return nil, fmt.Errorf("fault plan: %v", cleanJSONError(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("fault plan: unexpected data after the array of events")
	}
	p := make(Plan, 0, len(raw))
	for i, r := range raw {
		var e Event
		if err := e.UnmarshalJSON(r); err != nil {
			return nil, fmt.Errorf("fault plan: event %d: %v", i, err)
		}
		p = append(p, e)
	}
	return p, nil
}

// Validate checks p against a run of n nodes: times not negative, nodes in
// range, partitions well formed, cuts between two distinct nodes,
// probabilities in [0, 1]. The error names the event and is one line.
func (p Plan) Validate(n int) error {
	if n <= 0 {
		return fmt.Errorf("fault plan: the run needs at least one node, got %d", n)
	}
	node := func(what string, id sim.NodeID) error {
		if id < 0 || int(id) >= n {
			return fmt.Errorf("%s %d out of range: the run has %d nodes (0..%d)", what, id, n, n-1)
		}
		return nil
	}
	for i, e := range p {
		var err error
		switch {
		case e.At < 0:
			err = errors.New("time must not be negative")
		case e.Kind == KindCrash || e.Kind == KindRestart:
			err = node("node", e.Node)
		case e.Kind == KindPartition:
			empty := true
			for _, g := range e.Groups {
				empty = empty && len(g) == 0
			}
			if empty {
				err = errors.New("partition needs at least one non-empty group")
			} else {
				err = network.ValidateGroups(n, e.Groups)
			}
		case e.Kind == KindCut:
			if err = node("from", e.From); err == nil {
				err = node("to", e.To)
			}
			if err == nil && e.From == e.To {
				err = fmt.Errorf("cut n%d->n%d: a node cannot cut itself off from itself", e.From, e.To)
			}
		case e.Kind == KindLoss:
			err = network.ValidateProbability("loss", e.P)
		case e.Kind == KindDuplicate:
			err = network.ValidateProbability("duplicate", e.P)
		case e.Kind == KindHeal:
		default:
			err = fmt.Errorf("unknown kind %q", e.Kind)
		}
		if err != nil {
			return fmt.Errorf("fault plan: event %d (%s at %s): %v", i, e.Kind, e.At, err)
		}
	}
	return nil
}

// Apply schedules p on w: crashes and restarts through w.CrashAt and
// w.RestartAt, network events through w.At acting on net, with kinds
// "partition", "heal", "loss", "cut" and "duplicate" and a readable detail
// in the trace. It validates p first and needs net only if p has network
// events. Crashes and restarts at time 0 take effect after every node's
// Start; network events at time 0 act on net at once, so the network is
// already split (or lossy) when the nodes send their first messages, and
// their trace lines still appear at 0.
func (p Plan) Apply(w *sim.World, net *network.Net) error {
	n := len(w.Nodes())
	if err := p.Validate(n); err != nil {
		return err
	}
	for i, e := range p {
		if e.Kind.network() && net == nil {
			return fmt.Errorf("fault plan: event %d (%s at %s) needs a network.Net", i, e.Kind, e.At)
		}
	}
	at := func(e Event, detail string, act func()) {
		if e.At == 0 {
			act()
			act = nil
		}
		w.At(e.At, string(e.Kind), detail, act)
	}
	for _, e := range p {
		switch e.Kind {
		case KindCrash:
			w.CrashAt(e.At, e.Node)
		case KindRestart:
			w.RestartAt(e.At, e.Node)
		case KindPartition:
			groups := e.Groups
			at(e, network.GroupsString(n, groups), func() { net.Partition(groups...) })
		case KindHeal:
			at(e, "all links restored", net.Heal)
		case KindLoss:
			prob := e.P
			at(e, strings.TrimPrefix(e.detail(n), " "), func() { net.SetLoss(prob) })
		case KindCut:
			from, to := e.From, e.To
			at(e, strings.TrimPrefix(e.detail(n), " "), func() { net.Cut(from, to) })
		case KindDuplicate:
			prob := e.P
			at(e, strings.TrimPrefix(e.detail(n), " "), func() { net.SetDuplicate(prob) })
		}
	}
	return nil
}
